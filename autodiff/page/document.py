"""``explore(root)``: one self-contained HTML page in which a learner pokes a graph.

The page shows the graph as :func:`autodiff.draw` draws it (rendered by Graphviz's ``dot``
when the page is made, embedded as SVG), and runs forward and backward itself, in
JavaScript generated from the primitive table (:mod:`autodiff.page.program`): click a node
for its local partials and the chain rule that forms its gradient, step the backward walk
node by node, type a leaf's value and see every value and gradient again. Everything is
inline: no network, no server. The page's scripting surface, ``window.autodiffPage``, is
documented in docs/explore.md.

Example:
    >>> from autodiff import Value
    >>> w, x, b = Value(-3.0, label="w"), Value(2.0, label="x"), Value(6.88, label="b")
    >>> a = (w * x + b).tanh()
    >>> a.backward()
    >>> page = explore(a)
    >>> page.live, "window.autodiffPage" in page.html, "://" in page.html
    (True, True, False)
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from ..files import write_atomically
from ..graph import topological_order
from ..show.explain import explain as explain_ledger
from ..show.render import MAX_NODES, draw
from ..tape.kernels import js_runtime
from ..value import Value
from .program import describe_graph

__all__ = ["LEDGER_NODES", "OPENED_BYTES", "OPENED_MODULES", "Page", "explore"]

LEDGER_NODES = 60
"""Graphs of at most this many nodes carry the engine's chain-rule ledger
(:func:`autodiff.explain`) of every node, and label their edges with local partials."""

SUFFIXES = (".html", ".htm")

OPENED_MODULES = 24
"""At most this many collapsed modules get a drawing of their own, opened."""

OPENED_BYTES = 1_200_000
"""And at most this much SVG for those drawings together (the page stays a few MB)."""


class Page:
    """An interactive page of one graph: ``write`` it to a file, or display it in Jupyter.

    Attributes:
        html: the whole page, one self-contained HTML document.
        live: whether the page can recompute the graph (every primitive it uses has a
            JavaScript kernel); when not, the page says which primitive lacks one.
    """

    def __init__(self, html_text: str, live: bool) -> None:
        self.html = html_text
        self.live = live

    def __repr__(self) -> str:
        return f"<Page: {len(self.html.encode('utf-8'))} bytes, live={self.live}>"

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to ``path`` (``.html`` or ``.htm``) by
        :func:`autodiff.files.write_atomically`: never half-written.

        Raises:
            ValueError: the file's suffix is not .html or .htm (a page under
                ``graph.svg`` would claim to be a picture it is not).

        Example:
            >>> import tempfile
            >>> from autodiff import Value
            >>> page = explore(Value(2.0, label="x") * 3)
            >>> with tempfile.TemporaryDirectory() as folder:
            ...     page.write(Path(folder) / "x.html").read_text().startswith("<!DOCTYPE html>")
            True
            >>> page.write("graph.svg")  # doctest: +ELLIPSIS
            Traceback (most recent call last):
            ...
            ValueError: write: a page is HTML, so 'graph.svg' would hold HTML, not svg: ...
        """
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in SUFFIXES:
            what = suffix.lstrip(".") or "a file without a suffix"
            raise ValueError(
                f"write: a page is HTML, so {str(path)!r} would hold HTML, not {what}: "
                "name it .html (or .htm)"
            )
        write_atomically(path, self.html)
        return path

    def _repr_html_(self) -> str:
        """The page in a sandboxed frame, for Jupyter (its script keeps to itself)."""
        return (
            '<iframe style="width:100%;height:720px;border:1px solid #ccc" '
            f'sandbox="allow-scripts" srcdoc="{html.escape(self.html, quote=True)}"></iframe>'
        )


def explore(
    root: Value,
    *,
    digits: int = 4,
    max_nodes: int = MAX_NODES,
    expand: str | Sequence[str] = (),
    labels: dict[str, str] | None = None,
    title: str | None = None,
) -> Page:
    """The interactive page of the graph below ``root``.

    Call ``root.backward()`` first if the drawing should show the engine's gradients; the
    page computes its own (one backward walk from ``root``, seed 1) whenever it can.

    Args:
        root: the output whose graph the page shows.
        digits: significant digits of the numbers drawn.
        max_nodes, expand, labels: as for :func:`autodiff.draw` (big networks collapse
            into summary nodes; clicking one lists its named nodes, and every node stays in
            the page's computation, its inputs and its search).
        title: the page's title (default: the root's name).

    Raises:
        TypeError, ValueError: as :func:`autodiff.draw` for a bad root or option.
        GraphvizNotFound: Graphviz's ``dot`` program is not installed.

    Example:
        >>> from autodiff import Value
        >>> x = Value(2.0, label="x")
        >>> y = (x * x).tanh()
        >>> y.backward()
        >>> page = explore(y, title="tanh(x²)")
        >>> page.live, "<title>tanh(x²) · autodiff explore</title>" in page.html
        (True, True)
    """
    drawing = draw(
        root,
        digits=digits,
        max_nodes=max_nodes,
        expand=expand,
        labels=labels,
        show_local=_small(root),
    )
    svg = _inline_svg(drawing.pipe(format="svg").decode("utf-8"))
    opened = _opened_drawings(root, svg, digits, max_nodes, expand, labels)
    graph = describe_graph(root, digits=digits)
    graph["opened"] = opened
    graph["live"] = not graph["missing"]
    graph["modules"] = {name: path for path, name in (labels or {}).items()}
    graph["ledgers"] = _ledgers(root) if _small(root) else {}
    name = title if title is not None else (root.label or graph["nodes"][-1]["name"])
    graph["title"] = name
    return Page(_assemble(name, svg, graph), live=graph["live"])


def _collapsed_modules(svg: str, labels: dict[str, str] | None) -> list[tuple[str, int]]:
    """The modules the drawing shows collapsed (summary nodes ``m<k>``): each one's path
    and how many drawing nodes it hides."""
    names = {name: path for path, name in (labels or {}).items()}
    found = []
    title = r"<title>m\d+</title>\s*(?:<[^>]*>\s*)*?<text[^>]*>([^<]*)</text>"
    for match in re.finditer(title, svg):
        text = html.unescape(match.group(1))
        size = re.search(r" \((\d+) nodes\)$", text)
        shown = text[: size.start()] if size else text
        found.append((names.get(shown, shown), int(size.group(1)) if size else 0))
    return found


def _opened_drawings(
    root: Value,
    svg: str,
    digits: int,
    max_nodes: int,
    expand: str | Sequence[str],
    labels: dict[str, str] | None,
) -> dict[str, str]:
    """For each collapsed module (up to :data:`OPENED_MODULES`, and :data:`OPENED_BYTES`
    of SVG in all), the drawing with that module open: a click on its summary node shows it.
    dot does not run in the page, so each is drawn when the page is made."""
    kept = [expand] if isinstance(expand, str) else list(expand)
    opened: dict[str, str] = {}
    size = 0
    for path, hidden in _collapsed_modules(svg, labels)[:OPENED_MODULES]:
        # room for what the module hides, so that opening it collapses nothing else
        budget = max_nodes + hidden
        drawing = draw(root, digits=digits, max_nodes=budget, expand=[*kept, path], labels=labels)
        variant = _inline_svg(drawing.pipe(format="svg").decode("utf-8"))
        size += len(variant.encode("utf-8"))
        if size > OPENED_BYTES:
            break
        opened[path] = variant
    return opened


def _small(root: Value) -> bool:
    return len(topological_order(root)) <= LEDGER_NODES


def _ledgers(root: Value) -> dict[str, str]:
    """The engine's ledger of ∂root/∂node for every node (or why there is none)."""
    ledgers = {}
    for k, node in enumerate(topological_order(root)):
        try:
            ledgers[f"v{k}"] = str(explain_ledger(root, node))
        except (ValueError, OverflowError) as error:
            ledgers[f"v{k}"] = f"no ledger at these values: {error}"
    return ledgers


def _inline_svg(svg: str) -> str:
    """dot's SVG without what inline SVG in HTML does not need: the XML prolog, the
    doctype, comments and namespace declarations (which name URLs, never fetched)."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL)
    return re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _script_json(data: Any) -> str:
    """JSON safe inside a <script> element: no ``<`` at all, so no ``</script>`` or
    ``<!--`` in a label can end it early or change how it is read."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def _assemble(title: str, svg: str, graph: dict[str, Any]) -> str:
    kernels = graph.pop("kernels")
    table = ",\n".join(
        f"  {json.dumps(key)}: {{forward: {k['forward']}, partials: {k['partials']}}}"
        for key, k in kernels.items()
    )
    script = "\n".join(
        [
            js_runtime(),
            "// The kernels of the primitives this graph uses, generated from the engine's",
            "// primitive table (autodiff/page/program.py).",
            f"const KERNELS = {{\n{table}\n}};",
            f"const GRAPH = {_script_json(graph)};",
            _asset("page.js"),
        ]
    )
    parts = {
        "title": html.escape(title),
        "style": _asset("page.css"),
        "svg": svg,
        "script": script.replace("</script", "<\\/script"),
    }
    # One pass over the template: a label that reads "{{svg}}" stays a label.
    return re.sub(r"\{\{(\w+)\}\}", lambda match: parts[match.group(1)], _asset("page.html"))
