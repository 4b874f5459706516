"""Every op of the table in ``op_specs.py``: derivatives three ways, second derivatives,
edge points and the conventions at kinks."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

from autodiff import Value, grad, hessian, topological_order
from autodiff.primitives import BUILTIN
from autodiff.testing import central_differences
from tests.helpers.op_specs import SPECS, EdgePoint, OpSpec

EDGES = [(spec, edge) for spec in SPECS for edge in spec.edges]


def _close(actual: float, expected: float, rtol: float, atol: float) -> bool:
    return abs(actual - expected) <= atol + rtol * abs(expected)


def _step(point: Sequence[float], relative: float) -> float:
    """A finite-difference step scaled to the point, so large inputs get large steps."""
    return relative * max(1.0, *(abs(x) for x in point))


def _forward(spec: OpSpec) -> Callable[..., float]:
    def f(*xs: float) -> float:
        return spec.apply(*[Value(x) for x in xs]).data

    return f


def _first_derivative(spec: OpSpec, i: int) -> Callable[..., float]:
    def df(*xs: float) -> float:
        leaves = [Value(x) for x in xs]
        return float(grad(spec.apply(*leaves), leaves)[i])

    return df


def test_every_primitive_and_both_powers_have_a_spec() -> None:
    ops, exponents = set(), set()
    for spec in SPECS:
        point = find(spec.inputs, bool, settings=settings(phases=[Phase.generate]))
        out = spec.apply(*[Value(x) for x in point])
        for node in topological_order(out):
            ops.add(node.op)
            if node.op == "**":
                exponents.add(node.exponent is None)
    assert ops >= BUILTIN
    assert exponents == {True, False}  # x ** Value and x ** number


@pytest.mark.parametrize("spec", SPECS, ids=[spec.name for spec in SPECS])
@given(data=st.data())
def test_gradient_matches_closed_form_and_central_differences(
    spec: OpSpec, data: st.DataObject
) -> None:
    point = data.draw(spec.inputs, label="point")
    leaves = [Value(x) for x in point]
    out = spec.apply(*leaves)
    assert _close(out.data, spec.value(*point), spec.rtol, spec.atol)

    functional = grad(out, leaves)
    out.backward()
    assert [leaf.grad for leaf in leaves] == functional

    for analytic, exact in zip(functional, spec.derivative(*point), strict=True):
        assert _close(analytic, exact, spec.rtol, spec.atol)
    numeric = central_differences(_forward(spec), point, _step(point, 1e-6))
    for analytic, estimate in zip(functional, numeric, strict=True):
        assert _close(analytic, estimate, 1e-6, 1e-6)


@pytest.mark.parametrize("spec", SPECS, ids=[spec.name for spec in SPECS])
@given(data=st.data())
def test_second_derivatives_match_differences_of_first(spec: OpSpec, data: st.DataObject) -> None:
    point = data.draw(spec.inputs, label="point")
    leaves = [Value(x) for x in point]
    out = spec.apply(*leaves)
    first = grad(out, leaves, create_graph=True)
    # The same rules on Values: equal up to rounding (1 / x is x ** -1 on Values).
    for d, exact in zip(first, grad(out, leaves), strict=True):
        assert _close(d.data, exact, 1e-14, 0.0)

    second = hessian(out, leaves)
    assert second == [grad(d, leaves) for d in first]
    eps = _step(point, 1e-5)
    for i, row in enumerate(second):
        numeric = central_differences(_first_derivative(spec, i), point, eps)
        for analytic, estimate in zip(row, numeric, strict=True):
            assert _close(analytic, estimate, 1e-5, 1e-6)


@pytest.mark.parametrize(
    ("spec", "edge"), EDGES, ids=[f"{spec.name} {edge.name}" for spec, edge in EDGES]
)
def test_edge_point(spec: OpSpec, edge: EdgePoint) -> None:
    leaves = [Value(x) for x in edge.point]
    out = spec.apply(*leaves)
    if edge.error is not None:
        with pytest.raises(edge.error, match=re.escape(edge.match)):
            out.backward()
        return
    assert math.isfinite(out.data)
    assert _close(out.data, spec.value(*edge.point), spec.rtol, spec.atol)
    out.backward()
    for leaf, exact in zip(leaves, spec.derivative(*edge.point), strict=True):
        assert math.isfinite(leaf.grad)
        assert _close(leaf.grad, exact, spec.rtol, spec.atol)


# --- conventions, spelled out -------------------------------------------------------------
@pytest.mark.parametrize("zero", [0.0, -0.0])
def test_relu_and_abs_have_derivative_zero_at_their_kink(zero: float) -> None:
    x = Value(zero)
    assert grad(x.relu(), [x]) == [0.0]
    assert grad(abs(x), [x]) == [0.0]


def test_relu_and_abs_derivatives_on_either_side_of_the_kink() -> None:
    tiny = 5e-324
    for x, relu_slope, abs_slope in [(tiny, 1.0, 1.0), (-tiny, 0.0, -1.0)]:
        leaf = Value(x)
        assert grad(leaf.relu(), [leaf]) == [relu_slope]
        assert grad(abs(leaf), [leaf]) == [abs_slope]


@pytest.mark.parametrize("x", [1000.0, -1000.0, 800.0, -800.0])
def test_sigmoid_and_tanh_saturate_without_overflow(x: float) -> None:
    leaf = Value(x)
    sigmoid, tanh = leaf.sigmoid(), leaf.tanh()
    # e^-800 underflows to 0: the exact results round to these.
    assert sigmoid.data == (1.0 if x > 0 else 0.0)
    assert tanh.data == math.copysign(1.0, x)
    assert grad(sigmoid, [leaf]) == [0.0]
    assert grad(tanh, [leaf]) == [0.0]
    assert hessian(sigmoid, [leaf]) == [[0.0]]
    assert hessian(tanh, [leaf]) == [[0.0]]


def test_sigmoid_and_tanh_are_accurate_where_they_start_to_saturate() -> None:
    # sigmoid(-30) ≈ e^-30: a naive 1 - 1/(1 + e^-x) would lose every digit here.
    x = Value(-30.0)
    assert _close(x.sigmoid().data, math.exp(-30.0) / (1.0 + math.exp(-30.0)), 1e-14, 0.0)
    assert _close(grad(x.sigmoid(), [x])[0], math.exp(-30.0), 1e-12, 0.0)
