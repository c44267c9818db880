"""Validate RDF against the SHACL shapes: a sorted, deterministic report (`dipkg.validate.report`
writes it out).

Core constraints run in pyshacl. SPARQL-based constraints of node shapes are taken out of the
shapes graph handed to pyshacl and run here instead, once per constraint over all focus nodes on
an Oxigraph store (pyshacl runs them once per focus node through rdflib's engine, which takes
seconds); the tests prove both give the same results.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import rdflib.plugins.sparql
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from dipkg.errors import InputError
from dipkg.iris import DEFAULT_BASE_IRI
from dipkg.progress import Progress, tracked
from dipkg.query.guard import refusal
from dipkg.rdfio import format_for, graph_of, read_quads, store_of, to_rdflib
from dipkg.validate.patterns import pattern_problem, use_linear_patterns
from dipkg.validate.results import ValidationReport, ValidationResult

# SPARQL run by rdflib (in pyshacl) never loads the graphs a FROM clause names.
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False


def shapes_files_at(path: Path) -> list[Path]:
    """The shapes files a `--shapes` option names: one Turtle file, or every *.ttl file of a folder."""
    files = sorted(path.glob("*.ttl")) if path.is_dir() else [path]
    if not files:
        raise InputError("no shapes (*.ttl) found", path)
    return files


def load_shapes(files: list[Path]) -> Graph:
    """The shapes graph: the union of the given Turtle files, each checked by `check_shapes`."""
    if not files:
        raise InputError("no shapes (*.ttl) found")
    shapes = Graph(bind_namespaces="none")
    for path in files:
        part = graph_of(read_quads(str(path), "turtle"))
        check_shapes(part, path)
        shapes += part
    return shapes


SPARQL_TEXTS = (SH.select, SH.ask, SH.construct, SH.update)


def check_shapes(shapes: Graph, path: Path) -> None:
    """Shapes are input: their SPARQL (constraints, targets, functions, rules) may only read the
    data graph (no SERVICE, no update, bounded nesting), and every sh:pattern must run in RE2."""
    for subject, predicate, text in shapes:
        problem = None
        if predicate in SPARQL_TEXTS:
            problem = refusal(str(text), parse=True)
        elif predicate == SH.pattern:
            flags = shapes.value(subject, SH.flags)
            problem = pattern_problem(str(text), "" if flags is None else str(flags))
        if problem is not None:
            owner = subject.n3() if isinstance(subject, URIRef) else "a blank node"
            where = f"sh:{str(predicate).rsplit('#', 1)[-1]} of {owner}"
            raise InputError(f"{where}: {problem}", path)


DEFAULT_BASE_PATTERN = Literal("^" + DEFAULT_BASE_IRI.replace(".", "[.]"))


def for_base_iri(shapes: Graph, base_iri: str) -> Graph:
    """The shapes with the default base IRI pattern replaced by one for `base_iri`."""
    if base_iri == DEFAULT_BASE_IRI:
        return shapes
    configured = Graph(bind_namespaces="none")
    pattern = Literal("^" + re.escape(base_iri))
    for s, p, o in shapes:
        configured.add((s, p, pattern if (p == SH.pattern and o == DEFAULT_BASE_PATTERN) else o))
    return configured


class Validator:
    """Shapes and ontology prepared once, to validate many graphs (one per article, in a corpus)."""

    def __init__(self, shapes: Graph, ontology: list[ox.Quad], base_iri: str = DEFAULT_BASE_IRI) -> None:
        from pyshacl.rdfutil.inoculate import inoculate

        self.core_shapes, self.sparql_constraints = _split_sparql(for_base_iri(shapes, base_iri))
        self.ontology = ontology
        # What pyshacl mixes into a data graph from an ontology graph (class and property
        # axioms), taken out once instead of on every validation.
        # (pyshacl 0.40 types the target as its own DataGraph; any rdflib graph works, as in 0.28.)
        mixed = inoculate(Graph(bind_namespaces="none"), graph_of(ontology))  # type: ignore[arg-type]
        self.mixed_in: list[tuple[Node, Node, Node]] = list(mixed.triples((None, None, None)))

    def validate(self, data: list[ox.Quad]) -> ValidationReport:
        """Validate the union of the data's graphs, with the ontology mixed in for class hierarchies."""
        import pyshacl

        use_linear_patterns()
        data_graph = graph_of(data)
        for triple in self.mixed_in:
            data_graph.add(triple)
        _conforms, results_graph, _text = pyshacl.validate(
            data_graph,
            shacl_graph=self.core_shapes,
            inplace=True,
            inference="none",
            advanced=True,
            allow_warnings=True,
            do_owl_imports=False,
        )
        results = _read_results(results_graph)
        store = store_of([*data, *self.ontology])
        results.extend(_run_sparql_constraints(store, self.core_shapes, self.sparql_constraints))
        return ValidationReport(sorted(set(results), key=ValidationResult.sort_key))


def validate(
    data: list[ox.Quad], shapes: Graph, ontology: list[ox.Quad], base_iri: str = DEFAULT_BASE_IRI
) -> ValidationReport:
    """Validate the union of the data's graphs, with the ontology mixed in for class hierarchies."""
    return Validator(shapes, ontology, base_iri).validate(data)


def _split_sparql(shapes: Graph) -> tuple[Graph, list[tuple[Node, Node]]]:
    """The shapes without node-level SPARQL constraints, and those (shape, constraint) pairs."""
    pairs = [
        (shape, constraint)
        for shape, constraint in shapes.subject_objects(SH.sparql)
        if (shape, SH.path, None) not in shapes
    ]
    core = Graph(bind_namespaces="none")
    for triple in shapes:
        if triple[1] == SH.sparql and (triple[0], triple[2]) in pairs:
            continue
        core.add(triple)
    return core, pairs


def _read_results(results_graph: Graph) -> list[ValidationResult]:
    results = []
    for result in results_graph.subjects(RDF.type, SH.ValidationResult):
        severity = results_graph.value(result, SH.resultSeverity)
        path = results_graph.value(result, SH.resultPath)
        message = results_graph.value(result, SH.resultMessage)
        results.append(
            ValidationResult(
                severity=str(severity).rsplit("#", 1)[-1],
                focus=results_graph.value(result, SH.focusNode),  # type: ignore[arg-type]
                path=None if path is None else path_text(results_graph, path),
                value=results_graph.value(result, SH.value),
                message=str(message) if message is not None else "",
                source_shape=results_graph.value(result, SH.sourceShape),  # type: ignore[arg-type]
                component=results_graph.value(result, SH.sourceConstraintComponent),  # type: ignore[arg-type]
                constraint=results_graph.value(result, SH.sourceConstraint),
            )
        )
    return results


def path_text(graph: Graph, path: Node) -> str:
    """A SHACL property path as SPARQL path syntax with full IRIs."""
    if isinstance(path, URIRef):
        return path.n3()
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "|".join(path_text(graph, p) for p in Collection(graph, alternatives))
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + path_text(graph, inverse)
    if (path, RDF.first, None) in graph:
        return "/".join(path_text(graph, p) for p in Collection(graph, path))
    for key, symbol in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = graph.value(path, key)
        if inner is not None:
            return f"({path_text(graph, inner)}){symbol}"
    return "<complex path>"


def _prefixes(shapes: Graph, constraint: Node) -> str:
    lines = []
    for declarer in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(declarer, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines)))


def _target_pattern(shapes: Graph, shape: Node) -> str | None:
    """A SPARQL pattern binding ?this to every focus node of the shape, or None without targets."""
    patterns = []
    for cls in shapes.objects(shape, SH.targetClass):
        patterns.append(f"{{ ?this a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* {cls.n3()} }}")
    for node in shapes.objects(shape, SH.targetNode):
        patterns.append(f"{{ BIND({node.n3()} AS ?this) }}")
    for prop in shapes.objects(shape, SH.targetSubjectsOf):
        patterns.append(f"{{ ?this {prop.n3()} ?targetObject }}")
    for prop in shapes.objects(shape, SH.targetObjectsOf):
        patterns.append(f"{{ ?targetSubject {prop.n3()} ?this }}")
    if not patterns:
        return None
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(patterns) + " } }"


def _run_sparql_constraints(
    store: ox.Store, shapes: Graph, pairs: Iterable[tuple[Node, Node]]
) -> list[ValidationResult]:
    results = []
    for shape, constraint in pairs:
        if (constraint, SH.deactivated, Literal(True)) in shapes:
            continue
        targets = _target_pattern(shapes, shape)
        if targets is None:
            continue
        select = str(shapes.value(constraint, SH.select))
        where = select.index("{", select.upper().index("WHERE"))
        query = _prefixes(shapes, constraint) + "\n" + select[: where + 1] + targets + select[where + 1 :]
        severity = shapes.value(shape, SH.severity) or SH.Violation
        message = shapes.value(constraint, SH.message) or shapes.value(shape, SH.message)
        solutions = store.query(query)
        variables = {variable.value for variable in solutions.variables}  # type: ignore[union-attr]
        for solution in solutions:  # type: ignore[union-attr]
            this = to_rdflib(solution["this"])
            value = solution["value"] if "value" in variables else None
            path = solution["path"] if "path" in variables else None
            results.append(
                ValidationResult(
                    severity=str(severity).rsplit("#", 1)[-1],
                    focus=this,
                    path=None if path is None else to_rdflib(path).n3(),
                    value=this if value is None else to_rdflib(value),
                    message=str(message) if message is not None else "",
                    source_shape=shape,
                    component=SH.SPARQLConstraintComponent,
                    constraint=constraint,
                )
            )
    return results


def read_inputs(
    names: list[str], input_format: str | None, progress: Progress | None = None
) -> list[ox.Quad]:
    """Parse every input file strictly and return all their quads."""
    quads: list[ox.Quad] = []
    for name in tracked(names, len(names), "reading", progress):
        quads.extend(read_quads(name, format_for(name, input_format)))
    return quads


def read_ontology(vocabulary_files: Iterable[Path]) -> list[ox.Quad]:
    """The dipkg ontology and its code lists, mixed into validated data for class hierarchies."""
    return [quad for f in vocabulary_files for quad in read_quads(str(f), "turtle")]
