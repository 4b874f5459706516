"""Read back the HTML tables that notebooks show (``autodiff.notebook.html_table``).

The HTML is parsed as XML: it fails to parse if anything is left unescaped.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

__all__ = ["Table", "read_tables"]


@dataclass(frozen=True)
class Table:
    """A table's caption, column titles and cells (as text), the paragraphs after it, and
    (for the first table) the paragraphs before it."""

    caption: str
    header: list[str]
    rows: list[list[str]]
    paragraphs: list[str]
    before: list[str]


def read_tables(html: str) -> list[Table]:
    """Every table of ``html``, in order, with the ``<p>`` paragraphs around it."""
    root = ElementTree.fromstring(f"<div>{html}</div>")
    tables: list[Table] = []
    first: list[str] = []
    for element in root:
        if element.tag == "p":
            (tables[-1].paragraphs if tables else first).append(element.text or "")
            continue
        assert element.tag == "table", element.tag
        caption = element.find("caption")
        header = [th.text or "" for th in element.iterfind("thead/tr/th")]
        rows = [[td.text or "" for td in tr.iterfind("td")] for tr in element.iterfind("tbody/tr")]
        title = "" if caption is None else caption.text or ""
        tables.append(Table(title, header, rows, [], first if not tables else []))
    return tables
