"""Which module (layer, neuron) each node of a graph belongs to, and which modules to collapse.

``nn`` labels what it creates with dotted names: parameters ``layers.0.neurons.1.w.6`` and
``layers.0.neurons.1.b``, a neuron's pre-activation ``layers.0.neurons.1.z`` and output
``layers.0.neurons.1.a``. The rules, used by drawings to group nodes into clusters:

- A label's *local name* is its last segment, or its last two when the last is an integer
  (``w.6``); the rest is its *module path* (``layers.0.neurons.1``), empty for ``x``, ``b``
  or ``w.0``.
- Module paths nest by ``name.index`` pairs: the clusters of ``layers.0.neurons.1`` are
  ``layers.0`` and, inside it, ``layers.0.neurons.1`` (every prefix ending in an integer
  segment, and the whole path).
- An unlabelled node belongs to the deepest cluster common to all the nodes that use it,
  so the sums and products inside a neuron fall inside that neuron while a cost built on
  the network's outputs stays outside. The root, used by nothing, is outside.

No graphviz here: this is bookkeeping over a topological order, without recursion.

Example:
    >>> split_label("layers.0.neurons.1.w.6"), split_label("b"), split_label("w.0")
    (('layers.0.neurons.1', 'w.6'), ('', 'b'), ('', 'w.0'))
    >>> module_clusters("layers.0.neurons.1")
    ('layers.0', 'layers.0.neurons.1')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..value import Value

__all__ = [
    "REST",
    "assign_clusters",
    "drawn_size",
    "is_parameter",
    "module_clusters",
    "plan_collapse",
    "split_label",
]

REST = ""
"""The collapse target of the nodes left over when even whole modules are too many."""

Chain = tuple[str, ...]


def split_label(label: str) -> tuple[str, str]:
    """``(module path, local name)`` of a dotted label."""
    segments = label.split(".")
    local = 2 if len(segments) >= 2 and segments[-1].isdigit() else 1
    return ".".join(segments[:-local]), ".".join(segments[-local:])


def module_clusters(module_path: str) -> Chain:
    """The clusters a module path lies in, outermost first (empty for no module)."""
    if not module_path:
        return ()
    segments = module_path.split(".")
    prefixes = [
        ".".join(segments[: end + 1])
        for end, segment in enumerate(segments[:-1])
        if segment.isdigit()
    ]
    return (*prefixes, module_path)


def is_parameter(node: Value) -> bool:
    """A labelled leaf inside a module, or named as ``nn`` names weights and biases.

    Example:
        >>> is_parameter(Value(0.1, label="layers.0.neurons.1.w.6"))
        True
        >>> [is_parameter(Value(1.0, label=name)) for name in ("w", "w.3", "b", "x", "y.0")]
        [True, True, True, False, False]
    """
    if node.children or not node.label:
        return False
    module_path, local = split_label(node.label)
    return bool(module_path) or local.split(".")[0] in ("w", "b")


def assign_clusters(
    order: Sequence[Value], users: dict[int, list[tuple[Value, int]]]
) -> dict[int, Chain]:
    """For each node (by id), the chain of clusters it is drawn in, outermost first.

    ``users`` is :func:`autodiff.graph.consumers` of the same order. The walk goes from the
    root down, so the clusters of every consumer are known before those of its operands.

    Example:
        >>> from autodiff import topological_order
        >>> from autodiff.graph import consumers
        >>> w, x = Value(2.0, label="layers.0.neurons.0.w.0"), Value(3.0, label="x")
        >>> a = (w * x).tanh()
        >>> a.label = "layers.0.neurons.0.a"
        >>> order = topological_order(a * a)
        >>> [assign_clusters(order, consumers(order))[id(node)] for node in order]
        ... # doctest: +NORMALIZE_WHITESPACE
        [('layers.0', 'layers.0.neurons.0'), (), ('layers.0', 'layers.0.neurons.0'),
         ('layers.0', 'layers.0.neurons.0'), ()]
    """
    chains: dict[int, Chain] = {}
    for node in reversed(order):
        if node.label:
            chains[id(node)] = module_clusters(split_label(node.label)[0])
            continue
        common: Chain | None = None
        for user, _ in users[id(node)]:
            common = chains[id(user)] if common is None else _common(common, chains[id(user)])
        chains[id(node)] = common or ()
    return chains


def _common(a: Chain, b: Chain) -> Chain:
    length = 0
    while length < min(len(a), len(b)) and a[length] == b[length]:
        length += 1
    return a[:length]


def drawn_size(node: Value) -> int:
    """How many drawing nodes a Value takes: its record, plus an op node if it has one."""
    return 2 if node.children else 1


def _is_open(cluster: str, expand: Iterable[str]) -> bool:
    """Expanded modules stay open, with everything inside them and every module around them."""
    return any(
        cluster == e or cluster.startswith(e + ".") or e.startswith(cluster + ".") for e in expand
    )


def plan_collapse(
    order: Sequence[Value], chains: dict[int, Chain], max_nodes: int, expand: Sequence[str]
) -> dict[int, str]:
    """Which nodes to hide inside a summary node, so that at most ``max_nodes`` are drawn.

    Deepest modules collapse first (neurons, then layers), keeping ``expand``-ed ones open.
    If even that is too many, the nodes farthest from the root (last in reverse topological
    order) are lumped into one summary, :data:`REST`.

    Returns:
        node id -> the module path it is collapsed into (or ``REST``); nodes drawn as
        themselves are absent.
    """
    # every node takes one drawing node or two: more nodes than max_nodes are too many
    if len(order) <= max_nodes and sum(map(drawn_size, order)) <= max_nodes:
        return {}
    depth = max((len(chain) for chain in chains.values()), default=0)
    owner: dict[int, str] = {}
    for level in range(depth, 0, -1):
        owner = {}
        for node in order:
            for cluster in chains[id(node)][level - 1 :]:
                if not _is_open(cluster, expand):
                    owner[id(node)] = cluster
                    break
        if _count(order, owner) <= max_nodes:
            return owner
    return _lump_the_rest(order, owner, max_nodes)


def _count(order: Sequence[Value], owner: dict[int, str]) -> int:
    visible = sum(drawn_size(node) for node in order if id(node) not in owner)
    return visible + len(set(owner.values()))


def _lump_the_rest(order: Sequence[Value], owner: dict[int, str], max_nodes: int) -> dict[int, str]:
    budget = max_nodes - 1  # one drawing node is kept for the summary of the rest
    admitted: set[object] = set()
    full = False
    lumped = dict(owner)
    owner_of = owner.get
    for node in reversed(order):
        key = id(node)
        unit: object = owner_of(key, key)
        if unit in admitted:
            continue
        if full:  # past the budget every node not admitted goes to the rest
            lumped[key] = REST
            continue
        cost = 1 if key in owner else drawn_size(node)
        if cost <= budget:
            budget -= cost
            admitted.add(unit)
        else:
            full = True
            lumped[key] = REST
    return lumped
