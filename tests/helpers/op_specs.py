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
        name=f"x ** {n:g}",
        arity=1,
        apply=apply,
        inputs=_points(inputs),
        value=lambda x: x**n,
        derivative=lambda x: (derivative(x),),
        torch=torch_power,
        edges=edges,
    )


_PRIMITIVES = (
    OpSpec(
        name="x + y",
        arity=2,
        apply=lambda x, y: x + y,
        inputs=_points(reals(), reals()),
        value=lambda x, y: x + y,
        derivative=lambda x, y: (1.0, 1.0),
        torch=lambda torch, x, y: torch.add(x, y),
    ),
    OpSpec(
        name="x * y",
        arity=2,
        apply=lambda x, y: x * y,
        inputs=_points(reals(), reals()),
        value=lambda x, y: x * y,
        derivative=lambda x, y: (y, x),
        torch=lambda torch, x, y: torch.mul(x, y),
    ),
    OpSpec(
        name="sum(x, y, z)",
        arity=3,
        apply=lambda x, y, z: sum_of([x, y, z]),
        inputs=_points(reals(), reals(), reals()),
        value=lambda x, y, z: x + y + z,
        derivative=lambda x, y, z: (1.0, 1.0, 1.0),
        torch=lambda torch, x, y, z: torch.stack([x, y, z]).sum(),
    ),
    OpSpec(
        name="dot([w0, w1], [x0, x1])",
        arity=4,
        apply=lambda w0, w1, x0, x1: dot([w0, w1], [x0, x1]),
        inputs=_points(reals(), reals(), reals(), reals()),
        value=lambda w0, w1, x0, x1: w0 * x0 + w1 * x1,
        derivative=lambda w0, w1, x0, x1: (x0, x1, w0, w1),
        torch=lambda torch, w0, w1, x0, x1: torch.dot(torch.stack([w0, w1]), torch.stack([x0, x1])),
    ),
    OpSpec(
        name="x ** y",
        arity=2,
        apply=lambda x, y: x**y,
        inputs=_points(reals(0.1, 5.0), reals(-3.0, 3.0)),
        value=lambda x, y: math.exp(y * math.log(x)),
        derivative=_power_of_value_derivative,
        torch=lambda torch, x, y: torch.pow(x, y),
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
        name="exp",
        arity=1,
        apply=lambda x: x.exp(),
        inputs=_points(reals(-20.0, 20.0)),
        value=math.exp,
        derivative=lambda x: (math.exp(x),),
        torch=lambda torch, x: torch.exp(x),
        edges=(EdgePoint("near overflow", (709.0,)), EdgePoint("underflow", (-1000.0,))),
    ),
    OpSpec(
        name="log",
        arity=1,
        apply=lambda x: x.log(),
        inputs=_points(reals(0.01, 100.0)),
        value=math.log,
        derivative=lambda x: (1.0 / x,),
        torch=lambda torch, x: torch.log(x),
        edges=(EdgePoint("tiny input", (1e-300,)),),
    ),
    OpSpec(
        name="sqrt",
        arity=1,
        apply=lambda x: x.sqrt(),
        inputs=_points(reals(0.01, 100.0)),
        value=math.sqrt,
        derivative=lambda x: (0.5 / math.sqrt(x),),
        torch=lambda torch, x: torch.sqrt(x),
        edges=(_not_finite_at_zero("sqrt"),),
    ),
    OpSpec(
        name="sin",
        arity=1,
        apply=lambda x: x.sin(),
        inputs=_points(reals()),
        value=math.sin,
        derivative=lambda x: (math.cos(x),),
        torch=lambda torch, x: torch.sin(x),
    ),
    OpSpec(
        name="cos",
        arity=1,
        apply=lambda x: x.cos(),
        inputs=_points(reals()),
        value=math.cos,
        derivative=lambda x: (-math.sin(x),),
        torch=lambda torch, x: torch.cos(x),
    ),
    OpSpec(
        name="tanh",
        arity=1,
        apply=lambda x: x.tanh(),
        inputs=_points(reals(-40.0, 40.0)),
        value=math.tanh,
        derivative=lambda x: (_sech(x) ** 2,),
        torch=lambda torch, x: torch.tanh(x),
        edges=_SATURATED,
    ),
    OpSpec(
        name="sigmoid",
        arity=1,
        apply=lambda x: x.sigmoid(),
        inputs=_points(reals(-40.0, 40.0)),
        value=_sigmoid,
        derivative=_sigmoid_derivative,
        torch=lambda torch, x: torch.sigmoid(x),
        edges=_SATURATED,
    ),
    OpSpec(
        name="relu",
        arity=1,
        apply=lambda x: x.relu(),
        inputs=_points(nonzero_reals(0.001, 10.0)),
        value=lambda x: max(x, 0.0),
        derivative=lambda x: (float(x > 0),),
        torch=lambda torch, x: torch.relu(x),
        edges=_KINK,
    ),
    OpSpec(
        name="abs",
        arity=1,
        apply=abs,
        inputs=_points(nonzero_reals(0.001, 10.0)),
        value=abs,
        derivative=lambda x: (_sign(x),),
        torch=lambda torch, x: torch.abs(x),
        edges=_KINK,
    ),
)

_COMPOSITES = (
    OpSpec(
        name="-x",
        arity=1,
        apply=lambda x: -x,
        inputs=_points(reals()),
        value=lambda x: -x,
        derivative=lambda x: (-1.0,),
        torch=lambda torch, x: torch.neg(x),
    ),
    OpSpec(
        name="x - y",
        arity=2,
        apply=lambda x, y: x - y,
        inputs=_points(reals(), reals()),
        value=lambda x, y: x - y,
        derivative=lambda x, y: (1.0, -1.0),
        torch=lambda torch, x, y: torch.sub(x, y),
    ),
    OpSpec(
        name="x - 3",
        arity=1,
        apply=lambda x: x - 3,
        inputs=_points(reals()),
        value=lambda x: x - 3.0,
        derivative=lambda x: (1.0,),
        torch=lambda torch, x: torch.sub(x, 3.0),
    ),
    OpSpec(
        name="3 - x",
        arity=1,
        apply=lambda x: 3 - x,
        inputs=_points(reals()),
        value=lambda x: 3.0 - x,
        derivative=lambda x: (-1.0,),
        torch=lambda torch, x: torch.rsub(x, 3.0),
    ),
    OpSpec(
        name="x / y",
        arity=2,
        apply=lambda x, y: x / y,
        inputs=_points(reals(), nonzero_reals(0.2, 10.0)),
        value=lambda x, y: x / y,
        derivative=lambda x, y: (1.0 / y, -x / (y * y)),
        torch=lambda torch, x, y: torch.div(x, y),
    ),
    OpSpec(
        name="x / 4",
        arity=1,
        apply=lambda x: x / 4,
        inputs=_points(reals()),
        value=lambda x: x / 4.0,
        derivative=lambda x: (0.25,),
        torch=lambda torch, x: torch.div(x, 4.0),
    ),
    OpSpec(
        name="2 / x",
        arity=1,
        apply=lambda x: 2 / x,
        inputs=_points(nonzero_reals(0.2, 10.0)),
        value=lambda x: 2.0 / x,
        derivative=lambda x: (-2.0 / (x * x),),
        torch=lambda torch, x: torch.mul(torch.reciprocal(x), 2.0),
    ),
    OpSpec(
        name="2 ** x",
        arity=1,
        apply=lambda x: 2**x,
        inputs=_points(reals()),
        value=lambda x: math.exp(x * math.log(2.0)),
        derivative=lambda x: (math.exp(x * math.log(2.0)) * math.log(2.0),),
        torch=lambda torch, x: torch.pow(2.0, x),
    ),
    OpSpec(
        name="x + 2.5",
        arity=1,
        apply=lambda x: x + 2.5,
        inputs=_points(reals()),
        value=lambda x: x + 2.5,
        derivative=lambda x: (1.0,),
        torch=lambda torch, x: torch.add(x, 2.5),
    ),
    OpSpec(
        name="2.5 + x",
        arity=1,
        apply=lambda x: 2.5 + x,
        inputs=_points(reals()),
        value=lambda x: 2.5 + x,
        derivative=lambda x: (1.0,),
        torch=lambda torch, x: torch.add(x, 2.5),
    ),
    OpSpec(
        name="3 * x",
        arity=1,
        apply=lambda x: 3 * x,
        inputs=_points(reals()),
        value=lambda x: 3.0 * x,
        derivative=lambda x: (3.0,),
        torch=lambda torch, x: torch.mul(x, 3.0),
    ),
)

SPECS: tuple[OpSpec, ...] = _PRIMITIVES + _COMPOSITES
"""Every row, primitives first."""
