"""`Value`: a real number that remembers the operations that produced it.

Arithmetic on Values builds a directed acyclic graph whose nodes are Values: each result
keeps its operands (``.children``, in operand order) and its primitive (``.op``).
``backward()`` walks that graph in reverse and fills in ``.grad``.
"""

from __future__ import annotations

import math
import reprlib
from numbers import Real
from typing import Any

from .backward import backpropagate, topological_order
from .primitives import PRIMITIVES, Primitive, power
from .recording import is_recording

__all__ = ["Value"]

_ADD = PRIMITIVES["+"]
_MUL = PRIMITIVES["*"]
_POW = PRIMITIVES["**"]


def _check_number(data: object, what: str) -> float:
    if isinstance(data, bool) or not isinstance(data, Real):
        raise TypeError(f"{what} must be a real number, got {type(data).__name__}: {data!r}")
    try:
        number = float(data)
    except OverflowError:
        # A huge int or Fraction: a real number, but beyond every float.
        raise OverflowError(f"{what} is too large for a float, got {reprlib.repr(data)}") from None
    if not math.isfinite(number):
        raise ValueError(f"{what} must be finite, got {number!r}")
    return number


class Value:
    """A scalar in a computation graph, with the gradient that ``backward()`` gives it.

    Args:
        data: a real number (int, float or a numpy scalar), stored as a Python float.
        label: a name shown by ``repr``, drawings and chain-rule ledgers.

    Raises:
        TypeError: ``data`` is not a real number (a bool, str, None, complex, list...).
        ValueError: ``data`` is nan or infinite.

    Example:
        >>> x = Value(2.0, label="x")
        >>> y = x * x + 3 * x
        >>> y.backward()
        >>> y.data, x.grad
        (10.0, 7.0)
    """

    __slots__ = ("_g", "_prim", "children", "data", "grad", "label")

    data: float
    grad: float
    label: str
    children: tuple[Value, ...]
    _prim: Primitive | None
    _g: Any

    def __init__(self, data: float, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__}: {label!r}")
        self.data = _check_number(data, "Value data")
        self.grad = 0.0
        self.label = label
        self.children = ()
        self._prim = None
        self._g = 0.0

    @property
    def op(self) -> str:
        """The name of the operation that produced this Value; ``""`` for a leaf."""
        return "" if self._prim is None else self._prim.name

    @property
    def exponent(self) -> float | None:
        """For ``x ** n`` with a number ``n``: that ``n``; otherwise None."""
        return None if self._prim is None else self._prim.exponent

    def __repr__(self) -> str:
        parts = [repr(self.data), f"grad={self.grad!r}"]
        if self.label:
            parts.append(f"label={self.label!r}")
        if self._prim is not None:
            parts.append(f"op={self.op!r}")
        return f"Value({', '.join(parts)})"

    def __float__(self) -> float:
        return self.data

    # --- the graph ---------------------------------------------------------------------
    def backward(self, grad: float = 1.0) -> None:
        """Add ∂self/∂node · ``grad`` to ``.grad`` of every node of the graph below.

        Gradients *accumulate*, interior nodes included: calling ``backward()`` twice adds
        twice, as in PyTorch. Use :meth:`zero_grad` (or ``nn.Module.zero_grad``) between
        steps. The walk is iterative and visits each node once.

        Raises:
            ValueError: a local derivative is not finite (sqrt at 0, say), naming the op.
            OverflowError: a gradient overflows a float (``.grad`` is then left incomplete).

        Example:
            >>> a = Value(3.0)
            >>> b = a * a
            >>> b.backward(); b.backward()
            >>> a.grad
            12.0
        """
        seed = _check_number(grad, "backward grad")
        _accumulate(backpropagate(self, seed))

    def zero_grad(self) -> None:
        """Set ``.grad`` to 0.0 on every node of the graph below this Value (itself included)."""
        for node in topological_order(self):
            node.grad = 0.0

    # --- arithmetic ----------------------------------------------------------------------
    def __add__(self, other: object) -> Value:
        return _apply2(_ADD, self, _lift(other, "+"))

    def __radd__(self, other: object) -> Value:
        return _apply2(_ADD, _lift(other, "+"), self)

    def __mul__(self, other: object) -> Value:
        return _apply2(_MUL, self, _lift(other, "*"))

    def __rmul__(self, other: object) -> Value:
        return _apply2(_MUL, _lift(other, "*"), self)

    def __pow__(self, exponent: object) -> Value:
        if isinstance(exponent, Value):
            return _apply2(_POW, self, exponent)
        return _apply1(power(_lift(exponent, "**").data), self)

    def __rpow__(self, base: object) -> Value:
        return _apply2(_POW, _lift(base, "**"), self)

    # Composites, built from the primitives above (as micrograd does). A number operand is
    # folded into one constant (x - 3 is x + -3, x / 4 is x * 0.25), keeping graphs small.
    def __neg__(self) -> Value:
        return self * -1.0

    def __sub__(self, other: object) -> Value:
        if isinstance(other, Value):
            return self + (-other)
        return self + _constant(-_lift(other, "-").data)

    def __rsub__(self, other: object) -> Value:
        return _lift(other, "-") + (-self)

    def __truediv__(self, other: object) -> Value:
        if isinstance(other, Value):
            _check_divisor(self, other.data)
            return self * other**-1.0
        divisor = _lift(other, "/").data
        _check_divisor(self, divisor)
        return self * _constant(1.0 / divisor)

    def __rtruediv__(self, other: object) -> Value:
        dividend = _lift(other, "/")
        _check_divisor(dividend, self.data)
        return dividend * self**-1.0

    def __abs__(self) -> Value:
        return _apply1(PRIMITIVES["abs"], self)

    # --- functions -----------------------------------------------------------------------
    def exp(self) -> Value:
        """e ** self. Raises OverflowError above about 709.78."""
        return _apply1(PRIMITIVES["exp"], self)

    def log(self) -> Value:
        """Natural logarithm. Raises ValueError for inputs <= 0."""
        return _apply1(PRIMITIVES["log"], self)

    def sqrt(self) -> Value:
        """Square root. Raises ValueError for inputs < 0 (its derivative at 0 is infinite)."""
        return _apply1(PRIMITIVES["sqrt"], self)

    def sin(self) -> Value:
        """Sine (radians)."""
        return _apply1(PRIMITIVES["sin"], self)

    def cos(self) -> Value:
        """Cosine (radians)."""
        return _apply1(PRIMITIVES["cos"], self)

    def tanh(self) -> Value:
        """Hyperbolic tangent; finite and exact for every finite input."""
        return _apply1(PRIMITIVES["tanh"], self)

    def sigmoid(self) -> Value:
        """The logistic function 1 / (1 + e**-x); finite and exact for every finite input."""
        return _apply1(PRIMITIVES["sigmoid"], self)

    def relu(self) -> Value:
        """max(x, 0), with relu'(0) = 0."""
        return _apply1(PRIMITIVES["relu"], self)


_new_object = object.__new__


def _check_divisor(dividend: Value, divisor: float) -> None:
    # Said here rather than left to x ** -1, whose error would not mention the division.
    if divisor == 0.0:
        raise ValueError(f"/: division of {dividend.data!r} by zero")


def _accumulate(order: list[Value]) -> None:
    """Add each node's gradient from this pass into its ``.grad``.

    Float products of derivatives overflow to inf without raising, and inf times a zero
    derivative further down makes nan: either would otherwise reach ``.grad`` silently.
    """
    for node in order:
        total = node.grad + node._g
        if not -math.inf < total < math.inf:
            raise OverflowError(
                f"backward: the gradient of {node!r} would be {total!r}:"
                " a product of derivatives overflows a float"
            )
        node.grad = total


def _node(data: float, prim: Primitive | None, children: tuple[Value, ...]) -> Value:
    """A Value made without re-validating ``data`` (the primitive computed it)."""
    node = _new_object(Value)
    node.data = data
    node.grad = 0.0
    node.label = ""
    node.children = children
    node._prim = prim
    node._g = 0.0
    return node


def _constant(data: float) -> Value:
    return _node(data, None, ())


def _lift(x: object, op: str) -> Value:
    """``x`` as a Value: itself, or a new constant leaf for a number.

    Raises:
        TypeError: ``x`` is neither a Value nor a real number, naming the op and the type.
    """
    if isinstance(x, Value):
        return x
    if type(x) is float or (isinstance(x, Real) and not isinstance(x, bool)):
        return _node(_check_number(x, f"{op} operand"), None, ())
    raise TypeError(
        f"unsupported operand for {op}: Value and {type(x).__name__} {x!r}"
        " (operands must be Values or real numbers)"
    )


def _apply1(prim: Primitive, x: Value) -> Value:
    data = prim.forward(x.data)
    if is_recording():
        return _node(data, prim, (x,))
    return _node(data, None, ())


def _apply2(prim: Primitive, x: Value, y: Value) -> Value:
    data = prim.forward(x.data, y.data)
    if is_recording():
        return _node(data, prim, (x, y))
    return _node(data, None, ())
