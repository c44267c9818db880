"""Evaluation: a published graph scored against gold files in the corpus format (corpus/README.md).

For each gold article, its gold entities, events, quotes, roles and unasserted pairs are looked up
among the statements of the article's named graph (entities by label, events by PLOVER category,
roles, date, kind, evidence offsets and responses), and the counts are summed over the articles.
"""

from __future__ import annotations

from pathlib import Path

from dipkg.errors import InputError
from dipkg.evaluate.gold import gold_files, read_gold
from dipkg.evaluate.graph import ArticleGraph, Ontology, read_graphs
from dipkg.evaluate.report import FORMATS, ArticleScore, EvaluationReport
from dipkg.evaluate.scoring import Scorer
from dipkg.iris import Prefixes, prefix_map
from dipkg.progress import Progress, tracked

__all__ = ["FORMATS", "ArticleScore", "EvaluationReport", "evaluate"]


def evaluate(
    kg_dir: Path,
    vocabulary_files: tuple[Path, ...],
    gold_dirs: list[Path],
    article: str | None = None,
    progress: Progress | None = None,
) -> EvaluationReport:
    """Score the graph published in `kg_dir` against the gold articles in `gold_dirs`."""
    golds = [read_gold(name, path) for name, path in gold_files(gold_dirs, article)]
    graphs = read_graphs(kg_dir, [gold.article for gold in golds])
    if graphs.missing:
        first = next(gold for gold in golds if gold.article == graphs.missing[0])
        more = f" (and {len(graphs.missing) - 1} more)" if len(graphs.missing) > 1 else ""
        graph = f"{graphs.base_iri}graph/article/{first.article}"
        message = (
            f"article {first.article} is not in the published graph (no graph <{graph}> in {kg_dir}){more}"
        )
        raise InputError(message, first.path)
    ontology = Ontology.read(vocabulary_files)
    curies = Prefixes(prefix_map(graphs.base_iri))
    scores: list[ArticleScore] = []
    for gold in tracked(golds, len(golds), "evaluating", progress):
        view = ArticleGraph(
            graphs.base_iri, gold.article, graphs.articles[gold.article], graphs.shared, ontology
        )
        scores.append(Scorer(gold, view, curies).score())
    return EvaluationReport(scores, graphs.base_iri)
