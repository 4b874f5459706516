"""What a drawing shows, as plain data: its nodes, edges, clusters, labels and colours.

:func:`describe` decides everything about a drawing of a graph; :mod:`autodiff.show.render` only
hands the result to Graphviz. Drawing nodes are named by topological position (``v<k>`` for
the record of the k-th Value, ``o<k>`` for its operation, ``m<j>`` for the j-th collapsed
module), never by ``id()``, so the same graph always gives the same drawing.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..graph import local_partials
from ..value import Value
from .clusters import REST, drawn_size, is_parameter
from .notation import format_number

__all__ = ["FILL", "HIGHLIGHT", "Options", "Scene", "describe", "node_kind"]

HIGHLIGHT = "#d62728"
DIM = "#c8c8c8"
DIM_TEXT = "#a0a0a0"
FILL = {
    "parameter": "#ffe8a3",
    "input": "#cfe2ff",
    "constant": "#eeeeee",
    "result": "#ffffff",
    "output": "#d4edda",
    "summary": "#e4d7f5",
    "operation": "#f2f2f2",
}
OP_SYMBOLS = {"+": "+", "*": "×"}
SUMMARY_VALUES = 4  # a collapsed layer lists at most this many output values

Attributes = dict[str, str]


@dataclass
class Scene:
    """A drawing before Graphviz: every statement in the order it is written.

    Attributes:
        nodes: ``(name, attributes, cluster)``; cluster is a module path or None.
        edges: ``(tail, head, attributes)``.
        clusters: module path -> the module path around it (None at the top), in order of
            first appearance.
        layout_cost: an estimate of dot's work: the nodes plus the virtual nodes that long
            edges need (one per rank crossed).
    """

    nodes: list[tuple[str, Attributes, str | None]] = field(default_factory=list)
    edges: list[tuple[str, str, Attributes]] = field(default_factory=list)
    clusters: dict[str, str | None] = field(default_factory=dict)
    layout_cost: int = 0


@dataclass
class Options:
    digits: int
    show_local: bool
    horizontal: bool  # records lay their fields side by side
    path_ids: set[int] | None  # nodes on a highlighted path, when highlighting
    targets: set[int]
    labels: Mapping[str, str] = field(default_factory=dict)  # label -> the name drawn


def describe(
    order: Sequence[Value],
    users: dict[int, list[tuple[Value, int]]],
    chains: dict[int, tuple[str, ...]],
    owner: dict[int, str],
    options: Options,
) -> Scene:
    """Describe the drawing of ``order`` (a topological order) with nodes in ``owner`` collapsed.

    Example:
        >>> from autodiff import Value, topological_order
        >>> from autodiff.show.clusters import assign_clusters
        >>> from autodiff.graph import consumers
        >>> x = Value(2.0, label="x")
        >>> order = topological_order(x * x)
        >>> users = consumers(order)
        >>> options = Options(4, show_local=False, horizontal=True, path_ids=None, targets=set())
        >>> scene = describe(order, users, assign_clusters(order, users), {}, options)
        >>> [name for name, _, _ in scene.nodes], [(t, h) for t, h, _ in scene.edges]
        (['v0', 'v1', 'o1'], [('v0', 'o1'), ('v0', 'o1'), ('o1', 'v1')])
    """
    return _Describer(order, users, chains, owner, options).scene()


def _defined(op: str, formula: str, arity: int) -> str:
    """A user-defined primitive's node: its name and its formula, ``softplus(x) = log(1 + e^x)``.

    Example:
        >>> _defined("softplus", "log(1 + e^{x})", 1)
        'softplus(x) = log(1 + e^x)'
    """
    names = ("x", "y")[:arity]
    try:
        written = formula.format(**dict(zip(names, names)))
    except (KeyError, IndexError, ValueError):  # braces that name no operand: shown as given
        written = formula
    return f"{op}({', '.join(names)}) = {written}"


def _escape(text: str) -> str:
    """Text for a record field, where braces, bars and angle brackets mean structure."""
    return re.sub(r'([\\{}|<>"])', r"\\\1", text.replace("\n", " "))


class _Describer:
    def __init__(
        self,
        order: Sequence[Value],
        users: dict[int, list[tuple[Value, int]]],
        chains: dict[int, tuple[str, ...]],
        owner: dict[int, str],
        options: Options,
    ) -> None:
        self.order, self.users, self.chains, self.owner = order, users, chains, owner
        self.options = options
        self.index: dict[int, int] = {}  # topological positions of the nodes drawn as such
        self.summary_names: dict[str, str] = {}
        owner_of = owner.get
        for k, node in enumerate(order):
            module = owner_of(id(node))
            if module is None:
                self.index[id(node)] = k
            elif module not in self.summary_names:
                self.summary_names[module] = (
                    "rest" if module == REST else f"m{len(self.summary_names)}"
                )
        self.summaries = set(self.summary_names.values())
        self.result = Scene()
        self.merged: dict[tuple[str, str, str | None], int] = {}
        self.edge_list: list[tuple[str, str, str | None, bool]] = []

    def fmt(self, x: float) -> str:
        return format_number(x, self.options.digits)

    def unit(self, node: Value, operation: bool = False) -> str:
        module = self.owner.get(id(node))
        if module is not None:
            return self.summary_names[module]
        return f"{'o' if operation else 'v'}{self.index[id(node)]}"

    def scene(self) -> Scene:
        members: dict[str, list[Value]] = {module: [] for module in self.summary_names}
        for node in self.order:
            module = self.owner.get(id(node))
            if module is not None:
                members[module].append(node)
                continue
            chain = self.chains[id(node)]
            cluster = self._enter(chain)
            self.result.nodes.append((self.unit(node), self._value(node, cluster), cluster))
            if node.children:
                self.result.nodes.append((self.unit(node, True), self._operation(node), cluster))
        for module, nodes in members.items():
            chain = self.chains[id(nodes[0])]
            around = self._enter(chain[: chain.index(module)] if module != REST else ())
            attributes = self._summary(module, nodes)
            self.result.nodes.append((self.summary_names[module], attributes, around))
        self._edges()
        return self.result

    def _enter(self, chain: tuple[str, ...]) -> str | None:
        """Register the clusters of ``chain``; return the innermost (None for none)."""
        for depth, cluster in enumerate(chain):
            self.result.clusters.setdefault(cluster, chain[depth - 1] if depth else None)
        return chain[-1] if chain else None

    # --- nodes -----------------------------------------------------------------------------
    def _record(self, fields: list[str]) -> str:
        text = " | ".join(fields)
        return f"{{ {text} }}" if self.options.horizontal else text

    def _value(self, node: Value, cluster: str | None) -> Attributes:
        kind = node_kind(node, node is self.order[-1])
        name = node.label
        if name in self.options.labels:
            name = self.options.labels[name]  # a name given whole, as in W2[1][3]
        elif cluster and name.startswith(cluster + "."):
            name = name[len(cluster) + 1 :]  # the cluster's own label says the rest
        if kind == "constant":
            fields = [self.fmt(node.data)]
        else:
            fields = [_escape(name)] if name else []
            fields += [f"data {self.fmt(node.data)}", f"grad {self.fmt(node.grad)}"]
        attributes = {"label": self._record(fields), "fillcolor": FILL[kind]}
        if kind == "parameter":
            attributes["shape"] = "Mrecord"
        return attributes | self._emphasis(id(node) in self._on_path_ids(), id(node))

    def _operation(self, node: Value) -> Attributes:
        symbol = OP_SYMBOLS.get(node.op, node.op)
        if node.exponent is not None:
            symbol = f"^{self.fmt(node.exponent)}"
        elif node.op == "**":
            symbol = "^"
        elif node._prim is not None and node._prim.formula:
            symbol = _defined(node.op, node._prim.formula, len(node.children))
        on_path = id(node) in self._on_path_ids() and any(
            id(child) in self._on_path_ids() for child in node.children
        )
        attributes = {"label": _escape(symbol), "shape": "ellipse", "fillcolor": FILL["operation"]}
        return attributes | {"fontsize": "10", "height": "0.3"} | self._emphasis(on_path, None)

    def _summary(self, module: str, members: list[Value]) -> Attributes:
        outputs = self._outputs(module, members)
        size = sum(map(drawn_size, members))
        shown = self.options.labels.get(module, module)
        title = f"{shown} ({size} nodes)" if module != REST else f"{size} more nodes"
        values = [self.fmt(node.data) for node in outputs[:SUMMARY_VALUES]]
        grads = [self.fmt(node.grad) for node in outputs[:SUMMARY_VALUES]]
        more = ", …" if len(outputs) > SUMMARY_VALUES else ""
        fields = [
            _escape(title),
            f"out {', '.join(values)}{more}",
            f"grad {', '.join(grads)}{more}",
        ]
        attributes = {
            "label": self._record(fields),
            "fillcolor": FILL["summary"],
            "style": "filled,bold",
        }
        path_ids = self.options.path_ids
        on_path = path_ids is not None and any(id(node) in path_ids for node in members)
        return attributes | self._emphasis(on_path, None)

    def _outputs(self, module: str, members: list[Value]) -> list[Value]:
        """The members that are the root or used outside ``module``: the summary's outputs.

        One loop without a call per member: the lumped rest of a huge graph has almost
        every node of it as a member.
        """
        owner_of, users = self.owner.get, self.users
        outputs = []
        for node in members:
            uses = users[id(node)]
            if not uses:
                outputs.append(node)
                continue
            for user, _ in uses:
                if owner_of(id(user)) != module:
                    outputs.append(node)
                    break
        return outputs

    def _on_path_ids(self) -> set[int]:
        return self.options.path_ids if self.options.path_ids is not None else set()

    def _emphasis(self, on_path: bool, node_id: int | None) -> Attributes:
        if self.options.path_ids is None:
            return {}
        if node_id is not None and node_id in self.options.targets:
            return {"color": HIGHLIGHT, "penwidth": "2.5"}
        return {} if on_path else {"color": DIM, "fontcolor": DIM_TEXT}

    # --- edges -----------------------------------------------------------------------------
    def _edges(self) -> None:
        highlighting = self.options.path_ids is not None
        on_path = self._on_path_ids()
        owner_of = self.owner.get
        for node in self.order:
            children = node.children
            if not children:
                continue
            module = owner_of(id(node))
            if module is not None:
                for child in children:
                    if owner_of(id(child)) != module:
                        break
                else:
                    continue  # wholly inside one collapsed module: nothing to draw
            operation = self.unit(node, True)
            labels = self._partials(node)
            any_on = False
            for position, child in enumerate(node.children):
                on = highlighting and id(node) in on_path and id(child) in on_path
                any_on = any_on or on
                self._add_edge(self.unit(child), operation, labels[position], on)
            self._add_edge(operation, self.unit(node), None, any_on)
        for tail, head, label, on in self.edge_list:
            attributes: Attributes = {} if label is None else {"label": label}
            if on:
                attributes |= {"color": HIGHLIGHT, "penwidth": "2"}
            elif highlighting:
                attributes |= {"color": DIM, "fontcolor": DIM_TEXT}
            self.result.edges.append((tail, head, attributes))
        self.result.layout_cost = self._layout_cost()

    def _layout_cost(self) -> int:
        """Nodes plus the virtual nodes dot adds to route edges across ranks."""
        ranks = _ranks([name for name, _, _ in self.result.nodes], self.edge_list)
        spans = sum(max(0, abs(ranks[head] - ranks[tail]) - 1) for tail, head, *_ in self.edge_list)
        # Edge labels take ranks of their own (dot doubles every span) and label nodes to
        # place: measured, a labelled drawing costs dot about four times more per span.
        labelled = any(label is not None for _, _, label, _ in self.edge_list)
        return len(self.result.nodes) + spans * (4 if labelled else 1)

    def _partials(self, node: Value) -> list[str | None]:
        if not self.options.show_local:
            return [None] * len(node.children)
        try:
            return [self.fmt(partial) for partial in local_partials(node)]
        except ValueError:  # not finite here (sqrt at 0): say so rather than fail to draw
            return ["undefined"] * len(node.children)

    def _add_edge(self, tail: str, head: str, label: str | None, on: bool) -> None:
        if tail == head:
            return  # inside a collapsed module
        summaries = self.summaries
        if tail not in summaries and head not in summaries:
            self.edge_list.append((tail, head, label, on))
            return
        if head in summaries:
            label = None  # a partial with respect to one hidden operand says nothing here
        key = (tail, head, label)
        if key in self.merged:
            index = self.merged[key]
            self.edge_list[index] = (tail, head, label, self.edge_list[index][3] or on)
        else:
            self.merged[key] = len(self.edge_list)
            self.edge_list.append((tail, head, label, on))


def _ranks(names: list[str], edges: list[tuple[str, str, str | None, bool]]) -> dict[str, int]:
    """Layers of the drawn graph, roughly as dot ranks it.

    Longest paths from the sources (Kahn's algorithm), then every source moved up to just
    before its first consumer, as dot's ranking would place a leaf. Nodes on a cycle (which
    collapsing can create) take the layer after their ranked predecessors.
    """
    predecessors: dict[str, list[str]] = {name: [] for name in names}
    successors: dict[str, list[str]] = {name: [] for name in names}
    for tail, head, *_ in edges:
        predecessors[head].append(tail)
        successors[tail].append(head)
    waiting = {name: len(predecessors[name]) for name in names}
    ready = deque(name for name in names if waiting[name] == 0)
    ranks: dict[str, int] = {}
    while ready:
        name = ready.popleft()
        ranks[name] = max((ranks[p] + 1 for p in predecessors[name]), default=0)
        for successor in successors[name]:
            waiting[successor] -= 1
            if waiting[successor] == 0:
                ready.append(successor)
    for name in names:
        if name not in ranks:  # on a cycle
            ranks[name] = max((ranks[p] + 1 for p in predecessors[name] if p in ranks), default=0)
    for name in names:
        if not predecessors[name] and successors[name]:
            ranks[name] = min(ranks[s] for s in successors[name]) - 1
    return ranks


def node_kind(node: Value, is_root: bool) -> str:
    """How a drawing (and the page) shows a node: ``output``, ``result``, ``parameter``,
    ``input`` or ``constant``.

    Example:
        >>> from autodiff import Value
        >>> w = Value(1.0, label="w")
        >>> [node_kind(n, False) for n in (w, w * 2.0, Value(2.0), Value(2.0, label="x"))]
        ['parameter', 'result', 'constant', 'input']
    """
    if is_root:
        return "output"
    if node.children:
        return "result"
    if is_parameter(node):
        return "parameter"
    return "input" if node.label else "constant"
