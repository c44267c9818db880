"""The one place that knows where dipkg's folders and files are."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent.parent

SEEDS_DIR = PROJECT_DIR / "seeds"
ONTOLOGY_DIR = PROJECT_DIR / "ontology"
KG_DIR = PROJECT_DIR / "kg"
SHAPES_DIR = PROJECT_DIR / "shapes"
QUERIES_DIR = PROJECT_DIR / "queries"

ONTOLOGY_FILE = ONTOLOGY_DIR / "dipkg.ttl"
CODE_LIST_FILES = (ONTOLOGY_DIR / "cameo.ttl", ONTOLOGY_DIR / "plover.ttl")
SCHEMA_DIR = PACKAGE_DIR / "schema"

# Inside a seeds folder.
ENTITIES_SUBDIR = "entities"
ARTICLES_SUBDIR = "articles"
ARTICLE_TEXT_FILE = "article.txt"
ARTICLE_META_FILE = "meta.yaml"
ARTICLE_ANNOTATION_FILE = "annotation.yaml"

# Inside a kg folder.
KG_ENTITIES_FILE = "entities.ttl"
KG_ARTICLES_SUBDIR = "articles"
KG_DESCRIPTION_FILE = "void.ttl"

# What builds, queries and loads keep between runs.
CACHE_DIR = Path(os.environ.get("DIPKG_CACHE_DIR") or PROJECT_DIR / ".dipkg-cache")
# Inside the cache folder: the query store, and what was last loaded into each endpoint's graph.
STORE_SUBDIR = "store"
LOAD_RECORDS_SUBDIR = "loads"


def schema_file(name: str) -> Path:
    """Path of a bundled JSON Schema, by its short name (`entities`, `meta`, `annotation`)."""
    return SCHEMA_DIR / f"{name}.schema.json"
