"""Write the course pages as Jupyter notebooks: docs/0N-*.md → docs/notebooks/0N-*.ipynb.

Usage:
    python docs/make_notebooks.py          # write every notebook
    python docs/make_notebooks.py --check  # exit 1, naming them, if a notebook is out of date

The pages are the one source; the notebooks are generated, never edited. Each runnable
```python block of a page (the blocks ``tests/docs/test_docs.py`` runs) becomes a code cell;
everything between them, output blocks included, becomes a Markdown cell, with links to
the other course pages pointing at their notebooks and every other relative link at its file
under docs/. A block that writes a drawing to an SVG file (``drawing.write("x.svg")``) is
followed by a cell that shows the drawing, which a notebook displays as SVG. The notebooks
are written without outputs; ``tests/docs/test_notebooks.py`` executes them.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the repository's own code

from tests.helpers.pages import fenced_blocks  # noqa: E402 (after the path is set)

DOCS = ROOT / "docs"
NOTEBOOKS = DOCS / "notebooks"
PAGES = sorted(DOCS.glob("0[0-9]-*.md"))

_LINK = re.compile(r"(?P<open>\]\()(?P<target>[^)\s]+)(?P<close>\))")
_COURSE_PAGE = re.compile(r"^(?P<stem>0\d-[\w-]+)\.md(?P<anchor>#.*)?$")
_WRITES_SVG = re.compile(r"^(?P<name>\w+)\.write\(\s*[\"'][^\"']+\.svg[\"']", re.MULTILINE)


def relink(target: str) -> str:
    """A page's link as the notebook needs it: course pages as notebooks, files from docs/."""
    if re.match(r"^([a-z]+:|#|/)", target):
        return target
    page = _COURSE_PAGE.match(target)
    if page is not None:
        return f"{page['stem']}.ipynb{page['anchor'] or ''}"
    return f"../{target}"


def _markdown(text: str) -> str:
    return _LINK.sub(lambda m: m["open"] + relink(m["target"]) + m["close"], text).strip("\n")


def _cell(kind: str, source: str, cell_id: str) -> dict[str, Any]:
    lines = source.splitlines(keepends=True)
    cell: dict[str, Any] = {"cell_type": kind, "id": cell_id, "metadata": {}, "source": lines}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def cells_of(page: Path) -> list[tuple[str, str]]:
    """(kind, source) for each cell of the page's notebook, in order."""
    lines = page.read_text(encoding="utf-8").splitlines()
    generated = (
        f"*This notebook is generated from [docs/{page.name}](../{page.name}) by "
        "`docs/make_notebooks.py`: edit the page, then run the script.*"
    )
    cells: list[tuple[str, str]] = [("markdown", generated)]
    start = 0  # the first line not yet in a cell
    for block in fenced_blocks("\n".join(lines)):
        if not block.runs:
            continue
        opening = block.line - 2  # the opening fence, counted from 0
        text = _markdown("\n".join(lines[start:opening]))
        if text.strip():
            cells.append(("markdown", text))
        cells.append(("code", block.code.rstrip("\n")))
        cells.extend(("code", match["name"]) for match in _WRITES_SVG.finditer(block.code))
        start = block.end  # the line after the closing fence
    text = _markdown("\n".join(lines[start:]))
    if text.strip():
        cells.append(("markdown", text))
    return cells


def notebook(page: Path) -> str:
    """The notebook of ``page``, as the JSON text written to docs/notebooks/."""
    cells = [
        _cell(kind, source, f"{page.stem[:2]}-{number}")
        for number, (kind, source) in enumerate(cells_of(page))
    ]
    document = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def notebook_path(page: Path) -> Path:
    return NOTEBOOKS / f"{page.stem}.ipynb"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    check = parser.parse_args(argv).check
    stale = [page for page in PAGES if _read(notebook_path(page)) != notebook(page)]
    if check:
        for page in stale:
            print(
                f"{notebook_path(page).relative_to(ROOT)} differs from {page.name}: "
                "run python docs/make_notebooks.py",
                file=sys.stderr,
            )
        return 1 if stale else 0
    NOTEBOOKS.mkdir(exist_ok=True)
    for page in stale:
        notebook_path(page).write_text(notebook(page), encoding="utf-8")
        print(f"wrote {notebook_path(page).relative_to(ROOT)}")
    return 0


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None


if __name__ == "__main__":
    sys.exit(main())
