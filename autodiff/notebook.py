"""HTML for Jupyter: the tables a notebook shows for a Value, a ledger and a model.

Jupyter displays an object by calling its ``_repr_html_`` when it has one. ``Value``,
:class:`~autodiff.show.explain.Explanation` and ``nn``'s modules build theirs with
:func:`html_table`, which escapes every cell: labels are the user's text.

Example:
    >>> print(html_table(["name", "value"], [["<b>", 1.5]], caption="x & y"))
    <table class="autodiff">
    <caption>x &amp; y</caption>
    <thead><tr><th>name</th><th>value</th></tr></thead>
    <tbody>
    <tr><td>&lt;b&gt;</td><td>1.5</td></tr>
    </tbody>
    </table>
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Protocol

__all__ = ["html_table", "value_html"]


class _Scalar(Protocol):
    """What :func:`value_html` reads of a Value (this module does not import value.py,
    which imports it)."""

    label: str
    data: float
    grad: float

    @property
    def op(self) -> str: ...


def _cell(tag: str, content: object) -> str:
    return f"<{tag}>{escape(str(content))}</{tag}>"


def html_table(
    header: Sequence[str], rows: Sequence[Sequence[object]], *, caption: str = ""
) -> str:
    """An HTML table; every cell is ``str(cell)``, escaped, so any text is safe to show.

    Args:
        header: the column titles.
        rows: the cells, row by row, as many per row as there are titles.
        caption: a title above the table (none when empty).

    Raises:
        ValueError: a row has not as many cells as there are titles.
    """
    for number, row in enumerate(rows):
        if len(row) != len(header):
            raise ValueError(
                f"html_table: row {number} has {len(row)} cells for {len(header)} columns"
            )
    lines = ['<table class="autodiff">']
    if caption:
        lines.append(_cell("caption", caption))
    lines.append("<thead><tr>" + "".join(_cell("th", title) for title in header) + "</tr></thead>")
    lines.append("<tbody>")
    lines += ["<tr>" + "".join(_cell("td", cell) for cell in row) + "</tr>" for row in rows]
    lines += ["</tbody>", "</table>"]
    return "\n".join(lines)


def value_html(value: _Scalar) -> str:
    """A one-row table of a Value: label, data, grad and the operation that made it.

    Numbers are written in full (``repr``), as ``repr(value)`` writes them.

    Example:
        >>> from autodiff import Value
        >>> w = Value(-3.0, label="w")
        >>> print(value_html((w * 2).tanh()).splitlines()[3])
        <tr><td></td><td>-0.9999877116507956</td><td>0.0</td><td>tanh</td></tr>
    """
    op = value.op or "leaf"
    return html_table(["label", "data", "grad", "op"], [[value.label, value.data, value.grad, op]])
