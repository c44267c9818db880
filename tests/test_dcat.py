"""kg/void.ttl as a DCAT-AP 3.0.1 dataset description, and the `[publication]` settings behind it."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SH, VOID

from dipkg.build.pipeline import build
from dipkg.errors import InputError
from dipkg.namespaces import DIP, OA, SCHEMA
from dipkg.project import Project, Publication
from tests.projects import DATA_DIR, copy_seed_project

SHAPES_DIR = DATA_DIR / "dcat-ap-3.0.1"
# Plain namespaces: rdflib's closed DCAT and XSD warn when pytest inspects this module.
DCAT = Namespace("http://www.w3.org/ns/dcat#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DATASET = URIRef("https://w3id.org/dipkg/dataset")
# The recommended properties the graph cannot give: the countries' bounding boxes and centroids
# (it holds no geometry) and a description of the SPARQL endpoint's operations.
NOT_HELD = {
    (DCTERMS.Location, DCAT.bbox),
    (DCTERMS.Location, DCAT.centroid),
    (DCAT.DataService, DCAT.endpointDescription),
}


def shacl_results(data: Graph, shapes_file: str) -> list[tuple[str, str, str, str]]:
    """(focus node, path, message, severity) of every result of a DCAT-AP shapes file over `data`."""
    from pyshacl import validate

    shapes = Graph().parse(SHAPES_DIR / shapes_file, format="turtle")
    _, report, _ = validate(data, shacl_graph=shapes, inference="none", advanced=False)
    return sorted(
        (
            str(report.value(result, SH.focusNode)),
            str(report.value(result, SH.resultPath)),
            str(report.value(result, SH.resultMessage)),
            str(report.value(result, SH.resultSeverity)),
        )
        for result in report.subjects(RDF.type, SH.ValidationResult)
    )


@pytest.fixture(scope="module")
def description(built_kg: Path) -> Graph:
    return Graph().parse(built_kg / "void.ttl", format="turtle")


@pytest.mark.parametrize("shapes_file", ["shapes.ttl", "range.ttl"])
def test_the_description_passes_the_mandatory_and_range_shapes(description: Graph, shapes_file: str) -> None:
    results = shacl_results(description, shapes_file)
    assert len(results) == 0, "\n".join(" | ".join(r) for r in results)


def test_the_description_has_every_recommended_property_the_graph_holds(description: Graph) -> None:
    results = shacl_results(description, "shapes_recommended.ttl")
    kinds = {str(kind) for _, kind in NOT_HELD}
    unexpected = [
        r
        for r in results
        if not any(
            (URIRef(r[0]), RDF.type, cls) in description and r[1] == str(path) for cls, path in NOT_HELD
        )
    ]
    assert unexpected == [], "\n".join(" | ".join(r) for r in unexpected)
    assert {r[1] for r in results} <= kinds


def test_the_named_recommended_properties_are_present(description: Graph) -> None:
    d = description

    def one(subject: URIRef, predicate: URIRef) -> URIRef:
        values = list(d.objects(subject, predicate))
        assert len(values) == 1, (subject, predicate, values)
        value = values[0]
        assert isinstance(value, URIRef | Literal)
        return value  # type: ignore[return-value]

    publisher = one(DATASET, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in d
    assert one(publisher, FOAF.name) == Literal("The dipkg authors")
    contact = one(DATASET, DCAT.contactPoint)
    assert (contact, RDF.type, VCARD.Kind) in d
    assert one(contact, VCARD.fn) == Literal("The dipkg authors")
    assert one(contact, VCARD.hasURL) == URIRef("https://github.com/dipkg/dipkg/issues")
    licence = one(DATASET, DCTERMS.license)
    assert licence == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert (licence, RDF.type, DCTERMS.LicenseDocument) in d
    access = URIRef("http://publications.europa.eu/resource/authority/access-right/PUBLIC")
    assert one(DATASET, DCTERMS.accessRights) == access
    assert one(DATASET, DCTERMS.issued) == Literal("2026-11-27", datatype=XSD.date)
    assert one(DATASET, DCTERMS.modified) == Literal("2026-11-27", datatype=XSD.date)
    assert set(d.objects(DATASET, DCAT.keyword)) >= {Literal("diplomacy", lang="en")}
    themes = {str(t).rsplit("/", 1)[1] for t in d.objects(DATASET, DCAT.theme)}
    assert themes == {"GOVE", "INTR"}
    period = one(DATASET, DCTERMS.temporal)
    assert (one(period, DCAT.startDate), one(period, DCAT.endDate)) == (
        Literal("2021-03-25", datatype=XSD.date),
        Literal("2021-03-25", datatype=XSD.date),
    )
    spatial = sorted(str(s).rsplit("/", 1)[1] for s in d.objects(DATASET, DCTERMS.spatial))
    assert spatial == ["belgium", "canada", "china", "united-kingdom", "united-states"]
    distribution = one(DATASET, DCAT.distribution)
    assert one(distribution, DCAT.mediaType) == URIRef(
        "https://www.iana.org/assignments/media-types/text/turtle"
    )
    assert one(distribution, DCTERMS["format"]) == URIRef(
        "http://publications.europa.eu/resource/authority/file-type/RDF_TURTLE"
    )
    downloads = sorted(str(u) for u in d.objects(distribution, DCAT.downloadURL))
    assert downloads == sorted(str(u) for u in d.objects(DATASET, VOID.dataDump))
    assert len(downloads) == 3
    service = one(distribution, DCAT.accessService)
    assert (service, RDF.type, DCAT.DataService) in d
    assert one(service, DCAT.endpointURL) == URIRef("https://w3id.org/dipkg/sparql")
    assert one(service, DCAT.servesDataset) == DATASET
    assert one(service, DCTERMS.conformsTo) == URIRef("https://www.w3.org/TR/sparql11-protocol/")
    assert one(DATASET, VOID.sparqlEndpoint) == URIRef("https://w3id.org/dipkg/sparql")
    examples = sorted(str(e) for e in d.objects(DATASET, VOID.exampleResource))
    assert [e.split("/")[4] for e in examples] == ["article", "entity", "event"]
    rights = one(DATASET, DCTERMS.rights)
    assert (rights, RDF.type, DCTERMS.RightsStatement) in d
    assert one(rights, DCTERMS.rightsHolder) == URIRef("https://w3id.org/dipkg/entity/ani")
    statement = str(d.value(rights, RDFS.label))
    assert "ANI" in statement and "licence is unknown" in statement and "in full" in statement


def test_a_literal_media_type_is_a_violation(description: Graph) -> None:
    broken = Graph()
    for triple in description:
        broken.add(triple)
    distribution = URIRef("https://w3id.org/dipkg/dataset/distribution/turtle")
    broken.remove((distribution, DCAT.mediaType, None))
    broken.add((distribution, DCAT.mediaType, Literal("text/turtle")))
    assert [r[1] for r in shacl_results(broken, "shapes.ttl")] == [str(DCAT.mediaType)]
    assert [r[1] for r in shacl_results(broken, "range.ttl")] == [str(DCAT.mediaType)]


def test_an_evidence_only_project_publishes_no_article_text_and_validates(tmp_path: Path) -> None:
    root = copy_seed_project(tmp_path / "project")
    settings = root / "dipkg.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8") + 'article_text = "evidence"\n', encoding="utf-8"
    )
    project = Project.at(root).replace(cache_dir=tmp_path / "cache")
    assert project.publication.article_text == "evidence"
    build(project)
    kg = Graph()
    for path in sorted(project.kg_dir.rglob("*.ttl")):
        if path.name != "void.ttl":
            kg.parse(path, format="turtle")
    articles = list(kg.subjects(RDF.type, DIP.Article))
    assert len(articles) == 1
    assert list(kg.objects(articles[0], SCHEMA.text)) == []
    assert [s for s in kg.subjects(RDF.type, DIP.Sentence) if (s, OA.exact, None) in kg] == []
    spans = list(kg.subjects(RDF.type, DIP.EvidenceSpan))
    assert spans and all((span, OA.exact, None) in kg for span in spans)
    description = Graph().parse(project.kg_dir / "void.ttl", format="turtle")
    for shapes_file in ("shapes.ttl", "range.ttl"):
        assert shacl_results(description, shapes_file) == []
    rights = description.value(DATASET, DCTERMS.rights)
    statement = str(description.value(rights, RDFS.label))
    assert "only as the evidence spans" in statement
    checked = subprocess.run(
        [sys.executable, "-m", "dipkg", "--project", str(root), "validate"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "DIPKG_CACHE_DIR": str(tmp_path / "cache")},
    )
    assert checked.returncode == 0, checked.stderr


def test_changing_the_article_text_setting_rebuilds(tmp_path: Path) -> None:
    root = copy_seed_project(tmp_path / "project")
    project = Project.at(root).replace(cache_dir=tmp_path / "cache")
    build(project)
    full = (project.kg_dir / "articles" / "000_65e413c471938464.ttl").read_bytes()
    evidence = project.replace(publication=Publication(article_text="evidence"))
    report = build(evidence)
    assert report.mapped == 1
    assert (project.kg_dir / "articles" / "000_65e413c471938464.ttl").read_bytes() != full
    assert build(project).mapped == 1
    assert (project.kg_dir / "articles" / "000_65e413c471938464.ttl").read_bytes() == full


def test_changing_only_the_publisher_describes_the_dataset_again(tmp_path: Path) -> None:
    root = copy_seed_project(tmp_path / "project")
    project = Project.at(root).replace(cache_dir=tmp_path / "cache")
    build(project)
    before = (project.kg_dir / "void.ttl").read_text(encoding="utf-8")
    assert "Another Desk" not in before
    renamed = project.replace(publication=replace(project.publication, publisher="Another Desk"))
    assert build(renamed).mapped == 0
    assert '"Another Desk"' in (project.kg_dir / "void.ttl").read_text(encoding="utf-8")
    build(project)
    assert (project.kg_dir / "void.ttl").read_text(encoding="utf-8") == before


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('article_text = "some"', 'article_text must be "full" or "evidence"'),
        ('licence = "x"', "unknown setting 'licence' in [publication]"),
        ('license = "CC-BY"', "license 'CC-BY' must be an http(s) IRI"),
        ('contact_email = "nobody"', "contact_email 'nobody' is not an e-mail address"),
        ('issued = "2026-11-27"', "issued must be a date"),
        ('publisher_type = "Friends"', "publisher_type 'Friends' is not an ADMS publisher type"),
        ("publisher = 3", "publisher must be a non-empty string"),
    ],
)
def test_bad_publication_settings_are_one_line_errors(tmp_path: Path, table: str, message: str) -> None:
    (tmp_path / "dipkg.toml").write_text(f"[publication]\n{table}\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        Project.at(tmp_path)
    assert message in str(raised.value)
    assert raised.value.path == tmp_path / "dipkg.toml"


def test_a_contact_email_is_a_mailto_iri(tmp_path: Path) -> None:
    root = copy_seed_project(tmp_path / "project")
    (root / "dipkg.toml").write_text(
        '[publication]\npublisher = "Desk"\ncontact_email = "desk@example.org"\n', encoding="utf-8"
    )
    project = Project.at(root).replace(cache_dir=tmp_path / "cache")
    build(project)
    description = Graph().parse(project.kg_dir / "void.ttl", format="turtle")
    contact = description.value(DATASET, DCAT.contactPoint)
    assert description.value(contact, VCARD.hasEmail) == URIRef("mailto:desk@example.org")
    assert description.value(contact, VCARD.fn) == Literal("Desk")
    for shapes_file in ("shapes.ttl", "range.ttl"):
        assert shacl_results(description, shapes_file) == []


def test_the_shapes_are_vendored_with_their_licence() -> None:
    notice = (SHAPES_DIR / "README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in notice and "European Union" in notice
    assert sorted(p.name for p in SHAPES_DIR.glob("*.ttl")) == [
        "range.ttl",
        "shapes.ttl",
        "shapes_recommended.ttl",
    ]
