"""The graph walk: topological order and the chain rule in reverse.

This module alone walks graphs and accumulates partial derivatives; it has no code for any
particular operation (each primitive's local rule lives in :mod:`autodiff.primitives`, and
the walk looks it up on the node). Every walk is iterative, so a chain of a million
operations needs no recursion.

The backward pass works in two sweeps over the nodes' scratch slots, allocating nothing per
node (so the cyclic garbage collector is never triggered by it):

1. count, in ``node._n``, how many times each node is used as an operand in the graph below
   the root, and set each ``node._g`` to 0.0;
2. starting from the root, hand each node's gradient ``node._g`` to its operands, multiplied
   by the primitive's local partials; an operand whose uses have all been processed has its
   final gradient and is processed next (Kahn's algorithm, in reverse).

Each node is processed once, after every node that uses it: a deterministic reverse
topological order. Keeping this pass's gradient in ``_g``, apart from ``.grad``, is what
makes accumulation correct for interior nodes: a second ``backward()`` propagates this
pass's gradients, not the sum already stored in ``.grad``.

All or nothing: ``backward()`` either adds to every ``.grad`` or, when it fails (a local
derivative that is not finite, a gradient that overflows), leaves every ``.grad`` exactly
as it was. A processed node keeps its previous ``.grad`` in ``_g``, so a failed walk puts
them back; the next walk's first sweep resets ``_g``. Between walks every node has
``_n == 0``, and a failed walk restores that before re-raising.

The slots belong to one walk at a time: every walk holds :data:`WALK_LOCK`, so walks
started from several threads on graphs that share nodes take turns instead of mixing
their scratch.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

from .graph import Node, reachable
from .primitives import PRIMITIVES, Primitive, RuleError, derivative_error

__all__ = [
    "WALK_LOCK",
    "GradientOverflow",
    "accumulate_grads",
    "backpropagate",
    "gradients",
    "written_data_error",
    "written_error",
]

_INF = math.inf
_ADD = PRIMITIVES["+"]
_MUL = PRIMITIVES["*"]
_DOT = PRIMITIVES["dot"]


WALK_LOCK = threading.RLock()
"""Held by every walk that uses the nodes' scratch slots ``_g`` and ``_n``.

The slots belong to one walk at a time, so walks of graphs that share nodes, started from
several threads at once, take turns. Re-entrant, so that a walk may start another (the
local rules of ``create_graph`` build graphs; a caller of :func:`backpropagate` holds it
while it reads the slots)."""


class GradientOverflow(OverflowError):
    """A gradient left the float range during ``backward()`` (never turned into inf or nan)."""


class Walked(Node, Protocol):
    """What the walk reads and writes of a node (a :class:`~autodiff.Value` is one): its
    number, its gradient, its rule and operands, and the walk's scratch slots."""

    data: float
    _data: Any  # the same slot as data: the engine's own name for it (see value.py)
    grad: float
    label: str
    _prim: Primitive | None
    _a: Any  # the first operand (a tuple of all of them for a variadic primitive)
    _b: Any  # the second operand of a binary primitive
    _g: Any  # scratch: this walk's gradient
    _n: int  # scratch: uses not yet processed


W = TypeVar("W", bound=Walked)


def _count_uses(root: Walked) -> None:
    """Sweep 1: set ``node._n`` to the number of uses of ``node`` as an operand below root,
    and ``node._g`` to 0.0 (this walk's gradient, before any is handed down)."""
    stack = [root]
    pop, push = stack.pop, stack.append
    while stack:
        prim = (node := pop())._prim
        if prim is None:
            continue
        arity = prim.arity
        if arity == 2:
            a = node._a
            if n := a._n:
                a._n = n + 1
            else:  # a first use: a node not reached yet
                a._n = 1
                a._g = 0.0
                push(a)
            b = node._b
            if n := b._n:
                b._n = n + 1
            else:
                b._n = 1
                b._g = 0.0
                push(b)
        elif arity == 1:
            a = node._a
            a._n = (n := a._n) + 1
            if not n:
                a._g = 0.0
                push(a)
        else:
            for a in node._a:
                a._n = (n := a._n) + 1
                if not n:
                    a._g = 0.0
                    push(a)


def accumulate_grads(root: Walked, seed: float) -> None:
    """Add ∂root/∂node · seed to ``.grad`` of every node below ``root`` (``Value.backward``).

    All or nothing: each processed node keeps its previous ``.grad`` in ``_g`` (until the
    next walk resets it), and a walk that fails puts every one of them back, so an error
    leaves every ``.grad`` exactly as it was.

    Raises:
        ValueError: a local derivative is not finite at the current values (for example
            sqrt at 0), naming the op and its operands; or a node holds a number that was
            written into its ``.data`` or ``.grad`` and is not finite.
        OverflowError: a local derivative or a gradient overflows a float.
    """
    with WALK_LOCK:
        node = root
        ready = [root]
        counted = False
        try:
            _count_uses(root)
            counted = True
            root._g = seed
            pop, push = ready.pop, ready.append
            while ready:
                node = pop()
                g = node._g
                # The old .grad is kept in _g until the next walk, to undo this one if it
                # fails; kept before anything that can raise (a .grad written by hand may
                # be no number), so that the undo of a popped node always writes it back.
                node._g = grad = node.grad
                total = grad + g if grad else g  # 0.0 + g would allocate a new float
                # Float products overflow to inf silently, and inf times a zero partial makes
                # nan further down: stop at the first node whose gradient is not finite.
                if not -_INF < total < _INF:
                    raise _gradient_error(node, grad, g)
                node.grad = total
                prim = node._prim
                # * and + (most nodes of a network's graph) have their partials written out:
                # the same floats as their rules give (g·1.0 is g; x·y's partials are y, x).
                # Every other rule is looked up on the node, with one branch per arity.
                if prim is _MUL:
                    a = node._a
                    b = node._b
                    if g:
                        a._g += g * b._data
                        b._g += g * a._data
                    a._n = (n := a._n - 1)
                    if not n:
                        push(a)
                    b._n = (n := b._n - 1)
                    if not n:
                        push(b)
                elif prim is _ADD:
                    a = node._a
                    b = node._b
                    if g:
                        a._g += g
                        b._g += g
                    a._n = (n := a._n - 1)
                    if not n:
                        push(a)
                    b._n = (n := b._n - 1)
                    if not n:
                        push(b)
                elif prim is None:
                    continue
                elif (arity := prim.arity) == 2:
                    a = node._a
                    b = node._b
                    if g:
                        da, db = prim.local_grads(a._data, b._data, node._data)
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
                        a._g += g * prim.local_grads(a._data, node._data)[0]
                    a._n = (n := a._n - 1)
                    if not n:
                        push(a)
                elif prim is _DOT and g:  # ∂/∂wᵢ = xᵢ, ∂/∂xᵢ = wᵢ: weights first, as the rule
                    operands = node._a
                    half = len(operands) // 2
                    weights, inputs = operands[:half], operands[half:]
                    for a, paired in zip(weights, inputs):
                        a._g += g * paired._data
                        a._n = (n := a._n - 1)
                        if not n:
                            push(a)
                    for a, paired in zip(inputs, weights):
                        a._g += g * paired._data
                        a._n = (n := a._n - 1)
                        if not n:
                            push(a)
                else:
                    operands = node._a
                    if g:
                        partials = prim.local_grads(*[a._data for a in operands], node._data)
                        for a, partial in zip(operands, partials):
                            a._g += g * partial
                            a._n = (n := a._n - 1)
                            if not n:
                                push(a)
                    else:
                        for a in operands:
                            a._n = (n := a._n - 1)
                            if not n:
                                push(a)
        except BaseException as error:
            if counted:
                _undo(root, ready)
            else:  # stopped while counting: no .grad has changed yet
                _clear_scratch(root)
            replacement = _walk_error(root, node, error)
            if replacement is None:
                raise
            raise replacement from None


def _undo(root: Walked, pending: list[Walked]) -> None:
    """Put back the ``.grad`` of every node a failed walk processed, and clear the scratch.

    The processed nodes are those whose uses were all counted down (``_n == 0``) and that
    are not still waiting (``pending``); each keeps its old ``.grad`` in ``_g``.
    """
    waiting = {id(node) for node in pending}
    for node in reachable(root):
        if not node._n and id(node) not in waiting:
            node.grad = node._g
        node._g = 0.0
        node._n = 0


def backpropagate(root: W, seed: Any, *, create_graph: bool = False) -> list[W]:
    """Apply the chain rule from ``root`` down; leave ∂root/∂node · seed in each ``node._g``.

    Unlike :func:`accumulate_grads` this touches no ``.grad``; :func:`gradients` is its
    caller, which reads the ``_g`` it needs and then sets ``_g = 0.0`` on every returned
    node, holding :data:`WALK_LOCK` (re-entrant; this function takes it as well) from before
    the walk until the slots are reset, since other threads may walk the same nodes.

    Args:
        root: the output to differentiate.
        seed: ∂L/∂root, usually 1.0 (a Value when ``create_graph`` is set and the seed
            itself should stay differentiable).
        create_graph: evaluate the local rules on Values, so that the resulting gradients
            are Values with graphs of their own (for higher-order derivatives).

    Returns:
        Every node of the graph, results before their operands.

    Raises:
        ValueError: a local derivative is not finite at the current values, naming the op,
            or a node holds a non-finite number written into its ``.data``.
        OverflowError: a local derivative overflows a float.
    """
    order: list[W] = []
    node = root
    with WALK_LOCK:
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
            replacement = _walk_error(root, node, error)
            if replacement is None:
                raise
            raise replacement from None
    return order


def gradients(
    root: Walked, inputs: Sequence[Walked], seed: Any, *, create_graph: bool = False
) -> list[Any]:
    """∂root/∂input · seed for each of ``inputs``, touching no ``.grad``: one walk of
    :func:`backpropagate`, whose scratch is read and reset here and nowhere else.

    An input that ``root`` does not reach gets 0.0. With ``create_graph`` the gradients
    are Values (or 0.0). Raises what :func:`backpropagate` raises.

    Example:
        >>> from autodiff import Value
        >>> x, y = Value(2.0), Value(3.0)
        >>> gradients(x * y, [x, y, Value(1.0)], 1.0)
        [3.0, 2.0, 0.0]
    """
    with WALK_LOCK:  # the slots are this walk's until they are read
        for node in inputs:
            node._g = 0.0  # the walk sets the slots it reaches; an input outside it reads 0
        order = backpropagate(root, seed, create_graph=create_graph)
        try:
            return [node._g for node in inputs]
        finally:
            # Gradients that are Values would keep their graphs alive (and form reference
            # cycles back into this graph) if left in the slots.
            for node in order:
                node._g = 0.0


def _local_grads(node: Walked, create_graph: bool) -> tuple[Any, ...]:
    prim = node._prim
    assert prim is not None  # only called for results of operations
    if create_graph:
        return prim.local_grads(*node.children, node)
    return prim.local_grads(*[child._data for child in node.children], node._data)


def _clear_scratch(root: Walked) -> None:
    for node in reachable(root):
        node._g = 0.0
        node._n = 0


def written_data_error(root: Walked, who: str) -> ValueError | None:
    """The error for a node below ``root`` whose ``.data`` is not a finite number, if any.

    Operations only ever make finite numbers, so such a number was written into ``.data``
    by hand; it is looked for only once something has gone wrong (never on the fast path).
    """
    for node in reachable(root):
        error = written_error(who, node)
        if error is not None:
            return error
    return None


def written_error(who: str, node: Walked) -> ValueError | None:
    """The error for ``node`` when its ``.data`` is not a finite number (else None).

    Example:
        >>> from autodiff import Value
        >>> x = Value(1.0, label="x")
        >>> x.data = float("nan")
        >>> written_error("tanh", x)  # doctest: +ELLIPSIS
        ValueError("tanh: Value(nan, grad=0.0, label='x') holds nan in .data, which is not...")
    """
    data = node._data
    try:
        finite = -_INF < data < _INF
    except TypeError:  # not even a number
        finite = False
    if finite:
        return None
    return ValueError(
        f"{who}: {node!r} holds {data!r} in .data, which is not a finite number"
        " (it was written there; operations only ever make finite numbers)"
    )


def _gradient_error(node: Walked, grad: float, g: float) -> Exception:
    if not -_INF < grad < _INF:
        return ValueError(
            f"backward: {node!r} holds {grad!r} in .grad, which is not a finite number"
            " (it was written there); zero it before backward()"
        )
    return GradientOverflow(
        f"backward: the gradient of {node!r} would be {grad + g!r}:"
        " a product of derivatives overflows a float"
    )


def _walk_error(root: Walked, node: Walked, error: BaseException) -> Exception | None:
    """What a failed walk raises instead of ``error`` (None: ``error`` itself).

    A number written into some ``.data`` by hand is named first, whatever it broke; an
    arithmetic error of a local rule becomes an error naming the op and its operands (a
    :class:`~autodiff.primitives.RuleError` names them already).
    """
    if not isinstance(error, (ArithmeticError, ValueError)):
        return None
    written = written_data_error(root, "backward")
    if written is not None:
        return written
    if isinstance(error, (GradientOverflow, RuleError)) or node._prim is None:
        return None
    operands = tuple(child._data for child in node.children)
    return derivative_error(node._prim.name, operands, error)
