"""Fused reductions: a whole sum or dot product as one node.

``sum_of(values)`` and ``dot(weights, inputs)`` compute what ``sum(...)`` and
``sum(w * x for ...)`` compute, but as a single node with one operand per term instead of a
chain of binary ``+`` and ``*`` nodes. Every operand's partial derivative is still there
(``1`` for a sum; ``xᵢ`` and ``wᵢ`` for a dot product), so ``grad``, drawings and chain-rule
ledgers work as for any other node, while a neuron's graph shrinks from 2n nodes to one.

Example:
    >>> from autodiff import Value, dot
    >>> w = [Value(2.0), Value(-1.0)]
    >>> x = [Value(3.0), Value(4.0)]
    >>> z = dot(w, x)
    >>> z.backward()
    >>> z.data, z.op, len(z.children), w[0].grad, x[1].grad
    (2.0, 'dot', 4, 3.0, -1.0)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import cast

from .primitives import PRIMITIVES
from .value import Value, _lift, apply_variadic

__all__ = ["dot", "sum_of"]

_DOT = PRIMITIVES["dot"]
_SUM = PRIMITIVES["sum"]
_JUST_VALUE = {Value}


def sum_of(values: Iterable[Value | float]) -> Value:
    """v₁ + v₂ + … + vₙ as one ``"sum"`` node (numbers become constant leaves).

    Raises:
        ValueError: ``values`` is empty.
        TypeError: an item is neither a Value nor a real number.

    Example:
        >>> s = sum_of([Value(1.0), 2, Value(3.5)])
        >>> s.data, s.op
        (6.5, 'sum')
    """
    items = tuple(values)
    if not items:
        raise ValueError("sum_of: needs at least one value, got none")
    return apply_variadic(_SUM, _as_values(items, "sum"))


def dot(weights: Sequence[Value | float], inputs: Sequence[Value | float]) -> Value:
    """Σ wᵢ·xᵢ as one ``"dot"`` node; its children are the weights, then the inputs.

    Raises:
        ValueError: the two sequences differ in length, or are empty.
        TypeError: an item is neither a Value nor a real number.

    Example:
        >>> dot([Value(1.0), Value(2.0)], [3.0, 4.0]).data
        11.0
    """
    if len(weights) != len(inputs):
        raise ValueError(
            f"dot: weights and inputs differ in length: {len(weights)} weights, "
            f"{len(inputs)} inputs"
        )
    if not weights:
        raise ValueError("dot: needs at least one weight and input, got none")
    return apply_variadic(_DOT, _as_values((*weights, *inputs), "dot"))


def _as_values(items: tuple[object, ...], op: str) -> tuple[Value, ...]:
    """``items`` as Values: numbers made constant leaves, anything else refused."""
    # One C-level pass when all are Values: a neuron's call, the innermost loop of
    # training, makes a dot node.
    if set(map(type, items)) == _JUST_VALUE:
        return cast("tuple[Value, ...]", items)
    return tuple(_lift(v, op) for v in items)
