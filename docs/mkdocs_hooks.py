"""mkdocs hooks for the documentation site (mkdocs.yml loads them).

- The pages mark some python blocks for the docs tests with a word after the language
  (```python numpy, ```python torch, ```python no-run: see tests/docs/test_docs.py).
  Markdown reads a fence's info string as a language only, so the site sees those blocks as
  plain ``python`` ones; the pages themselves keep their flags.
- A package's names that load their module on first use (its ``_LAZY`` table, see
  ``autodiff/lazy.py``) are invisible to griffe, which reads the source without importing
  it. A reference page asks for them with ``<!-- lazy names: nn -->``, which becomes one
  ``::: module.name`` block per name, so that a new lazy name is documented without an edit.
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository's own code

_FLAGGED_FENCE = re.compile(r"^(?P<fence>[ \t]*(?:`{3,}|~{3,})python)[ \t]+[\w -]+$", re.MULTILINE)
_LAZY_MARKER = re.compile(r"^<!-- lazy names: (?P<package>[\w.]+) -->$", re.MULTILINE)


def _lazy_blocks(match: re.Match[str]) -> str:
    table: dict[str, str] = importlib.import_module(match["package"])._LAZY
    return "\n\n".join(f"::: {module}.{name}" for name, module in sorted(table.items()))


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """The page's Markdown with plain python fences and its lazy names' blocks."""
    return _LAZY_MARKER.sub(_lazy_blocks, _FLAGGED_FENCE.sub(r"\g<fence>", markdown))
