"""Measure `dipkg draft`: quality on the development corpus, and speed.

Usage: python bench/draft.py [--corpus corpus/dev] [--generated N] [--jobs J]

Quality: a fresh project holding the registry as it stood before the development articles were
curated (tests/data/draft-registry), each article drafted, built with --include-drafts, validated
and evaluated against its gold.json; printed beside the curated annotations' figures (kg/ of
this checkout). Every drafted evidence quote is checked to slice article.txt at its offset.
Speed: seconds per article once the pipeline is loaded, then N articles of bench/generate.py
drafted by J worker processes, with the wall time and the peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from dipkg import api

ROOT = Path(__file__).resolve().parent.parent
DRAFT_REGISTRY = ROOT / "tests" / "data" / "draft-registry"


def project_with_draft_registry(folder: Path) -> Path:
    """A new project whose registry is the one before the development articles were curated."""
    api.init(folder)
    entities = folder / "seeds" / "entities"
    shutil.rmtree(entities)
    shutil.copytree(DRAFT_REGISTRY, entities, ignore=shutil.ignore_patterns("*.md"))
    return folder


def figures(report: Any) -> dict[str, float]:
    """The issue's figures from an evaluation report (JSON form). A gold quotation's speaker (or
    relay) counts as right when a drafted quotation holding its words names the right one."""
    overall = report["overall"]
    quotes = overall["quotes"]["total"]
    failed = [
        {f["condition"] for f in miss["failed"]}
        for article in report["articles"]
        for miss in article["misses"]
        if miss["section"] == "quotes"
    ]
    wrong_speaker = sum(1 for conditions in failed if conditions != {"via"})
    wrong_relay = sum(1 for conditions in failed if conditions != {"speaker"})
    return {
        "entity recall": overall["entities"]["recall"] / 100,
        "event precision": overall["events"]["precision"] / 100,
        "event recall": overall["events"]["recall"] / 100,
        "event F1": overall["events"]["f1"] / 100,
        "role recall": overall["roles"]["recall"] / 100,
        "quote speaker accuracy": (quotes - wrong_speaker) / quotes,
        "quote relay accuracy": (quotes - wrong_relay) / quotes,
        "unasserted pairs asserted": overall["unasserted"]["total"] - overall["unasserted"]["kept"],
        "overall score": overall["score"]["percent"] / 100,
    }


def evidence_not_verbatim(project: Path) -> tuple[int, int]:
    """Drafted evidence quotes, and how many of them do not slice the text at their offset."""
    total = wrong = 0
    for folder in sorted((project / "seeds" / "articles").iterdir()):
        text = (folder / "article.txt").read_text(encoding="utf-8")
        annotation = yaml.safe_load((folder / "annotation.yaml").read_text(encoding="utf-8"))
        stack: list[Any] = [annotation]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                if "quote" in item and "start" in item:
                    total += 1
                    start = item["start"]
                    wrong += text[start : start + len(item["quote"])] != item["quote"]
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
    return total, wrong


def quality(corpus: Path, scratch: Path) -> None:
    project = project_with_draft_registry(scratch / "dev")
    articles = sorted(corpus.glob("*/article.txt"))
    api.draft(project, articles)
    api.build(project, include_drafts=True)
    outcome = api.validate(project)
    drafted = api.evaluate(project, [corpus])
    curated = api.evaluate(ROOT, [corpus])
    ours, theirs = figures(drafted.as_json()), figures(curated.as_json())
    total, wrong = evidence_not_verbatim(project)
    print(f"dipkg draft on {len(articles)} articles of {corpus} (registry: tests/data/draft-registry)")
    print(f"validate: {outcome.summary()}")
    print(f"{'figure':40} {'drafted':>8} {'curated':>8}")
    for name, value in ours.items():
        print(f"{name:40} {value:8.2f} {theirs[name]:8.2f}")
    print(f"{'drafted evidence not verbatim':40} {wrong:8d} {'-':>8}   (of {total} quotes)")
    print()
    print(drafted.render("table"))


def speed(corpus: Path, scratch: Path, generated: int, jobs: int) -> None:
    from dipkg.draft.run import Drafter, Options, read_inputs
    from dipkg.project import Project
    from dipkg.seeds.registry import load_registry
    from dipkg.seeds.vocabulary import load_vocabulary, vocabulary_of

    project = Project.at(project_with_draft_registry(scratch / "speed"))
    registry = load_registry(
        project.seeds_dir / "entities", vocabulary_of(load_vocabulary(project.vocabulary_files))
    )
    start = time.perf_counter()
    drafter = Drafter(project, registry)
    loaded = time.perf_counter() - start
    articles = read_inputs(sorted(corpus.glob("*/article.txt")), Options(), registry)
    start = time.perf_counter()
    for article in articles:
        drafter.draft(article)
    per_article = (time.perf_counter() - start) / len(articles)
    print(f"pipeline and lexicon loaded in {loaded:.2f} s")
    print(f"{per_article:.3f} s per article once loaded ({len(articles)} dev articles; goal 0.5 s)")
    if generated <= 0:
        return
    out = scratch / "generated"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "generate.py"),
            "--articles",
            str(generated),
            "--out",
            str(out),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    for folder in (out / "articles").iterdir():
        meta = yaml.safe_load((folder / "meta.yaml").read_text(encoding="utf-8"))
        (folder / "meta.yaml").write_text(
            yaml.safe_dump({**meta, "publisher": "Example Wire"}), encoding="utf-8"
        )
    files = sorted((out / "articles").glob("*/article.txt"))
    target = project_with_draft_registry(scratch / "generated-project")
    start = time.perf_counter()
    api.draft(target, files, jobs=jobs)
    elapsed = time.perf_counter() - start
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    print(
        f"{len(files)} generated articles drafted by {jobs} workers in {elapsed:.1f} s "
        f"({elapsed / len(files):.3f} s per article), peak RSS of one process {peak / 1024:.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus" / "dev")
    parser.add_argument("--generated", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        quality(args.corpus, Path(scratch))
        print()
        speed(args.corpus, Path(scratch), args.generated, args.jobs)


if __name__ == "__main__":
    main()
