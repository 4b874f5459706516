"""The graph walk: topological order and the chain rule in reverse.

This module alone walks graphs and accumulates partial derivatives; it has no code for any
particular operation (each primitive's local rule lives in :mod:`autodiff.primitives`, and
the walk looks it up on the node). Every walk is iterative, so a chain of a million
operations needs no recursion.

The backward pass works in two sweeps over the nodes' scratch slots, allocating nothing per
node (so the cyclic garbage collector is never triggered by it):

1. count, in ``node._n``, how many times each node is used as an operand in the graph below
   the root;
2. starting from the root, hand each node's gradient ``node._g`` to its operands, multiplied
   by the primitive's local partials; an operand whose uses have all been processed has its
   final gradient and is processed next (Kahn's algorithm, in reverse).

Each node is processed once, after every node that uses it: a deterministic reverse
topological order. Between walks every node has ``_g == 0.0`` and ``_n == 0``; the second
sweep restores that as it goes, and an interrupted walk restores it before re-raising.
Keeping this pass's gradient in ``_g``, apart from ``.grad``, is what makes accumulation
correct for interior nodes: a second ``backward()`` propagates this pass's gradients, not
the sum already stored in ``.grad``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .value import Value

__all__ = [
    "GradientOverflow",
    "accumulate_grads",
    "backpropagate",
    "reachable",
    "topological_order",
]

_INF = math.inf


class GradientOverflow(OverflowError):
    """A gradient left the float range during ``backward()`` (never turned into inf or nan)."""


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


def reachable(root: Value) -> list[Value]:
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


def _count_uses(root: Value) -> None:
    """Sweep 1: set ``node._n`` to the number of uses of ``node`` as an operand below root."""
    stack = [root]
    pop, push = stack.pop, stack.append
    while stack:
        prim = (node := pop())._prim
        if prim is None:
            continue
        arity = prim.arity
        if arity == 2:
            a = node._a
            a._n = (n := a._n) + 1
            if not n:
                push(a)
            b = node._b
            b._n = (n := b._n) + 1
            if not n:
                push(b)
        elif arity == 1:
            a = node._a
            a._n = (n := a._n) + 1
            if not n:
                push(a)
        else:
            for a in node._a:
                a._n = (n := a._n) + 1
                if not n:
                    push(a)


def accumulate_grads(root: Value, seed: float) -> None:
    """Add ∂root/∂node · seed to ``.grad`` of every node below ``root`` (``Value.backward``).

    Raises:
        ValueError: a local derivative is not finite at the current values (for example
            sqrt at 0), naming the op and its operands.
    """
    node = root
    try:
        _count_uses(root)
        root._g = seed
        ready = [root]
        pop, push = ready.pop, ready.append
        while ready:
            node = pop()
            g = node._g
            node._g = 0.0
            grad = node.grad
            total = grad + g if grad else g  # 0.0 + g would allocate a new float
            # Float products overflow to inf silently, and inf times a zero partial makes
            # nan further down: stop at the first node whose gradient is not finite.
            if not -_INF < total < _INF:
                raise GradientOverflow(
                    f"backward: the gradient of {node!r} would be {total!r}:"
                    " a product of derivatives overflows a float"
                )
            node.grad = total
            prim = node._prim
            if prim is None:
                continue
            arity = prim.arity
            # One branch per arity (not per operation): the rule is looked up on the node.
            if arity == 2:
                a = node._a
                b = node._b
                if g:
                    da, db = prim.local_grads(a.data, b.data, node.data)
                    a._g += g * da
                    b._g += g * db
                a._n = (n := a._n - 1)
                if not n:
                    push(a)
                b._n = (n := b._n - 1)
                if not n:
                    push(b)
            elif arity == 1:
                a = node._a
                if g:
                    a._g += g * prim.local_grads(a.data, node.data)[0]
                a._n = (n := a._n - 1)
                if not n:
                    push(a)
            else:
                operands = node._a
                if g:
                    partials = prim.local_grads(*[a.data for a in operands], node.data)
                    for a, partial in zip(operands, partials):
                        a._g += g * partial
                for a in operands:
                    a._n = (n := a._n - 1)
                    if not n:
                        push(a)
    except BaseException as error:
        _clear_scratch(root)
        _raise_not_finite(node, error)
        raise


def backpropagate(root: Value, seed: Any, *, create_graph: bool = False) -> list[Value]:
    """Apply the chain rule from ``root`` down; leave ∂root/∂node · seed in each ``node._g``.

    Unlike :func:`accumulate_grads` this touches no ``.grad``; the caller reads the ``_g``
    it needs and must then set ``_g = 0.0`` on every returned node.

    Args:
        root: the output to differentiate.
        seed: ∂L/∂root, usually 1.0 (a Value when ``create_graph`` is set and the seed
            itself should stay differentiable).
        create_graph: evaluate the local rules on Values, so that the resulting gradients
            are Values with graphs of their own (for higher-order derivatives).

    Returns:
        Every node of the graph, results before their operands.

    Raises:
        ValueError: a local derivative is not finite at the current values, naming the op.
    """
    order: list[Value] = []
    node = root
    try:
        _count_uses(root)
        root._g = seed
        ready = [root]
        while ready:
            node = ready.pop()
            order.append(node)
            if node._prim is None:
                continue
            operands = node.children
            g = node._g
            if not (type(g) is float and g == 0.0):
                for child, partial in zip(operands, _local_grads(node, create_graph)):
                    contribution = g * partial
                    previous = child._g
                    if type(previous) is float and previous == 0.0:
                        child._g = contribution
                    else:
                        child._g = previous + contribution
            for child in operands:
                child._n -= 1
                if not child._n:
                    ready.append(child)
    except BaseException as error:
        _clear_scratch(root)
        _raise_not_finite(node, error)
        raise
    return order


def _local_grads(node: Value, create_graph: bool) -> tuple[Any, ...]:
    prim = node._prim
    assert prim is not None  # only called for results of operations
    if create_graph:
        return prim.local_grads(*node.children, node)
    return prim.local_grads(*[child.data for child in node.children], node.data)


def _clear_scratch(root: Value) -> None:
    for node in reachable(root):
        node._g = 0.0
        node._n = 0


def _raise_not_finite(node: Value, error: BaseException) -> None:
    """Turn an arithmetic error of a local rule into a ValueError naming the op.

    ValueError is among them because with ``create_graph`` the rules run on Values, whose
    operations report a domain error (``0.5 / out`` at out = 0, say) as one.
    """
    if isinstance(error, GradientOverflow):
        return
    if isinstance(error, (ZeroDivisionError, OverflowError, ValueError)) and node._prim is not None:
        values = ", ".join(repr(child.data) for child in node.children)
        raise ValueError(
            f"{node._prim.name}: the derivative is not finite at input ({values}): {error}"
        ) from None
