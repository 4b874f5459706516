"""One table of op specs: every primitive and composite, how to apply it, where it is valid,
its value and derivative in closed form (written with ``math``, independently of the engine),
its PyTorch form, tolerances, and named edge points.

Adding an op to the engine means adding one row here; ``test_ops.py`` checks that every
primitive in ``autodiff.PRIMITIVES`` is covered.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from autodiff import Value, dot, sum_of
from autodiff.testing import nonzero_reals, reals

__all__ = ["SPECS", "EdgePoint", "OpSpec"]


@dataclass(frozen=True)
class EdgePoint:
    """A named point where an op needs care: a kink, a saturated tail, a domain edge.

    ``error`` set: the derivative does not exist there and ``backward`` must raise it,
    with ``match`` in the message. Otherwise value and derivative must equal the closed forms.
    """

    name: str
    point: tuple[float, ...]
    error: type[Exception] | None = None
    match: str = ""


@dataclass(frozen=True)
class OpSpec:
    """One row of the table.

    Attributes:
        name: the test id.
        arity: how many Value operands.
        apply: the op on Values (numbers in it are constants).
        inputs: a strategy for points (tuples of ``arity`` floats) where the op is smooth
            and central differences are well conditioned.
        value: the op's value in closed form.
        derivative: the partial derivatives in closed form, one per operand.
        torch: the op on float64 tensors, spelled with torch's functions (``torch`` is passed
            in so that this table imports without it).
        rtol, atol: tolerance against the closed forms and PyTorch.
        edges: named edge points.
    """

    name: str
    arity: int
    apply: Callable[..., Value]
    inputs: st.SearchStrategy[tuple[float, ...]]
    value: Callable[..., float]
    derivative: Callable[..., tuple[float, ...]]
    torch: Callable[..., Any]
    rtol: float = 1e-12
    atol: float = 1e-15
    edges: tuple[EdgePoint, ...] = field(default=())


def _points(*coordinates: st.SearchStrategy[float]) -> st.SearchStrategy[tuple[float, ...]]:
    return st.tuples(*coordinates)


def _sign(x: float) -> float:
    return float((x > 0) - (x < 0))


def _sech(x: float) -> float:
    # 2 / (e^x + e^-x), arranged so that it neither overflows nor loses precision.
    t = math.exp(-abs(x))
    return 2.0 * t / (1.0 + t * t)


def _sigmoid(x: float) -> float:
    # exp(-softplus(-x)), with softplus(z) = log(1 + e^z) computed without overflow.
    z = -x
    softplus = max(z, 0.0) + math.log1p(math.exp(-abs(z)))
    return math.exp(-softplus)


def _sigmoid_derivative(x: float) -> tuple[float]:
    t = math.exp(-abs(x))
    return (t / (1.0 + t) ** 2,)


def _power_of_value_derivative(x: float, y: float) -> tuple[float, float]:
    # x ** y = e^(y log x): ∂/∂x = y·e^((y − 1) log x), ∂/∂y = e^(y log x)·log x.
    log_x = math.log(x)
    return (y * math.exp((y - 1.0) * log_x), math.exp(y * log_x) * log_x)


def _not_finite_at_zero(op: str) -> EdgePoint:
    return EdgePoint("derivative infinite at 0", (0.0,), ValueError, f"{op}: the derivative")


_SATURATED = (EdgePoint("+1000", (1000.0,)), EdgePoint("-1000", (-1000.0,)))
_KINK = (EdgePoint("kink at 0", (0.0,)), EdgePoint("kink at -0.0", (-0.0,)))


def _power(
    n: float,
    inputs: st.SearchStrategy[float],
    derivative: Callable[[float], float],
    edges: tuple[EdgePoint, ...] = (),
) -> OpSpec:
    def apply(x: Value) -> Value:
        return x**n

    def torch_power(torch: Any, x: Any) -> Any:
        return torch.pow(x, n)

    return OpSpec(
        f"x ** {n:g}",
        1,
        apply,
        _points(inputs),
        lambda x: x**n,
        lambda x: (derivative(x),),
        torch_power,
        edges=edges,
    )


_PRIMITIVES = (
    OpSpec(
        "x + y",
        2,
        lambda x, y: x + y,
        _points(reals(), reals()),
        lambda x, y: x + y,
        lambda x, y: (1.0, 1.0),
        lambda torch, x, y: torch.add(x, y),
    ),
    OpSpec(
        "x * y",
        2,
        lambda x, y: x * y,
        _points(reals(), reals()),
        lambda x, y: x * y,
        lambda x, y: (y, x),
        lambda torch, x, y: torch.mul(x, y),
    ),
    OpSpec(
        "sum(x, y, z)",
        3,
        lambda x, y, z: sum_of([x, y, z]),
        _points(reals(), reals(), reals()),
        lambda x, y, z: x + y + z,
        lambda x, y, z: (1.0, 1.0, 1.0),
        lambda torch, x, y, z: torch.stack([x, y, z]).sum(),
    ),
    OpSpec(
        "dot([w0, w1], [x0, x1])",
        4,
        lambda w0, w1, x0, x1: dot([w0, w1], [x0, x1]),
        _points(reals(), reals(), reals(), reals()),
        lambda w0, w1, x0, x1: w0 * x0 + w1 * x1,
        lambda w0, w1, x0, x1: (x0, x1, w0, w1),
        lambda torch, w0, w1, x0, x1: torch.dot(torch.stack([w0, w1]), torch.stack([x0, x1])),
    ),
    OpSpec(
        "x ** y",
        2,
        lambda x, y: x**y,
        _points(reals(0.1, 5.0), reals(-3.0, 3.0)),
        lambda x, y: math.exp(y * math.log(x)),
        _power_of_value_derivative,
        lambda torch, x, y: torch.pow(x, y),
        rtol=1e-11,
    ),
    _power(2.0, reals(), lambda x: 2.0 * x, (EdgePoint("at 0", (0.0,)),)),
    _power(3.0, reals(), lambda x: 3.0 * x * x, (EdgePoint("negative base", (-2.0,)),)),
    _power(0.0, reals(), lambda x: 0.0, (EdgePoint("0 ** 0", (0.0,)),)),
    _power(-1.0, nonzero_reals(0.2, 10.0), lambda x: -1.0 / (x * x)),
    _power(-2.0, nonzero_reals(0.2, 10.0), lambda x: -2.0 / (x * x * x)),
    _power(0.5, reals(0.01, 100.0), lambda x: 0.5 / math.sqrt(x), (_not_finite_at_zero("**"),)),
    _power(1.5, reals(0.01, 100.0), lambda x: 1.5 * math.sqrt(x), (EdgePoint("at 0", (0.0,)),)),
    _power(-0.5, reals(0.01, 100.0), lambda x: -0.5 / (x * math.sqrt(x))),
    OpSpec(
        "exp",
        1,
        lambda x: x.exp(),
        _points(reals(-20.0, 20.0)),
        math.exp,
        lambda x: (math.exp(x),),
        lambda torch, x: torch.exp(x),
        edges=(EdgePoint("near overflow", (709.0,)), EdgePoint("underflow", (-1000.0,))),
    ),
    OpSpec(
        "log",
        1,
        lambda x: x.log(),
        _points(reals(0.01, 100.0)),
        math.log,
        lambda x: (1.0 / x,),
        lambda torch, x: torch.log(x),
        edges=(EdgePoint("tiny input", (1e-300,)),),
    ),
    OpSpec(
        "sqrt",
        1,
        lambda x: x.sqrt(),
        _points(reals(0.01, 100.0)),
        math.sqrt,
        lambda x: (0.5 / math.sqrt(x),),
        lambda torch, x: torch.sqrt(x),
        edges=(_not_finite_at_zero("sqrt"),),
    ),
    OpSpec(
        "sin",
        1,
        lambda x: x.sin(),
        _points(reals()),
        math.sin,
        lambda x: (math.cos(x),),
        lambda torch, x: torch.sin(x),
    ),
    OpSpec(
        "cos",
        1,
        lambda x: x.cos(),
        _points(reals()),
        math.cos,
        lambda x: (-math.sin(x),),
        lambda torch, x: torch.cos(x),
    ),
    OpSpec(
        "tanh",
        1,
        lambda x: x.tanh(),
        _points(reals(-40.0, 40.0)),
        math.tanh,
        lambda x: (_sech(x) ** 2,),
        lambda torch, x: torch.tanh(x),
        edges=_SATURATED,
    ),
    OpSpec(
        "sigmoid",
        1,
        lambda x: x.sigmoid(),
        _points(reals(-40.0, 40.0)),
        _sigmoid,
        _sigmoid_derivative,
        lambda torch, x: torch.sigmoid(x),
        edges=_SATURATED,
    ),
    OpSpec(
        "relu",
        1,
        lambda x: x.relu(),
        _points(nonzero_reals(0.001, 10.0)),
        lambda x: max(x, 0.0),
        lambda x: (float(x > 0),),
        lambda torch, x: torch.relu(x),
        edges=_KINK,
    ),
    OpSpec(
        "abs",
        1,
        abs,
        _points(nonzero_reals(0.001, 10.0)),
        abs,
        lambda x: (_sign(x),),
        lambda torch, x: torch.abs(x),
        edges=_KINK,
    ),
)

_COMPOSITES = (
    OpSpec(
        "-x",
        1,
        lambda x: -x,
        _points(reals()),
        lambda x: -x,
        lambda x: (-1.0,),
        lambda torch, x: torch.neg(x),
    ),
    OpSpec(
        "x - y",
        2,
        lambda x, y: x - y,
        _points(reals(), reals()),
        lambda x, y: x - y,
        lambda x, y: (1.0, -1.0),
        lambda torch, x, y: torch.sub(x, y),
    ),
    OpSpec(
        "x - 3",
        1,
        lambda x: x - 3,
        _points(reals()),
        lambda x: x - 3.0,
        lambda x: (1.0,),
        lambda torch, x: torch.sub(x, 3.0),
    ),
    OpSpec(
        "3 - x",
        1,
        lambda x: 3 - x,
        _points(reals()),
        lambda x: 3.0 - x,
        lambda x: (-1.0,),
        lambda torch, x: torch.rsub(x, 3.0),
    ),
    OpSpec(
        "x / y",
        2,
        lambda x, y: x / y,
        _points(reals(), nonzero_reals(0.2, 10.0)),
        lambda x, y: x / y,
        lambda x, y: (1.0 / y, -x / (y * y)),
        lambda torch, x, y: torch.div(x, y),
    ),
    OpSpec(
        "x / 4",
        1,
        lambda x: x / 4,
        _points(reals()),
        lambda x: x / 4.0,
        lambda x: (0.25,),
        lambda torch, x: torch.div(x, 4.0),
    ),
    OpSpec(
        "2 / x",
        1,
        lambda x: 2 / x,
        _points(nonzero_reals(0.2, 10.0)),
        lambda x: 2.0 / x,
        lambda x: (-2.0 / (x * x),),
        lambda torch, x: torch.mul(torch.reciprocal(x), 2.0),
    ),
    OpSpec(
        "2 ** x",
        1,
        lambda x: 2**x,
        _points(reals()),
        lambda x: math.exp(x * math.log(2.0)),
        lambda x: (math.exp(x * math.log(2.0)) * math.log(2.0),),
        lambda torch, x: torch.pow(2.0, x),
    ),
    OpSpec(
        "x + 2.5",
        1,
        lambda x: x + 2.5,
        _points(reals()),
        lambda x: x + 2.5,
        lambda x: (1.0,),
        lambda torch, x: torch.add(x, 2.5),
    ),
    OpSpec(
        "2.5 + x",
        1,
        lambda x: 2.5 + x,
        _points(reals()),
        lambda x: 2.5 + x,
        lambda x: (1.0,),
        lambda torch, x: torch.add(x, 2.5),
    ),
    OpSpec(
        "3 * x",
        1,
        lambda x: 3 * x,
        _points(reals()),
        lambda x: 3.0 * x,
        lambda x: (3.0,),
        lambda torch, x: torch.mul(x, 3.0),
    ),
)

SPECS: tuple[OpSpec, ...] = _PRIMITIVES + _COMPOSITES
"""Every row, primitives first."""
