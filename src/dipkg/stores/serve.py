"""`dipkg serve`: the KG behind a local Oxigraph SPARQL server."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from dipkg.errors import InputError
from dipkg.query.store import union_ntriples


def oxigraph_binary() -> str:
    """The Oxigraph server executable (PyPI package `oxigraph`)."""
    found = shutil.which("oxigraph")
    if found is None:
        raise InputError("the Oxigraph server is not installed: pip install oxigraph")
    return found


def serve_kg(
    kg_dir: Path, store_dir: Path, port: int, writable: bool, graph: str, say: Callable[[str], None]
) -> None:
    """Load the KG into a fresh database in a temporary folder and serve it until interrupted."""
    binary = oxigraph_binary()
    data, triples = union_ntriples(kg_dir, store_dir)
    with tempfile.TemporaryDirectory(prefix="dipkg-serve-") as folder:
        location = Path(folder) / "db"
        nquads = Path(folder) / "kg.nq"
        nquads.write_bytes(
            b"".join(line[:-2] + f" <{graph}> .\n".encode() for line in data.splitlines(keepends=True))
        )
        loaded = subprocess.run(
            [binary, "load", "--location", str(location), "--file", str(nquads)],
            capture_output=True,
            text=True,
            check=False,
        )
        if loaded.returncode != 0:
            raise InputError(f"oxigraph load failed: {loaded.stderr.strip().splitlines()[-1:]}")
        mode = "serve" if writable else "serve-read-only"
        address = f"127.0.0.1:{port}"
        command = [binary, mode, "--location", str(location), "--bind", address, "--union-default-graph"]
        server = subprocess.Popen(command)
        say(f"serving {triples} triples in graph <{graph}> ({'read-write' if writable else 'read-only'})")
        say(f"  SPARQL query:  http://{address}/query")
        if writable:
            say(f"  SPARQL update: http://{address}/update")
            say(f"  Graph Store:   http://{address}/store")
        say(f"  web UI:        http://{address}/")
        say("press Ctrl-C to stop")
        try:
            server.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.terminate()
            server.wait(timeout=10)
