"""The dialects the compiled tape writes: ``scalar`` (Python floats, the ``math``
module) and ``array`` (numpy arrays, one element per example of a batch); and a third,
``js``, the JavaScript in which the interactive page (:mod:`autodiff.explore`) recomputes a
graph: each primitive's ``kernel.js`` and the helpers of :func:`js_runtime`.

Each primitive's forward code is its row's ``kernel`` in :mod:`autodiff.primitives`; this
module supplies the names that code calls, per dialect. Local derivatives are *not* written
as code anywhere: the tape evaluates each primitive's own
``local_grads`` rule on :class:`Symbol` operands, which turns the rule into an expression.
So every derivative still lives in one place, :mod:`autodiff.primitives`.

The scalar dialect computes exactly what the engine computes: ``+`` and ``*`` inline, every
other primitive through the very function the engine calls (``math.tanh``, the engine's own
sigmoid), sums from 0.0 left to right as the engine's ``sum`` and ``dot`` do. The array dialect
does the same operations in the same order with numpy's kernels, which for the transcendental
functions and powers may differ from the ``math`` module in the last bit or two.

An inline forward may raise where the eager engine raises a clearer error (``math.log`` of a
negative number, ``exp`` overflow) or return ±inf where the engine raises OverflowError;
the tape then re-runs that evaluation through the eager engine (see ``tape.program``), so
errors are the engine's own.

Example:
    >>> from autodiff.primitives import PRIMITIVES
    >>> x, out = Symbol("v0", "scalar"), Symbol("v1", "scalar")
    >>> PRIMITIVES["tanh"].local_grads(x, out)
    (Symbol('(1.0 - (v1 * v1))'),)
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable
from typing import Any

from ..primitives import PRIMITIVES, Primitive, power
from ..value import reciprocal_scale

__all__ = ["Symbol", "array_namespace", "js_runtime", "kernel_functions", "scalar_namespace"]

_JS_CALLS = {"/": "pdiv", "**": "ppow"}

_MIN_NORMAL = sys.float_info.min


class Symbol:
    """An operand of a local-derivative rule that records the expression the rule builds.

    Arithmetic with numbers and other Symbols, and the methods the rules' helpers call
    (``cos``, ``sin``, ``log``, ``step``, ``sign``), return new Symbols; ``dialect`` picks
    how functions are spelled (``"scalar"``, ``"array"`` or ``"js"``, the JavaScript of
    the interactive page, whose helpers are :func:`js_runtime`).

    Example:
        >>> x = Symbol("v[0]", "js")
        >>> (1.0 / x).text, x.cos().text
        ('pdiv(1.0, v[0])', 'Math.cos(v[0])')
    """

    __slots__ = ("dialect", "text")

    def __init__(self, text: str, dialect: str) -> None:
        self.text = text
        self.dialect = dialect

    def __repr__(self) -> str:
        return f"Symbol({self.text!r})"

    def _wrap(self, text: str) -> Symbol:
        return Symbol(text, self.dialect)

    def _binary(self, other: object, op: str, reflected: bool = False) -> Symbol:
        one = not isinstance(other, Symbol) and float(other) == 1.0  # type: ignore[arg-type]
        if one and (op == "*" or (not reflected and op in ("/", "**"))):
            return self  # x * 1, 1 * x, x / 1, x ** 1: nothing to compute
        right = other.text if isinstance(other, Symbol) else repr(float(other))  # type: ignore[arg-type]
        left, right = (right, self.text) if reflected else (self.text, right)
        if self.dialect == "js" and op in _JS_CALLS:
            # Python's float / and ** raise where JavaScript's give inf: the page's helpers
            # raise as Python does, so a derivative fails where the engine's fails.
            return self._wrap(f"{_JS_CALLS[op]}({left}, {right})")
        return self._wrap(f"({left} {op} {right})")

    def __add__(self, other: object) -> Symbol:
        return self._binary(other, "+")

    def __radd__(self, other: object) -> Symbol:
        return self._binary(other, "+", reflected=True)

    def __sub__(self, other: object) -> Symbol:
        return self._binary(other, "-")

    def __rsub__(self, other: object) -> Symbol:
        return self._binary(other, "-", reflected=True)

    def __mul__(self, other: object) -> Symbol:
        return self._binary(other, "*")

    def __rmul__(self, other: object) -> Symbol:
        return self._binary(other, "*", reflected=True)

    def __truediv__(self, other: object) -> Symbol:
        return self._binary(other, "/")

    def __rtruediv__(self, other: object) -> Symbol:
        return self._binary(other, "/", reflected=True)

    def __pow__(self, other: object) -> Symbol:
        return self._binary(other, "**")

    def __rpow__(self, other: object) -> Symbol:
        return self._binary(other, "**", reflected=True)

    def __neg__(self) -> Symbol:
        return self._wrap(f"(-{self.text})")

    def _call(self, name: str) -> Symbol:
        prefix = {"array": "np.", "js": "Math."}.get(self.dialect, "")
        return self._wrap(f"{prefix}{name}({self.text})")

    def cos(self) -> Symbol:
        return self._call("cos")

    def sin(self) -> Symbol:
        return self._call("sin")

    def log(self) -> Symbol:
        return self._call("log")

    def exp(self) -> Symbol:
        return self._call("exp")

    def step(self) -> Symbol:
        """1 where the operand is positive, else 0."""
        if self.dialect == "array":
            return self._wrap(f"({self.text} > 0.0)")
        if self.dialect == "js":
            return self._wrap(f"({self.text} > 0.0 ? 1.0 : 0.0)")
        return self._wrap(f"(1.0 if {self.text} > 0.0 else 0.0)")

    def sign(self) -> Symbol:
        """1, -1 or 0 by the operand's sign."""
        if self.dialect == "array":
            return self._call("sign")
        x = self.text
        if self.dialect == "js":
            return self._wrap(f"({x} > 0.0 ? 1.0 : {x} < 0.0 ? -1.0 : 0.0)")
        return self._wrap(f"(1.0 if {x} > 0.0 else -1.0 if {x} < 0.0 else 0.0)")


# --- the functions the generated code calls, per dialect -----------------------------------
def _power_checked(x: float, y: float) -> float:
    return PRIMITIVES["**"].forward(x, y)


def _power_n(x: float, n: float) -> float:
    # Through the checked forward: a negative base would give a complex number, not an error.
    return power(n).forward(x)


def kernel_functions(prims: Iterable[Primitive]) -> dict[str, Any]:
    """The names that the kernels of user-defined primitives among ``prims`` call (their
    forward and partials rule, per dialect: see :func:`autodiff.primitive`).

    Example:
        >>> kernel_functions([PRIMITIVES["tanh"]])
        {}
    """
    names: dict[str, Any] = {}
    for prim in prims:
        names.update(prim.kernel.functions)
    return names


def scalar_namespace() -> dict[str, Any]:
    """Names the scalar dialect's generated code uses."""
    return {
        "exp": math.exp,
        "log": math.log,
        "sqrt": math.sqrt,
        "sin": math.sin,
        "cos": math.cos,
        "tanh": math.tanh,
        "abs": abs,
        "inf": math.inf,
        "nan": math.nan,
        "power_checked": _power_checked,
        "power_n": _power_n,
        "reciprocal_scale": reciprocal_scale,
    }


def array_namespace() -> dict[str, Any]:
    """Names the array dialect's generated code uses (needs numpy: the ``fast`` extra)."""
    import numpy as np

    def array_power(x: Any, y: Any) -> Any:
        if np.any(np.asarray(x) <= 0.0):
            raise ValueError("**: a Value exponent needs a positive base")
        return np.power(x, y)

    def array_power_n(x: Any, n: float) -> Any:
        if not n.is_integer() and np.any(np.asarray(x) < 0.0):
            raise ValueError("**: negative base with a non-integer power")
        return np.power(x, n)

    def array_sigmoid(x: Any) -> Any:
        # The engine's two-sided form, elementwise: 1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x)
        # below (so exp never overflows).
        e = np.exp(-np.abs(x))
        return np.where(x >= 0.0, 1.0, e) / (1.0 + e)

    def array_reciprocal_scale(y: Any) -> Any:
        # reciprocal_scale, elementwise: 1.0 where 1 / y is a normal float (or y is 0).
        with np.errstate(divide="ignore", over="ignore"):
            reciprocal = np.abs(1.0 / y)
        normal = (reciprocal >= _MIN_NORMAL) & (reciprocal < math.inf) | (y == 0.0)
        return np.where(normal, 1.0, np.ldexp(1.0, -(np.frexp(y)[1] // 2)))

    return {
        "np": np,
        "inf": math.inf,
        "nan": math.nan,
        "array_sigmoid": array_sigmoid,
        "reciprocal_scale": array_reciprocal_scale,
        "array_power": array_power,
        "array_power_n": array_power_n,
    }


_JS_RUNTIME = r"""
// The helpers of the "js" dialect (autodiff/tape/kernels.py): the engine's checks and
// messages (autodiff/primitives.py), and Python's float semantics where JavaScript's differ.
class EngineError extends Error {
  constructor(kind, message) { super(message); this.kind = kind; }
}
class FloatError extends Error {  // what Python's float arithmetic raises
  constructor(kind) { super(kind); this.kind = kind; }
}
function pyRepr(x) {  // Python's repr of a float
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, exponentText] = x.toExponential().split("e");
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  let text;
  if (exponent < -4 || exponent >= 16) {
    const tail = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits;
    const e = Math.abs(exponent);
    text = tail + "e" + (exponent < 0 ? "-" : "+") + (e < 10 ? "0" + e : String(e));
  } else if (exponent < 0) {
    text = "0." + "0".repeat(-exponent - 1) + digits;
  } else if (digits.length > exponent + 1) {
    text = digits.slice(0, exponent + 1) + "." + digits.slice(exponent + 1);
  } else {
    text = digits + "0".repeat(exponent + 1 - digits.length) + ".0";
  }
  return (negative ? "-" : "") + text;
}
function shown(operands) {
  return operands.slice(0, 6).map(pyRepr).join(", ") + (operands.length > 6 ? ", ..." : "");
}
function overflowError(op, operands) {
  return new EngineError("OverflowError",
    `${op}: the result overflows a float for input (${shown(operands)})`);
}
function derivativeError(op, operands, error) {
  const at = `at input (${shown(operands)})`;
  if (error.kind === "OverflowError")
    return new EngineError("OverflowError", `${op}: the derivative ${at} overflows a float`);
  return new EngineError("ValueError",
    `${op}: the derivative is not finite ${at}: it is infinite there`);
}
function pdiv(x, y) {
  if (y === 0) throw new FloatError("ZeroDivisionError");
  return x / y;
}
function ppow(x, y) {
  if (x === 0 && y < 0) throw new FloatError("ZeroDivisionError");
  const result = Math.pow(x, y);
  if (!Number.isFinite(result) && Number.isFinite(x) && Number.isFinite(y))
    throw new FloatError("OverflowError");
  return result;
}
function power_n(x, n) {
  if (x === 0 && n < 0)
    throw new EngineError("ValueError",
      `**: 0.0 cannot be raised to the negative power ${pyRepr(n)}`);
  if (n === -1 && x === x && Math.abs(x) !== Infinity) {
    // x / y is x · y^-1 in a graph, but the engine divides by a y whose reciprocal is not
    // a normal float on another path (scaling y first): this graph no longer holds there.
    const r = Math.abs(1 / x);
    if (r === Infinity || r < 2.2250738585072014e-308)
      throw new EngineError("ValueError",
        `**: 1/${pyRepr(x)} is not a normal float, so the engine would divide by ` +
        `${pyRepr(x)} on another path (scaling it first): make the page again at these inputs`);
  }
  if (x < 0 && !Number.isInteger(n))
    throw new EngineError("ValueError",
      `**: negative base ${pyRepr(x)} cannot be raised to the non-integer power ${pyRepr(n)}`);
  const result = Math.pow(x, n);
  if (!Number.isFinite(result))
    throw new EngineError("OverflowError", `**: ${pyRepr(x)} ** ${pyRepr(n)} overflows a float`);
  return result;
}
function power_checked(x, y) {
  if (x <= 0)
    throw new EngineError("ValueError",
      `**: a Value exponent needs a positive base (use a number exponent), got ${pyRepr(x)}`);
  const result = Math.pow(x, y);
  if (!Number.isFinite(result))
    throw new EngineError("OverflowError", `**: ${pyRepr(x)} ** ${pyRepr(y)} overflows a float`);
  return result;
}
function exp_checked(x) {
  const result = Math.exp(x);
  if (result === Infinity)
    throw new EngineError("OverflowError",
      `exp: the result overflows a float for input ${pyRepr(x)}`);
  return result;
}
function log_checked(x) {
  if (x <= 0) throw new EngineError("ValueError", `log: input must be > 0, got ${pyRepr(x)}`);
  return Math.log(x);
}
function sqrt_checked(x) {
  if (x < 0) throw new EngineError("ValueError", `sqrt: input must be >= 0, got ${pyRepr(x)}`);
  return Math.sqrt(x);
}
function sigmoid(x) {
  if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1.0 + e);
}
"""


def js_runtime() -> str:
    """The JavaScript helpers that ``kernel.js`` forwards and ``js`` Symbols call.

    They check what each primitive's ``forward`` checks and raise (as ``EngineError``) with
    the engine's message; ``pdiv`` and ``ppow`` raise where Python's float ``/`` and ``**``
    raise, so that a local derivative fails where the engine's does
    (``derivativeError`` then words it as :func:`~autodiff.primitives.derivative_error`).
    ``pyRepr`` writes a float as Python's ``repr`` does.

    Example:
        >>> "function power_checked(x, y)" in js_runtime()
        True
    """
    return _JS_RUNTIME
