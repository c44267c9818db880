"""The domain declared once: generated files in step with domain.yaml, its checks, and a new event
type added through it alone reaching the ontology, shapes, schema and queries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF, RDFS

from dipkg.domain.generate import Layout, stale_files
from dipkg.domain.model import load_domain
from dipkg.errors import InputError
from dipkg.namespaces import DIP
from tests.projects import REPOSITORY, clone_repository

DOMAIN = REPOSITORY.root / "src" / "dipkg" / "data" / "domain.yaml" if REPOSITORY.root else Path()


def test_generated_files_are_what_the_domain_calls_for() -> None:
    assert REPOSITORY.root is not None
    assert stale_files(Layout(REPOSITORY.root)) == [], "run: python -m dipkg.domain --write"


def test_every_plover_category_is_reachable_and_roles_are_inherited() -> None:
    domain = load_domain(DOMAIN)
    events = domain.section("events")
    assert {c.plover for c in events} - {None} == set(domain.plover)
    assert len(domain.plover) == 16
    expulsion = domain.classes["Expulsion"]
    assert (expulsion.plover, expulsion.cameo, expulsion.parent) == ("SANCTION", "161", "RelationsReduction")
    assert expulsion.roles["actor"].min == 1 and expulsion.roles["target"].min == 1
    summons = domain.classes["Summons"]
    assert (summons.plover, summons.cameo, summons.roles["target"].cls) == ("PROTEST", "114", "Person")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("  Expulsion:\n    parent: RelationsReduction\n", "  Expulsion:\n    parent: Nowhere\n"),
            "parent Nowhere",
        ),
        (("    plover: MOBILIZE\n", "    plover: MOBILISE\n"), "unknown PLOVER category MOBILISE"),
        (('    cameo: "173"\n', '    cameo: "999"\n'), "CAMEO code 999 is not in the cameo list"),
        (
            (
                "  AssetFreeze:\n    parent: Sanction\n",
                "  AssetFreeze:\n    parent: Sanction\n    roles: {actor: {min: 0}}\n",
            ),
            "role actor loosens",
        ),
    ],
    ids=["unknown parent", "unknown category", "unknown code", "loosened role"],
)
def test_a_bad_domain_is_refused_in_one_line(
    tmp_path: Path, change: tuple[str, str], message: str | None
) -> None:
    text = DOMAIN.read_text(encoding="utf-8")
    assert change[0] in text
    path = tmp_path / "domain.yaml"
    path.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load_domain(path)


NEW_TYPE = """  Boycott:
    parent: Sanction
    label: boycott
    definition: A state calls on its people and firms to stop buying from or dealing with the target.
    roles: {target: {min: 1}}
"""


def test_an_event_type_added_to_the_domain_reaches_ontology_shapes_schema_and_queries(tmp_path: Path) -> None:
    clone = clone_repository(tmp_path / "clone")
    domain = clone / "src" / "dipkg" / "data" / "domain.yaml"
    text = domain.read_text(encoding="utf-8")
    domain.write_text(text.replace("  AssetFreeze:\n", NEW_TYPE + "  AssetFreeze:\n", 1), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(clone / "src"), "DIPKG_CACHE_DIR": str(tmp_path / "cache")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, *args], cwd=clone, env=env, capture_output=True, text=True)

    assert run("-m", "dipkg.domain", "--check").returncode == 1
    assert run("-m", "dipkg.domain", "--write").returncode == 0
    assert run("-m", "dipkg.domain", "--check").returncode == 0

    data = clone / "src" / "dipkg" / "data"
    ontology = Graph().parse(data / "ontology" / "dipkg.ttl", format="turtle")
    assert (DIP.Boycott, RDFS.subClassOf, DIP.Sanction) in ontology
    assert str(ontology.value(DIP.Boycott, DIP.ploverCategory)).endswith("/SANCTION")
    assert str(ontology.value(DIP.Boycott, DIP.cameoCode)).endswith("/163")
    assert "dipsh:Boycott-target-role a sh:PropertyShape" in (data / "shapes" / "dipkg-roles.ttl").read_text()
    schema = json.loads((clone / "src" / "dipkg" / "seeds" / "schema" / "annotation.schema.json").read_text())
    assert "Boycott" in schema["properties"]["events"]["additionalProperties"]["properties"]["type"]["enum"]
    assert (
        "| `Boycott` | `Sanction` | SANCTION | 163 | actor 1..1, target 1..* |"
        in (clone / "README.md").read_text()
    )

    annotation = clone / "seeds" / "articles" / "000_65e413c471938464" / "annotation.yaml"
    seed = annotation.read_text(encoding="utf-8")
    marker = "  us-sanctions:\n    type: Sanction\n"
    assert marker in seed
    annotation.write_text(seed.replace(marker, "  us-sanctions:\n    type: Boycott\n"), encoding="utf-8")
    built = run("-m", "dipkg", "build")
    assert built.returncode == 0, built.stderr
    timeline = run("-m", "dipkg", "query", "timeline", "--format", "csv")
    assert timeline.returncode == 0, timeline.stderr
    rows = [line for line in timeline.stdout.splitlines() if ",Boycott," in line]
    assert rows == [
        "2021-03-22,on Monday,Boycott,SANCTION,United States sanctions over Xinjiang,United States"
    ]
    kg = Graph().parse(clone / "kg" / "articles" / "000_65e413c471938464.ttl", format="turtle")
    assert len(set(kg.subjects(RDF.type, DIP.Boycott))) == 1


def test_a_bad_domain_is_one_line_and_exit_3_from_the_command(tmp_path: Path) -> None:
    data = tmp_path / "src" / "dipkg" / "data"
    data.mkdir(parents=True)
    (data / "domain.yaml").write_text(
        DOMAIN.read_text(encoding="utf-8").replace("plover: MOBILIZE", "plover: MOBILISE")
    )
    done = subprocess.run(
        [sys.executable, "-m", "dipkg.domain", "--check", "--root", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 3
    assert done.stderr.count("\n") == 1 and "unknown PLOVER category MOBILISE" in done.stderr
    assert "Traceback" not in done.stderr
