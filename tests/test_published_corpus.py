"""The repository's published corpus (kg/): every article, every event findable by the canned
queries, and a registry people can keep editing by hand."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from dipkg.cli import main
from dipkg.dataset import dataset_files
from dipkg.namespaces import DIP
from tests.projects import REPOSITORY

KINDS = {
    "countries.yaml": {"Country"},
    "organizations.yaml": {"InternationalOrganization", "GovernmentBody", "Organization"},
    "media.yaml": {"MediaOutlet"},
    "people.yaml": {"Person"},
    "places.yaml": {"City", "Region", "Venue"},
}


@pytest.fixture(scope="module")
def published() -> Graph:
    """Every published file of the repository's kg/, ontology included, as one graph."""
    graph = Graph()
    for path in dataset_files(REPOSITORY.kg_dir):
        graph.parse(path, format="turtle")
    return graph


def query(*args: str) -> list[dict[str, str]]:
    result = CliRunner().invoke(main, ["--project", str(REPOSITORY.root), "query", *args])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["results"]["bindings"]
    return [{key: cell["value"] for key, cell in row.items()} for row in rows]


def events_of(graph: Graph) -> set[URIRef]:
    classes = set(graph.transitive_subjects(RDFS.subClassOf, DIP.Event))
    return {e for cls in classes for e in graph.subjects(RDF.type, cls) if isinstance(e, URIRef)}


def test_timeline_returns_every_event_of_every_article(published: Graph) -> None:
    events = events_of(published)
    typed = {
        (str(published.value(e, RDF.type)).rsplit("#", 1)[1], str(published.value(e, RDFS.label)))
        for e in events
    }
    rows = query("timeline")
    assert {(row["type"], row["event"]) for row in rows} == typed
    assert len(typed) == len(events), "two events share a class and a label: the comparison would be blind"
    articles = {published.value(e, DIP.inArticle) for e in events}
    assert len(articles) == len(list(published.subjects(RDF.type, DIP.Article)))


def test_every_event_can_be_asked_for_by_plover_category(published: Graph) -> None:
    rows = query("events-by-category")
    by_category = {row["event"] for row in rows if "category" in row}
    uncategorised = {row["type"] for row in rows if "category" not in row}
    assert uncategorised <= {"Event", "Statement", "Speech", "Dispute"}
    assert by_category
    protests = query("events-by-category", "--param", "category=plover:PROTEST")
    assert protests and {row["category"] for row in protests} == {"PROTEST"}


def test_registry_files_are_split_by_kind_and_sorted() -> None:
    folder = REPOSITORY.entities_dir
    names = sorted(p.name for p in folder.glob("*.yaml"))
    assert names == [
        "concepts.yaml",
        "countries.yaml",
        "media.yaml",
        "organizations.yaml",
        "people.yaml",
        "places.yaml",
        "posts.yaml",
    ]
    for path in folder.glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for section, items in data.items():
            assert list(items) == sorted(items), f"{path.name}: {section} is not sorted by id"
            if path.name in KINDS:
                kinds = {item["type"] for item in items.values()}
                assert kinds <= KINDS[path.name], f"{path.name} holds {kinds - KINDS[path.name]}"


def test_wikidata_links_carry_their_reference() -> None:
    for path in REPOSITORY.entities_dir.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        for line in text.splitlines():
            if "wikidata:" in line:
                assert re.search(r"reference: \S", line), f"{path.name}: {line.strip()}"


def test_one_person_holds_different_posts_at_different_dates() -> None:
    qin = [(r["post"], r["asOf"]) for r in query("posts") if r["person"] == "Qin Gang"]
    assert len({post for post, _ in qin}) >= 2, qin
    then = query("post-holders", "--param", "date=2021-12-31", "--param", "person=ent:qin-gang")
    later = query("post-holders", "--param", "date=2023-12-31", "--param", "person=ent:qin-gang")
    assert [r["post"] for r in then] == ["Vice Foreign Minister of China"]
    assert [r["post"] for r in later] == ["Foreign Minister of China"]
    vice = query("post-holders", "--param", "date=2023-12-31")
    assert [r["holder"] for r in vice if r["post"] == "Vice Foreign Minister of China"] == ["Sun Weidong"]


def test_the_curated_graph_scores_100_percent_on_every_dev_article() -> None:
    assert REPOSITORY.root is not None
    corpus = REPOSITORY.root / "corpus" / "dev"
    result = CliRunner().invoke(
        main, ["--project", str(REPOSITORY.root), "evaluate", str(corpus), "--min", "100", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    articles = sorted(p.name for p in corpus.iterdir() if (p / "gold.json").is_file())
    assert len(articles) == 12
    assert [a["article"] for a in report["articles"]] == articles
    assert all(a["score"]["percent"] == 100.0 for a in report["articles"]), [
        (a["article"], a["score"]) for a in report["articles"] if a["score"]["percent"] != 100.0
    ]
