"""`dipkg query` on hostile query files, parameters and endpoints: read-only, offline, bounded."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Callable

import pytest

from tests.hostile.conftest import Listener, Project

Serving = Callable[[Callable[[socket.socket], None]], Listener]


def _query_file(project: Project, text: str, name: str = "hostile.rq") -> str:
    (project.root / name).write_text(text, encoding="utf-8")
    return name


@pytest.mark.parametrize(
    "text",
    [
        '#+ summary: "x"\nDROP ALL\n',
        "CLEAR DEFAULT",
        "PREFIX ex: <http://example.org/>\nINSERT DATA { ex:a ex:b ex:c }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://127.0.0.1:9/x.ttl>",
    ],
)
def test_an_update_is_refused_before_any_request(project: Project, listener: Listener, text: str) -> None:
    name = _query_file(project, text)
    project.run("query", name, "--endpoint", listener.url + "update").refused(2)
    project.run("query", name).refused(2)


SERVICE_QUERIES = [
    "PREFIX dip: <https://w3id.org/dipkg/ontology#>\n"
    "SELECT * WHERE { ?s a dip:Summons;a?t.SERVICE<{url}sparql>{?a ?b ?c} }",
    "SELECT * WHERE { ?s a ?t.SERVICE<{url}>{?a ?b ?c} }",
    "select * where { ?s ?p ?o . service silent <{url}> { ?a ?b ?c } }",
    "PREFIX x: <{url}>\nSELECT * { { SELECT ?s { ?s ?p ?o OPTIONAL { SERVICE x:s { ?s ?q ?r } } } } }",
    "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <{url}> { ?s ?p ?o } } }",
    "SELECT * WHERE { ?s ?p ?o . \\u0053ERVICE <{url}> { ?a ?b ?c } }",
    "SELECT * WHERE { ?s ?p ?o } VALUES ?x { 1 } # service in a comment\n",
]


@pytest.mark.parametrize("template", SERVICE_QUERIES)
def test_service_never_runs_locally(project: Project, listener: Listener, template: str) -> None:
    name = _query_file(project, template.replace("{url}", listener.url))
    run = project.run("query", name)
    if "# service in a comment" not in template:
        run.refused(2)
    else:
        assert run.code == 0, run.stderr


def test_from_graphs_are_never_fetched_locally(project: Project, listener: Listener) -> None:
    text = f"SELECT * FROM <{listener.url}g.ttl> FROM NAMED <{listener.url}n.ttl> WHERE {{ ?s ?p ?o }}"
    name = _query_file(project, text)
    run = project.run("query", name)
    assert "Traceback" not in run.stderr and run.code in (0, 2)


def test_a_long_word_in_a_comment_is_quick(project: Project) -> None:
    text = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 # service " + "a" * 200_000 + "\n"
    run = project.run("query", _query_file(project, text))
    assert run.code == 0 and run.seconds < 5, (run.code, run.seconds, run.stderr)


@pytest.mark.parametrize("bracket", ["(", "{", "["])
def test_deep_nesting_is_refused_not_a_crash(project: Project, bracket: str) -> None:
    closing = {"(": ")", "{": "}", "[": "]"}[bracket]
    body = bracket * 100_000 + closing * 100_000
    text = f"SELECT * WHERE {{ ?s ?p ?o FILTER({body}) }}" if bracket == "(" else f"SELECT * WHERE {body}"
    project.run("query", _query_file(project, text)).refused(2)


def test_brackets_in_a_parameter_are_a_plain_string(project: Project) -> None:
    text = "#+ params: {_who: {type: string}}\nSELECT * WHERE { ?s ?p ?_who }\n"
    name = _query_file(project, text)
    run = project.run("query", name, "--param", "who=" + "(" * 100_000, "--format", "csv")
    assert (run.code, run.stdout.splitlines(), run.stderr) == (0, ["_who,p,s"], "")


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { FILTER(" + "(#)\n" * 100_000 + "1" + ")" * 100_000 + ") }",
        '{ ?s ?p "}" . ' * 100_000 + "}" * 100_000,
        "SELECT * WHERE { FILTER(" + "(<urn:)>" * 100_000 + "1" + ")" * 100_000 + ") }",
    ],
    ids=["closed-in-comments", "closed-in-strings", "closed-in-iris"],
)
def test_nesting_hidden_behind_comments_strings_or_iris_is_refused(project: Project, text: str) -> None:
    project.run("query", _query_file(project, text)).refused(2)


def test_brackets_inside_a_string_do_not_count_as_nesting(project: Project) -> None:
    text = 'SELECT ?s WHERE { ?s ?p "' + ":-(" * 65 + '" } ORDER BY ?s'
    run = project.run("query", _query_file(project, text), "--format", "csv")
    assert (run.code, run.stdout.splitlines(), run.stderr) == (0, ["s"], "")


def test_a_hundred_thousand_values_rows_finish_or_are_refused(project: Project) -> None:
    rows = "\n".join(f"(<http://example.org/{i}>)" for i in range(100_000))
    text = f"SELECT ?x WHERE {{ VALUES (?x) {{ {rows} }} }} LIMIT 1"
    run = project.run("query", _query_file(project, text))
    assert "Traceback" not in run.stderr and run.code in (0, 2), run.stderr[-500:]


@pytest.mark.parametrize(
    "header",
    [
        "#+ params: [1, 2]\n",
        "#+ params: {_who: 3}\n",
        "#+ defaults: [{_who: x}, 5]\n",
        "#+ defaults: 7\n",
        "#+ summary: [unclosed\n",
        "#+ params: {_who: {type: [iri]}}\n",
    ],
)
def test_a_bad_query_header_is_one_line(project: Project, header: str) -> None:
    name = _query_file(project, header + "SELECT * WHERE { ?s ?p ?_who }\n")
    project.run("query", name).refused(3)


def test_a_password_in_the_endpoint_is_never_shown(project: Project, listener: Listener) -> None:
    url = f"http://reader:hunter2secret@127.0.0.1:{listener.port}/sparql"
    run = project.run("query", "summons-timeline", "--endpoint", url, "--timeout", "2")
    assert "hunter2secret" not in run.stdout + run.stderr
    run.refused(2)
    assert listener.connections == 0, "a URL holding a password is refused before any request"
    bad = "http://reader:hunter2secret@127.0.0.1:notaport/sparql"
    run = project.run("query", "summons-timeline", "--endpoint", bad)
    assert "hunter2secret" not in run.stdout + run.stderr
    run.refused(2)


def _trickle(client: socket.socket) -> None:
    client.recv(65536)
    client.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n\r\n")
    for _ in range(200):
        client.sendall(b" ")
        time.sleep(0.1)


def _gigabyte(client: socket.socket) -> None:
    client.recv(65536)
    client.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
        b"Content-Length: 1073741824\r\n\r\n"
    )
    block = b" " * (1 << 20)
    for _ in range(1024):
        client.sendall(block)


def test_an_answer_that_never_ends_is_bounded_by_the_timeout(project: Project, serving: Serving) -> None:
    server = serving(_trickle)
    run = project.run("query", "summons-timeline", "--endpoint", server.url + "sparql", "--timeout", "2")
    run.refused(3)
    assert run.seconds < 6


def test_a_gigabyte_answer_is_refused(project: Project, serving: Serving) -> None:
    server = serving(_gigabyte)
    run = project.run("query", "summons-timeline", "--endpoint", server.url + "sparql", "--timeout", "8")
    run.refused(5)


@pytest.mark.parametrize("timeout", ["-1", "nan", "0", "inf", "1e12"])
def test_a_timeout_that_is_not_a_duration_is_refused(
    project: Project, listener: Listener, timeout: str
) -> None:
    project.run("load", "--endpoint", listener.url, "--timeout", timeout).refused(2)
    project.run("query", "summons-timeline", "--endpoint", listener.url, "--timeout", timeout).refused(2)


def test_a_read_query_goes_out_as_a_query_operation(project: Project, serving: Serving) -> None:
    seen: list[bytes] = []

    def answer(client: socket.socket) -> None:
        request = client.recv(65536)
        while b"\r\n\r\n" not in request or len(request.partition(b"\r\n\r\n")[2]) < int(
            re.search(rb"Content-Length: (\d+)", request).group(1)  # type: ignore[union-attr]
        ):
            block = client.recv(65536)
            if not block:
                break
            request += block
        seen.append(request)
        body = b'{"head": {"vars": ["n"]}, "results": {"bindings": []}}'
        client.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )

    server = serving(answer)
    run = project.run("query", "summons-timeline", "--endpoint", server.url + "sparql")
    assert run.code == 0, run.stderr
    head, _, body = seen[0].partition(b"\r\n\r\n")
    assert b"Content-Type: application/x-www-form-urlencoded" in head
    assert body.startswith(b"query=") and b"update=" not in body
