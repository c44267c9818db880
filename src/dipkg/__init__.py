"""dipkg: publish diplomacy news as a linked-data knowledge graph with evidence for every fact.

The library is `dipkg.api` (one call per command); `dipkg.project.Project` says where things are.
"""

__version__ = "0.2.0"
__all__ = ["__version__"]
