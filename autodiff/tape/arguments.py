"""What a replay accepts: its arguments and seed, refused as the eager engine refuses them,
and the error a replay raises when its inputs would change the traced graph.

Example:
    >>> argument(3, 0), seed_of(0.5), plain([1.0, 2.0]), plain([1.0, float("inf")])
    (3.0, 0.5, True, False)
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

from ..value import Value

__all__ = ["GraphChangedError", "argument", "plain", "seed_of"]

_INF = math.inf


class GraphChangedError(ValueError):
    """A replay's inputs would take the traced function down another branch.

    Example:
        >>> from autodiff import compile
        >>> tape = compile(lambda x: x * 2 if x.data > 0 else x * 3, [1.0])
        >>> tape(5.0)
        10.0
        >>> tape(-1.0)
        Traceback (most recent call last):
        ...
        autodiff.tape.arguments.GraphChangedError: control flow changed: ...
    """


def argument(x: Any, position: int) -> float:
    """``x`` as a float, refused as ``Value(x)`` refuses it (the error names the argument)."""
    try:
        return Value(x).data
    except (TypeError, ValueError, OverflowError) as error:
        raise type(error)(f"tape argument {position}: {error}") from None


def seed_of(grad: Any) -> float:
    if type(grad) is float and -_INF < grad < _INF:
        return grad
    if isinstance(grad, bool) or not isinstance(grad, Real):
        raise TypeError(f"grad must be a real number, got {type(grad).__name__}: {grad!r}")
    seed = float(grad)
    if not -_INF < seed < _INF:
        raise ValueError(f"grad must be finite, got {seed!r}")
    return seed


def plain(numbers: list[Any]) -> bool:
    """Whether every number is a finite float (an overflowing sum of finite ones reads as
    not plain: the caller then takes the slow, exact path)."""
    return set(map(type, numbers)) <= {float} and -_INF < sum(numbers) < _INF
