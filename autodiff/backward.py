"""The graph walk: topological order and the chain rule in reverse.

This module alone walks graphs and accumulates partial derivatives; it has no code for any
particular operation (each primitive's local rule lives in :mod:`autodiff.primitives`).
Both walks are iterative, so a chain of a million operations needs no recursion.

During a walk every node's gradient for *this* pass is kept in the node's scratch slot
``_g``; ``Value.backward`` then adds it into ``.grad``. Keeping the two apart is what makes
accumulation correct for interior nodes: a second ``backward()`` propagates this pass's
gradients, not the sum already stored in ``.grad``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .value import Value

__all__ = ["backpropagate", "topological_order"]


def topological_order(root: Value) -> list[Value]:
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
    visited = {id(root)}
    order: list[Value] = []
    stack = [(root, iter(root.children))]
    while stack:
        node, operands = stack[-1]
        for child in operands:
            if id(child) not in visited:
                visited.add(id(child))
                stack.append((child, iter(child.children)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def backpropagate(root: Value, seed: Any, *, create_graph: bool = False) -> list[Value]:
    """Apply the chain rule from ``root`` down; leave ∂root/∂node · seed in each ``node._g``.

    Args:
        root: the output to differentiate.
        seed: ∂L/∂root, usually 1.0 (a Value when ``create_graph`` is set and the seed
            itself should stay differentiable).
        create_graph: evaluate the local rules on Values, so that the resulting gradients
            are Values with graphs of their own (for higher-order derivatives).

    Returns:
        The topological order of the graph (operands first). Nodes not on any path from
        ``root`` keep no stale gradient: every node of the order starts from 0.

    Raises:
        ValueError: a local derivative is not finite at the current values (for example
            sqrt at 0), naming the op and its operands.
    """
    order = topological_order(root)
    for node in order:
        node._g = 0.0
    root._g = seed
    for node in reversed(order):
        g = node._g
        prim = node._prim
        if prim is None or (type(g) is float and g == 0.0):
            continue
        operands = node.children
        partials = _local_grads(node, create_graph)
        for child, partial in zip(operands, partials):
            contribution = g * partial
            previous = child._g
            if type(previous) is float and previous == 0.0:
                child._g = contribution
            else:
                child._g = previous + contribution
    return order


def _local_grads(node: Value, create_graph: bool) -> tuple[Any, ...]:
    prim = node._prim
    assert prim is not None  # only called for results of operations
    try:
        if create_graph:
            return prim.local_grads(*node.children, node)
        return prim.local_grads(*[child.data for child in node.children], node.data)
    # ValueError: with create_graph the rule runs on Values, e.g. 0.5 / out as out ** -1.
    except (ZeroDivisionError, OverflowError, ValueError) as error:
        values = ", ".join(repr(child.data) for child in node.children)
        raise ValueError(
            f"{prim.name}: the derivative is not finite at input ({values}): {error}"
        ) from None
