"""`dipkg evaluate`: a built graph scored against gold files in the corpus format."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dipkg import api
from dipkg.cli import main
from dipkg.evaluate.graph import Ontology
from dipkg.evaluate.report import Counts
from dipkg.project import shipped_data_dir

BASE = "https://example.org/kg/"
ARTICLE = "t1"
SEED_ARTICLE = "000_65e413c471938464"

TEXT = """Ruritania hits back at Freedonia
Freedonia imposed sanctions on Ruritania on Monday over its border policy.
In retaliation, Ruritania imposed sanctions on Freedonia on Tuesday.
Ruritanian Foreign Minister Anna Berg summoned Freedonia's ambassador Carl Dahl on Tuesday.
"We will not accept this pressure," Berg said, as quoted by Example Wire.
Ruritania accused Freedonia of spying on its officials.
"""

ENTITIES = """
schemes:
  allegations:
    label: Allegations
    definition: Kinds of act or conduct that a claim asserts an actor committed.
concepts:
  spying:
    scheme: allegations
    label: spying
    definition: Gathering secret information for a foreign state.
entities:
  ruritania:
    type: Country
    label: Ruritania
    alt_labels: [Republic of Ruritania]
  freedonia:
    type: Country
    label: Freedonia
  anna-berg:
    type: Person
    label: Anna Berg
  carl-dahl:
    type: Person
    label: Carl Dahl
  example-wire:
    type: MediaOutlet
    label: Example Wire
posts:
  ruritanian-foreign-minister:
    type: ForeignMinisterPost
    label: Foreign Minister of Ruritania
    represents: ruritania
  freedonian-ambassador-to-ruritania:
    type: AmbassadorPost
    label: Ambassador of Freedonia to Ruritania
    represents: freedonia
    accredited_to: ruritania
"""

ANNOTATION = """
article: t1
holdings:
  - post: ruritanian-foreign-minister
    holder: anna-berg
    evidence: ["Ruritanian Foreign Minister Anna Berg"]
  - post: freedonian-ambassador-to-ruritania
    holder: carl-dahl
    evidence: ["Freedonia's ambassador Carl Dahl"]
events:
  freedonia-sanctions:
    type: Sanction
    label: Freedonia sanctions Ruritania
    actors: [freedonia]
    targets: [ruritania]
    date: {text: on Monday}
    evidence: ["Freedonia imposed sanctions on Ruritania on Monday"]
  ruritania-counter-sanctions:
    type: CounterSanction
    label: Ruritania sanctions Freedonia in retaliation
    actors: [ruritania]
    targets: [freedonia]
    date: {text: on Tuesday}
    responds_to: [freedonia-sanctions]
    evidence: ["In retaliation, Ruritania imposed sanctions on Freedonia on Tuesday."]
  berg-summons-dahl:
    type: Summons
    label: Berg summons the Freedonian ambassador
    actors: [anna-berg]
    targets: [carl-dahl]
    date: {text: on Tuesday}
    evidence: ["Ruritanian Foreign Minister Anna Berg summoned Freedonia's ambassador Carl Dahl on Tuesday."]
  ruritania-accuses-freedonia:
    type: Accusation
    label: Ruritania accuses Freedonia of spying
    actors: [ruritania]
    targets: [freedonia]
    evidence: ["Ruritania accused Freedonia of spying on its officials."]
quotes:
  berg-pressure:
    speaker: anna-berg
    relayed_by: example-wire
    text: "We will not accept this pressure,"
    evidence: ["Berg said, as quoted by Example Wire."]
claims:
  freedonia-spies:
    label: Freedonia spies on Ruritania's officials (Ruritania)
    claimants: [ruritania]
    alleges: spying
    alleged_agents: [freedonia]
    made_in: ruritania-accuses-freedonia
    evidence: ["of spying on its officials"]
"""

GOLD: dict[str, Any] = {
    "entities": {
        "ruritania": {"names": ["Ruritania", "Republic of Ruritania"], "kind": "country"},
        "freedonia": {"names": ["Freedonia"], "kind": "country"},
        "berg": {"names": ["Anna Berg", "Berg"], "kind": "person"},
        "dahl": {"names": ["Carl Dahl"], "kind": "person"},
        "wire": {"names": ["example  WIRE"], "kind": "org"},
        "zorn": {"names": ["Otto Zorn"], "kind": "person"},
    },
    "events": [
        {
            "id": "freedonia_sanctions",
            "kind": "sanction",
            "plover": "SANCTION",
            "with": [["freedonia"], ["ruritania"]],
            "dates": ["2021-03-22"],
            "evidence": "Freedonia imposed sanctions on Ruritania",
        },
        {
            "id": "ruritania_retaliates",
            "kind": "retaliat|counter",
            "plover": "SANCTION",
            "with": [["ruritania"], ["freedonia"]],
            "dates": ["2021-03-23"],
            "evidence": "Ruritania imposed sanctions on Freedonia",
            "responds_to": "freedonia_sanctions",
        },
        {
            "id": "berg_summons_dahl",
            "kind": "summon",
            "plover": "PROTEST",
            "with": [["berg", "ruritania"], ["dahl", "freedonia"]],
            "dates": ["2021-03-23"],
            "evidence": "summoned Freedonia's ambassador Carl Dahl",
        },
        {
            "id": "ruritania_accuses",
            "kind": "accus",
            "plover": "ACCUSE",
            "with": [["ruritania"], ["freedonia"]],
            "dates": ["2021-03-24"],
            "evidence": "Ruritania accused Freedonia of spying",
        },
    ],
    "quotes": [
        {
            "id": "berg_pressure",
            "fragment": "will not accept this pressure",
            "speaker": ["berg"],
            "via": ["wire"],
        }
    ],
    "roles": [
        {"id": "berg_fm", "who": "berg", "title": "foreign minister", "of": ["ruritania"]},
        {"id": "dahl_envoy", "who": "dahl", "title": "envoy", "of": ["freedonia"]},
    ],
    "unasserted": [
        {"id": "spying", "a": "freedonia", "b": "berg", "why": "only Ruritania's claim"},
        {"id": "sanctions", "a": "ruritania", "b": "freedonia", "why": "wrong on purpose: events link them"},
    ],
}


def write_gold(folder: Path, gold: dict[str, Any], article: str = ARTICLE) -> Path:
    """A gold folder holding one article folder with its gold.json; returns the gold folder."""
    (folder / article).mkdir(parents=True, exist_ok=True)
    (folder / article / "gold.json").write_text(json.dumps(gold, indent=1), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built project of one small article (t1), with the gold above in its corpus/dev."""
    folder = tmp_path_factory.mktemp("evaluate") / "project"
    api.init(folder, base_iri=BASE)
    article = folder / "seeds" / "articles" / ARTICLE
    article.mkdir()
    (article / "article.txt").write_text(TEXT, encoding="utf-8")
    sha = hashlib.sha256(TEXT.encode("utf-8")).hexdigest()
    (article / "meta.yaml").write_text(
        f"id: t1\nheadline: Ruritania hits back at Freedonia\npublisher: example-wire\n"
        f'date_published: "2021-03-25"\nlanguage: en\ntext_sha256: {sha}\n',
        encoding="utf-8",
    )
    (article / "annotation.yaml").write_text(ANNOTATION, encoding="utf-8")
    (folder / "seeds" / "entities" / "world.yaml").write_text(ENTITIES, encoding="utf-8")
    api.build(folder)
    write_gold(folder / "corpus" / "dev", GOLD)
    return folder


def run(project: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--project", str(project), "evaluate", *args])
    return result.exit_code, result.stdout, result.stderr


def changed(**events: dict[str, Any]) -> dict[str, Any]:
    """The gold with some events' fields changed (by event id)."""
    gold = copy.deepcopy(GOLD)
    for event in gold["events"]:
        event.update(events.get(event["id"], {}))
    return gold


# ---------------------------------------------------------------- scores


def test_an_article_is_scored_item_by_item(project: Path) -> None:
    report = api.evaluate(project)
    [article] = report.articles
    assert article.article == ARTICLE
    figures = {section: (c.satisfied, c.total, c.graph) for section, c in article.counts.items()}
    assert figures == {
        "entities": (5, 6, 0),
        "events": (3, 4, 4),
        "quotes": (1, 1, 1),
        "roles": (1, 2, 0),
        "unasserted": (1, 2, 0),
    }
    assert article.evidence == 3
    assert (report.items.satisfied, report.items.total) == (11, 15)
    assert report.score == pytest.approx(100 * 11 / 15)
    assert report.overall("events").precision() == 75.0
    assert report.overall("events").f1() == 75.0
    matched = {m.id: m.node for m in article.matches}
    assert matched["ruritania_retaliates"].startswith(BASE + "event/counter-sanction-")
    assert matched["freedonia_sanctions"].startswith(BASE + "event/sanction-")
    assert matched["berg_pressure"].startswith(BASE + "quote/")
    assert matched["berg_fm"].startswith(BASE + "holding/")
    misses = {(m.section, m.id): m for m in article.misses}
    assert sorted(misses) == [
        ("entities", "zorn"),
        ("events", "ruritania_accuses"),
        ("roles", "dahl_envoy"),
        ("unasserted", "sanctions"),
    ]
    accuses = misses["events", "ruritania_accuses"]
    assert accuses.closest is not None and accuses.closest.startswith(BASE + "event/accusation-")
    assert (accuses.met, accuses.conditions) == (5, 6)
    assert [(f.condition, f.detail) for f in accuses.failed] == [("date", "none, gold 2021-03-24")]
    assert [f.condition for f in misses["roles", "dahl_envoy"].failed] == ["title"]
    [link] = misses["unasserted", "sanctions"].failed
    assert link.condition == "link" and link.detail.endswith(" links Ruritania and Freedonia")


def test_each_failing_condition_of_an_event_is_named(project: Path, tmp_path: Path) -> None:
    gold = changed(
        freedonia_sanctions={"plover": "PROTEST"},
        berg_summons_dahl={"kind": "expel", "dates": ["2021-03-22"], "evidence": "over its border policy"},
    )
    report = api.evaluate(project, [write_gold(tmp_path, gold)])
    failed = {
        m.id: [f.condition for f in m.failed] for m in report.articles[0].misses if m.section == "events"
    }
    assert failed == {
        "freedonia_sanctions": ["category"],
        # what it responds to is not matched, so neither is the response
        "ruritania_retaliates": ["responds_to"],
        "berg_summons_dahl": ["date", "kind", "evidence"],
        "ruritania_accuses": ["date"],
    }
    details = {
        f.condition: f.detail
        for m in report.articles[0].misses
        for f in m.failed
        if m.id != "ruritania_accuses"
    }
    assert details["category"] == "dip:Sanction has PLOVER category SANCTION, gold PROTEST"
    assert details["responds_to"] == "gold event 'freedonia_sanctions' is not matched"
    assert details["evidence"].startswith("spans ") and details["evidence"].endswith(
        " do not overlap the gold evidence at 84-106"
    )
    assert (
        details["kind"]
        == "/expel/ matches neither 'Berg summons the Freedonian ambassador' nor its class's labels"
    )


def test_actor_target_and_further_groups(project: Path, tmp_path: Path) -> None:
    gold = changed(
        freedonia_sanctions={"with": [["ruritania"], ["freedonia"]]},
        berg_summons_dahl={"with": [["berg"], ["dahl"], ["wire"]]},
        ruritania_accuses={"with": [["ruritania"]], "dates": []},
    )
    report = api.evaluate(project, [write_gold(tmp_path, gold)])
    failed = {m.id: [(f.condition, f.detail) for f in m.failed] for m in report.articles[0].misses}
    assert failed["freedonia_sanctions"] == [
        ("actor", "Freedonia, gold ruritania"),
        ("target", "Ruritania, gold freedonia"),
    ]
    assert failed["berg_summons_dahl"] == [("with[2]", "Anna Berg, Carl Dahl, gold wire")]
    assert "ruritania_accuses" not in failed  # one group: an actor is enough; no dates: any date


def test_one_graph_event_matches_one_gold_event(project: Path, tmp_path: Path) -> None:
    gold = copy.deepcopy(GOLD)
    twin = {**gold["events"][0], "id": "twin"}
    gold["events"].insert(1, twin)
    report = api.evaluate(project, [write_gold(tmp_path, gold)])
    [miss] = [m for m in report.articles[0].misses if m.id == "twin"]
    assert [(f.condition, f.detail) for f in miss.failed] == [
        ("one-to-one", "already matched to gold event 'freedonia_sanctions'")
    ]
    assert report.articles[0].counts["events"].satisfied == 3


def test_quotes_need_fragment_speaker_and_the_outlet_or_none(project: Path, tmp_path: Path) -> None:
    gold = copy.deepcopy(GOLD)
    gold["quotes"] = [
        {"id": "no_outlet", "fragment": "WILL NOT   accept", "speaker": ["berg"], "via": []},
        {"id": "wrong_speaker", "fragment": "this pressure", "speaker": ["dahl"], "via": ["wire"]},
        {"id": "first", "fragment": "WILL NOT   accept", "speaker": ["berg"], "via": ["wire"]},
        {"id": "second", "fragment": "accept this", "speaker": ["berg"], "via": ["wire"]},
    ]
    report = api.evaluate(project, [write_gold(tmp_path, gold)])
    assert report.articles[0].counts["quotes"] == Counts(1, 4, 1)
    failed = {m.id: [(f.condition, f.detail) for f in m.failed] for m in report.articles[0].misses}
    assert failed["no_outlet"] == [("via", "relayed by Example Wire, gold by none")]
    assert failed["wrong_speaker"] == [("speaker", "speaker Anna Berg, gold dahl")]
    assert failed["second"] == [("one-to-one", "already matched to gold quote 'first'")]


def test_a_pair_linked_by_a_triple_is_not_kept_unasserted(project: Path, tmp_path: Path) -> None:
    gold = copy.deepcopy(GOLD)
    gold["entities"]["dahl_post"] = {"names": ["ambassador of Freedonia to Ruritania"], "kind": "org"}
    gold["unasserted"] = [{"id": "post", "a": "freedonia", "b": "dahl_post"}]
    report = api.evaluate(project, [write_gold(tmp_path, gold)])
    [miss] = [m for m in report.articles[0].misses if m.section == "unasserted"]
    assert miss.failed[0].detail == "post:freedonian-ambassador-to-ruritania dip:represents ent:freedonia"
    assert report.articles[0].counts["unasserted"].satisfied == 0


def test_a_response_to_a_package_is_found_through_its_sub_events(
    seed_project_dir: Path, tmp_path: Path
) -> None:
    gold = {
        "entities": {
            "eu": {"names": ["European Union", "EU"], "kind": "org"},
            "china": {"names": ["China"], "kind": "country"},
            "chen": {"names": ["Chen Mingguo"], "kind": "person"},
        },
        "events": [
            {
                "id": "blacklist",
                "kind": "sanction",
                "plover": "SANCTION",
                "with": [["eu"], ["chen"]],
                "dates": ["2021-03-22"],
                "evidence": "The sanctions blacklisted former and current officials",
            },
            {
                "id": "counter",
                "kind": "counter",
                "plover": "SANCTION",
                # the target is a group of "10 European Union officials", affiliated with the EU
                "with": [["china"], ["eu"]],
                "dates": [],
                "evidence": "China has decided to introduce sanctions against 10 European Union officials",
                "responds_to": "blacklist",
            },
        ],
    }
    report = api.evaluate(seed_project_dir, [write_gold(tmp_path, gold, SEED_ARTICLE)])
    matched = {m.id: m.node for m in report.articles[0].matches}
    # the package matches; the counter-sanction responds to the EU's sanction, one of its sub-events
    assert matched["blacklist"].startswith("https://w3id.org/dipkg/event/sanction-package-")
    assert matched["counter"].startswith("https://w3id.org/dipkg/event/counter-sanction-")
    assert report.articles[0].counts["events"].graph == 23


def test_plover_category_nearest_first_and_close_match_as_fallback(tmp_path: Path) -> None:
    ontology = tmp_path / "ontology.ttl"
    ontology.write_text(
        """
        @prefix dip: <https://w3id.org/dipkg/ontology#> .
        @prefix plover: <https://w3id.org/dipkg/codes/plover/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        dip:A dip:ploverCategory plover:SANCTION .
        dip:B rdfs:subClassOf dip:A ; skos:closeMatch plover:COERCE .
        dip:C rdfs:subClassOf dip:B .
        dip:D dip:ploverCategory plover:PROTEST ; skos:closeMatch plover:ACCUSE .
        dip:E skos:closeMatch plover:REJECT, <https://w3id.org/dipkg/codes/cameo/010> .
        dip:F rdfs:subClassOf dip:E .
        """,
        encoding="utf-8",
    )
    classes = Ontology.read([ontology])
    dip = "https://w3id.org/dipkg/ontology#"
    assert [classes.plover(dip + name) for name in "ABCDEFG"] == [
        ["SANCTION"],
        ["SANCTION"],  # dip:ploverCategory anywhere above wins over skos:closeMatch
        ["SANCTION"],
        ["PROTEST"],
        ["REJECT"],
        ["REJECT"],
        [],
    ]


def test_the_shipped_ontology_gives_each_event_class_its_category(tmp_path: Path) -> None:
    classes = Ontology.read(api.open_project(api.init(tmp_path / "p")).vocabulary_files)
    dip = "https://w3id.org/dipkg/ontology#"
    found = {name: classes.plover(dip + name) for name in ("Sanction", "CounterSanction", "Expulsion")}
    assert found == {"Sanction": ["SANCTION"], "CounterSanction": ["SANCTION"], "Expulsion": ["SANCTION"]}
    assert classes.plover(dip + "Summons") == ["PROTEST"]
    assert classes.plover(dip + "Accusation") == ["ACCUSE"]


def test_the_categories_come_from_the_projects_ontology_files(project: Path, tmp_path: Path) -> None:
    """A project's own plover.ttl (replacing the shipped one) is read: here it adds a category."""
    shipped = (shipped_data_dir() / "ontology" / "plover.ttl").read_text(encoding="utf-8")
    extra = (
        "@prefix dip: <https://w3id.org/dipkg/ontology#> .\n"
        "dip:Accusation dip:ploverCategory plover:REJECT .\n"
    )
    (tmp_path / "ontology").mkdir()
    (tmp_path / "ontology" / "plover.ttl").write_text(shipped + extra, encoding="utf-8")
    opened = api.open_project(project)
    own = opened.replace(ontology_dirs=(*opened.ontology_dirs, tmp_path / "ontology"))
    gold = changed(ruritania_accuses={"plover": "REJECT", "dates": []})
    gold_dir = write_gold(tmp_path / "gold", gold)
    assert api.evaluate(own, [gold_dir]).articles[0].counts["events"].satisfied == 4
    assert api.evaluate(opened, [gold_dir]).articles[0].counts["events"].satisfied == 3


# ---------------------------------------------------------------- the command line


def test_the_table_gives_each_article_and_the_misses(project: Path) -> None:
    code, out, err = run(project)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == [
        "article", "score", "entities", "events", "ev-P", "ev-R", "ev-F1", "evidence",
        "quotes", "q-P", "q-R", "q-F1", "roles", "unasserted",
    ]  # fmt: skip
    assert lines[2].split() == [
        "t1", "73.3%", "5/6", "3/4", "75.0", "75.0", "75.0", "3/3",
        "1/1", "100.0", "100.0", "100.0", "1/2", "1/2",
    ]  # fmt: skip
    assert lines[4].split()[:2] == ["overall", "73.3%"]
    assert len({len(line) for line in lines[:5]}) == 1  # fixed width
    assert "  event not matched: ruritania_accuses; closest ev:accusation-" in out
    assert out.splitlines()[-1].startswith("  unasserted pair linked: sanctions; link: ev:")
    assert (
        "  entity not found: zorn; label: no entity the article's statements refer to is labelled 'Otto Zorn'"
        in out
    )
    assert err == "dipkg evaluate: score 73.3% (11/15 gold items) over 1 article(s)\n"


def test_json_output_to_a_file(project: Path, tmp_path: Path) -> None:
    target = tmp_path / "evaluation.json"
    code, out, _ = run(project, "--format", "json", "-o", str(target))
    assert (code, out) == (0, "")
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["base_iri"] == BASE
    assert data["overall"]["score"] == {"satisfied": 11, "total": 15, "percent": 73.33}
    assert data["overall"]["events"] == {
        "matched": 3,
        "total": 4,
        "graph": 4,
        "precision": 75.0,
        "recall": 75.0,
        "f1": 75.0,
        "evidence_present": 3,
    }
    assert data["overall"]["unasserted"] == {"kept": 1, "total": 2, "percent": 50.0}
    assert data["overall"]["entities"] == {"found": 5, "total": 6, "recall": 83.33}
    [article] = data["articles"]
    assert article["article"] == ARTICLE
    [accuses] = [m for m in article["misses"] if m["id"] == "ruritania_accuses"]
    assert accuses["failed"] == [{"condition": "date", "detail": "none, gold 2021-03-24"}]
    assert (accuses["met"], accuses["conditions"]) == (5, 6)


def test_min_sets_the_exit_code(project: Path) -> None:
    assert run(project, "--min", "73.3")[0] == 0
    code, _, err = run(project, "--min", "73.34")
    assert code == 1
    assert err == "dipkg evaluate: score 73.3% (11/15 gold items) over 1 article(s); below --min 73.34%\n"
    assert run(project, "-q", "--min", "80")[0:3:2] == (1, "")
    help_text = " ".join(CliRunner().invoke(main, ["evaluate", "--help"]).output.split())
    meaning = "the ontology checks found a problem, or `evaluate` scored below --min);"
    assert f"1 the data does not conform to the shapes (or {meaning}" in help_text


def test_usage_errors(project: Path, tmp_path: Path) -> None:
    code, _, err = run(project, "--format", "yaml")
    assert code == 2 and err.startswith("dipkg: error: Invalid value for '--format'")
    assert run(project, "--min", "101")[0] == 2
    code, _, err = run(project, "--article", "t9")
    assert (code, err) == (
        2,
        "dipkg: error: --article 't9': no gold for this article in the gold folder(s)\n",
    )
    empty = api.init(tmp_path / "empty").root
    assert empty is not None
    code, _, err = run(empty)
    assert (code, err) == (
        2,
        "dipkg: error: no gold folder given, and the project has no corpus/dev/ folder\n",
    )
    code, _, err = run(project, str(tmp_path / "nowhere"))
    assert (code, err) == (2, f"dipkg: error: {tmp_path / 'nowhere'}: no such gold folder\n")


def test_a_gold_article_the_graph_lacks_is_bad_input_unless_filtered_out(
    project: Path, tmp_path: Path
) -> None:
    gold_dir = write_gold(write_gold(tmp_path / "gold", GOLD), GOLD, "t2")
    code, out, err = run(project, str(gold_dir))
    assert (code, out) == (3, "")
    assert err == (
        f"dipkg: error: {gold_dir / 't2' / 'gold.json'}: article t2 is not in the published graph "
        f"(no graph <{BASE}graph/article/t2> in {project / 'kg'})\n"
    )
    code, out, _ = run(project, str(gold_dir), "--article", ARTICLE)
    assert code == 0 and out.splitlines()[2].startswith("t1 ")
    # one article folder is a gold folder too
    code, out, _ = run(project, str(gold_dir / ARTICLE))
    assert code == 0 and out.splitlines()[2].startswith("t1 ")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{\n "entities": {},\n "events": [}\n', ":3: not valid JSON: Expecting value (column 13)"),
        ("[1]", ": gold: must be a JSON object"),
        (
            '{"entities": {"a": {"names": ["A"]}},\n "events": [\n  {"id": "e1", "kind": "x",'
            ' "plover": "AGREE", "with": [["a"], ["b"]], "dates": [], "evidence": "A"}]}',
            ":3: event 'e1': 'with' names 'b', which is not a key of 'entities'",
        ),
        (
            '{"entities": {"a": {"names": ["A"]}},\n'
            ' "roles": [{"id": "r", "who": "a", "title": "(x)\\\\1", "of": ["a"]}]}',
            ":2: role 'r': 'title' is not a regular expression RE2 can run (no backreferences",
        ),
        ('{"entities": {"a": {"names": []}}}', ": entity 'a': needs 'names', a non-empty list of names"),
        ('{"entities": {}, "events": [{"id": "e", "dates": ["22 March"]}]}', ":1: event 'e': 'with' must be"),
        (b'{"entities": {}}\n\xff', ":2: invalid UTF-8 (byte 17); save the file as UTF-8"),
    ],
)
def test_a_bad_gold_file_is_one_line_naming_it(
    project: Path, tmp_path: Path, text: str | bytes, message: str
) -> None:
    gold = tmp_path / ARTICLE / "gold.json"
    gold.parent.mkdir()
    if isinstance(text, bytes):
        gold.write_bytes(text)
    else:
        gold.write_text(text, encoding="utf-8")
    code, out, err = run(project, str(tmp_path))
    assert (code, out) == (3, "")
    assert err.startswith(f"dipkg: error: {gold}{message}")
    assert len(err.splitlines()) == 1
