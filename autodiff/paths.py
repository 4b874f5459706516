"""Questions about the paths of a graph: who uses a node, which nodes lie on a path, how many.

Drawings (to highlight the terms of the chain rule) and ledgers (to list them) ask the same
questions, so they are answered once, here. Every function takes a topological order as
:func:`~autodiff.topological_order` gives it (operands first, the root last) and walks it
once, without recursion. Nodes are keyed by identity: two equal numbers are still two nodes.

Example:
    >>> from autodiff import Value, topological_order
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

from .value import Value

__all__ = ["consumers", "count_paths", "on_paths"]


def consumers(order: Sequence[Value]) -> dict[int, list[tuple[Value, int]]]:
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
    users: dict[int, list[tuple[Value, int]]] = {id(node): [] for node in order}
    for node in order:
        for position, child in enumerate(node.children):
            users[id(child)].append((node, position))
    return users


def on_paths(order: Sequence[Value], targets: Iterable[Value]) -> set[int]:
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


def count_paths(order: Sequence[Value], target: Value, *, cap: int) -> int:
    """How many paths lead from the root (``order[-1]``) down to ``target``, at most ``cap``.

    Dynamic programming over the order: the paths from a node are the sum, over its operand
    edges, of the paths from each operand. Counting saturates at ``cap`` so that a graph
    with astronomically many paths costs no more than any other.

    Example:
        >>> from autodiff import Value, topological_order
        >>> x = Value(1.0)
        >>> y = x
        >>> for _ in range(60):
        ...     y = y + y  # each level doubles the number of paths
        >>> count_paths(topological_order(y), x, cap=1000)
        1000
    """
    paths: dict[int, int] = {}
    for node in order:
        if node is target:
            paths[id(node)] = 1
            continue
        total = 0
        for child in node.children:
            total += paths[id(child)]
        paths[id(node)] = total if total < cap else cap
    return paths.get(id(order[-1]), 0) if order else 0
