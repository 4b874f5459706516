"""The engine's functions for numbers and Values alike: ``from autodiff import functions as F``.

``F.exp(x)`` is ``x.exp()`` for a Value (a node of the graph) and, for a plain number, the
float that the engine's own forward computes (``F.sigmoid(-800.0)`` is the engine's
two-sided sigmoid, not ``1 / (1 + math.exp(800))``), with the engine's errors. So a rule
written with them runs on floats in an ordinary backward pass and on Values under
``create_graph=True``: the local ``partials`` of a user-defined primitive
(:func:`autodiff.primitive`) written this way give higher-order derivatives for free.

Example:
    >>> from autodiff import Value
    >>> from autodiff import functions as F
    >>> F.tanh(0.5) == Value(0.5).tanh().data, F.tanh(Value(0.5)).op
    (True, 'tanh')
    >>> F.pow(2.0, 3), F.pow(Value(2.0), 3).data
    (8.0, 8.0)
"""

from __future__ import annotations

import math
from typing import Any

from .primitives import PRIMITIVES, Primitive, overflow_error, power
from .value import Value, _apply1, _check_number

__all__ = ["abs", "cos", "exp", "log", "pow", "relu", "sigmoid", "sin", "sqrt", "tanh"]

_INF = math.inf


def operand(x: object, op: str) -> float:
    """``x`` as a float, refused as the engine refuses an operand: a bool, a string, a
    complex, nan or ±inf (naming ``op``).

    Example:
        >>> operand(3, "exp")
        3.0
        >>> operand(True, "exp")
        Traceback (most recent call last):
        ...
        TypeError: exp operand must be a real number, got bool: True
    """
    if type(x) is float and -_INF < x < _INF:
        return x
    return _check_number(x, f"{op} operand")


def forward_of(prim: Primitive, operands: tuple[float, ...]) -> float:
    """``prim``'s forward on floats, with the engine's one check of its result.

    Example:
        >>> forward_of(PRIMITIVES["exp"], (1.0,)) == math.exp(1.0)
        True
        >>> forward_of(PRIMITIVES["*"], (1e200, 1e200))
        Traceback (most recent call last):
        ...
        OverflowError: *: the result overflows a float for input (1e+200, 1e+200)
    """
    out = prim.forward(*operands)
    if not -_INF < out < _INF:
        raise overflow_error(prim.name, operands)
    return out


def _unary(name: str, x: Any) -> Any:
    prim = PRIMITIVES[name]
    if isinstance(x, Value):
        return _apply1(prim, x)
    return forward_of(prim, (operand(x, name),))


def exp(x: Any) -> Any:
    """e ** x. Raises OverflowError above about 709.78."""
    return _unary("exp", x)


def log(x: Any) -> Any:
    """The natural logarithm. Raises ValueError for x <= 0."""
    return _unary("log", x)


def sqrt(x: Any) -> Any:
    """The square root. Raises ValueError for x < 0."""
    return _unary("sqrt", x)


def sin(x: Any) -> Any:
    """The sine (radians)."""
    return _unary("sin", x)


def cos(x: Any) -> Any:
    """The cosine (radians)."""
    return _unary("cos", x)


def tanh(x: Any) -> Any:
    """The hyperbolic tangent."""
    return _unary("tanh", x)


def sigmoid(x: Any) -> Any:
    """The logistic function 1 / (1 + e**-x), finite for every finite x."""
    return _unary("sigmoid", x)


def relu(x: Any) -> Any:
    """max(x, 0), with relu'(0) = 0."""
    return _unary("relu", x)


def abs(x: Any) -> Any:
    """|x|, with abs'(0) = 0."""
    return _unary("abs", x)


def pow(x: Any, y: Any) -> Any:
    """x ** y: ``Value ** number`` (a constant exponent), ``number ** Value`` or
    ``Value ** Value`` as the operators make them; for two numbers, the engine's forward of
    ``x ** y`` with a constant exponent y.

    Example:
        >>> F_pow = pow
        >>> F_pow(-2.0, 3.0), F_pow(4.0, 0.5)
        (-8.0, 2.0)
    """
    if isinstance(x, Value) or isinstance(y, Value):
        return x**y
    n = operand(y, "**")
    return forward_of(power(n), (operand(x, "**"),))
