"""A second article is added by adding files: it gets its own named graph and shares entities."""

from __future__ import annotations

import shutil
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from dipkg.layout import ARTICLES_SUBDIR, KG_ARTICLES_SUBDIR, KG_ENTITIES_FILE
from dipkg.namespaces import DIP
from tests.conftest import DATA_DIR, load_kg, select
from tests.projects import build

SECOND = DATA_DIR / "second-article"
ENT = "https://w3id.org/dipkg/entity/"


def test_second_article_is_added_by_adding_files(seeds_copy: Path, tmp_path: Path) -> None:
    shutil.copytree(SECOND, seeds_copy, dirs_exist_ok=True)
    out = tmp_path / "kg"
    report = build(seeds_copy, out)
    assert report.articles == 2
    assert sorted(p.name for p in (out / KG_ARTICLES_SUBDIR).iterdir()) == [
        "000_65e413c471938464.ttl",
        "test_0002.ttl",
    ]
    second = Graph().parse(out / KG_ARTICLES_SUBDIR / "test_0002.ttl", format="turtle")
    assert (URIRef(ENT + "china"), RDF.type, DIP.Country) not in second
    entities = Graph().parse(out / KG_ENTITIES_FILE, format="turtle")
    assert (URIRef(ENT + "test-wire"), RDF.type, DIP.MediaOutlet) in entities
    graph = load_kg(out)
    rows = select(
        graph,
        """
        SELECT ?date ?place ?headline WHERE {
          ?e a dip:Consultation ; dip:date ?date ; dip:place/rdfs:label ?place ; dip:inArticle ?a .
          ?a schema:headline ?headline .
        }""",
    )
    assert ("2021-03-29", "Brussels", "EU ministers meet on China policy") in rows
    articles_mentioning_brussels = select(
        graph,
        """
        SELECT DISTINCT ?a WHERE { ?e dip:place ent:brussels ; dip:inArticle ?a }""",
    )
    assert len(articles_mentioning_brussels) == 2


def test_removed_article_is_removed_from_kg(seeds_copy: Path, tmp_path: Path) -> None:
    shutil.copytree(SECOND, seeds_copy, dirs_exist_ok=True)
    out = tmp_path / "kg"
    build(seeds_copy, out)
    shutil.rmtree(seeds_copy / ARTICLES_SUBDIR / "test_0002")
    report = build(seeds_copy, out)
    assert report.removed == [f"{KG_ARTICLES_SUBDIR}/test_0002.ttl"]
    assert not (out / KG_ARTICLES_SUBDIR / "test_0002.ttl").exists()
