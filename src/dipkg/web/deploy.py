"""Deployment files for the static site: content negotiation in Apache and nginx, and the
w3id.org redirect rules for the base IRI.

Each resource IRI path answers `303 See Other` to its document chosen by the Accept header
(HTML, Turtle, JSON-LD or N-Triples), as `dipkg serve` does.
"""

from __future__ import annotations

from urllib.parse import urlsplit

RDF_TYPES = (("ttl", "text/turtle"), ("jsonld", "application/ld\\+json"), ("nt", "application/n-triples"))


def htaccess(base_url: str) -> str:
    """An Apache .htaccess for the site's folder (mod_rewrite, mod_headers, mod_mime)."""
    rewrite_base = urlsplit(base_url).path or "/"
    rules = [
        "# Content negotiation for the dipkg site (Apache 2.4: mod_rewrite, mod_headers, mod_mime).",
        "# Each resource IRI answers 303 See Other to its page or to its data, by the Accept header.",
        "AddType text/turtle .ttl",
        "AddType application/ld+json .jsonld",
        "AddType application/n-triples .nt",
        "AddCharset utf-8 .html .ttl .jsonld .nt",
        "Options -MultiViews -Indexes",
        "RewriteEngine On",
        f"RewriteBase {rewrite_base}",
        "RewriteRule ^\\.well-known/void$ void.ttl [R=303,L]",
    ]
    for ext, media in RDF_TYPES:
        rules += [
            f"RewriteCond %{{HTTP_ACCEPT}} {media}",
            "RewriteCond %{HTTP_ACCEPT} !text/html",
            "RewriteCond %{REQUEST_FILENAME} !-f",
            f"RewriteCond %{{REQUEST_FILENAME}}.{ext} -f",
            f"RewriteRule ^(.+)$ $1.{ext} [R=303,L,E=vary:1]",
        ]
    rules += [
        "RewriteCond %{REQUEST_FILENAME} !-f",
        "RewriteCond %{REQUEST_FILENAME}.html -f",
        "RewriteRule ^(.+)$ $1.html [R=303,L,E=vary:1]",
        "Header always append Vary Accept env=REDIRECT_vary",
        "Header always append Vary Accept env=vary",
    ]
    return "\n".join(rules) + "\n"


def nginx(base_url: str, root: str = "/srv/dipkg/site") -> str:
    """An nginx configuration file for the http context (Debian: /etc/nginx/conf.d/dipkg.conf):
    the Accept map and a server that negotiates on the static files of the site in `root`."""
    parts = urlsplit(base_url)
    prefix = parts.path or "/"
    target = "root" if prefix == "/" else "alias"
    folder = root if prefix == "/" else root.rstrip("/") + "/"
    return f"""# Content negotiation for the dipkg site (nginx >= 1.18), for the http context, e.g. as
# /etc/nginx/conf.d/dipkg.conf. Copy the site to {root} (or change the path below).
# Each resource IRI answers 303 See Other to its page or to its data, by the Accept header.
map $http_accept $dipkg_ext {{
    default                      html;
    "~text/html"                 html;
    "~text/turtle"               ttl;
    "~application/ld\\+json"     jsonld;
    "~application/n-triples"     nt;
}}
server {{
    listen 80;
    server_name {parts.hostname or "_"};
    types {{ text/turtle ttl; application/ld+json jsonld; application/n-triples nt; text/html html; }}
    charset utf-8;
    charset_types text/turtle application/n-triples application/ld+json;
    location = {prefix}.well-known/void {{ return 303 {prefix}void.ttl; }}
    location {prefix} {{
        {target} {folder};
        index index.html;
        if (-f $request_filename.$dipkg_ext) {{
            add_header Vary Accept always;
            return 303 $uri.$dipkg_ext;
        }}
        try_files $uri $uri/ =404;
    }}
}}
"""


def w3id_rules(base_iri: str, base_url: str) -> str:
    """The .htaccess for the w3id.org repository folder of the base IRI, redirecting to the site."""
    target = base_url.rstrip("/") + "/"
    return f"""# Redirects for {base_iri} (a folder of the w3id.org repository).
# Every path goes to the same path on the site, which negotiates the document itself.
Options +FollowSymLinks
RewriteEngine on
RewriteRule ^$ {target} [R=303,L]
RewriteRule ^(.*)$ {target}$1 [R=303,L]
"""
