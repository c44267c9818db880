"""Projects: `dipkg init`, finding a project, shipped data extended by a project's own, the library API."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dipkg import api
from dipkg.cli import main
from dipkg.project import NOT_IN_A_PROJECT, Project
from tests.conftest import DATA_DIR
from tests.projects import REPOSITORY, SEED, SEED_TRIPLES, clone_repository

SOURCE = Path(api.__file__).parent
ARTICLE = "000_65e413c471938464"
OTHER_BASE = "https://example.org/kg/"


def run(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    """The command in a fresh process (so that it finds its project from `cwd`), with the test's cache."""
    done = subprocess.run(
        [sys.executable, "-m", "dipkg", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


def new_project(folder: Path, base_iri: str | None = None) -> Path:
    """A project made by `dipkg init`, holding the seed article and its entities."""
    args = ["init", str(folder)] + (["--base-iri", base_iri] if base_iri else [])
    code, _, err = run(*args)
    assert code == 0, err
    for part in ("articles", "entities"):
        for item in (SEED.seeds_dir / part).iterdir():
            copy = shutil.copytree if item.is_dir() else shutil.copy
            copy(item, folder / "seeds" / part / item.name)
    return folder


def test_init_creates_a_project_and_refuses_an_existing_one(tmp_path: Path) -> None:
    folder = tmp_path / "proj"
    code, out, err = run("init", str(folder), "--base-iri", OTHER_BASE)
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"created a dipkg project in {folder}/ (base IRI {OTHER_BASE})"
    assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) == [
        ".gitignore",
        "dipkg.toml",
        "kg",
        "seeds",
        "seeds/articles",
        "seeds/entities",
    ]
    project = Project.at(folder)
    assert (project.base_iri, project.seeds_dir, project.kg_dir) == (
        OTHER_BASE,
        folder / "seeds",
        folder / "kg",
    )
    code, _, err = run("init", str(folder))
    assert code == 2
    assert err == f"dipkg: error: {folder / 'dipkg.toml'}: already a dipkg project (dipkg.toml exists)\n"
    code, _, err = run("init", str(tmp_path / "other"), "--base-iri", "file:///x")
    assert code == 2
    assert err.startswith("dipkg: error: Invalid value for '--base-iri': must be an http(s) IRI")
    assert not (tmp_path / "other").exists()


def test_init_keeps_an_existing_gitignore_and_refuses_a_kg_folder_in_use(tmp_path: Path) -> None:
    folder = tmp_path / "existing"
    (folder / "kg").mkdir(parents=True)
    (folder / ".gitignore").write_text("node_modules/\n", encoding="utf-8")
    code, out, err = run("init", str(folder) + "/")
    assert (code, err) == (0, "")
    assert out.startswith(f"created a dipkg project in {folder}/ (base IRI")
    assert (folder / ".gitignore").read_text(encoding="utf-8") == "node_modules/\n.dipkg-cache/\n"
    other = tmp_path / "other"
    (other / "kg").mkdir(parents=True)
    (other / "kg" / "notes.ttl").write_text("", encoding="utf-8")
    code, _, err = run("init", str(other))
    assert code == 2
    assert err == f"dipkg: error: {other / 'kg'}: holds a kg/ folder that is not empty; init a new folder\n"
    assert not (other / "dipkg.toml").exists()


def test_a_folder_without_dipkg_toml_is_not_a_project(tmp_path: Path) -> None:
    (tmp_path / "seeds").mkdir()
    code, out, err = run("--project", str(tmp_path), "build")
    assert (code, out) == (2, "")
    assert (
        err == f"dipkg: error: {tmp_path}: not a dipkg project (no dipkg.toml): run `dipkg init DIR` first\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seeds"]


def test_a_project_is_found_from_any_folder_inside_it_or_named_with_project(tmp_path: Path) -> None:
    folder = new_project(tmp_path / "proj")
    code, out, err = run("build", cwd=folder / "seeds" / "articles")
    assert code == 0, err
    assert (
        out.splitlines()[0]
        == f"built {folder / 'kg'}/ from {folder / 'seeds'}/: 1 article(s), {SEED_TRIPLES} triples"
    )
    code, out, _ = run("--project", str(folder), "query", "summons-timeline", "--format", "csv", cwd=tmp_path)
    assert code == 0
    assert len(out.splitlines()) == 4


def test_outside_any_project_the_commands_that_need_one_say_so(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    for args in (
        ["build"],
        ["query", "summons-timeline"],
        ["export"],
        ["validate"],
        ["load", "--endpoint", "http://127.0.0.1:9"],
    ):
        code, out, err = run(*args, cwd=empty)
        assert (code, out) == (2, ""), args
        assert err == f"dipkg: error: {NOT_IN_A_PROJECT}\n", args
    code, out, _ = run("queries", cwd=empty)
    assert code == 0
    assert len(out.splitlines()) == 1 + 21, "the shipped queries are listed outside a project too"
    code, _, err = run(
        "validate", str(DATA_DIR / "shapes" / "negative" / "Summons__targetIsDiplomat.ttl"), cwd=empty
    )
    assert code == 1
    assert "does not conform" in err
    assert not any(empty.iterdir())


def test_a_graph_built_with_another_base_is_queried_and_validated_with_that_base(tmp_path: Path) -> None:
    folder = new_project(tmp_path / "proj", OTHER_BASE)
    assert run("build", cwd=folder)[0] == 0
    code, out, _ = run("query", "entity-profile", "--format", "csv", cwd=folder)
    assert code == 0
    assert len(out.splitlines()) > 5
    code, out, _ = run("query", "accusations-and-demands", "--format", "csv", cwd=folder)
    assert code == 0
    assert len(out.splitlines()) > 2
    code, out, _ = run(
        "query", "quotes", "--param", "speaker=ent:antony-blinken", "--format", "csv", cwd=folder
    )
    assert code == 0
    assert len(out.splitlines()) >= 2 and "Antony Blinken" in out
    code, _, err = run("validate", cwd=folder)
    assert code == 0, err
    project = Project.at(folder).replace(base_iri="https://w3id.org/dipkg/")
    assert project.built_base_iri() == OTHER_BASE, "the base is read back from kg/void.ttl"


def test_a_project_adds_its_own_queries_and_shapes(tmp_path: Path) -> None:
    folder = new_project(tmp_path / "proj")
    (folder / "queries").mkdir()
    (folder / "queries" / "summons-count.rq").write_text(
        "PREFIX dip: <https://w3id.org/dipkg/ontology#>\n"
        "SELECT (COUNT(?s) AS ?n) WHERE { ?s a dip:Summons } ORDER BY ?n\n",
        encoding="utf-8",
    )
    (folder / "shapes").mkdir()
    (folder / "shapes" / "local.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix dip: <https://w3id.org/dipkg/ontology#> .\n"
        "<urn:x:no-summons> a sh:NodeShape ; sh:targetClass dip:Summons ;\n"
        "  sh:property [ sh:path dip:date ; sh:maxCount 0 ; sh:severity sh:Warning ;\n"
        '    sh:message "a local rule" ] .\n',
        encoding="utf-8",
    )
    assert run("build", cwd=folder)[0] == 0
    code, out, _ = run("queries", cwd=folder)
    names = [line.split()[0] for line in out.splitlines()[1:]]
    assert len(names) == 22 and "summons-count" in names
    code, out, _ = run("query", "summons-count", "--format", "csv", cwd=folder)
    assert (code, out.splitlines()) == (0, ["n", "3"]), "a query file without a #+ header runs"
    code, out, err = run("validate", cwd=folder)
    assert code == 0
    # Italy's summons has no dip:date, only a dip:latestDate: two summonses have a date.
    assert out.count("a local rule") == 2
    assert "2 warning(s)" in err


def test_the_library_takes_projects_as_paths_and_returns_results(tmp_path: Path) -> None:
    folder = str(new_project(tmp_path / "proj"))
    report = api.build(folder)
    assert (report.articles, report.triples) == (1, SEED_TRIPLES)
    result = api.query(folder, "summons-timeline")
    assert [row["diplomat"] for row in result.records()] == [
        "Nicolas Chapuis",
        "Caroline Wilson",
        "Li Junhua",
    ]
    assert result.render("csv").splitlines()[0].startswith("date,onOrBefore,when,summoner")
    outcome = api.validate(folder)
    assert outcome.conforms() and outcome.summary().startswith("conforms")
    assert api.export(Path(folder), "nt").count(b"\n") == SEED_TRIPLES
    assert [q.name for q in api.queries(folder)][:2] == ["accusations-and-demands", "claim-as-fact-violation"]


def test_the_cli_imports_only_the_api_the_errors_and_click() -> None:
    allowed = ("dipkg.api", "dipkg.errors.", "dipkg.cli.")
    for path in sorted((SOURCE / "cli").glob("*.py")):
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
        ours = {name for name in imported if name.startswith("dipkg")}
        assert [name for name in ours if not name.startswith(allowed)] == [], path.name


def test_no_module_keeps_a_location_in_a_global() -> None:
    """Locations are computed by functions and passed down, never fixed at import."""
    offenders = []
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                for part in ast.walk(node.value):
                    if (
                        (isinstance(part, ast.Name) and part.id == "__file__")
                        or (
                            isinstance(part, ast.Call)
                            and isinstance(part.func, ast.Name)
                            and part.func.id == "Path"
                        )
                        or (isinstance(part, ast.Attribute) and part.attr in ("cwd", "home", "environ"))
                    ):
                        offenders.append(f"{path.relative_to(SOURCE)}:{node.lineno}")
    assert offenders == []


def test_the_repository_is_a_project_whose_shipped_data_is_the_top_level_folders() -> None:
    assert REPOSITORY.root is not None
    for name in ("ontology", "shapes", "queries"):
        assert (REPOSITORY.root / name).resolve() == (SOURCE / "data" / name).resolve()
    assert [p.name for p in SEED.query_files] == sorted(
        p.name for p in (SOURCE / "data" / "queries").glob("*.rq")
    )


def test_published_files_are_readable_by_others(tmp_path: Path) -> None:
    folder = new_project(tmp_path / "proj")
    done = subprocess.run(
        f"umask 022 && {sys.executable} -m dipkg build",
        shell=True,
        cwd=folder,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0
    modes = {
        p.relative_to(folder).as_posix(): p.stat().st_mode & 0o777 for p in (folder / "kg").rglob("*.ttl")
    }
    assert modes == {
        "kg/ontology.ttl": 0o644,
        "kg/entities.ttl": 0o644,
        f"kg/articles/{ARTICLE}.ttl": 0o644,
        "kg/void.ttl": 0o644,
    }


def test_the_cache_is_the_projects_or_the_users_never_the_interpreters(tmp_path: Path) -> None:
    folder = new_project(tmp_path / "proj")
    env = {k: v for k, v in os.environ.items() if k != "DIPKG_CACHE_DIR"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "user-cache")
    done = subprocess.run(
        [sys.executable, "-m", "dipkg", "build"], cwd=folder, env=env, capture_output=True, check=False
    )
    assert done.returncode == 0
    assert (folder / ".dipkg-cache").is_dir()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "dipkg", "query", "class-counts", "--kg", str(folder / "kg")],
        cwd=outside,
        env=env,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0
    assert (tmp_path / "user-cache" / "dipkg" / "store").is_dir()
    assert not any(outside.iterdir())


def test_query_output_to_a_file_and_validate_of_another_kg(
    tmp_path: Path, built_kg: Path, in_seed_project: Path
) -> None:
    target = tmp_path / "rows.json"
    result = CliRunner().invoke(main, ["query", "summons-timeline", "-o", str(target)])
    assert (result.exit_code, result.stdout) == (0, "")
    assert json.loads(target.read_text(encoding="utf-8"))["head"]["vars"][:3] == [
        "date",
        "onOrBefore",
        "when",
    ]
    result = CliRunner().invoke(main, ["query", "summons-timeline", "-o", str(tmp_path / "no" / "rows.json")])
    assert result.exit_code == 4
    copy = Path(shutil.copytree(built_kg, tmp_path / "copy"))
    result = CliRunner().invoke(main, ["validate", "--kg", str(copy)])
    assert result.exit_code == 0
    assert (
        result.stderr
        == "dipkg validate: conforms (fail on violation): 0 violation(s), 0 warning(s), 7 info\n"
    )
    usage = CliRunner().invoke(main, ["query", "--help"]).output
    assert "Usage: dipkg query [OPTIONS] NAME|FILE" in usage


def test_errors_are_one_line_with_their_own_exit_codes(
    monkeypatch: pytest.MonkeyPatch, in_seed_project: Path
) -> None:
    result = CliRunner().invoke(main, ["query", "summons-timeline", "--format", "yaml"])
    assert result.exit_code == 2
    assert result.stderr.startswith("dipkg: error: Invalid value for '--format': 'yaml' is not one of")
    assert len(result.stderr.splitlines()) == 1

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("an unexpected fault\nwith a second line")

    monkeypatch.setattr(api, "query", broken)
    result = CliRunner().invoke(main, ["query", "summons-timeline"])
    assert result.exit_code == 70
    assert result.stderr == (
        "dipkg: error: internal error (RuntimeError: an unexpected fault); please report it at "
        "https://github.com/dipkg/dipkg/issues with the command you ran\n"
    )

    def interrupted(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(api, "query", interrupted)
    result = CliRunner().invoke(main, ["query", "summons-timeline"])
    assert (result.exit_code, result.stderr) == (130, "dipkg: error: interrupted\n")


def test_shell_completion_offers_the_canned_query_names(seed_project_dir: Path) -> None:
    env = {
        **os.environ,
        "_DIPKG_COMPLETE": "bash_complete",
        "COMP_WORDS": "dipkg query sum",
        "COMP_CWORD": "2",
    }
    done = subprocess.run(
        [sys.executable, "-c", "from dipkg.cli import main; main()"],
        cwd=seed_project_dir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.split() == ["plain,summons-target-violation", "plain,summons-timeline"]


def test_adding_an_article_to_seeds_leaves_the_figure_tests_green(tmp_path: Path) -> None:
    """The tests that assert the seed's exact figures run on tests/data, not on the live seeds/."""
    clone = clone_repository(tmp_path / "clone")
    shutil.copytree(DATA_DIR / "second-article", clone / "seeds", dirs_exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(clone / "src"), "DIPKG_CACHE_DIR": str(tmp_path / "cache")}
    built = subprocess.run(
        [sys.executable, "-m", "dipkg", "build"], cwd=clone, env=env, capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr
    articles = len([p for p in (clone / "seeds" / "articles").iterdir() if p.is_dir()])
    assert (
        f"{articles} article(s)" in built.stdout
        and articles == len(list(REPOSITORY.articles_dir.iterdir())) + 1
    )
    tests = [
        "tests/test_build.py",
        "tests/test_export.py",
        "tests/test_queries.py",
        "tests/test_validate_cli.py",
    ]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-k", "not w3c", *tests],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert " passed" in done.stdout.splitlines()[-1]


def test_the_readme_reference_of_the_annotation_format_is_generated_from_the_schema() -> None:
    from dipkg.seeds.reference import reference

    assert REPOSITORY.root is not None
    readme = (REPOSITORY.root / "README.md").read_text(encoding="utf-8")
    generated = reference(SEED.ontology_file)
    assert generated in readme, "run: python -m dipkg.seeds.reference --write README.md"
    for field in ("listed_targets", "relayed_by", "alleged_agents"):
        assert f"| `{field}` |" in generated
    assert "| `dip:Summons` | summons of a diplomat |" in generated
