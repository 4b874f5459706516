"""`Value`: a real number that remembers the operations that produced it.

Arithmetic on Values builds a directed acyclic graph whose nodes are Values: each result
keeps its operands (``.children``, in operand order) and its primitive (``.op``).
``backward()`` walks that graph in reverse and fills in ``.grad``.

A node is one small object and nothing else: its operands live in two slots rather than in a
tuple of their own, and no closure is made per node. Building a graph is dominated by object
creation, so fewer objects per node is what makes it fast (and it gives the cyclic garbage
collector, which scans every new container object, half as much to scan).
"""

from __future__ import annotations

import math
import reprlib
import sys
from collections.abc import Callable
from numbers import Real
from operator import attrgetter
from typing import Any

from .backward import accumulate_grads, written_error
from .graph import reachable
from .primitives import PRIMITIVES, Primitive, overflow_error, power
from .recording import current_recorder

__all__ = ["DIVISION_WATCHERS", "Value", "apply", "reciprocal_scale"]

_ADD = PRIMITIVES["+"]
_MUL = PRIMITIVES["*"]
_POW = PRIMITIVES["**"]
_INF = math.inf
_MIN_NORMAL = sys.float_info.min


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

    The number comes out only through ``.data``: ``float(v)``, ``math.exp(v)``, ``round(v)``
    and every other implicit conversion raise TypeError, because the number they would hand
    out carries no derivative. ``f"{v:.3f}"`` formats ``.data``.

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

    # _a, _b: the operands (unary: _a; binary: _a, _b; variadic: _a is the tuple of them).
    # _g, _n: scratch for the backward walk (this pass's gradient; uses not yet processed).
    __slots__ = ("_a", "_b", "_g", "_n", "_prim", "data", "grad", "label")

    data: float
    _data: Any  # the slot data under the engine's name (below the class); Any: mypy sees no slot
    grad: float
    label: str
    _prim: Primitive | None
    _a: Any
    _b: Value
    _g: Any
    _n: int

    def __init__(self, data: float, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__}: {label!r}")
        self._data = _check_number(data, "Value data")
        self.grad = 0.0
        self.label = label
        self._prim = None
        self._g = 0.0
        self._n = 0

    @property
    def op(self) -> str:
        """The name of the operation that produced this Value; ``""`` for a leaf.

        Example:
            >>> x = Value(2.0)
            >>> (x * 3).op, (x ** 2).op, x.op
            ('*', '**', '')
        """
        return "" if self._prim is None else self._prim.name

    @property
    def exponent(self) -> float | None:
        """For ``x ** n`` with a number ``n``: that ``n``; otherwise None.

        Example:
            >>> x = Value(2.0)
            >>> (x**3).exponent, (x**x).exponent, x.exponent
            (3.0, None, None)
        """
        return None if self._prim is None else self._prim.exponent

    @property
    def children(self) -> tuple[Value, ...]:
        """The operands of the operation that produced this Value, in operand order.

        Example:
            >>> a, b = Value(2.0, label="a"), Value(3.0, label="b")
            >>> [child.label for child in (b * a).children], a.children
            (['b', 'a'], ())
        """
        prim = self._prim
        if prim is None:
            return ()
        if prim.arity == 2:
            return (self._a, self._b)
        if prim.arity == 1:
            return (self._a,)
        return self._a

    def __repr__(self) -> str:
        parts = [repr(self._data), f"grad={self.grad!r}"]
        if self.label:
            parts.append(f"label={self.label!r}")
        if self._prim is not None:
            parts.append(f"op={self.op!r}")
        return f"Value({', '.join(parts)})"

    def _repr_html_(self) -> str:
        """Jupyter's display: a table of label, data, grad and op (:mod:`autodiff.notebook`)."""
        from .notebook import value_html  # here: `import autodiff` loads no html module

        return value_html(self)

    # --- numbers out: only explicitly ------------------------------------------------------
    # float(v), math.exp(v), round(v)... would hand out a number that carries no derivative,
    # and a gradient computed through it would be silently wrong. Python asks a Value for a
    # number through these methods, so each of them refuses; .data is the explicit way.
    def __float__(self) -> float:
        raise _conversion_refused(self, "float(v) (or math.exp(v), math.tanh(v)...)")

    def __int__(self) -> int:
        raise _conversion_refused(self, "int(v)")

    def __index__(self) -> int:
        raise _conversion_refused(self, "operator.index(v)")

    def __complex__(self) -> complex:
        raise _conversion_refused(self, "complex(v)")

    def __round__(self, ndigits: int | None = None) -> float:
        raise _conversion_refused(self, "round(v)")

    def __trunc__(self) -> int:
        raise _conversion_refused(self, "math.trunc(v)")

    def __floor__(self) -> int:
        raise _conversion_refused(self, "math.floor(v)")

    def __ceil__(self) -> int:
        raise _conversion_refused(self, "math.ceil(v)")

    def __format__(self, spec: str) -> str:
        """``f"{v:.3f}"`` formats ``v.data``; ``f"{v}"`` is ``str(v)``."""
        return format(self._data, spec) if spec else str(self)

    # --- the graph ---------------------------------------------------------------------
    def backward(self, grad: float = 1.0) -> None:
        """Add ∂self/∂node · ``grad`` to ``.grad`` of every node of the graph below.

        Gradients *accumulate*, interior nodes included: calling ``backward()`` twice adds
        twice, as in PyTorch. Use :meth:`zero_grad` (or ``nn.Module.zero_grad``) between
        steps. The walk is iterative and visits each node once. It is all or nothing: when
        it raises, every ``.grad`` in the graph is exactly what it was before the call. It
        is safe to call from several threads on graphs that share nodes (walks take turns).

        Raises:
            ValueError: a local derivative is not finite (sqrt at 0, say), naming the op; or
                a number that is not finite was written into some node's ``.data``/``.grad``.
            OverflowError: a local derivative or a gradient overflows a float.

        Example:
            >>> a = Value(3.0)
            >>> b = a * a
            >>> b.backward(); b.backward()
            >>> a.grad
            12.0
        """
        # The walk, unrolled for speed; backward.backpropagate is the same walk written plainly.
        accumulate_grads(self, _check_number(grad, "backward grad"))

    def zero_grad(self) -> None:
        """Set ``.grad`` to 0.0 on every node of the graph below this Value (itself included).

        Example:
            >>> x = Value(3.0)
            >>> y = x * x
            >>> y.backward()
            >>> x.grad
            6.0
            >>> y.zero_grad()
            >>> x.grad, y.grad
            (0.0, 0.0)
        """
        for node in reachable(self):
            node.grad = 0.0

    # --- arithmetic ----------------------------------------------------------------------
    # + and * are by far the most frequent operations, so their forward (the operator
    # itself) and the node's creation are written out here rather than going through the
    # general helpers below: each saved call is a measurable share of building a graph.
    def __add__(self, other: object) -> Value:
        if type(other) is not Value:
            other = _lift(other, "+")
        data = self._data + other._data
        if not -_INF < data < _INF:
            raise _not_finite(_ADD, (self, other))
        node = _new_object(Value)
        node._data = data
        node.grad = 0.0
        node.label = ""
        node._g = 0.0
        node._n = 0
        if recorder := _recorder():
            node._prim = _ADD
            node._a = self
            node._b = other
            if recorder is not True:
                recorder(node)
        else:
            node._prim = None
        return node

    def __mul__(self, other: object) -> Value:
        if type(other) is not Value:
            other = _lift(other, "*")
        data = self._data * other._data
        if not -_INF < data < _INF:
            raise _not_finite(_MUL, (self, other))
        node = _new_object(Value)
        node._data = data
        node.grad = 0.0
        node.label = ""
        node._g = 0.0
        node._n = 0
        if recorder := _recorder():
            node._prim = _MUL
            node._a = self
            node._b = other
            if recorder is not True:
                recorder(node)
        else:
            node._prim = None
        return node

    def __radd__(self, other: object) -> Value:
        return Value.__add__(_lift(other, "+"), self)

    def __rmul__(self, other: object) -> Value:
        return Value.__mul__(_lift(other, "*"), self)

    def __pow__(self, exponent: object) -> Value:
        if isinstance(exponent, Value):
            return _apply2(_POW, self, exponent)
        return _apply1(power(_lift(exponent, "**")._data), self)

    def __rpow__(self, base: object) -> Value:
        return _apply2(_POW, _lift(base, "**"), self)

    # Composites, built from the primitives above (as micrograd does). A number operand is
    # folded into one constant (x - 3 is x + -3, x / 4 is x * 0.25), keeping graphs small.
    def __neg__(self) -> Value:
        return self * -1.0

    def __sub__(self, other: object) -> Value:
        if isinstance(other, Value):
            return self + (-other)
        return self + _constant(-_lift(other, "-")._data)

    def __rsub__(self, other: object) -> Value:
        return _lift(other, "-") + (-self)

    def __truediv__(self, other: object) -> Value:
        return _divide(self, other if isinstance(other, Value) else _lift(other, "/")._data)

    def __rtruediv__(self, other: object) -> Value:
        return _divide(_lift(other, "/"), self)

    def __abs__(self) -> Value:
        return _apply1(PRIMITIVES["abs"], self)

    # --- functions -----------------------------------------------------------------------
    def exp(self) -> Value:
        """e ** self. Raises OverflowError above about 709.78.

        Example:
            >>> import math
            >>> x = Value(1.0)
            >>> y = x.exp()
            >>> y.backward()
            >>> y.data == math.e, x.grad == math.e  # d/dx e^x = e^x
            (True, True)
        """
        return _apply1(PRIMITIVES["exp"], self)

    def log(self) -> Value:
        """Natural logarithm. Raises ValueError for inputs <= 0.

        Example:
            >>> x = Value(4.0)
            >>> y = x.log()
            >>> y.backward()
            >>> y.data == math.log(4.0), x.grad  # d/dx log x = 1/x
            (True, 0.25)
        """
        return _apply1(PRIMITIVES["log"], self)

    def sqrt(self) -> Value:
        """Square root. Raises ValueError for inputs < 0 (its derivative at 0 is infinite).

        Example:
            >>> x = Value(9.0)
            >>> y = x.sqrt()
            >>> y.backward()
            >>> y.data, x.grad  # d/dx √x = 1/(2√x) = 1/6
            (3.0, 0.16666666666666666)
        """
        return _apply1(PRIMITIVES["sqrt"], self)

    def sin(self) -> Value:
        """Sine (radians).

        Example:
            >>> x = Value(0.5)
            >>> y = x.sin()
            >>> y.backward()
            >>> y.data == math.sin(0.5), x.grad == math.cos(0.5)
            (True, True)
        """
        return _apply1(PRIMITIVES["sin"], self)

    def cos(self) -> Value:
        """Cosine (radians).

        Example:
            >>> x = Value(0.5)
            >>> y = x.cos()
            >>> y.backward()
            >>> y.data == math.cos(0.5), x.grad == -math.sin(0.5)
            (True, True)
        """
        return _apply1(PRIMITIVES["cos"], self)

    def tanh(self) -> Value:
        """Hyperbolic tangent; finite and exact for every finite input.

        Example:
            >>> x = Value(0.5)
            >>> y = x.tanh()
            >>> y.backward()
            >>> y.data == math.tanh(0.5), math.isclose(x.grad, 1 - math.tanh(0.5) ** 2)
            (True, True)
            >>> Value(1000.0).tanh().data
            1.0
        """
        return _apply1(PRIMITIVES["tanh"], self)

    def sigmoid(self) -> Value:
        """The logistic function 1 / (1 + e**-x); finite and exact for every finite input.

        Example:
            >>> x = Value(0.0)
            >>> y = x.sigmoid()
            >>> y.backward()
            >>> y.data, x.grad  # σ(0) = 1/2, σ'(0) = σ(0)(1 − σ(0)) = 1/4
            (0.5, 0.25)
            >>> Value(-1000.0).sigmoid().data
            0.0
        """
        return _apply1(PRIMITIVES["sigmoid"], self)

    def relu(self) -> Value:
        """max(x, 0), with relu'(0) = 0.

        Example:
            >>> [Value(x).relu().data for x in (-2.0, 0.0, 3.0)]
            [0.0, 0.0, 3.0]
            >>> x = Value(0.0)
            >>> x.relu().backward()
            >>> x.grad
            0.0
        """
        return _apply1(PRIMITIVES["relu"], self)


# The engine reads and writes the number as _data, the same slot under a name that a compiled
# tape's tracer never swaps (autodiff.tape.observe), so other threads don't slow while it traces.
Value._data = Value.__dict__["data"]

_new_object = object.__new__
_data_of = attrgetter("_data")
_recorder = current_recorder  # True; False under no_grad; or a tracing tape's collector, to call


def _conversion_refused(value: Value, conversion: str) -> TypeError:
    return TypeError(
        f"{conversion}: a Value is never turned into a number implicitly ({value!r}); the"
        " number would carry no derivative, and gradients through it would be silently"
        " wrong: use v.data for the number, or v.exp() (v.tanh(), v.log()...) to keep the"
        " derivative"
    )


DIVISION_WATCHERS: list[Callable[[Value, float], None]] = []
"""Called with the divisor and its :func:`reciprocal_scale` whenever a Value is divided by
a Value (the compiled tape's tracer keeps the path taken as a guard: it depends on the
divisor's number)."""


def reciprocal_scale(y: float) -> float:
    """The power of two by which division scales the divisor ``y`` before taking its
    reciprocal: 1.0 (none) when 1 / y is a normal float, and also for 0 and a number that is
    not finite, which division refuses before it scales anything.

    Never 1.0 for a divisor that is scaled: those lie beyond [0.5, 2) by far.

    Example:
        >>> reciprocal_scale(3.0), reciprocal_scale(1e-310) == 2.0**515
        (1.0, True)
    """
    if y == 0.0 or not -_INF < y < _INF or _MIN_NORMAL <= abs(1.0 / y) < _INF:
        return 1.0
    return math.ldexp(1.0, -(math.frexp(y)[1] // 2))  # y·scale is near 2 ** (e/2)


def _divide(dividend: Value, divisor: Value | float) -> Value:
    """``dividend / divisor``: ``x * (1/c)`` for a number c, ``x * y ** -1`` for a Value y.

    The reciprocal alone can leave the float range while the quotient fits (1e-300 / 1e-320
    is 1e20, but 1 / 1e-320 overflows), or lose digits as a subnormal. Then it is taken of
    the divisor scaled by a power of two s (:func:`reciprocal_scale`), exactly:
    x / y = (x * (y·s) ** -1) * s, with every intermediate as far inside the float range as
    the quotient allows.
    """
    y = divisor._data if isinstance(divisor, Value) else divisor
    for operand in (dividend, divisor):
        if isinstance(operand, Value) and (error := written_error("/", operand)) is not None:
            raise error
    if y == 0.0:
        # Said here rather than left to x ** -1, whose error would not mention the division.
        raise ValueError(f"/: division of {dividend._data!r} by zero")
    scale = reciprocal_scale(y)
    if DIVISION_WATCHERS and isinstance(divisor, Value):
        for watcher in DIVISION_WATCHERS:
            watcher(divisor, scale)
    try:
        if scale == 1.0:
            if isinstance(divisor, Value):
                return dividend * divisor**-1.0
            return dividend * _constant(1.0 / y)
        if isinstance(divisor, Value):
            return dividend * (divisor * scale) ** -1.0 * scale
        return dividend * _constant(1.0 / (y * scale)) * _constant(scale)
    except OverflowError:
        raise overflow_error("/", (dividend._data, y)) from None


def _not_finite(prim: Primitive, operands: tuple[Value, ...]) -> Exception:
    """The error for a result that is not finite: a number written into an operand's
    ``.data`` (named), else an overflow of finite operands."""
    for operand in operands:
        error = written_error(prim.name, operand)
        if error is not None:
            return error
    return overflow_error(prim.name, tuple(operand._data for operand in operands))


def _constant(data: float) -> Value:
    """A leaf made without re-validating ``data`` (the caller computed it)."""
    node = _new_object(Value)
    node._data = data
    node.grad = 0.0
    node.label = ""
    node._prim = None
    node._g = 0.0
    node._n = 0
    return node


def _lift(x: object, op: str) -> Value:
    """``x`` as a Value: itself, or a new constant leaf for a number.

    Raises:
        TypeError: ``x`` is neither a Value nor a real number, naming the op and the type.
    """
    if isinstance(x, Value):
        return x
    if type(x) is float and -_INF < x < _INF:
        return _constant(x)
    if type(x) is int:  # before the Real check: an isinstance against an ABC is slow
        try:
            return _constant(float(x))
        except OverflowError:
            _check_number(x, f"{op} operand")  # raises, naming the operand
    if isinstance(x, Real) and not isinstance(x, bool):
        return _constant(_check_number(x, f"{op} operand"))
    raise TypeError(
        f"unsupported operand for {op}: Value and {type(x).__name__} {x!r}"
        " (operands must be Values or real numbers)"
    )


def _result(prim: Primitive, data: float, operands: tuple[Value, ...]) -> Value:
    """A leaf holding ``prim``'s result, after the one finiteness check for every primitive."""
    if not -_INF < data < _INF:
        raise _not_finite(prim, operands)
    return _constant(data)


def _apply1(prim: Primitive, x: Value) -> Value:
    # A number written into .data by hand can give a finite result (tanh(inf) is 1.0),
    # so the operand is checked, not only the result as for + and *.
    if not -_INF < (data := x._data) < _INF:
        raise _not_finite(prim, (x,))
    node = _result(prim, prim.forward(data), (x,))
    if recorder := _recorder():
        node._prim = prim
        node._a = x
        if recorder is not True:
            recorder(node)
    return node


def _apply2(prim: Primitive, x: Value, y: Value) -> Value:
    if not (-_INF < x._data < _INF and -_INF < y._data < _INF):
        raise _not_finite(prim, (x, y))
    node = _result(prim, prim.forward(x._data, y._data), (x, y))
    if recorder := _recorder():
        node._prim = prim
        node._a = x
        node._b = y
        if recorder is not True:
            recorder(node)
    return node


def apply_variadic(prim: Primitive, operands: tuple[Value, ...]) -> Value:
    """The node for a primitive that takes any number of operands (``sum``, ``dot``)."""
    # A sum or dot product of operands one of which is not finite is never finite itself:
    # the result's check covers a number written into an operand's .data.
    node = _result(prim, prim.forward(*map(_data_of, operands)), operands)
    if recorder := _recorder():
        node._prim = prim
        node._a = operands
        if recorder is not True:
            recorder(node)
    return node


def apply(prim: Primitive, operands: list[Value]) -> Value:
    """The node for ``prim`` applied to ``operands``, as the operators make it."""
    if prim.arity == 1:
        return _apply1(prim, operands[0])
    if prim.arity == 2:
        return _apply2(prim, operands[0], operands[1])
    return apply_variadic(prim, tuple(operands))
