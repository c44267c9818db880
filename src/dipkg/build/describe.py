"""The description of the published dataset (kg/void.ttl): VoID, and DCAT as DCAT-AP 3.0.1 wants it.

Every value comes from the data (article dates, publishers, the countries the articles name) or
from the project's `[publication]` settings, never from the clock: the same input gives the same
bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, FOAF, RDF, RDFS, SKOS, VOID, XSD

from dipkg.build.publish import GENERATED_HEADER
from dipkg.build.turtle import INDENT, turtle_parts
from dipkg.dataset import SPDX
from dipkg.iris import IRI_FORBIDDEN
from dipkg.namespaces import DCTERMS, DIP, DataNamespaces, content_key, new_graph
from dipkg.project import Publication

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
AUTHORITY = "http://publications.europa.eu/resource/authority/"
DESCRIPTION_PREFIXES = {
    "foaf": str(FOAF),
    "vcard": str(VCARD),
    "dcatap": str(DCATAP),
    "theme": AUTHORITY + "data-theme/",
    "filetype": AUTHORITY + "file-type/",
}
TURTLE_MEDIA_TYPE = "https://www.iana.org/assignments/media-types/text/turtle"
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"
KEYWORDS = ("diplomacy", "international relations", "news", "knowledge graph", "linked data")
# (scheme, concept, English label) of the EU controlled vocabularies the description uses.
THEMES = (
    ("data-theme", "GOVE", "Government and public sector"),
    ("data-theme", "INTR", "International issues"),
)
PUBLIC_ACCESS = ("access-right", "PUBLIC", "public")
TURTLE_FILE_TYPE = ("file-type", "RDF_TURTLE", "RDF Turtle")
STABLE = ("planned-availability", "STABLE", "stable")
ADMS_LICENCE_TYPES = "http://purl.org/adms/licencetype/"
# ADMS licence types of well-known licences (DCAT-AP recommends typing a licence).
LICENCE_TYPES = {
    "https://creativecommons.org/licenses/by/4.0/": ("Attribution",),
    "https://creativecommons.org/licenses/by-sa/4.0/": ("Attribution", "ShareAlike"),
    "https://creativecommons.org/publicdomain/zero/1.0/": ("PublicDomain",),
}
ADMS_PUBLISHER_TYPES = "http://purl.org/adms/publishertype/"


@dataclass(frozen=True)
class ArticleFacts:
    """What the description says about one article: its IRI, date, publisher, countries and examples."""

    iri: str
    published: str
    publisher: str
    publisher_label: str
    countries: tuple[tuple[str, str], ...] = ()
    event: str = ""
    entity: str = ""


def description_file(
    graphs: list[tuple[str, int, dict[str, int]]],
    dumps: list[str],
    checksums: list[str],
    base_iri: str,
    query_names: list[str],
    prefixes: dict[str, str],
    articles: list[ArticleFacts] | None = None,
    publication: Publication | None = None,
) -> tuple[bytes, int]:
    """kg/void.ttl and its triple count: the dataset's description, then one block per named graph.

    `graphs` gives, for each named graph, its IRI, its triple count and its instances per class;
    `dumps` the Turtle file (relative to kg/) each graph is published in and `checksums` its
    SHA-256, in the same order; `articles` the facts of each published article. The per-graph
    blocks are written as text, so that a corpus of many articles is described quickly.
    """
    summary = describe_dataset(graphs, base_iri, query_names, articles or [], publication or Publication())
    prefix_lines, body = turtle_parts(summary, {**prefixes, **DESCRIPTION_PREFIXES})
    prefix_lines = sorted({*prefix_lines, f"@prefix spdx: <{SPDX}> ."})
    published = sorted(
        (
            (name, f"{base_iri}kg/{dump}", triples, checksum)
            for (name, triples, _), dump, checksum in zip(graphs, dumps, checksums, strict=True)
        ),
        key=lambda entry: (f"<{entry[0]}>", *entry[1:]),
    )
    # Every IRI below is one of these, or one of them with "#sha256": checked in one pass.
    if IRI_FORBIDDEN.search("".join(f"{graph}{dump}" for graph, dump, _, _ in published)):
        for graph, dump, _, _ in published:
            _iri(graph), _iri(dump)
    separator = f",\n{INDENT}{INDENT}"
    dump_list = separator.join(f"<{dump}>" for _, dump, _, _ in published)
    blocks = [
        f"{_iri(base_iri + 'dataset')} void:dataDump {dump_list} ;\n"
        f"{INDENT}void:subset {separator.join(f'<{g}>' for g, _, _, _ in published)} .",
        f"{_iri(_distribution(base_iri))} dcat:downloadURL {dump_list} .",
        *(
            f"<{graph}> a void:Dataset ;\n{INDENT}void:dataDump <{dump}> ;\n"
            f'{INDENT}void:triples "{triples}"^^xsd:integer .\n'
            f"<{dump}> spdx:checksum <{dump}#sha256> .\n"
            f"<{dump}#sha256> spdx:algorithm spdx:checksumAlgorithm_sha256 ;\n"
            f'{INDENT}spdx:checksumValue "{checksum}" .'
            for graph, dump, triples, checksum in published
        ),
    ]
    text = GENERATED_HEADER + "\n".join(prefix_lines) + "\n\n" + body + "\n" + "\n\n".join(blocks) + "\n"
    return text.encode("utf-8"), len(summary) + 9 * len(published)


def describe_dataset(
    graphs: list[tuple[str, int, dict[str, int]]],
    base_iri: str,
    query_names: list[str],
    articles: list[ArticleFacts] | None = None,
    publication: Publication | None = None,
) -> Graph:
    """Triple counts, classes, distribution and example queries of the dataset, as VoID and DCAT."""
    ns = DataNamespaces(base_iri)
    graph = new_graph(ns.prefixes())
    dataset = URIRef(base_iri + "dataset")
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.title, Literal("dipkg diplomacy knowledge graph", lang="en")))
    graph.add(
        (
            dataset,
            DCTERMS.description,
            Literal(
                "Diplomacy news articles mapped into RDF under the dipkg ontology, every event, quotation, "
                "claim and post holding with evidence spans in the article text.",
                lang="en",
            ),
        )
    )
    graph.add((dataset, VOID.triples, Literal(sum(t for _, t, _ in graphs), datatype=XSD.integer)))
    graph.add((dataset, VOID.uriSpace, Literal(base_iri)))
    graph.add((dataset, VOID.vocabulary, URIRef(str(DIP))))
    classes: dict[str, int] = {}
    for _, _, per_class in graphs:
        for cls, count in per_class.items():
            classes[cls] = classes.get(cls, 0) + count
    graph.add((dataset, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    for cls in sorted(classes):
        partition = URIRef(f"{base_iri}dataset/class/{_local(URIRef(cls))}")
        graph.add((dataset, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], URIRef(cls)))
        graph.add((partition, VOID.entities, Literal(classes[cls], datatype=XSD.integer)))
    for query_name in query_names:
        graph.add((dataset, DCTERMS.hasPart, URIRef(f"{base_iri}queries/{query_name}.rq")))
    _describe_catalogue_entry(graph, dataset, base_iri, articles or [], publication or Publication())
    return graph


def _describe_catalogue_entry(
    graph: Graph, dataset: URIRef, base_iri: str, articles: list[ArticleFacts], publication: Publication
) -> None:
    """The DCAT-AP properties: publisher, contact, licence, rights, dates, coverage, distribution, service."""
    licence = URIRef(publication.license)
    graph.add((dataset, DCTERMS.license, licence))
    graph.add((licence, RDF.type, DCTERMS.LicenseDocument))
    for kind in LICENCE_TYPES.get(publication.license, ()):
        _concept(graph, licence, DCTERMS.type, ("licencetype", kind, kind), ADMS_LICENCE_TYPES)
    access = _concept(graph, dataset, DCTERMS.accessRights, PUBLIC_ACCESS)
    graph.add((access, RDF.type, DCTERMS.RightsStatement))
    for theme in THEMES:
        _concept(graph, dataset, DCAT.theme, theme)
    for keyword in KEYWORDS:
        graph.add((dataset, DCAT.keyword, Literal(keyword, lang="en")))
    publisher = _describe_publisher(graph, dataset, base_iri, publication)
    contact = _describe_contact(graph, dataset, base_iri, publication)
    _describe_coverage(graph, dataset, base_iri, articles, publication)
    _describe_rights(graph, dataset, base_iri, articles, publication)
    distribution = URIRef(_distribution(base_iri))
    graph.add((dataset, DCAT.distribution, distribution))
    graph.add((distribution, RDF.type, DCAT.Distribution))
    graph.add((distribution, DCTERMS.title, Literal("Turtle files", lang="en")))
    graph.add(
        (
            distribution,
            DCTERMS.description,
            Literal(
                "One Turtle file per named graph (the ontology, the shared entities and each article), "
                "each listed with its SHA-256 in kg/void.ttl.",
                lang="en",
            ),
        )
    )
    graph.add((distribution, DCAT.accessURL, URIRef(f"{base_iri}kg/")))
    media_type = URIRef(TURTLE_MEDIA_TYPE)
    graph.add((distribution, DCAT.mediaType, media_type))
    graph.add((media_type, RDF.type, DCTERMS.MediaType))
    file_type = _concept(graph, distribution, DCTERMS["format"], TURTLE_FILE_TYPE)
    graph.add((file_type, RDF.type, DCTERMS.MediaTypeOrExtent))
    graph.add((distribution, DCTERMS.license, licence))
    _concept(graph, distribution, DCATAP.availability, STABLE)
    service = URIRef(f"{base_iri}dataset/sparql")
    endpoint = URIRef(f"{base_iri}sparql")
    graph.add((distribution, DCAT.accessService, service))
    graph.add((dataset, VOID.sparqlEndpoint, endpoint))
    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((service, DCTERMS.title, Literal("SPARQL endpoint of the dipkg knowledge graph", lang="en")))
    graph.add((service, DCAT.endpointURL, endpoint))
    graph.add((service, DCAT.servesDataset, dataset))
    protocol = URIRef(SPARQL_PROTOCOL)
    graph.add((service, DCTERMS.conformsTo, protocol))
    graph.add((protocol, RDF.type, DCTERMS.Standard))
    graph.add((service, DCTERMS.license, licence))
    graph.add((service, DCTERMS.accessRights, access))
    for theme in THEMES:
        _concept(graph, service, DCAT.theme, theme)
    for keyword in KEYWORDS:
        graph.add((service, DCAT.keyword, Literal(keyword, lang="en")))
    if publisher is not None:
        graph.add((service, DCTERMS.publisher, publisher))
    if contact is not None:
        graph.add((service, DCAT.contactPoint, contact))


def _describe_publisher(
    graph: Graph, dataset: URIRef, base_iri: str, publication: Publication
) -> URIRef | None:
    """The publisher, a foaf:Agent, when `[publication]` names one."""
    if publication.publisher is None:
        return None
    publisher = URIRef(f"{base_iri}dataset/publisher")
    graph.add((dataset, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, Literal(publication.publisher)))
    if publication.publisher_type is not None:
        kind = publication.publisher_type
        _concept(graph, publisher, DCTERMS.type, ("publishertype", kind, kind), ADMS_PUBLISHER_TYPES)
    return publisher


def _describe_contact(
    graph: Graph, dataset: URIRef, base_iri: str, publication: Publication
) -> URIRef | None:
    """The contact point, a vcard:Kind, when `[publication]` gives an e-mail address or a URL."""
    if publication.contact_email is None and publication.contact_url is None:
        return None
    contact = URIRef(f"{base_iri}dataset/contact")
    graph.add((dataset, DCAT.contactPoint, contact))
    graph.add((contact, RDF.type, VCARD.Kind))
    name = publication.contact_name or publication.publisher
    if name is not None:
        graph.add((contact, VCARD.fn, Literal(name)))
    if publication.contact_email is not None:
        graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{publication.contact_email}")))
    if publication.contact_url is not None:
        graph.add((contact, VCARD.hasURL, URIRef(publication.contact_url)))
    return contact


def _describe_coverage(
    graph: Graph, dataset: URIRef, base_iri: str, articles: list[ArticleFacts], publication: Publication
) -> None:
    """Dates (issued, modified, the period the articles span), countries named, example resources."""
    dates = sorted(article.published for article in articles)
    if dates:
        period = URIRef(f"{base_iri}dataset/period")
        graph.add((dataset, DCTERMS.temporal, period))
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        graph.add((period, DCAT.startDate, Literal(dates[0], datatype=XSD.date)))
        graph.add((period, DCAT.endDate, Literal(dates[-1], datatype=XSD.date)))
    issued = publication.issued.isoformat() if publication.issued is not None else None
    if issued is not None:
        graph.add((dataset, DCTERMS.issued, Literal(issued, datatype=XSD.date)))
    # Changed last when issued or when its latest article appeared, whichever is later.
    known = [d for d in (issued, dates[-1] if dates else None) if d is not None]
    if known:
        graph.add((dataset, DCTERMS.modified, Literal(max(known), datatype=XSD.date)))
    countries = {iri: label for article in articles for iri, label in article.countries}
    for iri in sorted(countries):
        graph.add((dataset, DCTERMS.spatial, URIRef(iri)))
        graph.add((URIRef(iri), RDF.type, DCTERMS.Location))
        graph.add((URIRef(iri), RDFS.label, Literal(countries[iri], lang="en")))
    if articles:
        first = min(articles, key=lambda article: article.iri)
        for example in (first.iri, first.event, first.entity):
            if example:
                graph.add((dataset, VOID.exampleResource, URIRef(example)))


def _describe_rights(
    graph: Graph, dataset: URIRef, base_iri: str, articles: list[ArticleFacts], publication: Publication
) -> None:
    """One rights statement per publisher of articles: whose texts they are, their licence unknown."""
    publishers = {article.publisher: article.publisher_label for article in articles}
    shown = "in full" if publication.full_text else "only as the evidence spans quoted from them"
    for iri in sorted(publishers):
        statement = URIRef(f"{base_iri}dataset/rights/{content_key(iri)}")
        graph.add((dataset, DCTERMS.rights, statement))
        graph.add((statement, RDF.type, DCTERMS.RightsStatement))
        graph.add((statement, DCTERMS.rightsHolder, URIRef(iri)))
        name = publishers[iri]
        text = (
            f"The texts of the articles published by {name} remain theirs; their licence is unknown "
            f"(no licence from {name} is recorded). This graph publishes them {shown}."
        )
        graph.add((statement, RDFS.label, Literal(text, lang="en")))


def _concept(
    graph: Graph,
    subject: URIRef,
    predicate: URIRef,
    concept: tuple[str, str, str],
    namespace: str | None = None,
) -> URIRef:
    """Link `subject` to a concept of an EU (or ADMS) controlled vocabulary, with its label and scheme."""
    scheme, code, label = concept
    if namespace is None:
        iri, scheme_iri = URIRef(f"{AUTHORITY}{scheme}/{code}"), URIRef(f"{AUTHORITY}{scheme}")
    else:
        iri, scheme_iri = URIRef(namespace + code), URIRef(namespace + "1.0")
    graph.add((subject, predicate, iri))
    graph.add((iri, RDF.type, SKOS.Concept))
    graph.add((iri, SKOS.prefLabel, Literal(label, lang="en")))
    graph.add((iri, SKOS.inScheme, scheme_iri))
    return iri


def _distribution(base_iri: str) -> str:
    return f"{base_iri}dataset/distribution/turtle"


def _iri(value: str) -> str:
    if IRI_FORBIDDEN.search(value):
        raise ValueError(f"invalid IRI {value!r}")
    return f"<{value}>"


def _local(iri: URIRef) -> str:
    """A readable, collision-free name for a class: its local name and a hash of its IRI."""
    text = str(iri)
    local = text[max(text.rfind("#"), text.rfind("/")) + 1 :]
    return f"{local}-{content_key(text)[:8]}"
