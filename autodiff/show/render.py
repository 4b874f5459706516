"""Drawings of computation graphs with Graphviz: values, gradients, local partials, paths.

:func:`draw` turns the graph below a Value into a :class:`Drawing` (a ``graphviz.Digraph``):
every Value a record with its label, data and grad; every operation a small node of its own;
edges operand → operation → result. Modules of ``nn`` become clusters (see
:mod:`autodiff.show.clusters`), and past ``max_nodes`` whole neurons, then layers, collapse into
summary nodes. This is the only module that imports graphviz.

Example:
    >>> from autodiff import Value
    >>> w, x, b = Value(-3.0, label="w"), Value(2.0, label="x"), Value(6.88, label="b")
    >>> a = (w * x + b).tanh()
    >>> a.backward()
    >>> drawing = draw(a)
    >>> print(drawing.source.splitlines()[4].strip())
    v0 [label="{ w | data -3 | grad 1.002 }" fillcolor="#ffe8a3" shape=Mrecord]
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import graphviz

from ..collector import collector_paused
from ..files import write_atomically
from ..graph import consumers, on_paths, topological_order
from ..value import Value
from .clusters import assign_clusters, plan_collapse
from .scene import Options, Scene, describe

__all__ = ["Drawing", "GraphvizNotFound", "draw"]

MAX_NODES = 300
"""Default ``max_nodes``: dot lays out a few hundred nodes in about a second."""

LAYOUT_BUDGET = 3000
"""The most layout work (nodes plus the virtual nodes of long edges, see
:class:`autodiff.show.scene.Scene`) handed to dot: about a second. A drawing estimated above it
is collapsed further, halving ``max_nodes`` until it fits."""

# nslimit/nslimit1 cap dot's network-simplex passes; uncapped, a few hundred nodes with
# long edges (a leaf feeding every step of a chain) can take dot many minutes.
# remincross=false keeps dot's final crossing-minimisation pass over the whole graph from
# rotating the nodes of a cluster: with it, a layer's collapsed neurons came out 2,3,4,5,0,1;
# without it they keep the order in which they are written, neuron 0 first.
GRAPH = {
    "fontname": "Helvetica",
    "nodesep": "0.2",
    "ranksep": "0.3",
    "nslimit": "3",
    "nslimit1": "3",
    "remincross": "false",
}
NODE = {"shape": "record", "style": "filled", "fontname": "Helvetica", "fontsize": "11"}
EDGE = {"arrowsize": "0.6", "fontname": "Helvetica", "fontsize": "9"}
CLUSTER = {"style": "rounded,filled", "color": "#b0b0b0", "fontcolor": "#555555"}
CLUSTER_FILLS = ("#f3f6fc", "#fbfaf0")  # alternate with depth, so nesting shows
DOT_TEXT = {"dot", "gv", "canon", "xdot", "xdot1.2", "xdot1.4", "plain", "plain-ext"}
"""Graphviz formats that are text about the graph, not pictures (``save`` may use them)."""


class GraphvizNotFound(graphviz.ExecutableNotFound):
    """Rendering needs Graphviz's ``dot`` program, which is not on PATH."""

    def __init__(self) -> None:
        RuntimeError.__init__(
            self,
            "Graphviz's `dot` program was not found on PATH, so the drawing cannot be rendered "
            "(its DOT source is still in .source): install the package 'graphviz', e.g. "
            "`sudo apt-get install graphviz`, `brew install graphviz` or `conda install graphviz`",
        )


class Drawing(graphviz.Digraph):
    """A ``graphviz.Digraph`` that says which package to install when ``dot`` is missing.

    It displays in Jupyter as SVG (``_repr_mimebundle_``), renders with ``.render()`` and
    ``.pipe()`` like any Digraph, and :meth:`write` writes a file atomically.
    """

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound as error:
            raise GraphvizNotFound() from error

    def render(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound as error:
            raise GraphvizNotFound() from error

    def save(self, filename: Any = None, directory: Any = None, **kwargs: Any) -> str:
        """Write the DOT source (graphviz's ``save``), refusing a picture's file name.

        ``save`` writes DOT text whatever the name, so ``save("graph.svg")`` would leave
        DOT text in a file that claims to be SVG: use :meth:`write` for pictures.

        Raises:
            ValueError: ``filename`` ends in a picture format such as ``.svg`` or ``.png``.

        Example:
            >>> from autodiff import Value
            >>> draw(Value(1.0)).save("graph.svg")  # doctest: +ELLIPSIS
            Traceback (most recent call last):
            ...
            ValueError: save: writes the DOT source, so 'graph.svg' would hold DOT text, ...
        """
        suffix = Path(str(filename)).suffix.lstrip(".").lower() if filename is not None else ""
        if suffix in graphviz.FORMATS and suffix not in DOT_TEXT:
            raise ValueError(
                f"save: writes the DOT source, so {str(filename)!r} would hold DOT text, not a "
                f"picture: use .write({str(filename)!r}) to render it, or save to a .gv file"
            )
        return str(super().save(filename, directory=directory, **kwargs))

    def write(self, path: str | os.PathLike[str], format: str | None = None) -> Path:
        """Write the drawing to ``path`` (format from ``format`` or the file's suffix).

        ``dot``/``gv`` writes the DOT source and needs no Graphviz program. The drawing is
        rendered in memory, then written by :func:`autodiff.files.write_atomically`: a
        temporary file next to ``path`` renamed over it, so ``path`` is never left
        half-written; a symbolic link is written through, and a FIFO or ``/dev/stdout``
        is written directly.

        Raises:
            ValueError: the format is not one Graphviz knows.
            GraphvizNotFound: the format needs ``dot``, which is not installed.

        Example:
            >>> import tempfile
            >>> from autodiff import Value
            >>> with tempfile.TemporaryDirectory() as directory:
            ...     path = draw(Value(1.0, label="x") * 2).write(Path(directory) / "x.gv")
            ...     path.read_text().startswith("digraph")
            True
        """
        path = Path(path)
        fmt = (format or path.suffix.lstrip(".") or "svg").lower()
        if fmt in ("dot", "gv"):
            data = self.source.encode("utf-8")
        elif fmt in graphviz.FORMATS:
            data = self.pipe(format=fmt)
        else:
            raise ValueError(f"write: unknown format {fmt!r} (try svg, png, pdf or dot)")
        write_atomically(path, data)
        return path


def draw(
    root: Value,
    *,
    show_local: bool = False,
    highlight: Value | Sequence[Value] | None = None,
    max_nodes: int = MAX_NODES,
    expand: str | Sequence[str] = (),
    digits: int = 4,
    rankdir: str = "LR",
    labels: Mapping[str, str] | None = None,
) -> Drawing:
    """Draw the computation graph below ``root`` with every value and gradient.

    Args:
        root: the output whose graph is drawn (call ``backward()`` first to see gradients).
        show_local: label each operand edge with the local partial ∂result/∂operand.
        highlight: a Value or several: colour every edge on every path from ``root`` down
            to them (the terms of the chain rule for ∂root/∂w) and dim the rest.
        max_nodes: above this many drawing nodes, whole neurons (then layers) collapse
            into one summary node each, showing their output values and gradients. A
            drawing whose long edges would still cost dot more than :data:`LAYOUT_BUDGET`
            collapses further.
        expand: module paths (``"layers.1"``, ``"layers.0.neurons.2"``) to keep open.
        digits: significant digits of every number.
        rankdir: Graphviz's direction, ``"LR"`` (left to right) or ``"TB"``, ``"RL"``, ``"BT"``.
        labels: names to draw instead of labels and module paths: ``{label: name}``. A node
            whose label is a key shows the name whole; a cluster or a collapsed module whose
            path is a key is titled with it. ``nn.course_labels(model)`` gives the course's
            names (``W2[1][3]``, ``layer 2``); ``expand`` still takes module paths.

    Returns:
        A :class:`Drawing`; the same graph always gives byte-identical DOT source.

    Raises:
        TypeError: ``root`` or a highlighted node is not a Value, or an option has the
            wrong type.
        ValueError: an option is out of range, ``expand`` names no module of the graph, or
            ``labels`` names nothing in it, or a highlighted Value is not in the graph.

    Example:
        >>> from autodiff import Value
        >>> x = Value(3.0, label="x")
        >>> y = x * x
        >>> y.backward()
        >>> source = draw(y, show_local=True).source
        >>> source.count("->"), '[label="{ x | data 3 | grad 6 }"' in source
        (3, True)
    """
    targets, expanded = _check(root, highlight, max_nodes, expand, digits, rankdir)
    names = _check_labels(labels)
    with collector_paused():  # a million-node graph: see autodiff/collector.py
        order = topological_order(root)
        _check_highlight_in_graph(targets, order)
        users = consumers(order)
        chains = assign_clusters(order, users)
        _check_expand(expanded, chains)
        _check_labels_used(names, order, chains)
        options = Options(
            digits=digits,
            show_local=show_local,
            horizontal=rankdir in ("LR", "RL"),
            path_ids=on_paths(order, targets) if targets else None,
            targets={id(target) for target in targets},
            labels=names,
        )
        budget = max_nodes
        while True:
            owner = plan_collapse(order, chains, budget, expanded)
            scene = describe(order, users, chains, owner, options)
            if scene.layout_cost <= LAYOUT_BUDGET or budget == 1:
                return _assemble(scene, rankdir, names)
            budget = max(1, budget // 2)


def _check(
    root: object,
    highlight: object,
    max_nodes: object,
    expand: object,
    digits: object,
    rankdir: object,
) -> tuple[list[Value], tuple[str, ...]]:
    if not isinstance(root, Value):
        raise TypeError(f"draw: root must be a Value, got {type(root).__name__}: {root!r}")
    if highlight is None:
        targets: list[Any] = []
    elif isinstance(highlight, Value):
        targets = [highlight]
    elif isinstance(highlight, (list, tuple, set, frozenset)):
        targets = list(highlight)
    else:
        raise TypeError(
            f"draw: highlight must be a Value or a list of Values, got {type(highlight).__name__}"
        )
    for target in targets:
        if not isinstance(target, Value):
            raise TypeError(f"draw: highlight must hold Values, got {type(target).__name__}")
    for name, number in (("max_nodes", max_nodes), ("digits", digits)):
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            raise ValueError(f"draw: {name} must be a positive int, got {number!r}")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"draw: rankdir must be 'LR', 'TB', 'RL' or 'BT', got {rankdir!r}")
    expanded = (expand,) if isinstance(expand, str) else tuple(expand)  # type: ignore[arg-type]
    for path in expanded:
        if not isinstance(path, str):
            raise TypeError(f"draw: expand must hold module paths (str), got {path!r}")
    return targets, expanded


def _check_highlight_in_graph(targets: list[Value], order: list[Value]) -> None:
    if not targets:
        return
    in_graph = {id(node) for node in order}
    for target in targets:
        if id(target) not in in_graph:
            raise ValueError(
                f"draw: highlight: {target!r} is not in the graph below the root, so no path "
                "leads to it (highlight the Value the root was computed from, not a copy)"
            )


def _check_expand(expanded: tuple[str, ...], chains: dict[int, tuple[str, ...]]) -> None:
    known = {cluster for chain in chains.values() for cluster in chain}
    for path in expanded:
        if path not in known:
            examples = ", ".join(sorted(known)[:5]) or "none: no node has a dotted label"
            raise ValueError(f"draw: expand names no module of this graph: {path!r} ({examples})")


def _check_labels(labels: object) -> dict[str, str]:
    if labels is None:
        return {}
    if not isinstance(labels, Mapping):
        raise TypeError(
            f"draw: labels must be a mapping of labels to names, got {type(labels).__name__}"
        )
    for label, name in labels.items():
        if not isinstance(label, str) or not isinstance(name, str):
            raise TypeError(f"draw: labels must map str to str, got {label!r}: {name!r}")
    return dict(labels)


def _check_labels_used(
    names: dict[str, str], order: Sequence[Value], chains: dict[int, tuple[str, ...]]
) -> None:
    """A mapping that names nothing drawn is a mistake (another model's labels, say)."""
    if not names:
        return
    drawn = {node.label for node in order} | {c for chain in chains.values() for c in chain}
    if drawn.isdisjoint(names):
        examples = ", ".join(repr(label) for label in list(names)[:3])
        raise ValueError(f"draw: labels names nothing in this graph ({examples}, ...)")


def _assemble(scene: Scene, rankdir: str, names: Mapping[str, str]) -> Drawing:
    """Hand a scene to Graphviz: clusters nest inside one another, edges go at the top."""
    drawing = Drawing(
        name="autodiff", graph_attr=GRAPH | {"rankdir": rankdir}, node_attr=NODE, edge_attr=EDGE
    )
    depth: dict[str, int] = {}
    for cluster, around in scene.clusters.items():  # a cluster comes after the one around it
        depth[cluster] = 0 if around is None else depth[around] + 1
    subgraphs = {
        cluster: graphviz.Digraph(
            name=f"cluster_{cluster}",
            graph_attr=CLUSTER
            | {
                "label": names.get(cluster, cluster),
                "fillcolor": CLUSTER_FILLS[depth[cluster] % len(CLUSTER_FILLS)],
            },
        )
        for cluster in scene.clusters
    }
    for name, attributes, module in scene.nodes:
        (drawing if module is None else subgraphs[module]).node(name, **attributes)
    # A subgraph is copied into its parent when added, so the innermost go first.
    for cluster in sorted(scene.clusters, key=lambda cluster: -depth[cluster]):
        parent = scene.clusters[cluster]
        (drawing if parent is None else subgraphs[parent]).subgraph(subgraphs[cluster])
    for tail, head, attributes in scene.edges:
        drawing.edge(tail, head, **attributes)
    return drawing
