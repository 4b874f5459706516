"""The primitive operations: each one's forward value and local derivative, side by side.

Every primitive is declared once, here. A local-derivative rule is a pure function of the
operands and the output that returns one partial derivative per operand. The same rule runs
on floats (ordinary backward passes) and on :class:`~autodiff.Value` objects (when
``create_graph=True`` asks for derivatives that can be differentiated again), so rules use
only arithmetic and the dispatching helpers below.

Composite operations (subtraction, division, negation) are not primitives: ``Value`` builds
them from these, as in micrograd.

Example:
    >>> from autodiff.primitives import PRIMITIVES
    >>> tanh = PRIMITIVES["tanh"]
    >>> tanh.forward(0.0), tanh.local_grads(0.0, 0.0)
    (0.0, (1.0,))
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, reduce
from typing import Any

__all__ = [
    "BUILTIN",
    "PRIMITIVES",
    "VARIADIC",
    "Kernel",
    "Primitive",
    "RuleError",
    "derivative_error",
    "overflow_error",
    "power",
]

VARIADIC = -1
"""The arity of a primitive that takes any number of operands (``sum``, ``dot``)."""


@dataclass(frozen=True, slots=True)
class Kernel:
    """A primitive's forward as code for the compiled tape (:mod:`autodiff.tape`), in two
    dialects: ``scalar`` (Python floats and the ``math`` module: exactly what ``forward``
    computes) and ``array`` (numpy arrays, one element per example), and optionally a
    third, ``js``: JavaScript for the interactive page of :mod:`autodiff.page`, with the
    same checks and messages as ``forward`` (the page's helpers are
    :func:`autodiff.tape.kernels.js_runtime`; without it the page cannot recompute a graph
    that uses the primitive, and says so). Operands are written
    ``{0}``, ``{1}``…, and ``{n}`` is the constant exponent of ``x ** n``; ``"{+}"`` and
    ``"{dot}"`` ask for a sum and a dot product written out left to right.

    ``saturates`` marks a primitive that can turn an infinite operand into a finite result
    (the scalar dialect then checks its operands); ``folded``, where given, is a faster array
    form for the opt-in ``fold_layers`` replay (equal to rounding, not to the bit).

    A primitive defined outside the engine (:func:`autodiff.primitive`) brings its own code:
    ``functions`` are the names its templates call, with what they stand for (added to both
    dialects' names), and ``partials`` one template per dialect for a call that returns
    every partial at once (``{out}`` is the result). The tape then calls that rule instead
    of writing the partials out as expressions.
    """

    scalar: str
    array: str
    saturates: bool = False
    folded: str = ""
    functions: tuple[tuple[str, Callable[..., Any]], ...] = ()
    partials: tuple[str, str] = ("", "")
    js: str = ""


@dataclass(frozen=True, slots=True)
class Primitive:
    """One differentiable operation.

    Attributes:
        name: what ``Value.op`` shows (``"+"``, ``"tanh"``, ...).
        arity: how many operands it takes (:data:`VARIADIC` for any number).
        forward: floats in, float out; raises ``ValueError``/``OverflowError`` naming the op
            when the operands are outside its domain. A result that overflowed to ±inf is
            caught by the engine, which checks every primitive's result in one place.
        local_grads: ``(*operands, out) -> tuple`` of partials ∂out/∂operand, one per operand.
        exponent: the constant exponent of ``x ** n`` (``None`` for every other primitive).
        local_formulas: ``local_grads`` as text for people, one template per operand, with
            ``{x}``, ``{y}`` naming the operands and ``{out}`` the result (chain-rule ledgers
            fill them in with the nodes' names). A variadic primitive has one template for
            every operand: ``{x}`` is that operand and ``{paired}`` the one at the same
            index in the other half of the operands (dot's w₁…wₙ, x₁…xₙ).
        kernel: ``forward`` as code for the compiled tape. Its derivative needs none: the
            tape evaluates ``local_grads`` itself on symbols, which writes the code.
        formula: the forward as text for people, with ``{x}``, ``{y}`` naming the operands
            (drawings show it); ``""`` when the name says it all (every built-in).

    Example:
        >>> mul = PRIMITIVES["*"]
        >>> mul.arity, mul.forward(2.0, 5.0), mul.local_grads(2.0, 5.0, 10.0)
        (2, 10.0, (5.0, 2.0))
        >>> mul.local_formulas  # ∂(x·y)/∂x = y, ∂(x·y)/∂y = x
        ('{y}', '{x}')
    """

    name: str
    arity: int
    forward: Callable[..., float]
    local_grads: Callable[..., tuple[Any, ...]]
    kernel: Kernel
    exponent: float | None = None
    local_formulas: tuple[str, ...] = ()
    formula: str = ""


class RuleError(ValueError):
    """A local rule gave a partial that is not finite; the message names the op and operands.

    The backward walk raises it as it is, where it wraps other errors of a rule
    (:func:`derivative_error`)."""


# Rules receive floats or Values. These helpers pick math's function for a float and the
# Value method otherwise, so that one rule serves both first and higher-order derivatives.
def _cos(x: Any) -> Any:
    return math.cos(x) if type(x) is float else x.cos()


def _sin(x: Any) -> Any:
    return math.sin(x) if type(x) is float else x.sin()


def _log(x: Any) -> Any:
    return math.log(x) if type(x) is float else x.log()


def _step(x: Any) -> Any:
    """1.0 where x > 0, else 0.0: a constant on each side of a kink, so no graph flows through
    it even when x is a Value. The compiled tape's symbolic operands provide ``step()``."""
    if type(x) is float:
        return 1.0 if x > 0.0 else 0.0
    symbolic = getattr(x, "step", None)
    if symbolic is not None:
        return symbolic()
    return 1.0 if x.data > 0.0 else 0.0


def _sign(x: Any) -> Any:
    """1.0, -1.0 or 0.0 by the sign of x (a constant, as :func:`_step`)."""
    if type(x) is float:
        return 1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0
    symbolic = getattr(x, "sign", None)
    if symbolic is not None:
        return symbolic()
    return _sign(x.data)


def _domain_error(op: str, condition: str, x: float) -> ValueError:
    return ValueError(f"{op}: {condition}, got {x!r}")


def _shown(operands: tuple[float, ...]) -> str:
    return ", ".join(repr(x) for x in operands[:6]) + (", ..." if len(operands) > 6 else "")


def overflow_error(op: str, operands: tuple[float, ...]) -> OverflowError:
    """The error for a primitive whose result overflowed a float (checked by the engine)."""
    return OverflowError(f"{op}: the result overflows a float for input ({_shown(operands)})")


def derivative_error(
    op: str, operands: tuple[float, ...], error: ArithmeticError | ValueError
) -> Exception:
    """The error for a local rule of ``op`` that failed with ``error``, naming the op.

    A partial that overflows a float (the derivative of x ** -1 at 1e-160 is -1e320) is an
    OverflowError; one that is infinite or undefined (sqrt at 0) a ValueError. With
    ``create_graph`` the rules run on Values, which report a domain error as a ValueError
    of their own: its message is kept.

    Example:
        >>> derivative_error("sqrt", (0.0,), ZeroDivisionError("float division by zero"))
        ValueError('sqrt: the derivative is not finite at input (0.0): it is infinite there')
    """
    at = f"at input ({_shown(operands)})"
    if isinstance(error, OverflowError):
        return OverflowError(f"{op}: the derivative {at} overflows a float")
    if isinstance(error, ZeroDivisionError):
        return ValueError(f"{op}: the derivative is not finite {at}: it is infinite there")
    return ValueError(f"{op}: the derivative is not finite {at}: {error}")


# --- addition and multiplication -------------------------------------------------------
# Their forward functions are the operators themselves. Float + and * overflow to inf without
# raising; the engine checks every primitive's result for that in one place
# (:func:`overflow_error` builds the error).
def _add_grads(x: Any, y: Any, out: Any) -> tuple[Any, Any]:
    return (1.0, 1.0)


def _mul_grads(x: Any, y: Any, out: Any) -> tuple[Any, Any]:
    return (y, x)


# --- powers ----------------------------------------------------------------------------
def _check_power(x: float, n: float) -> None:
    if x == 0.0 and n < 0:
        raise ValueError(f"**: 0.0 cannot be raised to the negative power {n!r}")
    if x < 0.0 and not float(n).is_integer():
        raise ValueError(f"**: negative base {x!r} cannot be raised to the non-integer power {n!r}")


@lru_cache(maxsize=256)
def power(n: float) -> Primitive:
    """The primitive ``x ** n`` for a constant exponent ``n`` (one shared object per ``n``).

    A constant exponent is part of the operation, not an operand: ``x ** 2`` has one child,
    and no derivative with respect to the 2 is ever formed (it would need ``log(x)``, which
    does not exist for negative ``x``).
    """

    def forward(x: float) -> float:
        _check_power(x, n)
        try:
            return x**n
        except OverflowError:
            raise OverflowError(f"**: {x!r} ** {n!r} overflows a float") from None

    def local_grads(x: Any, out: Any) -> tuple[Any]:
        if n == 0:
            return (0.0,)
        return (n * x ** (n - 1),)

    return Primitive(
        name="**",
        arity=1,
        forward=forward,
        local_grads=local_grads,
        # A negative base is refused by forward but not by the ** operator: only an integer
        # exponent may be written inline.
        kernel=_INTEGER_POWER if float(n).is_integer() else _POWER_N,
        exponent=n,
        local_formulas=(_power_formula(n),),
    )


_INTEGER_POWER = Kernel("{0} ** {n}", "{0} ** {n}", saturates=True, js="power_n({0}, {n})")
_POWER_N = Kernel(
    "power_n({0}, {n})", "array_power_n({0}, {n})", saturates=True, js="power_n({0}, {n})"
)


def _power_formula(n: float) -> str:
    """n·x^(n−1) as text, simplified where the exponent makes it trivial."""
    if n in (0, 1):
        return f"{n:g}"
    if n == 2:
        return "2·{x}"
    return f"{n:g}·{{x}}^{n - 1:g}"


def _pow(x: float, y: float) -> float:
    # A Value exponent makes out depend on y through log(x): only a positive base has one.
    if x <= 0.0:
        raise _domain_error(
            "**", "a Value exponent needs a positive base (use a number exponent)", x
        )
    try:
        return x**y
    except OverflowError:
        raise OverflowError(f"**: {x!r} ** {y!r} overflows a float") from None


def _pow_grads(x: Any, y: Any, out: Any) -> tuple[Any, Any]:
    return (y * x ** (y - 1.0), out * _log(x))


# --- elementary functions --------------------------------------------------------------
def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(f"exp: the result overflows a float for input {x!r}") from None


def _exp_grads(x: Any, out: Any) -> tuple[Any]:
    return (out,)


def _log_forward(x: float) -> float:
    if x <= 0.0:
        raise _domain_error("log", "input must be > 0", x)
    return math.log(x)


def _log_grads(x: Any, out: Any) -> tuple[Any]:
    return (1.0 / x,)


def _sqrt(x: float) -> float:
    if x < 0.0:
        raise _domain_error("sqrt", "input must be >= 0", x)
    return math.sqrt(x)


def _sqrt_grads(x: Any, out: Any) -> tuple[Any]:
    return (0.5 / out,)


def _sin_grads(x: Any, out: Any) -> tuple[Any]:
    return (_cos(x),)


def _cos_grads(x: Any, out: Any) -> tuple[Any]:
    return (-_sin(x),)


# --- activations -----------------------------------------------------------------------
def _tanh_grads(x: Any, out: Any) -> tuple[Any]:
    return (1.0 - out * out,)


def _sigmoid(x: float) -> float:
    # A primitive of its own, not 1 / (1 + exp(-x)): that composition overflows in exp for
    # x below about -709, while this form is finite and exact for every finite input.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _sigmoid_grads(x: Any, out: Any) -> tuple[Any]:
    return (out * (1.0 - out),)


def _relu(x: float) -> float:
    return x if x > 0.0 else 0.0


def _relu_grads(x: Any, out: Any) -> tuple[Any]:
    # Convention at the kink: relu'(0) = 0, as in PyTorch.
    return (_step(x),)


def _abs_grads(x: Any, out: Any) -> tuple[Any]:
    # Convention at the kink: abs'(0) = 0, as in PyTorch (the subgradient of least norm).
    return (_sign(x),)


# --- fused reductions ------------------------------------------------------------------
# One node for a whole sum or dot product (a neuron's Σ wᵢxᵢ) instead of a chain of binary
# nodes: far fewer objects to build and walk, with every operand's partial still exposed.
# Both add left to right from 0.0, as a loop `total += term` would (builtin sum() adds with
# compensation since Python 3.12, which would change the floats); reduce over operator's
# functions runs that loop in C.
def _sum(*xs: float) -> float:
    return reduce(operator.add, xs, 0.0)


def _sum_grads(*operands_and_out: Any) -> tuple[Any, ...]:
    return (1.0,) * (len(operands_and_out) - 1)


def _dot(*weights_then_inputs: float) -> float:
    """Σ wᵢxᵢ over operands (w₁, …, wₙ, x₁, …, xₙ)."""
    n = len(weights_then_inputs) // 2
    products = map(operator.mul, weights_then_inputs[:n], weights_then_inputs[n:])
    return reduce(operator.add, products, 0.0)


def _dot_grads(*operands_and_out: Any) -> tuple[Any, ...]:
    # ∂/∂wᵢ = xᵢ and ∂/∂xᵢ = wᵢ: the inputs, then the weights.
    n = (len(operands_and_out) - 1) // 2
    return operands_and_out[n : 2 * n] + operands_and_out[:n]


PRIMITIVES: dict[str, Primitive] = {
    p.name: p
    for p in (
        Primitive(
            name="+",
            arity=2,
            forward=operator.add,
            local_grads=_add_grads,
            kernel=Kernel("{0} + {1}", "{0} + {1}", js="{0} + {1}"),
            local_formulas=("1", "1"),
        ),
        Primitive(
            name="*",
            arity=2,
            forward=operator.mul,
            local_grads=_mul_grads,
            kernel=Kernel("{0} * {1}", "{0} * {1}", js="{0} * {1}"),
            local_formulas=("{y}", "{x}"),
        ),
        Primitive(
            name="**",
            arity=2,
            forward=_pow,
            local_grads=_pow_grads,
            kernel=Kernel(
                "power_checked({0}, {1})",
                "array_power({0}, {1})",
                saturates=True,
                js="power_checked({0}, {1})",
            ),
            local_formulas=("{y}·{x}^({y} - 1)", "{out}·log({x})"),
        ),
        Primitive(
            name="exp",
            arity=1,
            forward=_exp,
            local_grads=_exp_grads,
            kernel=Kernel("exp({0})", "np.exp({0})", saturates=True, js="exp_checked({0})"),
            local_formulas=("exp({x})",),
        ),
        Primitive(
            name="log",
            arity=1,
            forward=_log_forward,
            local_grads=_log_grads,
            kernel=Kernel("log({0})", "np.log({0})", js="log_checked({0})"),
            local_formulas=("1/{x}",),
        ),
        Primitive(
            name="sqrt",
            arity=1,
            forward=_sqrt,
            local_grads=_sqrt_grads,
            kernel=Kernel("sqrt({0})", "np.sqrt({0})", js="sqrt_checked({0})"),
            local_formulas=("1/(2·{out})",),
        ),
        Primitive(
            name="sin",
            arity=1,
            forward=math.sin,
            local_grads=_sin_grads,
            kernel=Kernel("sin({0})", "np.sin({0})", js="Math.sin({0})"),
            local_formulas=("cos({x})",),
        ),
        Primitive(
            name="cos",
            arity=1,
            forward=math.cos,
            local_grads=_cos_grads,
            kernel=Kernel("cos({0})", "np.cos({0})", js="Math.cos({0})"),
            local_formulas=("-sin({x})",),
        ),
        Primitive(
            name="tanh",
            arity=1,
            forward=math.tanh,
            local_grads=_tanh_grads,
            kernel=Kernel("tanh({0})", "np.tanh({0})", saturates=True, js="Math.tanh({0})"),
            local_formulas=("1 - {out}²",),
        ),
        Primitive(
            name="sigmoid",
            arity=1,
            forward=_sigmoid,
            local_grads=_sigmoid_grads,
            # The two-sided form of _sigmoid, inline (a call per node would cost more).
            kernel=Kernel(
                "(1.0 / (1.0 + exp(-{0})) if {0} >= 0.0 else (e := exp({0})) / (1.0 + e))",
                "array_sigmoid({0})",
                saturates=True,
                folded="1.0 / (1.0 + np.exp(-{0}))",
                js="sigmoid({0})",
            ),
            local_formulas=("{out}·(1 - {out})",),
        ),
        Primitive(
            name="relu",
            arity=1,
            forward=_relu,
            local_grads=_relu_grads,
            kernel=Kernel(
                "({0} if {0} > 0.0 else 0.0)",
                "np.where({0} > 0.0, {0}, 0.0)",  # np.maximum(-0.0, 0.0) is -0.0; ours 0.0
                saturates=True,
                folded="np.maximum({0}, 0.0)",
                js="({0} > 0.0 ? {0} : 0.0)",
            ),
            local_formulas=("[{x} > 0]",),
        ),
        Primitive(
            name="abs",
            arity=1,
            forward=abs,
            local_grads=_abs_grads,
            kernel=Kernel("abs({0})", "np.abs({0})", js="Math.abs({0})"),
            local_formulas=("sign({x})",),
        ),
        Primitive(
            name="sum",
            arity=VARIADIC,
            forward=_sum,
            local_grads=_sum_grads,
            kernel=Kernel("{+}", "{+}", js="{+}"),
            local_formulas=("1",),
        ),
        Primitive(
            name="dot",
            arity=VARIADIC,
            forward=_dot,
            local_grads=_dot_grads,
            kernel=Kernel("{dot}", "{dot}", js="{dot}"),
            local_formulas=("{paired}",),
        ),
    )
}
"""Every primitive by name; ``PRIMITIVES["**"]`` is the power with a Value exponent."""

BUILTIN: frozenset[str] = frozenset(PRIMITIVES)
"""The names of the engine's own primitives. :func:`autodiff.primitive` adds rows for
primitives defined outside the engine to :data:`PRIMITIVES`, never under one of these names."""
