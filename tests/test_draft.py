"""`dipkg draft`: what a draft holds, item by item, and how the command behaves."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from dipkg import api
from dipkg.cli import main
from tests.projects import DATA_DIR, REPOSITORY

pytest.importorskip("spacy")

DEV = REPOSITORY.root / "corpus" / "dev"  # type: ignore[operator]
SEED_TEXT = REPOSITORY.seeds_dir / "articles" / "000_65e413c471938464" / "article.txt"
DRAFT_REGISTRY = DATA_DIR / "draft-registry"


def new_project(root: Path) -> Path:
    """A project whose registry is the one before the development articles were curated."""
    api.init(root)
    entities = root / "seeds" / "entities"
    shutil.rmtree(entities)
    shutil.copytree(DRAFT_REGISTRY, entities, ignore=shutil.ignore_patterns("*.md"))
    return root


def run(project: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["--project", str(project), "draft", *args])


def drafted(project: Path, *args: str) -> dict[str, Any]:
    result = run(project, "--stdout", *args)
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = yaml.safe_load(result.stdout)
    return data


def events(draft: dict[str, Any]) -> list[tuple[Any, ...]]:
    return sorted(
        (
            e["type"],
            tuple(e.get("actors", [])),
            tuple(e.get("targets", [])),
            (e.get("date") or {}).get("text"),
        )
        for e in draft["events"].values()
    )


def evidence_quotes(item: Any) -> list[dict[str, Any]]:
    """Every evidence item ({quote, start}) anywhere in a draft."""
    found: list[dict[str, Any]] = []
    stack = [item]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if "quote" in value:
                found.append(value)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return new_project(tmp_path_factory.mktemp("draft") / "project")


def test_the_seed_article_drafted_item_by_item(project: Path) -> None:
    draft = drafted(project, str(SEED_TEXT), "--publisher", "ani", "--date", "2021-03-25", "--id", "seed")
    assert draft["status"] == "draft"
    assert draft["drafted"]["tool"] == "dipkg draft"
    found = events(draft)
    assert ("Protest", ("italy-foreign-ministry", "italy"), ("china",), "on Tuesday") in found
    assert draft["entities"]["italy-foreign-ministry"] == {
        "type": "GovernmentBody",
        "label": "Italy's foreign ministry",
        "body_of": "italy",
        "confidence": 0.7,
        "evidence": [{"quote": "Italy's foreign ministry", "start": 3249}],
    }
    assert ("Summons", ("qin-gang", "china"), ("nicolas-chapuis",), "on Monday") in found
    assert not [e for e in found if e[0] == "Threat" and e[2] == ("nato",)], (
        "'Blinken says China threatens NATO security' is Blinken's claim, not a threat the article reports"
    )
    reported = [r for r in draft["review"] if "reported speech" in r["reason"]]
    assert reported[0]["evidence"][0]["quote"].startswith("Antony Blinken says China threatens NATO security")
    holdings = {(h["post"], h["holder"]) for h in draft["holdings"]}
    assert holdings == {
        ("us-secretary-of-state", "antony-blinken"),
        ("british-ambassador", "caroline-wilson"),
        ("eu-ambassador-to-china", "nicolas-chapuis"),
        ("chinese-vice-foreign-minister", "qin-gang"),
    }, "registry posts are reused: the EU's ambassador to China, the foreign vice-minister"
    speakers = sorted((q["speaker"], q.get("relayed_by")) for q in draft["quotes"].values())
    assert ("antony-blinken", None) in speakers
    claims = [(c["claimants"], c["alleges"], c["label"]) for c in draft["claims"].values()]
    assert claims == [
        (
            ["china"],
            "spreading-disinformation",
            "accusing them of spreading lies and false information about the Xinjiang region",
        )
    ], "an accusation's words name a concept of the registry's allegations: the accuser's claim"


def test_article_003_drafted_item_by_item(project: Path) -> None:
    draft = drafted(project, str(DEV / "003_france_recalls_envoys_aukus" / "article.txt"))
    found = events(draft)
    assert ("AmbassadorRecall", ("france",), ("united-states",), "late on Friday") in found
    assert ("AmbassadorRecall", ("france",), ("australia",), "late on Friday") in found, (
        "'announced the move late on Friday' dates the recalls told just before"
    )
    assert (
        "Agreement",
        ("joe-biden", "united-states"),
        ("boris-johnson", "united-kingdom", "scott-morrison", "australia"),
        "On Wednesday",
    ) in found, "a joint act is coded as a dyad: the first side named acts, the others are its targets"
    assert not [e for e in found if e[0] == "AmbassadorRecall" and "united-kingdom" in e[2]], (
        "France did not recall its ambassador to Britain"
    )
    entities = draft["entities"]
    assert entities["france"]["type"] == "Country"
    assert entities["jean-yves-le-drian"]["type"] == "Person"
    assert entities["white-house"] == {
        "type": "GovernmentBody",
        "label": "White House",
        "body_of": "united-states",
        "confidence": 0.7,
        "evidence": [{"quote": "White House", "start": 1681}],
    }
    holdings = {(h["post"], h["holder"], h.get("former", False)) for h in draft["holdings"]}
    assert ("france-foreign-minister", "jean-yves-le-drian", False) in holdings
    assert ("united-states-president", "donald-trump", True) in holdings
    assert draft["posts"]["united-states-president"]["label"] == "U.S. President"
    quotes = {q["text"]: q["speaker"] for q in draft["quotes"].values()}
    assert quotes[
        "This exceptional decision is justified by the exceptional seriousness of the announcements"
    ] == ("jean-yves-le-drian")
    negated = [r for r in draft["review"] if "negated" in r["reason"]]
    assert negated[0]["evidence"][0]["quote"].startswith("France did not recall its ambassador to Britain")


def test_article_012_drafted_item_by_item(project: Path) -> None:
    draft = drafted(project, str(DEV / "012_germany_russia_tiergarten_expulsions" / "article.txt"))
    found = events(draft)
    assert ("Expulsion", ("russia",), ("germany",), "on Thursday") in found
    assert (
        "Summons",
        ("russia-foreign-ministry", "russia"),
        ("geza-andreas-von-geyr",),
        "on Thursday",
    ) in found, "the summons belongs to the expulsion told just before, on Thursday"
    assert ("Denial", ("kremlin", "russia"), (), None) in found
    assert ("Killing", (), ("zelimkhan-khangoshvili", "georgia"), "on Aug. 23") in found
    killing = next(e for e in draft["events"].values() if e["type"] == "Killing")
    assert killing["date"] == {"text": "on Aug. 23", "iso": "2019-08-23"}
    assert ("germany-ambassador", "geza-andreas-von-geyr") in {
        (h["post"], h["holder"]) for h in draft["holdings"]
    }
    assert [q["speaker"] for q in draft["quotes"].values()] == ["vladimir-putin"]


def test_threats_and_denials_are_not_events_of_their_kind(project: Path, tmp_path: Path) -> None:
    text = tmp_path / "article.txt"
    text.write_text(
        "Russia threatens Britain\n\n"
        "Russia threatened on Monday to expel British diplomats. "
        "The Kremlin denied poisoning the former spy. "
        "China accused Britain of interference in internal affairs on Tuesday.\n",
        encoding="utf-8",
    )
    draft = drafted(project, str(text), "--date", "2024-05-08", "--publisher", "Example Wire")
    types = {e["type"] for e in draft["events"].values()}
    assert {"Threat", "Denial", "Accusation"} <= types
    assert not types & {"Expulsion", "Assault", "Killing"}
    acts = {(a["modality"], a["type"]) for a in draft["unrealized"].values()}
    assert ("threatened", "Expulsion") in acts
    assert ("denied", "Assault") in acts
    expulsion = next(a for a in draft["unrealized"].values() if a["type"] == "Expulsion")
    threat = draft["events"][expulsion["expressed_in"]]
    assert threat["type"] == "Threat"
    assert threat["date"] == {"text": "on Monday"}
    assert [q["quote"] for q in threat["evidence"]] == [
        "Russia threatens Britain",
        "Russia threatened on Monday to expel British diplomats",
    ], "the headline and the sentence tell one threat"
    assert expulsion["actors"] == ["russia"]
    claims = list(draft["claims"].values())
    assert [(c["claimants"], c["alleges"], c["alleged_agents"]) for c in claims] == [
        (["china"], "interference-in-internal-affairs", ["united-kingdom"])
    ]


def test_every_drafted_evidence_slices_the_article_at_its_offset(project: Path) -> None:
    texts = [*sorted(DEV.glob("*/article.txt"))]
    results = api.draft(project, texts, write=False)
    assert len(results) == 12
    checked = 0
    for path, result in zip(texts, results, strict=True):
        text = path.read_text(encoding="utf-8")
        for item in evidence_quotes(yaml.safe_load(result.annotation)):
            assert text[item["start"] : item["start"] + len(item["quote"])] == item["quote"]
            checked += 1
    assert checked > 300


def test_drafts_of_the_dev_articles_build_and_conform(tmp_path: Path) -> None:
    root = new_project(tmp_path / "p")
    result = run(root, *[str(p) for p in sorted(DEV.glob("*/article.txt"))])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 12
    assert lines[2].startswith("drafted seeds/articles/003_france_recalls_envoys_aukus/: ") or lines[
        2
    ].startswith(f"drafted {root}/seeds/articles/003_france_recalls_envoys_aukus/: ")
    left_out = CliRunner().invoke(main, ["--project", str(root), "build"])
    assert left_out.exit_code == 3
    built = CliRunner().invoke(main, ["--project", str(root), "build", "--include-drafts"])
    assert built.exit_code == 0, built.stderr
    validated = CliRunner().invoke(main, ["--project", str(root), "validate"])
    assert validated.exit_code == 0, validated.stdout
    again = api.draft(root, [DEV / "003_france_recalls_envoys_aukus" / "article.txt"], write=False)
    written = (
        root / "seeds" / "articles" / "003_france_recalls_envoys_aukus" / "annotation.yaml"
    ).read_text()
    assert again[0].annotation == written


def test_a_reviewed_annotation_is_never_overwritten(project: Path) -> None:
    article = DEV / "007_canada_china_diplomat_expulsions" / "article.txt"
    first = run(project, str(article))
    assert first.exit_code == 0, first.stderr
    annotation = project / "seeds" / "articles" / "007_canada_china_diplomat_expulsions" / "annotation.yaml"
    reviewed = annotation.read_text(encoding="utf-8").replace("status: draft", "status: reviewed")
    annotation.write_text(reviewed, encoding="utf-8")
    second = run(project, str(article))
    assert second.exit_code == 4
    assert second.stderr == (
        f"dipkg: error: {annotation}: holds a reviewed annotation; dipkg draft never overwrites one "
        "(give another --id, or delete the folder to draft it again)\n"
    )
    assert annotation.read_text(encoding="utf-8") == reviewed


def test_bad_input_is_one_line(project: Path, tmp_path: Path) -> None:
    text = tmp_path / "x.txt"
    text.write_text("Headline\n\nBody.\n", encoding="utf-8")
    no_date = run(project, str(text), "--publisher", "ani")
    assert (no_date.exit_code, no_date.stderr) == (
        2,
        f"dipkg: error: {text}: no publication date; give --date YYYY-MM-DD or --meta FILE\n",
    )
    unknown = run(project, str(text), "--publisher", "Nobody", "--date", "2024-01-01")
    assert unknown.exit_code == 3
    assert unknown.stderr.startswith(
        f"dipkg: error: {text}: publisher 'Nobody' is not an entity of entities/"
    )
    binary = tmp_path / "b.txt"
    binary.write_bytes(b"\xff\xfe\x00")
    assert run(project, str(binary), "--date", "2024-01-01", "--publisher", "ani").exit_code == 3
    two = run(project, str(text), str(binary), "--id", "x")
    assert (two.exit_code, two.stderr) == (
        2,
        "dipkg: error: --meta, --date, --headline and --id describe one article; give one file\n",
    )


def test_without_the_drafting_extra_draft_says_what_to_install(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dipkg.draft import language

    language.english.cache_clear()
    monkeypatch.setitem(sys.modules, "spacy", None)
    try:
        result = run(project, str(DEV / "001_uk_russia_skripal_expulsions" / "article.txt"), "--stdout")
    finally:
        language.english.cache_clear()
    assert result.exit_code == 2
    assert result.stderr == (
        "dipkg: error: dipkg draft needs the drafting extra (spaCy and its English pipeline): "
        "pip install 'dipkg[draft]'\n"
    )


def test_one_side_saying_another_did_wrong_is_an_accusation_answered_by_a_rejection(
    project: Path, tmp_path: Path
) -> None:
    text = tmp_path / "article.txt"
    text.write_text(
        "Washington accuses Beijing\n\n"
        "The United States said on Monday that China was committing genocide in Xinjiang. "
        "Beijing dismissed the accusations as lies on Tuesday.\n",
        encoding="utf-8",
    )
    draft = drafted(project, str(text), "--date", "2024-05-08", "--publisher", "Example Wire")
    assert events(draft) == [
        ("Accusation", ("united-states",), ("china",), "on Monday"),
        ("Rejection", ("china",), ("united-states",), "on Tuesday"),
    ]
    assert not [e for e in draft["events"].values() if e["type"] in {"Killing", "MassKilling", "Assault"}]


def test_what_one_side_says_another_must_do_is_a_demand_not_the_act(project: Path, tmp_path: Path) -> None:
    text = tmp_path / "article.txt"
    text.write_text(
        "China presses Canada\n\n"
        "Chinese Foreign Minister Wang Yi told reporters on Friday that Canada must release the two men. "
        "Canada's foreign ministry said it would study the request.\n",
        encoding="utf-8",
    )
    draft = drafted(project, str(text), "--date", "2024-05-11", "--publisher", "Example Wire")
    assert events(draft) == [("Demand", ("wang-yi", "china"), ("canada",), "on Friday")]
    assert draft["entities"]["canada-foreign-ministry"]["body_of"] == "canada"
    assert {(h["post"], h["holder"]) for h in draft["holdings"]} == {("china-foreign-minister", "wang-yi")}


def test_a_lexicon_word_yaml_reads_as_true_is_refused(tmp_path: Path) -> None:
    from dipkg.draft.lexicon import load_lexicon
    from dipkg.errors import InputError
    from dipkg.project import shipped_data_dir

    lexicon = tmp_path / "lexicon"
    shutil.copytree(shipped_data_dir() / "lexicon", lexicon)
    events = lexicon / "events.yaml"
    events.write_text(events.read_text(encoding="utf-8").replace('["on", against]', "[on, against]", 1))
    with pytest.raises(InputError) as caught:
        load_lexicon(lexicon)
    assert str(caught.value) == f'{events}: events.targets: True is not a word; quote it ("on", "no")'
    assert load_lexicon(shipped_data_dir() / "lexicon").cues_for_noun("sanction")[0].targets == {
        "on",
        "against",
    }
