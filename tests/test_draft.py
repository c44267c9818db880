"""`dipkg draft`: what a draft holds, item by item, and how the command behaves."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from dipkg import api
from dipkg.cli import main
from dipkg.errors import PublishError
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
        ("china-ambassador", "cao-zhongming"),
    }, "registry posts reused; 'ambassador Cao Zhongming' is the 'China's ambassador to Belgium' told before"
    speakers = sorted((q["speaker"], q.get("relayed_by")) for q in draft["quotes"].values())
    assert ("antony-blinken", None) in speakers
    claims = [(c["claimants"], c["alleges"], c["label"][:60]) for c in draft["claims"].values()]
    assert claims == [
        (
            ["china"],
            "spreading-disinformation",
            "accusing them of spreading lies and false information about ",
        ),
        (
            ["cao-zhongming"],
            "interference-in-internal-affairs",
            "According to a statement on the embassy's website, ambassado",
        ),
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


def article_folder(root: Path, article_id: str, text: str, **meta: Any) -> Path:
    """corpus/ID/article.txt with a meta.json beside it (the corpus layout); returns the text file."""
    folder = root / article_id
    folder.mkdir(parents=True)
    fields = {"id": article_id, "publisher": "ani", "date_published": "2024-05-06", **meta}
    (folder / "meta.json").write_text(json.dumps(fields), encoding="utf-8")
    path = folder / "article.txt"
    path.write_text(text, encoding="utf-8")
    return path


GOOD_TEXT = "China protests\n\nChina protested to Japan on Monday. Japan summoned the Chinese ambassador.\n"
DATED = ("--date", "2024-05-06", "--publisher", "ani")


def seeds_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in (root / "seeds" / "articles").rglob("*"))


def test_article_files_the_loader_would_refuse_are_refused_in_one_line(project: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)
    long = tmp_path / "long.txt"
    long.write_text("Headline\n\n" + "Russia expelled diplomats. " * 40_000, encoding="utf-8")
    control = tmp_path / "control.txt"
    control.write_text("Headline\n\nRussia expelled\x07 diplomats.\n", encoding="utf-8")
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"Headline\n\nRussia expelled \xe9 diplomats.\n")
    expected = {
        fifo: f"{fifo}: not a regular file",
        long: f"{long}: the article is 1080010 characters long; dipkg draft reads at most 1000000",
        control: f"{control}:3: holds the control character U+0007, which no annotation can quote; remove it",
        latin: f"{latin}:3: invalid UTF-8 (byte 26); save the file as UTF-8",
    }
    before = seeds_files(project)
    for path, message in expected.items():
        result = run(project, str(path), *DATED)
        assert (result.exit_code, result.stderr) == (3, f"dipkg: error: {message}\n")
    assert seeds_files(project) == before


def test_metadata_is_read_like_a_seed_file(project: Path, tmp_path: Path) -> None:
    text = tmp_path / "a.txt"
    text.write_text(GOOD_TEXT, encoding="utf-8")
    metas = {
        "alias.yaml": (
            "a: &x [1, 2]\nb: *x\nid: al\npublisher: ani\ndate_published: 2024-05-06\n",
            ":1: an alias (*name) of a list or mapping is not allowed in seeds",
        ),
        "dup.yaml": (
            "id: a\nid: b\npublisher: ani\ndate_published: 2024-05-06\n",
            ":2: duplicate key 'id'",
        ),
        "dup.json": (
            '{"id": "a", "id": "b", "publisher": "ani", "date_published": "2024-05-06"}',
            ": cannot read the metadata (duplicate key 'id')",
        ),
        "deep.json": (
            "[" * 100_000 + "]" * 100_000,
            ": cannot read the metadata (lists or mappings nest too deeply)",
        ),
        "deep.yaml": (
            "a: " + "[" * 100 + "]" * 100 + "\n",
            ":1: lists or mappings nest deeper than 32 levels",
        ),
        "headline.json": (
            '{"id": "h", "publisher": "ani", "date_published": "2024-05-06", "headline": 5}',
            ": headline: 5 is not text; quote it",
        ),
        "number.yaml": (
            "id: 007\npublisher: ani\ndate_published: 2024-05-06\n",
            ": id: 7 is not text; quote it",
        ),
        "list.json": ("[1, 2]", ": the metadata is not a mapping of fields"),
        "missing.json": (None, ": file not found"),
    }
    before = seeds_files(project)
    for name, (content, message) in metas.items():
        meta = tmp_path / name
        if content is not None:
            meta.write_text(content, encoding="utf-8")
        result = run(project, str(text), "--meta", str(meta))
        assert (result.exit_code, result.stderr) == (3, f"dipkg: error: {meta}{message}\n"), name
    assert seeds_files(project) == before


def test_ids_dates_and_empty_options_the_loader_would_refuse(project: Path, tmp_path: Path) -> None:
    text = tmp_path / "a.txt"
    text.write_text(GOOD_TEXT, encoding="utf-8")
    not_id = "is not an article id (1 to 100 letters, digits, '_' or '-'); give --id ID"
    cases = {
        ("--id", "abc\n"): f"'abc\\n' {not_id}",
        ("--id", "a.b"): f"'a.b' {not_id}",
        ("--id", "a" * 101): f"'{'a' * 101}' {not_id}",
        ("--id", ""): "--id is empty; give a value or leave the option out",
        ("--publisher", " "): "--publisher is empty; give a value or leave the option out",
        ("--date", ""): "--date is empty; give a value or leave the option out",
        ("--date", "20240506"): "'20240506' is not a date (YYYY-MM-DD)",
        ("--date", "2021-02-30"): "'2021-02-30' is not a date (YYYY-MM-DD)",
        ("--date", "99999-01-01"): "'99999-01-01' is not a date (YYYY-MM-DD)",
        ("--date", "0001-01-01"): "publication date 0001-01-01 does not lie between 1800-01-01 and today",
    }
    before = seeds_files(project)
    for (option, value), message in cases.items():
        args = {"--date": "2024-05-06", "--publisher": "ani", option: value}
        result = run(project, str(text), *[x for pair in args.items() for x in pair])
        assert result.exit_code == 2, (option, value)
        assert result.stderr.startswith(f"dipkg: error: {text}: {message}"), result.stderr
        assert len(result.stderr.splitlines()) == 1
    assert seeds_files(project) == before


def test_an_article_with_no_event_gives_a_smaller_draft_that_builds(tmp_path: Path) -> None:
    root = new_project(tmp_path / "p")
    corpus = tmp_path / "corpus"
    empty = article_folder(corpus, "empty", "Headline\n\n---- ++++ ////\n12345 67890\n")
    quiet = article_folder(
        corpus,
        "quiet",
        "Talks go on\n\nThe weather in Geneva was mild on Monday and delegates walked by the lake.\n",
    )
    result = run(root, str(empty), str(quiet))
    assert result.exit_code == 0, result.stderr
    for name in ("empty", "quiet"):
        annotation = yaml.safe_load((root / "seeds" / "articles" / name / "annotation.yaml").read_text())
        assert annotation["events"] == {}
    quiet_review = yaml.safe_load((root / "seeds" / "articles" / "quiet" / "annotation.yaml").read_text())[
        "review"
    ]
    assert [item["reason"] for item in quiet_review] == ["no event, quotation or post holding found"]
    built = CliRunner().invoke(main, ["--project", str(root), "build", "--include-drafts"])
    assert built.exit_code == 0, built.stderr
    reviewed = root / "seeds" / "articles" / "quiet" / "annotation.yaml"
    reviewed.write_text(reviewed.read_text().replace("status: draft", "status: reviewed"))
    refused = CliRunner().invoke(main, ["--project", str(root), "build", "--include-drafts"])
    assert (refused.exit_code, refused.stderr) == (
        3,
        f"dipkg: error: {reviewed}:14: events: needs at least 1 entry\n",
    ), "a reviewed annotation states at least one event"


def test_a_place_the_draft_cannot_go_is_refused_before_anything_is_drafted(tmp_path: Path) -> None:
    root = new_project(tmp_path / "p")
    articles = root / "seeds" / "articles"
    corpus = tmp_path / "corpus"
    paths = [str(article_folder(corpus, name, GOOD_TEXT)) for name in ("one", "two", "three")]
    (articles / "two").write_text("a file\n", encoding="utf-8")
    result = run(root, *paths)
    assert (result.exit_code, result.stderr) == (
        4,
        f"dipkg: error: {articles / 'two'}: is not a folder (a file or a link); "
        "move it away or give another --id\n",
    )
    (articles / "two").unlink()
    (articles / "two").symlink_to(tmp_path)
    assert run(root, *paths).exit_code == 4
    (articles / "two").unlink()
    (articles / "two" / "annotation.yaml").mkdir(parents=True)
    result = run(root, *paths)
    assert (result.exit_code, result.stderr) == (
        4,
        f"dipkg: error: {articles / 'two' / 'annotation.yaml'}: is not a file (a folder or a link); "
        "move it away or give another --id\n",
    )
    (articles / "two" / "annotation.yaml").rmdir()
    (articles / "two" / "annotation.yaml").write_bytes(b"\xff: [")
    result = run(root, *paths)
    assert (result.exit_code, result.stderr) == (
        4,
        f"dipkg: error: {articles / 'two' / 'annotation.yaml'}: holds an annotation dipkg draft "
        "cannot read, so cannot tell whether it was reviewed (give another --id, or delete the folder "
        "to draft it again)\n",
    )
    assert seeds_files(root) == ["seeds/articles/two", "seeds/articles/two/annotation.yaml"]


def test_a_reviewed_second_of_three_writes_nothing_at_all(tmp_path: Path) -> None:
    root = new_project(tmp_path / "p")
    corpus = tmp_path / "corpus"
    paths = [str(article_folder(corpus, name, GOOD_TEXT)) for name in ("one", "two", "three")]
    assert run(root, paths[1]).exit_code == 0
    annotation = root / "seeds" / "articles" / "two" / "annotation.yaml"
    annotation.write_text(annotation.read_text().replace("status: draft", "status: reviewed"))
    before = {p: p.read_bytes() for p in (root / "seeds" / "articles").rglob("*") if p.is_file()}
    result = run(root, *paths, "--jobs", "2")
    assert result.exit_code == 4
    assert {p: p.read_bytes() for p in (root / "seeds" / "articles").rglob("*") if p.is_file()} == before
    assert seeds_files(root) == [
        "seeds/articles/two",
        "seeds/articles/two/annotation.yaml",
        "seeds/articles/two/article.txt",
        "seeds/articles/two/meta.yaml",
    ]


def test_a_write_that_fails_part_way_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    from dipkg.draft import run as draft_run

    root = new_project(tmp_path / "p")
    corpus = tmp_path / "corpus"
    paths = [article_folder(corpus, name, GOOD_TEXT) for name in ("one", "two", "three")]
    made = []

    def failing_mkstemp(**kwargs: Any) -> tuple[int, str]:
        if Path(kwargs["dir"]).name == "three":
            raise OSError(28, "No space left on device")
        made.append(kwargs["dir"])
        return tempfile.mkstemp(**kwargs)

    monkeypatch.setattr(draft_run, "tempfile", SimpleNamespace(mkstemp=failing_mkstemp))
    with pytest.raises(PublishError) as raised:
        api.draft(root, paths)
    assert str(raised.value) == (
        f"{root / 'seeds' / 'articles' / 'three'}: cannot write the draft (No space left on device); "
        "nothing was written"
    )
    assert len(made) == 6
    assert seeds_files(root) == []


def test_a_byte_order_mark_stays_in_the_text_but_not_in_the_headline(project: Path, tmp_path: Path) -> None:
    text = tmp_path / "bom.txt"
    text.write_text("\ufeff" + GOOD_TEXT, encoding="utf-8")
    result = run(project, str(text), *DATED, "--id", "bom")
    assert result.exit_code == 0, result.stderr
    folder = project / "seeds" / "articles" / "bom"
    assert (folder / "article.txt").read_bytes() == text.read_bytes()
    assert yaml.safe_load((folder / "meta.yaml").read_text())["headline"] == "China protests"


def test_a_name_before_a_line_break_is_proposed_without_the_whitespace(tmp_path: Path) -> None:
    root = new_project(tmp_path / "p")
    text = tmp_path / "a.txt"
    text.write_text(
        "Russia expels diplomats\n\nRussia expelled British diplomats, an official told Reuters \n"
        " - yesterday. Britain summoned the Russian ambassador, said Laurie Bristow \n ? on Monday.\n",
        encoding="utf-8",
    )
    result = run(root, str(text), *DATED)
    assert result.exit_code == 0, result.stderr
    draft = yaml.safe_load((root / "seeds" / "articles" / "a" / "annotation.yaml").read_text())
    proposed = {key: (e["label"], e["evidence"][0]["quote"]) for key, e in draft["entities"].items()}
    assert proposed["reuters"] == ("Reuters", "Reuters")
    assert proposed["laurie-bristow"] == ("Laurie Bristow", "Laurie Bristow")
    built = CliRunner().invoke(main, ["--project", str(root), "build", "--include-drafts"])
    assert built.exit_code == 0, built.stderr


def test_drafting_in_worker_processes_gives_the_same_bytes(project: Path) -> None:
    texts = sorted(DEV.glob("*/article.txt"))[:3]
    alone = api.draft(project, texts, write=False)
    workers = api.draft(project, texts, jobs=2, write=False)
    assert [r.annotation for r in workers] == [r.annotation for r in alone]
    assert [r.id for r in workers] == [p.parent.name for p in texts]
