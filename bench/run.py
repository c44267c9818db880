"""Measure dipkg on a generated corpus beside the obvious alternatives, on this machine.

Usage: python bench/run.py --articles N [--seed S] [--json FILE] [--timeout SECONDS]
       [--rdflib-timeout SECONDS] [--load-timeout SECONDS] [--skip validation|load|queries]

Generates N articles in a temporary folder, then measures and prints a Markdown table (and
writes the same figures as JSON): triples; clean build time; validation (`dipkg build` on the
mapped corpus) beside monolithic pyshacl and pyshifty on the merged graph; rebuild after one
article changes, without and with validation (median of three, each after a different article
changed); `dipkg validate` of the published corpus (time and peak RSS); `dipkg load` into an
Oxigraph server (into an empty graph; after one article changed, which sends only the change;
then --full over the loaded graph once another client changed it, which compares it with kg/ and
sends the difference; and --full --no-staging, a PUT) beside `oxigraph load`; p50 of every
canned query through dipkg
beside pyoxigraph directly on the same store and rdflib's engine; peak RSS of the build; and
`dipkg --help` beside `python -c "import click"`. Each row shows the ratio to its baseline.
Baselines that exceed --timeout are reported as such. Every dipkg process uses a cache folder
inside the temporary folder."""

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

import dipkg

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

RDFLIB_QUERIES = """
import sys, time, json, statistics
from rdflib import Dataset
from rdflib import URIRef
from dipkg import api
from dipkg.query.catalogue import bind_parameters, with_bindings
from dipkg.iris import prefix_map
from dipkg.dataset import published_graphs
from pathlib import Path
dataset = Dataset(default_union=True)
for graph in published_graphs(Path(sys.argv[1])):
    dataset.graph(URIRef(graph.name)).parse(graph.path, format="turtle")
out = {}
for q in api.queries(api.Project.outside()):
    if q.is_integrity_check or any(p.required for p in q.parameters):
        continue
    text = with_bindings(q.text, bind_parameters(q, {}, prefix_map()))
    t = time.perf_counter()
    len(list(dataset.query(text)))
    out[q.name] = time.perf_counter() - t
print(json.dumps(out))
"""


class Figures(dict[str, object]):
    """Figures as they are measured: each one set is also printed to standard error at once, so
    that a run stopped early still shows what it measured."""

    def __setitem__(self, name: str, value: object) -> None:
        super().__setitem__(name, value)
        print(f"{name}: {value}", file=sys.stderr, flush=True)


def timed(
    command: list[str], timeout: float | None = None, env: dict[str, str] | None = None
) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{command[:3]} failed with exit code {done.returncode}: {done.stderr[-500:]}")
    return time.perf_counter() - start, done.stdout


def script(code: str, *args: str, timeout: float) -> tuple[float | None, object]:
    try:
        _, out = timed([PY, "-c", code, *args], timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"> {timeout:.0f} s"
    except RuntimeError as failure:
        return None, f"failed ({str(failure)[-200:]})"
    seconds, _, rest = out.strip().partition(" ")
    return float(seconds), rest


def median_of(command: list[str], runs: int = 5) -> float:
    return statistics.median(timed(command)[0] for _ in range(runs))


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def revise_one_article(seeds: Path, position: int) -> None:
    """Append a word to the first label of one article's annotation."""
    changed = sorted((seeds / "articles").iterdir())[position] / "annotation.yaml"
    lines = changed.read_text(encoding="utf-8").splitlines(keepends=True)
    first_label = next(i for i, line in enumerate(lines) if line.lstrip().startswith("label: "))
    lines[first_label] = lines[first_label].rstrip("\n") + " revised\n"
    changed.write_text("".join(lines), encoding="utf-8")


def rebuild_p50(build: list[str], seeds: Path, articles: int, env: dict[str, str], offset: int) -> float:
    """Median time of three rebuilds, each after a different article was revised."""
    times = []
    for run in range(3):
        revise_one_article(seeds, (articles * (2 * run + offset + 1)) // 7)
        # The benchmark's own earlier writes (the corpus, the N-Triples export, the query store)
        # are flushed first, so that the rebuild's fsyncs do not wait for them.
        os.sync()
        times.append(timed(build, env=env)[0])
    return statistics.median(times)


def severities(report: str) -> dict[str, int]:
    """Counts by severity of the text report `dipkg build` prints when the graph does not conform."""
    counts = {"Violation": 0, "Warning": 0, "Info": 0}
    for line in report.splitlines():
        word = line.split(" ", 1)[0].capitalize()
        if word in counts:
            counts[word] += 1
    return counts


def measure(
    articles: int,
    seed: int,
    timeout: float,
    rdflib_timeout: float,
    load_timeout: float,
    skip: set[str],
    work: Path,
) -> dict[str, object]:
    seeds, kg = work / "seeds", work / "kg"
    env = {**os.environ, "DIPKG_CACHE_DIR": str(work / "cache")}
    os.environ["DIPKG_CACHE_DIR"] = env["DIPKG_CACHE_DIR"]
    # dipkg runs from byte-compiled modules, as after `pip install`: none is compiled again
    # inside a measured run.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([PY, "-m", "compileall", "-q", str(Path(dipkg.__file__).parent)], check=True)
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
    figures = Figures(articles=articles)
    build = [PY, "-m", "dipkg", "build", "--seeds", str(seeds), "--out", str(kg)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    build_s, out = timed([*build, "--no-validate"], env=env)
    figures["peak_rss_mb"] = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    figures["triples"] = int(out.splitlines()[0].rsplit(",", 1)[1].split()[0])
    figures["build_s"] = build_s
    figures["build_ms_per_article"] = 1000 * build_s / articles
    nt = work / "kg.nt"
    nt.write_bytes(
        subprocess.run(
            [PY, "-m", "dipkg", "export", "--format", "nt", "--kg", str(kg)],
            capture_output=True,
            check=True,
            env=env,
        ).stdout
    )
    if "validation" in skip:
        for name in ("validate_partitioned", "validate_pyshacl_monolithic", "validate_pyshifty"):
            figures[name] = (None, "not measured in this run")
        figures["validate_cli"] = (None, None, "not measured in this run")
        figures["rebuild_validated_s"] = None
    else:
        figures.update(measure_validation(build, nt, seeds, articles, env, timeout))
    figures["rebuild_one_changed_s"] = rebuild_p50([*build, "--no-validate"], seeds, articles, env, offset=1)
    if "load" in skip:
        for name in (
            "load_dipkg_triples_per_s",
            "load_dipkg_replace_triples_per_s",
            "load_dipkg_unstaged_triples_per_s",
        ):
            figures[name] = "not measured in this run"
        figures["load_dipkg_replace_sent"] = None
        figures.update(load_oxigraph_bulk_triples_per_s=None, load_oxigraph_bulk_s=None, store_update_s=None)
        figures["load_dipkg_change_s"] = (None, "not measured in this run")
    else:
        update_store(kg, env)
        rebuild = [*build, "--no-validate"]
        figures.update(measure_load(work, nt, kg, rebuild, seeds, env, load_timeout))
    if "queries" in skip:
        figures.update(store_build_s=None, store_open_s=None, queries={})
    else:
        figures.update(measure_queries(kg, rdflib_timeout))
    figures["help_s"] = median_of([PY, "-m", "dipkg", "--help"])
    figures["import_click_s"] = median_of([PY, "-c", "import click"])
    figures["seed_query_s"] = median_of([PY, "-m", "dipkg", "query", "summons-timeline"])
    return figures


def measure_validation(
    build: list[str], nt: Path, seeds: Path, articles: int, env: dict[str, str], timeout: float
) -> dict[str, object]:
    shapes, ontology = str(ROOT / "shapes" / "dipkg-shapes.ttl"), str(ROOT / "ontology" / "dipkg.ttl")
    figures = Figures()
    start = time.perf_counter()
    validation = subprocess.run(build, capture_output=True, text=True, env=env, check=False)
    figures["validate_partitioned"] = (time.perf_counter() - start, str(severities(validation.stderr)))
    figures["validate_pyshacl_monolithic"] = script(
        MONOLITHIC_PYSHACL, str(nt), shapes, ontology, timeout=timeout
    )
    try:
        import shifty  # noqa: F401

        figures["validate_pyshifty"] = script(PYSHIFTY, str(nt), shapes, ontology, timeout=timeout)
    except ImportError:
        figures["validate_pyshifty"] = (None, "pyshifty not installed")
    figures["rebuild_validated_s"] = rebuild_p50(build, seeds, articles, env, offset=0)
    kg = build[build.index("--out") + 1]
    seconds, peak_mb, report = peak_of([PY, "-m", "dipkg", "validate", "--kg", kg], env)
    figures["validate_cli"] = (seconds, peak_mb, str(severities(report)))
    return figures


PEAK_OF = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=False)
seconds = time.perf_counter() - start
sys.stderr.write(done.stdout)
print(seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
"""


def peak_of(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Seconds, peak RSS in MB of the largest process, and standard output of `command`.

    The command runs under a process of its own, so that the peak is its own (and its workers'),
    never that of an earlier command of this benchmark.
    """
    done = subprocess.run([PY, "-c", PEAK_OF, *command], capture_output=True, text=True, env=env, check=True)
    seconds, peak = done.stdout.split()
    return float(seconds), float(peak), done.stderr


def measure_load(
    work: Path, nt: Path, kg: Path, rebuild: list[str], seeds: Path, env: dict[str, str], timeout: float
) -> dict[str, object]:
    """`dipkg load` into an empty graph; after one article changed (the change only); then
    --full over the loaded graph once another client has added a triple to it and removed one
    (the graph compared with kg/ and the difference sent), and --full --no-staging (the graph
    replaced whole with a PUT).

    Each load over the loaded graph starts on a server that holds the graph and is idle: after
    a load that timed out (the server may still be busy with it) a fresh server is filled first.
    """
    binary = shutil.which("oxigraph")
    assert binary is not None
    triples = sum(1 for _ in nt.open("rb"))
    bulk_s, _ = timed([binary, "load", "--location", str(work / "bulk"), "--file", str(nt)])
    figures = Figures()
    figures["load_oxigraph_bulk_triples_per_s"] = triples / bulk_s
    figures["load_oxigraph_bulk_s"] = bulk_s
    server = OxigraphServer(binary, work)

    def make_idle() -> None:
        """After a failed or timed-out load, a fresh server that holds the graph."""
        if server.busy:
            server.restart()
            timed(server.load_command(kg), env=env)

    def load(*extra: str) -> tuple[float, str] | str:
        """One `dipkg load` on an idle server that holds the graph."""
        make_idle()
        try:
            return timed([*server.load_command(kg), *extra], timeout=timeout, env=env)
        except subprocess.TimeoutExpired:
            server.busy = True
            return f"> {timeout:.0f} s"
        except RuntimeError as failure:
            server.busy = True
            return f"failed ({str(failure)[-200:]})"

    def rate(outcome: tuple[float, str] | str) -> float | str:
        return triples / outcome[0] if isinstance(outcome, tuple) else outcome

    try:
        figures["load_dipkg_triples_per_s"] = rate(load())
        make_idle()
        revise_one_article(seeds, 0)
        timed(rebuild, env=env)
        figures["store_update_s"] = update_store(kg, env)
        change = load()
        figures["load_dipkg_change_s"] = (
            (change[0], change[1].strip().rpartition(": ")[2].rstrip(")"))
            if isinstance(change, tuple)
            else (None, change)
        )
        make_idle()
        server.change_by_another_client(kg, first_line(nt))
        replace = load("--full")
        figures["load_dipkg_replace_triples_per_s"] = rate(replace)
        figures["load_dipkg_replace_sent"] = (
            replace[1].strip().partition(" (")[2].rstrip(")") or "replaced whole"
            if isinstance(replace, tuple)
            else None
        )
        figures["load_dipkg_unstaged_triples_per_s"] = rate(load("--full", "--no-staging"))
    finally:
        server.stop()
    return figures


def first_line(nt: Path) -> str:
    """The first triple of an N-Triples file, without its final " ."."""
    with nt.open(encoding="utf-8") as lines:
        return lines.readline().rstrip("\n").removesuffix(" .")


def update_store(kg: Path, env: dict[str, str]) -> float:
    """Seconds for a `dipkg query` that brings the query store up to date with `kg`."""
    return timed([PY, "-m", "dipkg", "query", "class-counts", "--kg", str(kg)], env=env)[0]


class OxigraphServer:
    """An Oxigraph server on a free port, on a database of its own under `work`."""

    def __init__(self, binary: str, work: Path) -> None:
        self.binary, self.work, self.runs = binary, work, 0
        self.busy = False
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.restart()

    def restart(self) -> None:
        self.stop()
        self.runs += 1
        self.port = free_port()
        location = self.work / f"served-{self.runs}"
        self.process = subprocess.Popen(
            [self.binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.busy = False
        time.sleep(1.0)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=60)
            self.process = None

    def change_by_another_client(self, kg: Path, statement: str) -> None:
        """Remove `statement` (N-Triples) from the graph `kg` was loaded into, add a triple kg/ lacks."""
        from dipkg import api
        from dipkg.stores.remote import Endpoint, change_update, update

        graph = api.Project.outside().replace(kg=kg).built_base_iri() + api.KG_GRAPH_PATH
        stray = '<urn:x:stray> <urn:x:p> "added by another client"'
        update(Endpoint.from_options(self.url), change_update(graph, [statement], [stray]), 600)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def load_command(self, kg: Path) -> list[str]:
        return [PY, "-m", "dipkg", "load", "--endpoint", self.url, "--kg", str(kg), "--timeout", "3600"]


def measure_queries(kg: Path, rdflib_timeout: float) -> dict[str, object]:
    from dipkg import api
    from dipkg.iris import prefix_map
    from dipkg.query.catalogue import bind_parameters, with_bindings
    from dipkg.query.store import open_store

    project = api.Project.outside().replace(kg=kg)
    shutil.rmtree(project.store_dir, ignore_errors=True)
    start = time.perf_counter()
    store = open_store(kg, project.store_dir)
    figures: dict[str, object] = {"store_build_s": time.perf_counter() - start}
    start = time.perf_counter()
    store = open_store(kg, project.store_dir)
    figures["store_open_s"] = time.perf_counter() - start
    per_query: dict[str, dict[str, float | None]] = {}
    for query in api.queries(project):
        if query.is_integrity_check or any(p.required for p in query.parameters):
            continue
        text = with_bindings(query.text, bind_parameters(query, {}, prefix_map()))
        ours, direct = [], []
        for _ in range(5):
            t = time.perf_counter()
            api.query(project, query.name)
            ours.append(time.perf_counter() - t)
            t = time.perf_counter()
            list(store.query(text))
            direct.append(time.perf_counter() - t)
        per_query[query.name] = {"dipkg": statistics.median(ours), "pyoxigraph": statistics.median(direct)}
    try:
        _, out = timed([PY, "-c", RDFLIB_QUERIES, str(kg)], timeout=rdflib_timeout)
        for name, seconds in json.loads(out).items():
            per_query[name]["rdflib"] = seconds
    except subprocess.TimeoutExpired:
        figures["rdflib_timeout"] = rdflib_timeout
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
        (
            "rebuild after one article changed, p50 of 3, s",
            f["rebuild_one_changed_s"],
            f["build_s"],
            "clean build",
        )
    )
    rows.append(
        (
            "rebuild after one article changed, with validation, p50 of 3, s",
            f["rebuild_validated_s"],
            None,
            "",
        )
    )
    cli = f["validate_cli"]
    assert isinstance(cli, tuple | list)
    rows.append((f"`dipkg validate` of the published corpus, s (results {cli[2]})", cli[0], None, ""))
    rows.append(("`dipkg validate` of the published corpus, peak RSS, MB", cli[1], None, ""))
    bulk_rate, bulk_s = f["load_oxigraph_bulk_triples_per_s"], f["load_oxigraph_bulk_s"]
    rows.append(
        (
            "`dipkg load` into an empty graph, triples/s",
            f["load_dipkg_triples_per_s"],
            bulk_rate,
            "`oxigraph load`",
        )
    )
    change = f["load_dipkg_change_s"]
    assert isinstance(change, tuple)
    rows.append(
        ("query store brought up to date after one article changed, s", f["store_update_s"], None, "")
    )
    rows.append(
        (
            f"`dipkg load` after one article changed, s (sent: {change[1]})",
            change[0],
            bulk_s,
            "`oxigraph load` of the whole corpus, s",
        )
    )
    sent = f.get("load_dipkg_replace_sent") or "not measured"
    for key, label in (
        (
            "load_dipkg_replace_triples_per_s",
            "`dipkg load --full` over the loaded graph with one triple added and one removed by "
            f"another client ({sent}), triples/s",
        ),
        (
            "load_dipkg_unstaged_triples_per_s",
            "`dipkg load --full --no-staging` over the loaded graph, triples/s",
        ),
    ):
        rows.append((label, f[key], bulk_rate, "`oxigraph load`"))
    rows.append(("query store on disk: first build, s", f["store_build_s"], None, ""))
    rows.append(("query store on disk: open, s", f["store_open_s"], None, ""))
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
    rdflib_timeout = f.get("rdflib_timeout")
    if rdflib_timeout is not None:
        note = f"rdflib's engine: loading the data and running the queries took over {rdflib_timeout:.0f} s"
        rows.append((note, None, None, ""))
    for measure, ours, base, label in rows:
        lines.append(f"| {measure} | {fmt(ours)} | {fmt(base)} | {label} | {ratio(ours, base)} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="write the figures here (default bench/results-N.json)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds allowed to each baseline")
    parser.add_argument(
        "--rdflib-timeout",
        type=float,
        help="seconds allowed to rdflib's load and queries (default: --timeout)",
    )
    parser.add_argument(
        "--load-timeout",
        type=float,
        help="seconds allowed to each `dipkg load` (default: --timeout)",
    )
    parser.add_argument(
        "--skip",
        action="append",
        choices=["validation", "load", "queries"],
        default=[],
        help="leave out a measure and its baselines (repeatable), reported as not measured",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dipkg-bench-") as folder:
        figures = measure(
            args.articles,
            args.seed,
            args.timeout,
            args.rdflib_timeout or args.timeout,
            args.load_timeout or args.timeout,
            set(args.skip),
            Path(folder),
        )
    target = args.json or ROOT / "bench" / f"results-{args.articles}.json"
    target.write_text(json.dumps(figures, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"python bench/run.py --articles {args.articles} (this machine, {os.cpu_count()} cores)\n")
    print(table(figures))


if __name__ == "__main__":
    main()
