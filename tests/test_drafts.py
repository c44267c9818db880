"""Draft annotations: checked like any other, left out of a build unless --include-drafts, marked
as unreviewed (with what drafted them) when published, and never served stale from the cache."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pyshacl
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from dipkg import api
from dipkg.build.pipeline import validate_corpus
from dipkg.cli import main
from dipkg.dataset import read_dataset
from dipkg.iris import DEFAULT_BASE_IRI
from dipkg.namespaces import DCTERMS, DIP, ORG, PROV
from dipkg.rdfio import graph_of
from dipkg.validate.results import ValidationResult
from dipkg.validate.validation import _read_results, load_shapes, read_ontology
from tests.drafts import (
    DRAFT,
    DRAFT_ANNOTATION,
    DRAFT_TEXT,
    ENVOY_TEXT,
    NO_EVENT,
    add_draft,
    set_status,
    with_envoy,
)
from tests.projects import SEED_ARTICLE_TRIPLES, SEED_ENTITY_TRIPLES, SEED_ONTOLOGY_TRIPLES, copy_seed_project

SEED_ARTICLE = "000_65e413c471938464"
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
XSD_DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
ARTICLE = URIRef(f"{DEFAULT_BASE_IRI}article/{DRAFT}")
DRAFTING = URIRef(f"{ARTICLE}/drafting")
LOCAL_POST = URIRef(f"{ARTICLE}/post/belgian-foreign-minister")
WILMES = URIRef(f"{ARTICLE}/entity/sophie-wilmes")
# Triples of the drafted article's graph: its statements plus the six saying it is an unreviewed draft.
DRAFT_TRIPLES = 151
SHARED_TRIPLES = SEED_ENTITY_TRIPLES + SEED_ONTOLOGY_TRIPLES
LEFT_OUT = "  1 draft article(s) left out (dipkg build --include-drafts publishes them)"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A copy of the seed project with the drafted article added."""
    root = copy_seed_project(tmp_path / "project")
    add_draft(root / "seeds")
    return root


def build(root: Path, *args: str) -> tuple[int, list[str], str]:
    result = CliRunner().invoke(main, ["--project", str(root), "build", *args])
    return result.exit_code, result.stdout.splitlines(), result.stderr


def draft_graph(root: Path) -> Graph:
    return Graph().parse(root / "kg" / "articles" / f"{DRAFT}.ttl", format="turtle")


def published(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "kg" / "articles").iterdir())


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_build_leaves_drafts_out_and_says_so(project: Path) -> None:
    code, out, err = build(project)
    assert (code, err) == (0, "")
    triples = SEED_ARTICLE_TRIPLES + SHARED_TRIPLES
    assert out == [
        f"built {project}/kg/ from {project}/seeds/: 1 article(s), {triples} triples",
        "  1 article(s) mapped, 1 validated, 0 reused from the cache; "
        "4 file(s) written, 0 unchanged, 0 removed",
        LEFT_OUT,
    ]
    assert published(project) == [f"{SEED_ARTICLE}.ttl"]
    assert DRAFT not in (project / "kg" / "void.ttl").read_text(encoding="utf-8")


def test_a_build_without_drafts_does_not_mention_them(tmp_path: Path) -> None:
    root = copy_seed_project(tmp_path / "project")
    code, out, _ = build(root)
    assert code == 0
    assert len(out) == 2 and "draft article" not in out[1]


def test_include_drafts_publishes_them_marked_unreviewed(project: Path) -> None:
    code, out, err = build(project, "--include-drafts")
    assert (code, err) == (0, "")
    assert out[0].endswith(f": 2 article(s), {SEED_ARTICLE_TRIPLES + DRAFT_TRIPLES + SHARED_TRIPLES} triples")
    assert len(out) == 2
    assert published(project) == [f"{SEED_ARTICLE}.ttl", f"{DRAFT}.ttl"]
    graph = draft_graph(project)
    provenance = {
        (ARTICLE, DIP.annotationStatus, DIP.Unreviewed),
        (ARTICLE, PROV.wasGeneratedBy, DRAFTING),
        (DRAFTING, RDF.type, PROV.Activity),
        (DRAFTING, RDFS.label, Literal("dipkg draft")),
        (DRAFTING, DIP.softwareVersion, Literal("0.5.0")),
        (DRAFTING, DCTERMS.date, Literal("2021-03-26", datatype=XSD_DATE)),
    }
    assert provenance <= set(graph)
    assert len(graph) == DRAFT_TRIPLES
    assert set(graph.triples((DRAFTING, None, None))) == provenance - {
        (ARTICLE, DIP.annotationStatus, DIP.Unreviewed),
        (ARTICLE, PROV.wasGeneratedBy, DRAFTING),
    }
    reviewed = Graph().parse(project / "kg" / "articles" / f"{SEED_ARTICLE}.ttl", format="turtle")
    assert not set(reviewed.triples((None, DIP.annotationStatus, None)))
    assert not set(reviewed.triples((None, PROV.wasGeneratedBy, None)))
    assert not set(reviewed.triples((None, DIP.confidence, None)))
    assert len(reviewed) == SEED_ARTICLE_TRIPLES


def test_confidence_is_mapped_on_every_kind_of_item(project: Path) -> None:
    assert build(project, "--include-drafts")[0] == 0
    graph = draft_graph(project)
    found = {}
    for node, value in graph.subject_objects(DIP.confidence):
        assert value.datatype == XSD_DECIMAL
        kind = graph.value(node, RDF.type)
        found[str(kind).rsplit("#", 1)[1]] = value.toPython()
    assert found == {
        "Person": Decimal("0.7"),
        "ForeignMinisterPost": Decimal("0.8"),
        "PostHolding": Decimal("0.8"),
        "Criticism": Decimal("0.9"),
        "Threat": Decimal("0.5"),
        "Quotation": Decimal("1"),
        "Claim": Decimal("0.6"),
        "UnrealizedAct": Decimal("0.4"),
    }


def test_an_article_local_post_and_its_holding_are_mapped_like_registry_ones(project: Path) -> None:
    assert build(project, "--include-drafts")[0] == 0
    graph = draft_graph(project)
    assert set(graph.predicate_objects(LOCAL_POST)) >= {
        (RDF.type, DIP.ForeignMinisterPost),
        (RDFS.label, Literal("Foreign Minister of Belgium", lang="en")),
        (DIP.represents, URIRef(f"{DEFAULT_BASE_IRI}entity/belgium")),
        (ORG.heldBy, WILMES),
    }
    holding = graph.value(None, DIP.post, LOCAL_POST)
    assert graph.value(holding, DIP.holder) == WILMES
    assert graph.value(holding, RDFS.label) == Literal(
        "Foreign Minister of Belgium: Sophie Wilmes", lang="en"
    )
    assert graph.value(LOCAL_POST, DIP.evidence) is not None
    # review notes are checked but not mapped: no evidence span or sentence holds their words
    assert not set(graph.subjects(URIRef("http://www.w3.org/ns/oa#exact"), Literal(NO_EVENT)))
    result = CliRunner().invoke(main, ["--project", str(project), "validate"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1].startswith(
        "dipkg validate: conforms (fail on violation): 0 violation(s)"
    )


def test_drafts_query_lists_unreviewed_articles_and_timeline_events_can_be_told_apart(
    project: Path, tmp_path: Path
) -> None:
    assert build(project, "--include-drafts")[0] == 0
    runner = CliRunner()
    result = runner.invoke(main, ["--project", str(project), "query", "drafts", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "article,headline,tool,version,drafted,events",
        f"{ARTICLE},Belgium criticises China over sanctions,dipkg draft,0.5.0,2021-03-26,2",
    ]
    unreviewed = tmp_path / "unreviewed-events.rq"
    unreviewed.write_text(
        "PREFIX dip: <https://w3id.org/dipkg/ontology#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?event WHERE { ?e dip:inArticle ?article ; rdfs:label ?event .\n"
        "  ?article dip:annotationStatus dip:Unreviewed .\n"
        "  ?e a/rdfs:subClassOf* dip:Event } ORDER BY ?event\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["--project", str(project), "query", str(unreviewed), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "event",
        "Belgium threatens further steps",
        "Sophie Wilmes criticises China's sanctions on European lawmakers",
    ]
    timeline = api.query(project, "timeline").records()
    labels = {str(row["event"]) for row in timeline}
    assert {
        "Belgium threatens further steps",
        "Sophie Wilmes criticises China's sanctions on European lawmakers",
    } <= labels


def test_a_project_of_drafts_only_is_refused_and_nothing_is_written(project: Path) -> None:
    shutil.rmtree(project / "seeds" / "articles" / SEED_ARTICLE)
    (project / "kg").mkdir(exist_ok=True)
    (project / "kg" / "keep.txt").write_text("previous\n", encoding="utf-8")
    code, out, err = build(project, "--force")
    assert (code, out) == (3, [])
    assert err.splitlines() == [
        f"dipkg: error: {project}/seeds/articles: every article is a draft: review one "
        "(status: reviewed in its annotation.yaml), or pass --include-drafts to publish drafts"
    ]
    assert sorted(p.name for p in (project / "kg").iterdir()) == ["keep.txt"]
    code, out, _ = build(project, "--force", "--include-drafts")
    assert code == 0 and out[0].endswith(f": 1 article(s), {DRAFT_TRIPLES + SHARED_TRIPLES} triples")


def test_the_cache_follows_the_status_and_the_flag(project: Path, tmp_path: Path) -> None:
    folder = project / "seeds" / "articles" / DRAFT

    def clean_build(include_drafts: bool) -> dict[str, bytes]:
        """What a build from scratch (no cache, no earlier kg) publishes for the same seeds."""
        out = tmp_path / f"clean-{len(list(tmp_path.iterdir()))}"
        scratch = api.open_project(project, kg=out).replace(cache_dir=out / ".cache")
        api.build(scratch, include_drafts=include_drafts)
        shutil.rmtree(out / ".cache")
        return files_of(out)

    report = api.build(project, include_drafts=True)
    assert (report.articles, report.drafts_left_out) == (2, 0)
    assert (ARTICLE, DIP.annotationStatus, DIP.Unreviewed) in draft_graph(project)

    # Drafts left out: the cached draft is not served, its published file is removed.
    code, out, _ = build(project)
    assert code == 0
    assert out[1:] == [
        "  0 article(s) mapped, 0 validated, 1 reused from the cache; "
        "1 file(s) written, 3 unchanged, 1 removed",
        LEFT_OUT,
    ]
    assert published(project) == [f"{SEED_ARTICLE}.ttl"]
    assert files_of(project / "kg") == clean_build(include_drafts=False)

    # Reviewed: published by a plain build, with nothing saying it was a draft.
    set_status(folder, "reviewed")
    code, out, _ = build(project)
    assert code == 0
    assert out[1:] == [
        "  1 article(s) mapped, 1 validated, 1 reused from the cache; "
        "2 file(s) written, 3 unchanged, 0 removed"
    ]
    graph = draft_graph(project)
    assert not set(graph.triples((ARTICLE, DIP.annotationStatus, None)))
    assert not set(graph.triples((DRAFTING, None, None)))
    assert files_of(project / "kg") == clean_build(include_drafts=False)

    # A draft again: left out once more, then published with its status by --include-drafts.
    path = folder / "annotation.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("status: reviewed\n", "status: draft\n"), "utf-8"
    )
    code, out, _ = build(project)
    assert (code, out[-1]) == (0, LEFT_OUT)
    assert published(project) == [f"{SEED_ARTICLE}.ttl"]
    assert build(project, "--include-drafts")[0] == 0
    assert (ARTICLE, DIP.annotationStatus, DIP.Unreviewed) in draft_graph(project)
    assert files_of(project / "kg") == clean_build(include_drafts=True)


def test_an_absent_status_means_reviewed(project: Path) -> None:
    path = project / "seeds" / "articles" / DRAFT / "annotation.yaml"
    path.write_text(DRAFT_ANNOTATION.replace("status: draft\n", ""), encoding="utf-8")
    code, out, _ = build(project)
    assert code == 0 and len(out) == 2
    assert published(project) == [f"{SEED_ARTICLE}.ttl", f"{DRAFT}.ttl"]
    assert not set(draft_graph(project).triples((ARTICLE, DIP.annotationStatus, None)))


THREAT_AT = DRAFT_TEXT.index("Belgium threatened")
NO_EVENT_AT = DRAFT_TEXT.index(NO_EVENT)


def swap(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert text.count(old) == 1, old
        return text.replace(old, new)

    return edit


# case: (edit of the annotation, text on the line the error names, message)
REFUSED = {
    "confidence above 1": (
        swap("confidence: 0.9", "confidence: 1.5"),
        "confidence: 1.5",
        "events/criticism/confidence: 1.5 is greater than the maximum of 1",
    ),
    "negative confidence": (
        swap("confidence: 0.7", "confidence: -0.1"),
        "confidence: -0.1",
        "entities/sophie-wilmes/confidence: -0.1 is less than the minimum of 0",
    ),
    "confidence that is not a number": (
        swap("confidence: 0.4", 'confidence: "high"'),
        'confidence: "high"',
        "unrealized/further-steps/confidence: 'high' is not of type 'number'",
    ),
    "quote not at its offset": (
        swap(f"start: {THREAT_AT}}}", f"start: {THREAT_AT - 3}}}"),
        f"start: {THREAT_AT - 3}",
        f"quote is not at offset {THREAT_AT - 3} (it occurs at {THREAT_AT})",
    ),
    "quote at an offset that does not occur": (
        swap('"Belgium threatened further steps", start', '"Belgium threatened more steps", start'),
        "Belgium threatened more steps",
        f"quote is not at offset {THREAT_AT} (it does not occur)",
    ),
    "offset past the end of the text": (
        swap(f"start: {NO_EVENT_AT}}}", "start: 100000}"),
        "start: 100000",
        "quote is not at offset 100000 (it occurs at " + str(NO_EVENT_AT) + ")",
    ),
    "start and occurrence together": (
        swap(f"start: {THREAT_AT}}}", f"start: {THREAT_AT}, occurrence: 1}}"),
        f"start: {THREAT_AT}, occurrence: 1",
        "events/threat/evidence/0: start and occurrence cannot be given together",
    ),
    "negative start": (
        swap(f"start: {THREAT_AT}}}", "start: -1}"),
        "start: -1",
        "events/threat/evidence/0/start: -1 is less than the minimum of 0",
    ),
    "draft without provenance": (
        swap('drafted:\n  tool: dipkg draft\n  version: "0.5.0"\n  on: "2021-03-26"\n', ""),
        f"article: {DRAFT}",
        "top level: 'drafted' is a required property",
    ),
    "unknown status": (
        swap("status: draft", "status: final"),
        "status: final",
        "status: 'final' is not allowed here (one of: draft, reviewed)",
    ),
    "impossible drafting date": (
        swap('on: "2021-03-26"', 'on: "2021-02-30"'),
        'on: "2021-02-30"',
        "2021-02-30",
    ),
    "local post that is a registry post": (
        swap("  belgian-foreign-minister:\n    type", "  us-secretary-of-state:\n    type"),
        "  us-secretary-of-state:",
        "post 'us-secretary-of-state' is already defined in entities/",
    ),
    "local post of an unknown class": (
        swap("type: ForeignMinisterPost", "type: Minister"),
        "type: Minister",
        "posts/belgian-foreign-minister/type: 'Minister' is not allowed here; did you mean 'MinisterPost'?",
    ),
    "local post representing an undefined entity": (
        swap("represents: belgium", "represents: atlantis"),
        "represents: atlantis",
        "undefined entity 'atlantis'",
    ),
    "holding of an undefined post": (
        swap("  - post: belgian-foreign-minister", "  - post: belgian-prime-minister"),
        "post: belgian-prime-minister",
        "undefined post 'belgian-prime-minister'",
    ),
    "review quote not in the text": (
        swap(f'quote: "{NO_EVENT}"', 'quote: "The ministry said nothing."'),
        "The ministry said nothing.",
        "quote is not at offset",
    ),
    "review note without a reason": (
        swap("  - reason: no event found in this sentence\n    evidence", "  - evidence"),
        "  - evidence",
        "review/0: 'reason' is a required property",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_bad_draft_is_refused_with_one_line(case: str, project: Path) -> None:
    edit, needle, message = REFUSED[case]
    path = project / "seeds" / "articles" / DRAFT / "annotation.yaml"
    path.write_text(edit(DRAFT_ANNOTATION), encoding="utf-8")
    code, out, err = build(project, "--include-drafts")
    assert (code, out) == (3, [])
    lines = err.splitlines()
    assert len(lines) == 1, err
    lines_of_file = path.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines_of_file, 1) if needle in text)
    assert lines[0].startswith(f"dipkg: error: {path}:{line}: "), lines[0]
    assert message in lines[0]
    # A draft is checked even when it would be left out.
    assert build(project)[0] == 3


def test_partitioned_validation_with_a_local_post_held_by_a_shared_person_equals_pyshacl(
    tmp_path: Path,
) -> None:
    root = copy_seed_project(tmp_path / "project")
    # Only the draft says that Caroline Wilson, whom the seed article summons, is an ambassador.
    seed = root / "seeds" / "articles" / SEED_ARTICLE / "annotation.yaml"
    holding = (
        "  - post: british-ambassador\n    holder: caroline-wilson\n"
        '    evidence: ["British ambassador Caroline Wilson"]\n'
    )
    text = seed.read_text(encoding="utf-8")
    assert holding in text
    seed.write_text(text.replace(holding, ""), encoding="utf-8")
    add_draft(root / "seeds", with_envoy(), DRAFT_TEXT + ENVOY_TEXT)
    report = api.build(root, include_drafts=True)
    assert report.articles == 2
    graph = draft_graph(root)
    envoy = URIRef(f"{ARTICLE}/post/uk-envoy-to-china")
    assert (envoy, ORG.heldBy, URIRef(f"{DEFAULT_BASE_IRI}entity/caroline-wilson")) in graph
    assert (envoy, DIP.accreditedTo, URIRef(f"{DEFAULT_BASE_IRI}entity/china")) in graph
    project = api.open_project(root)
    partitioned = set(validate_corpus(project.replace(cache_dir=tmp_path / "scratch")).results)
    monolithic = merged_results(project)
    assert partitioned == monolithic
    assert set(api.validate(project).report.results) == monolithic


def test_partitioned_validation_with_a_local_person_holding_a_shared_post_equals_pyshacl(
    tmp_path: Path,
) -> None:
    root = copy_seed_project(tmp_path / "project")
    vice_minister = "Chinese Vice Foreign Minister Ma Zhaoxu did not comment.\n"
    annotation = DRAFT_ANNOTATION.replace(
        "entities:\n",
        'entities:\n  ma-zhaoxu:\n    type: Person\n    label: Ma Zhaoxu\n    evidence: ["Ma Zhaoxu"]\n',
        1,
    ).replace(
        "holdings:\n",
        "holdings:\n  - post: chinese-vice-foreign-minister\n    holder: ma-zhaoxu\n"
        '    evidence: ["Chinese Vice Foreign Minister Ma Zhaoxu"]\n',
        1,
    )
    add_draft(root / "seeds", annotation, DRAFT_TEXT + vice_minister)
    api.build(root, include_drafts=True)
    post = URIRef(f"{DEFAULT_BASE_IRI}post/chinese-vice-foreign-minister")
    assert (post, ORG.heldBy, URIRef(f"{ARTICLE}/entity/ma-zhaoxu")) in draft_graph(root)
    project = api.open_project(root)
    monolithic = merged_results(project)
    assert set(validate_corpus(project.replace(cache_dir=tmp_path / "scratch")).results) == monolithic
    assert set(api.validate(project).report.results) == monolithic
    files = [str(p) for p in sorted((root / "kg").rglob("*.ttl")) if p.name != "void.ttl"]
    assert set(api.validate(project, files).report.results) == monolithic


def merged_results(project: api.Project) -> set[ValidationResult]:
    """pyshacl's results on the project's published graphs merged, validated at once."""
    _, results_graph, _ = pyshacl.validate(
        graph_of(read_dataset(project.kg_dir)),
        shacl_graph=load_shapes(project.shapes_files),
        ont_graph=graph_of(read_ontology(project.vocabulary_files)),
        inference="none",
        advanced=True,
        allow_warnings=True,
        do_owl_imports=False,
    )
    return set(_read_results(results_graph))
