"""dipkg: publish diplomacy news as a linked-data knowledge graph with evidence for every fact."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "build"]

if TYPE_CHECKING:
    from dipkg.pipeline import build


def __getattr__(name: str) -> Any:
    """Import the pipeline only when `dipkg.build` is first used, keeping start-up light."""
    if name == "build":
        from dipkg.pipeline import build

        return build
    raise AttributeError(name)
