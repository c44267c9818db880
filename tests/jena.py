"""Apache Jena's command-line tools as Debian ships them (libapache-jena-java 4.5: TDB2 and ARQ),
run with a class path that works. Both fixes that Debian's jars need live here and nowhere else:

- SLF4J bindings. /usr/share/java holds several SLF4J bindings (slf4j-jdk14, -simple, -nop,
  -log4j12, maven3-slf4j-provider) next to log4j-over-slf4j, so `java -cp '/usr/share/java/*'`
  stops at Jena's first log call ("Detected both log4j-over-slf4j.jar AND bound
  slf4j-log4j12.jar on the class path"). The class path below names Jena's jars and their
  dependencies (from the package's Maven poms) and exactly one binding, slf4j-simple, at level warn.
- Xerces messages. Debian's jena-core.jar moves Jena's copy of Xerces to the package `xerces`
  but leaves its message bundles under org/apache/jena/ext/xerces/, so the regular-expression
  facets of the built-in XSD datatypes cannot be made ("RuntimeException: internal error" in
  xerces.impl.dv.xs.XSSimpleTypeDecl.applyFacets1) and no command starts. `resources` copies the
  bundles out of the jar to xerces/... in a folder that goes first on the class path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

JAVA_DIR = Path("/usr/share/java")
JENA_JARS = (
    "jena-base",
    "jena-iri",
    "jena-core",
    "jena-arq",
    "jena-dboe-base",
    "jena-dboe-transaction",
    "jena-dboe-index",
    "jena-dboe-trans-data",
    "jena-dboe-storage",
    "jena-tdb2",
    # TDB1: its start-up maps the prefix `tdb:` of `--set tdb:unionDefaultGraph=true` (without it the
    # setting is a different symbol that TDB2 ignores, and the default graph stays empty).
    "jena-tdb",
    "jena-cmds",
)
DEPENDENCY_JARS = (
    "slf4j-api",
    "slf4j-simple",  # the one SLF4J binding
    "jcl-over-slf4j",
    "commons-cli",
    "commons-codec",
    "commons-compress",
    "commons-csv",
    "commons-io",
    "commons-lang3",
    "dexx.collection",
    "guava",
    "gson",
    "jackson-annotations",
    "jackson-core",
    "jackson-databind",
    "jakarta.json-api",
    "jsonld-java",
    "titanium-json-ld",
    "httpclient",
    "httpclient-cache",
    "httpcore",
    "protobuf",
    "thrift",
)
MOVED_BUNDLES = "org/apache/jena/ext/xerces/"
# A short-lived command: the JIT's first tier only (about half the start-up time), quiet logging.
JVM_OPTIONS = ("-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")


def jars() -> list[Path]:
    return [JAVA_DIR / f"{name}.jar" for name in JENA_JARS + DEPENDENCY_JARS]


def unavailable() -> str | None:
    """Why Jena cannot run here (no java, or a jar missing), or None."""
    if shutil.which("java") is None:
        return "java is not installed (apt-get install default-jre-headless)"
    missing = [jar.name for jar in jars() if not jar.is_file()]
    if missing:
        return f"{', '.join(missing)} not in {JAVA_DIR} (apt-get install libapache-jena-java)"
    return None


def resources(folder: Path) -> Path:
    """`folder` holding jena-core.jar's Xerces message bundles where its classes look for them."""
    with zipfile.ZipFile(JAVA_DIR / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith(MOVED_BUNDLES) and name.endswith(".properties"):
                target = folder / "xerces" / name[len(MOVED_BUNDLES) :]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    return folder


class Jena:
    """Jena's command classes (tdb2.tdbloader, tdb2.tdbquery, arq.query, ...), one JVM per command."""

    def __init__(self, work: Path) -> None:
        self.class_path = os.pathsep.join([str(resources(work / "resources"))] + [str(j) for j in jars()])

    def run(self, command: str, *args: str, timeout: float = 120) -> str:
        """Run one command class; its standard output. A failure raises with its standard error."""
        process = subprocess.run(
            ["java", *JVM_OPTIONS, "-cp", self.class_path, command, *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=timeout,
            check=False,
        )
        if process.returncode != 0:
            raise AssertionError(f"{command} {' '.join(args)}: exit {process.returncode}\n{process.stderr}")
        return process.stdout

    def load(self, database: Path, *files: Path) -> None:
        """Load RDF files (quads into their named graphs) into a TDB2 database, made if need be."""
        self.run("tdb2.tdbloader", "--loc", str(database), *map(str, files))

    def query(self, database: Path, query_file: Path, results: str = "JSON", *, union: bool = True) -> str:
        """The results of a query on a TDB2 database, over the union of its named graphs if `union`."""
        union_option = ["--set", "tdb:unionDefaultGraph=true"] if union else []
        return self.run(
            "tdb2.tdbquery",
            "--loc",
            str(database),
            *union_option,
            f"--results={results}",
            f"--query={query_file}",
        )
