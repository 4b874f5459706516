"""mkdocs hooks for the documentation site (mkdocs.yml loads them).

The pages mark some python blocks for the docs tests with a word after the language
(```python numpy, ```python torch, ```python no-run: see tests/docs/test_docs.py). Markdown
reads a fence's info string as a language only, so the site sees those blocks as plain
``python`` ones; the pages themselves keep their flags.
"""

from __future__ import annotations

import re
from typing import Any

_FLAGGED_FENCE = re.compile(r"^(?P<fence>[ \t]*(?:`{3,}|~{3,})python)[ \t]+[\w -]+$", re.MULTILINE)


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """The page's Markdown with each flagged python fence as a plain python one."""
    return _FLAGGED_FENCE.sub(r"\g<fence>", markdown)
