"""Measure dipkg on a generated corpus beside the obvious alternatives, on this machine.

Usage: python bench/run.py --articles N [--seed S] [--json FILE] [--timeout SECONDS]

Generates N articles in a temporary folder, then measures and prints a Markdown table (and
writes the same figures as JSON): triples; build time; validation, partitioned (dipkg) beside
monolithic pyshacl and pyshifty on the merged graph; rebuild after one article changes; loading
into an Oxigraph server with `dipkg load` beside `oxigraph load`; p50 of every canned query
through dipkg beside pyoxigraph directly and rdflib's engine; peak RSS of the build; and
`dipkg --help` beside `python -c "import click"`. Each row shows the ratio to its baseline.
Baselines that exceed --timeout are reported as such.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable

MONOLITHIC_PYSHACL = """
import sys, time, pyshacl
from collections import Counter
from rdflib import Graph
t = time.perf_counter()
data = Graph().parse(sys.argv[1], format="nt")
shapes = Graph().parse(sys.argv[2], format="turtle")
ontology = Graph().parse(sys.argv[3], format="turtle")
_, report, _ = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none",
                                advanced=True, allow_warnings=True, do_owl_imports=False)
SH = "http://www.w3.org/ns/shacl#"
from rdflib import URIRef
counts = Counter(str(o).rsplit("#", 1)[1] for o in report.objects(None, URIRef(SH + "resultSeverity")))
print(time.perf_counter() - t, dict(counts))
"""

PYSHIFTY = """
import sys, time
from pathlib import Path
from collections import Counter
import shifty
from rdflib import URIRef
t = time.perf_counter()
_, report, _ = shifty.validate([Path(sys.argv[1]), Path(sys.argv[3])], shacl_graph=Path(sys.argv[2]))
counts = Counter(str(o).rsplit("#", 1)[1]
                 for o in report.objects(None, URIRef("http://www.w3.org/ns/shacl#resultSeverity")))
print(time.perf_counter() - t, dict(counts))
"""

PARTITIONED = """
import sys, time
from pathlib import Path
from collections import Counter
from dipkg.pipeline import validate_corpus
t = time.perf_counter()
report = validate_corpus(Path(sys.argv[1]))
print(time.perf_counter() - t, dict(Counter(r.severity for r in report.results)))
"""

RDFLIB_QUERIES = """
import sys, time, json, statistics
from rdflib import Dataset
from dipkg.queries import catalogue, bind_parameters, with_bindings
from dipkg.iris import prefix_map
from dipkg import paths
dataset = Dataset(default_union=True)
dataset.parse(sys.argv[1], format="trig")
out = {}
for q in catalogue(paths.QUERIES_DIR):
    if q.is_integrity_check or any(p.required for p in q.parameters):
        continue
    text = with_bindings(q.text, bind_parameters(q, {}, prefix_map()))
    t = time.perf_counter()
    len(list(dataset.query(text)))
    out[q.name] = time.perf_counter() - t
print(json.dumps(out))
"""


def timed(
    command: list[str], timeout: float | None = None, env: dict[str, str] | None = None
) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{command[:3]} failed: {done.stderr[-500:]}")
    return time.perf_counter() - start, done.stdout


def script(code: str, *args: str, timeout: float) -> tuple[float | None, object]:
    try:
        _, out = timed([PY, "-c", code, *args], timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"> {timeout:.0f} s"
    seconds, _, rest = out.strip().partition(" ")
    return float(seconds), rest


def median_of(command: list[str], runs: int = 5) -> float:
    return statistics.median(timed(command)[0] for _ in range(runs))


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def measure(articles: int, seed: int, timeout: float, work: Path) -> dict[str, object]:
    seeds, kg = work / "seeds", work / "kg"
    subprocess.run(
        [
            PY,
            str(ROOT / "bench" / "generate.py"),
            "--articles",
            str(articles),
            "--out",
            str(seeds),
            "--seed",
            str(seed),
            "--violations",
            "5",
        ],
        check=True,
    )
    figures: dict[str, object] = {"articles": articles}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    build_s, out = timed(
        [PY, "-m", "dipkg", "build", "--seeds", str(seeds), "--out", str(kg), "--no-validate"]
    )
    figures["peak_rss_mb"] = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    figures["triples"] = int(out.splitlines()[0].rsplit(",", 1)[1].split()[0])
    figures["build_s"] = build_s
    figures["build_ms_per_article"] = 1000 * build_s / articles
    nt = work / "kg.nt"
    nt.write_bytes(
        subprocess.run(
            [PY, "-m", "dipkg", "export", "--format", "nt", "--kg", str(kg)], capture_output=True, check=True
        ).stdout
    )
    shapes, ontology = str(ROOT / "shapes" / "dipkg-shapes.ttl"), str(ROOT / "ontology" / "dipkg.ttl")
    figures["validate_partitioned"] = script(PARTITIONED, str(seeds), timeout=timeout)
    figures["validate_pyshacl_monolithic"] = script(
        MONOLITHIC_PYSHACL, str(nt), shapes, ontology, timeout=timeout
    )
    try:
        import shifty  # noqa: F401

        figures["validate_pyshifty"] = script(PYSHIFTY, str(nt), shapes, ontology, timeout=timeout)
    except ImportError:
        figures["validate_pyshifty"] = (None, "pyshifty not installed")
    changed = sorted((seeds / "articles").iterdir())[articles // 2] / "annotation.yaml"
    lines = changed.read_text(encoding="utf-8").splitlines(keepends=True)
    first_label = next(i for i, line in enumerate(lines) if line.lstrip().startswith("label: "))
    lines[first_label] = lines[first_label].rstrip("\n") + " revised\n"
    changed.write_text("".join(lines), encoding="utf-8")
    figures["rebuild_one_changed_s"] = timed(
        [PY, "-m", "dipkg", "build", "--seeds", str(seeds), "--out", str(kg), "--no-validate"]
    )[0]
    figures.update(measure_load(work, nt, kg))
    figures.update(measure_queries(kg, work, timeout))
    figures["help_s"] = median_of([PY, "-m", "dipkg", "--help"])
    figures["import_click_s"] = median_of([PY, "-c", "import click"])
    figures["seed_query_s"] = median_of([PY, "-m", "dipkg", "query", "summons-timeline"])
    return figures


def measure_load(work: Path, nt: Path, kg: Path) -> dict[str, object]:
    binary = shutil.which("oxigraph")
    assert binary is not None
    triples = sum(1 for _ in nt.open("rb"))
    bulk_s, _ = timed([binary, "load", "--location", str(work / "bulk"), "--file", str(nt)])
    port = free_port()
    server = subprocess.Popen(
        [binary, "serve", "--location", str(work / "served"), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(1.0)
        load_s, _ = timed(
            [
                PY,
                "-m",
                "dipkg",
                "load",
                "--endpoint",
                f"http://127.0.0.1:{port}",
                "--kg",
                str(kg),
                "--timeout",
                "900",
            ]
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    return {
        "load_dipkg_triples_per_s": triples / load_s,
        "load_oxigraph_bulk_triples_per_s": triples / bulk_s,
    }


def measure_queries(kg: Path, work: Path, timeout: float) -> dict[str, object]:
    from dipkg import paths
    from dipkg.iris import prefix_map
    from dipkg.queries import bind_parameters, catalogue, with_bindings
    from dipkg.store import load_store, run_local

    start = time.perf_counter()
    store = load_store(kg)
    figures: dict[str, object] = {"store_load_s": time.perf_counter() - start}
    per_query: dict[str, dict[str, float | None]] = {}
    for query in catalogue(paths.QUERIES_DIR):
        if query.is_integrity_check or any(p.required for p in query.parameters):
            continue
        text = with_bindings(query.text, bind_parameters(query, {}, prefix_map()))
        ours, direct = [], []
        for _ in range(5):
            t = time.perf_counter()
            run_local(store, text)
            ours.append(time.perf_counter() - t)
            t = time.perf_counter()
            list(store.query(text))
            direct.append(time.perf_counter() - t)
        per_query[query.name] = {"dipkg": statistics.median(ours), "pyoxigraph": statistics.median(direct)}
    try:
        _, out = timed([PY, "-c", RDFLIB_QUERIES, str(kg / paths.KG_DATASET_FILE)], timeout=timeout)
        for name, seconds in json.loads(out).items():
            per_query[name]["rdflib"] = seconds
    except subprocess.TimeoutExpired:
        for name in per_query:
            per_query[name]["rdflib"] = None
    figures["queries"] = per_query
    return figures


def ratio(value: object, baseline: object) -> str:
    if isinstance(value, float | int) and isinstance(baseline, float | int) and value and baseline:
        return f"{value / baseline:.2f}"
    return "-"


def fmt(value: object, scale: float = 1.0, digits: int = 3) -> str:
    if isinstance(value, float | int) and not isinstance(value, bool):
        return f"{value * scale:.{digits}f}"
    return "-" if value is None else str(value)


def table(f: dict[str, object]) -> str:
    """The figures as a Markdown table: measure, dipkg, baseline, what the baseline is, ratio."""
    rows: list[tuple[str, object, object, str]] = [
        ("triples", f["triples"], None, ""),
        (f"build, s ({f['articles']} articles, no validation)", f["build_s"], None, ""),
        ("build, ms per article", f["build_ms_per_article"], None, ""),
    ]
    part, mono, shifty = f["validate_partitioned"], f["validate_pyshacl_monolithic"], f["validate_pyshifty"]
    assert (
        isinstance(part, tuple | list) and isinstance(mono, tuple | list) and isinstance(shifty, tuple | list)
    )
    rows.append(
        (
            f"validation, s (dipkg results {part[1]})",
            part[0],
            mono[0],
            f"pyshacl on the merged graph (results {mono[1]})",
        )
    )
    rows.append(("validation, s", part[0], shifty[0], f"pyshifty on the merged graph (results {shifty[1]})"))
    rows.append(
        ("rebuild after one article changed, s", f["rebuild_one_changed_s"], f["build_s"], "clean build")
    )
    rows.append(
        (
            "load, triples/s",
            f["load_dipkg_triples_per_s"],
            f["load_oxigraph_bulk_triples_per_s"],
            "`oxigraph load`",
        )
    )
    queries = f["queries"]
    assert isinstance(queries, dict)
    for name, q in queries.items():
        rows.append(
            (f"query {name}, p50 ms", q["dipkg"] * 1000, q["pyoxigraph"] * 1000, "pyoxigraph directly")
        )
        rdflib = q.get("rdflib")
        rows.append(
            (
                f"query {name}, ms",
                q["dipkg"] * 1000,
                None if rdflib is None else rdflib * 1000,
                "rdflib's engine, one run",
            )
        )
    rows.append(("peak RSS of the build, MB", f["peak_rss_mb"], None, ""))
    rows.append(("`dipkg --help`, s", f["help_s"], f["import_click_s"], '`python -c "import click"`'))
    rows.append(("`dipkg query summons-timeline` on the seed, s", f["seed_query_s"], None, ""))
    lines = ["| measure | dipkg | baseline | baseline is | ratio |", "|---|---:|---:|---|---:|"]
    for measure, ours, base, label in rows:
        lines.append(f"| {measure} | {fmt(ours)} | {fmt(base)} | {label} | {ratio(ours, base)} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="write the figures here (default bench/results-N.json)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds allowed to each baseline")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dipkg-bench-") as folder:
        figures = measure(args.articles, args.seed, args.timeout, Path(folder))
    target = args.json or ROOT / "bench" / f"results-{args.articles}.json"
    target.write_text(json.dumps(figures, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"python bench/run.py --articles {args.articles} (this machine, {os.cpu_count()} cores)\n")
    print(table(figures))


if __name__ == "__main__":
    main()
