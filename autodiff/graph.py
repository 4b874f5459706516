"""Questions about a graph: its nodes in order, the rule behind a node, who uses whom, paths.

The backward pass, drawings and ledgers all ask these, so they are answered once, here.
Every walk is iterative (a chain of a million operations needs no recursion), and nodes are
keyed by identity: two equal numbers are still two nodes. A node hashes and compares by
identity (a Value defines no ``__eq__``), so it is its own key; the older questions key by
``id(node)``, which costs a new int per look-up. The questions about paths take a
topological order as :func:`topological_order` gives it (operands first, the root last) and
walk it once.

This module knows nodes only by the shape below (:class:`Node`), not the class
:class:`~autodiff.Value`, so that the engine's modules import each other in one direction.

Example:
    >>> from autodiff import Value
    >>> x, y = Value(2.0, label="x"), Value(3.0, label="y")
    >>> out = x * x + y
    >>> order = topological_order(out)
    >>> [node.label or node.op for node in order if id(node) in on_paths(order, [x])]
    ['x', '*', '+']
    >>> count_paths(order, x, cap=100)
    2
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Protocol, TypeVar, cast

from .primitives import Primitive, derivative_error

if TYPE_CHECKING:
    from typing_extensions import Self  # typing's own from Python 3.11

__all__ = [
    "Node",
    "consumers",
    "count_paths",
    "local_partials",
    "on_paths",
    "path_counts",
    "primitive_of",
    "reachable",
    "topological_order",
    "topological_order_of",
]


class Node(Protocol):
    """What the graph questions read of a node (a :class:`~autodiff.Value` is one).

    Nodes are set members and dict keys as they are: they must keep ``object``'s
    ``__eq__`` and ``__hash__``, which go by identity."""

    @property
    def data(self) -> float: ...

    @property
    def children(self) -> tuple[Self, ...]: ...

    @property
    def _prim(self) -> Primitive | None: ...


N = TypeVar("N", bound=Node)


def topological_order(root: N) -> list[N]:
    """Every node of the graph below ``root``, each once, operands before their results.

    The order is deterministic: a depth-first post-order visiting operands in operand order.
    ``root`` comes last.

    Example:
        >>> from autodiff import Value
        >>> x = Value(2.0, label="x")
        >>> y = x * x + x
        >>> [node.label or node.op for node in topological_order(y)]
        ['x', '*', '+']
    """
    # Depth first with a stack of nodes alone: a node goes back on the stack under a None
    # marker, to be appended once everything pushed after it (its operands) is done. No
    # object is made per node, so a chain a million deep leaves nothing for the garbage
    # collector to scan (a stack of per-node frames made it scan them again and again).
    return topological_order_of([root])


def topological_order_of(roots: Sequence[N]) -> list[N]:
    """:func:`topological_order` below several roots at once: every node below any of them,
    each once, operands before their results, the roots' graphs in the roots' order.

    Example:
        >>> from autodiff import Value
        >>> x = Value(2.0, label="x")
        >>> a, b = x * 3.0, x + 1.0
        >>> [node.label or node.op for node in topological_order_of([a, b])]
        ['x', '', '*', '', '+']
    """
    visited: set[N] = set()
    order: list[N] = []
    stack: list[N | None] = list(reversed(roots))
    while stack:
        node = stack.pop()
        if node is None:  # the marker: the node under it has all its operands in order
            order.append(cast(N, stack.pop()))
        elif node not in visited:
            visited.add(node)
            stack += (node, None)
            stack += reversed(node.children)  # popped, and so visited, in operand order
    return order


def reachable(root: N) -> list[N]:
    """Every node of the graph below ``root``, each once, ``root`` first (no particular order
    beyond being deterministic)."""
    seen = {id(root)}
    nodes = [root]
    for node in nodes:  # the list grows while it is read: a breadth-first sweep
        for child in node.children:
            if id(child) not in seen:
                seen.add(id(child))
                nodes.append(child)
    return nodes


def primitive_of(node: Node) -> Primitive | None:
    """The primitive that produced ``node``, or None for a leaf.

    Drawings and ledgers evaluate the very rule that the backward pass uses.

    Example:
        >>> from autodiff import Value
        >>> x = Value(3.0)
        >>> primitive_of(x) is None, primitive_of(x.tanh()).name, primitive_of(x**2).exponent
        (True, 'tanh', 2.0)
    """
    return node._prim


def local_partials(node: Node) -> tuple[float, ...]:
    """∂node/∂operand for each of ``node.children``, at the current values (``()`` for a leaf).

    Raises:
        ValueError: a partial is not finite at these values (sqrt at 0, say), naming the op.
        OverflowError: a partial overflows a float, naming the op.

    Example:
        >>> from autodiff import Value
        >>> x, y = Value(3.0), Value(4.0)
        >>> local_partials(x * y), local_partials(x * x), local_partials(x)
        ((4.0, 3.0), (3.0, 3.0), ())
    """
    prim = primitive_of(node)
    if prim is None:
        return ()
    operands = [child.data for child in node.children]
    try:
        return tuple(prim.local_grads(*operands, node.data))
    except (ZeroDivisionError, OverflowError) as error:
        raise derivative_error(prim.name, tuple(operands), error) from None


def consumers(order: Sequence[N]) -> dict[int, list[tuple[N, int]]]:
    """For each node (by ``id``), the operations that use it: ``(result, operand position)``.

    Results come in topological order, positions in operand order, so ``x * x`` lists
    ``(x*x, 0)`` and ``(x*x, 1)`` for ``x``. The root has no consumers.

    Example:
        >>> from autodiff import Value, topological_order
        >>> x = Value(2.0)
        >>> y = x * x
        >>> [(result.op, position) for result, position in consumers([x, y])[id(x)]]
        [('*', 0), ('*', 1)]
    """
    users: dict[int, list[tuple[N, int]]] = {id(node): [] for node in order}
    for node in order:
        for position, child in enumerate(node.children):
            users[id(child)].append((node, position))
    return users


def on_paths(order: Sequence[Node], targets: Iterable[Node]) -> set[int]:
    """The ids of the nodes that lie on some path from the root (``order[-1]``) to a target.

    A node lies on such a path when it is reachable from the root and can reach a target.
    Every node of a topological order of the root is reachable from it, so what remains is
    "can reach a target": a target itself, or a node with an operand that can. Targets
    outside the graph are ignored.

    Example:
        >>> from autodiff import Value, topological_order
        >>> w, x = Value(2.0, label="w"), Value(3.0, label="x")
        >>> out = (w * x).tanh() + x
        >>> order = topological_order(out)
        >>> [node.label or node.op for node in order if id(node) in on_paths(order, [w])]
        ['w', '*', 'tanh', '+']
    """
    reaching = {id(target) for target in targets}
    add = reaching.add
    for node in order:
        for child in node.children:
            if id(child) in reaching:
                add(id(node))
                break
    inside = {id(node) for node in order}
    return reaching & inside


def count_paths(order: Sequence[Node], target: Node, *, cap: int) -> int:
    """How many paths lead from the root (``order[-1]``) down to ``target``, at most ``cap``.

    Example:
        >>> from autodiff import Value, topological_order
        >>> x = Value(1.0)
        >>> y = x
        >>> for _ in range(60):
        ...     y = y + y  # each level doubles the number of paths
        >>> count_paths(topological_order(y), x, cap=1000)
        1000
    """
    return path_counts(order, target, cap=cap)[order[-1]] if order else 0


def path_counts(order: Sequence[N], target: Node, *, cap: int) -> dict[N, int]:
    """For each node of ``order``, how many paths lead from it down to ``target``, at most
    ``cap``: 0 for the nodes that are on no path to it.

    Dynamic programming over the order: the paths from a node are the sum, over its operand
    edges, of the paths from each operand. Counting saturates at ``cap`` so that a graph
    with astronomically many paths costs no more than any other.

    Example:
        >>> from autodiff import Value, topological_order
        >>> x, y = Value(2.0, label="x"), Value(3.0, label="y")
        >>> out = x * x + y
        >>> counts = path_counts(topological_order(out), x, cap=100)
        >>> counts[out], counts[out.children[0]], counts[y]
        (2, 2, 0)
    """
    paths: dict[N, int] = {}
    for node in order:
        if node is target:
            paths[node] = 1
            continue
        total = 0
        for child in node.children:
            total += paths[child]
        paths[node] = total if total < cap else cap
    return paths
