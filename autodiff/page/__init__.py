"""The interactive page of a computation graph: ``explore(root)``.

:mod:`~autodiff.page.program` describes the graph and generates the page's JavaScript
kernels from the primitive table; :mod:`~autodiff.page.document` draws the graph with
Graphviz and assembles one self-contained HTML file (``page.js`` and ``page.css`` inline).
"""

from __future__ import annotations

from .document import Page, explore

__all__ = ["Page", "explore"]
