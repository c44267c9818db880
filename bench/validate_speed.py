"""Time `dipkg validate` on the seed KG, cold process, beside pyshacl's own CLI on the same data.

Usage: python bench/validate_speed.py [--runs N]

Each run is a new Python process, as a user would start it; the table shows the median and the
fastest of N runs. The baseline is `pyshacl` (its CLI) validating the same triples against the
same shapes with the ontology mixed in, which runs every SPARQL constraint per focus node on
rdflib's engine.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KG = ROOT / "kg"


def timed(command: list[str], runs: int) -> tuple[float, float, int]:
    times = []
    code = 0
    for _ in range(runs):
        start = time.perf_counter()
        code = subprocess.run(command, capture_output=True, check=False).returncode
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        merged = Path(tmp) / "kg.ttl"
        merged.write_bytes(
            b"".join(p.read_bytes() for p in [KG / "entities.ttl", *sorted((KG / "articles").glob("*.ttl"))])
        )
        dipkg = [sys.executable, "-m", "dipkg", "validate", str(merged)]
        pyshacl_cli = shutil.which("pyshacl")
        baseline = [
            pyshacl_cli or "pyshacl",
            "-s",
            str(ROOT / "shapes" / "dipkg-shapes.ttl"),
            "-e",
            str(ROOT / "ontology" / "dipkg.ttl"),
            "-a",
            "-w",
            "-i",
            "none",
            str(merged),
        ]
        ours = timed(dipkg, args.runs)
        theirs = timed(baseline, args.runs)
    print(f"Validating the seed KG, cold process, {args.runs} runs each:\n")
    print("| command | median s | fastest s | exit |")
    print("|---|---:|---:|---:|")
    print(f"| dipkg validate | {ours[0]:.2f} | {ours[1]:.2f} | {ours[2]} |")
    print(f"| pyshacl CLI (baseline) | {theirs[0]:.2f} | {theirs[1]:.2f} | {theirs[2]} |")
    print(f"| ratio dipkg / baseline | {ours[0] / theirs[0]:.2f} | {ours[1] / theirs[1]:.2f} | |")


if __name__ == "__main__":
    main()
