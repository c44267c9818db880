"""Measure `dipkg site` on a generated corpus: a clean build, and the rebuild after one article
changed, beside reading and writing the whole graph once (`dipkg export --format ttl`).

Usage: python bench/site.py --articles N [--seed S] [--work DIR]

Generates N articles (bench/generate.py), builds kg/ (not timed), then times, each a new process:
`dipkg export --format ttl` (the baseline: every triple read and written once); `dipkg site` into
an empty folder; `dipkg site` again with nothing changed; and, after one article's annotation
changed (an event label) and kg/ was rebuilt, `dipkg site` (median of three, each after a
different article changed). Prints resource documents, files, size on disk and the times.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{command[2:4]} failed with exit code {done.returncode}: {done.stderr[-500:]}")
    return time.perf_counter() - start, done.stdout


def disk_usage(folder: Path) -> tuple[int, int]:
    files = size = 0
    for path in folder.rglob("*"):
        if path.is_file():
            files += 1
            size += path.stat().st_blocks * 512
    return files, size


def change_one(seeds: Path, index: int) -> None:
    """Give the first event label of one article's annotation another wording."""
    articles = sorted((seeds / "articles").iterdir())
    annotation = articles[index % len(articles)] / "annotation.yaml"
    text = annotation.read_text(encoding="utf-8")
    changed = re.sub(r"(\n\s+label: )([^\n]+)", r"\1\2 (revised)", text, count=1)
    assert changed != text, f"no label in {annotation}"
    annotation.write_text(changed, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--work", type=Path, help="Folder to work in (default: a temporary one, deleted).")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dipkg-bench-site-") as scratch:
        work = options.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        seeds, kg, site = work / "seeds", work / "kg", work / "site"
        env = {**os.environ, "DIPKG_CACHE_DIR": str(work / "cache")}
        generate = [PY, str(ROOT / "bench" / "generate.py"), "--articles", str(options.articles)]
        subprocess.run([*generate, "--out", str(seeds), "--seed", str(options.seed)], check=True)
        build = [PY, "-m", "dipkg", "build", "--seeds", str(seeds), "--out", str(kg), "--no-validate"]
        timed(build, env)
        dipkg_site = [PY, "-m", "dipkg", "site", "--kg", str(kg), "--out", str(site)]
        export_s, _ = timed(
            [PY, "-m", "dipkg", "export", "--kg", str(kg), "--format", "ttl", "-o", str(work / "x.ttl")], env
        )
        clean_s, said = timed(dipkg_site, env)
        documents = int(re.search(r"(\d+) resource documents", said).group(1))  # type: ignore[union-attr]
        files, size = disk_usage(site)
        unchanged_s, _ = timed(dipkg_site, env)
        rebuilds = []
        for attempt in range(3):
            change_one(seeds, attempt * 7 + 1)
            timed(build, env)
            seconds, said = timed(dipkg_site, env)
            rebuilds.append((seconds, said.strip()))
        rebuild_s = statistics.median(s for s, _ in rebuilds)
        rows = [
            ("dipkg export --format ttl (baseline: the graph read and written once)", export_s, 1.0),
            ("dipkg site, clean", clean_s, clean_s / export_s),
            ("dipkg site, nothing changed", unchanged_s, unchanged_s / export_s),
            ("dipkg site, one article changed (median of 3)", rebuild_s, rebuild_s / export_s),
        ]
        print(
            f"\n{options.articles} articles: {documents} resource documents, {files} files, "
            f"{size / 2**20:.0f} MiB on disk"
        )
        print("| step | seconds | x baseline |\n|---|---:|---:|")
        for name, seconds, ratio in rows:
            print(f"| {name} | {seconds:.2f} | {ratio:.2f} |")
        print(f"\nlast rebuild: {rebuilds[-1][1]}")


if __name__ == "__main__":
    main()
