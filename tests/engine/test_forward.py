"""Forward mode: ``jvp``, ``jvp_fn``, ``jacobian(mode="forward")`` and ``hvp`` agree with
reverse mode and with central differences on random graphs (``autodiff.testing``)."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from autodiff import Value, grad, hessian, hvp, jacobian, jvp, jvp_fn
from autodiff.testing import Expression, central_differences, expressions, points, reals
from tests.helpers.user_primitives import SMOOTH, t_smoothmax, t_softplus

EPS = 1e-6
SAME = 1e-10
"""Forward and reverse mode sum the same products of the same partials in other orders:
equal up to rounding, relative to the larger of 1 and the value (as the other property
tests measure closeness)."""


def _near(actual: float, expected: float, rtol: float) -> bool:
    return abs(actual - expected) <= rtol * max(1.0, abs(expected))


def _directions(n: int) -> st.SearchStrategy[tuple[float, ...]]:
    return points(n, reals(-2.0, 2.0))


WITH_USER_PRIMITIVES = ["add", "mul", "sub", "div", "tanh", "exp", "sum_of", "dot", *SMOOTH]


@given(
    st.one_of(expressions(), expressions(operations=WITH_USER_PRIMITIVES)),
    st.data(),
)
def test_forward_equals_reverse_equals_central_differences(
    recipe: Expression, data: st.DataObject
) -> None:
    assume(recipe.is_smooth_near(recipe.inputs, EPS))
    leaves = recipe.leaves()
    pool = recipe.nodes(*leaves)
    out = pool[-1]
    reverse = grad(out, leaves)
    forward = jacobian([out], leaves, mode="forward")[0]
    assert all(_near(f, r, SAME) for f, r in zip(forward, reverse)), (forward, reverse)
    numeric = central_differences(recipe, recipe.inputs, EPS)
    assert all(_near(f, n, 1e-6) for f, n in zip(forward, numeric)), (forward, numeric)
    v = data.draw(_directions(len(leaves)))
    (directional,) = jvp([out], leaves, v)
    expected = math.fsum(vi * r for vi, r in zip(v, reverse))
    scale = math.fsum(abs(vi * r) for vi, r in zip(v, reverse))
    assert abs(directional - expected) <= SAME * max(1.0, scale)


@given(expressions(max_steps=8))
def test_forward_and_reverse_jacobians_of_every_node(recipe: Expression) -> None:
    """Many outputs at once (every node of the pool), interior inputs included."""
    leaves = recipe.leaves()
    pool = recipe.nodes(*leaves)
    inputs = pool[: len(pool) // 2 + 1]
    forward = jacobian(pool, inputs, mode="forward")
    reverse = jacobian(pool, inputs)
    for row_f, row_r in zip(forward, reverse):
        assert all(_near(f, r, SAME) for f, r in zip(row_f, row_r)), (row_f, row_r)


@given(
    st.one_of(expressions(max_steps=8), expressions(max_steps=8, operations=WITH_USER_PRIMITIVES)),
    st.data(),
)
def test_hvp_is_the_hessian_times_v(recipe: Expression, data: st.DataObject) -> None:
    leaves = recipe.leaves()
    out = recipe(*leaves)
    v = data.draw(_directions(len(leaves)))
    product = hvp(out, leaves, v)
    rows = hessian(out, leaves)
    for got, row in zip(product, rows):
        terms = [h * vi for h, vi in zip(row, v)]
        expected, scale = math.fsum(terms), math.fsum(abs(t) for t in terms)
        assert abs(got - expected) <= SAME * max(1.0, scale), (got, expected)


@given(st.floats(-3.0, 3.0), st.floats(-3.0, 3.0))
def test_user_primitives_in_forward_mode(x: float, y: float) -> None:
    def f(a: Value, b: Value) -> Value:
        return t_softplus(a * b) * t_smoothmax(a, b.tanh())

    value, derivative = jvp_fn(f, [x, y], [1.0, -0.5])
    leaves = [Value(x), Value(y)]
    out = f(*leaves)
    dx, dy = grad(out, leaves)
    assert value == out.data
    assert abs(derivative - (dx - 0.5 * dy)) <= SAME * max(1.0, abs(dx) + abs(0.5 * dy))
    product = hvp(out, leaves, [1.0, 0.0])
    assert all(_near(p, h[0], SAME) for p, h in zip(product, hessian(out, leaves)))


def test_an_input_below_another_gets_every_path_as_in_reverse_mode() -> None:
    x = Value(1.5)
    h = x * x
    out = h.sin() + x
    assert jvp([out], [x, h], [1.0, 0.0]) == [grad(out, [x])[0]]
    assert jvp([out], [x, h], [0.0, 1.0]) == [grad(out, [h])[0]]


def test_inputs_an_output_does_not_reach_and_outputs_that_are_inputs() -> None:
    x, y = Value(2.0), Value(3.0)
    assert jvp([x * 2.0, y], [x], [1.0]) == [2.0, 0.0]
    assert jvp([x], [x, y], [0.5, 1.0]) == [0.5]
    assert jacobian([x, x * y], [x, y], mode="forward") == jacobian([x, x * y], [x, y])


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda x: jvp([x], [x], [1.0, 2.0]), ValueError, "2 tangents for 1 inputs"),
        (lambda x: jvp([x], [x], []), ValueError, "0 tangents for 1 inputs"),
        (lambda x: jvp([x], [x], [math.nan]), ValueError, r"tangents\[0\] must be finite"),
        (lambda x: jvp([x], [x], [math.inf]), ValueError, r"tangents\[0\] must be finite"),
        (lambda x: jvp([x], [x], ["1"]), TypeError, r"tangents\[0\] must be a real number"),
        (lambda x: jvp([x], [x], 1.0), TypeError, "tangents must be a sequence"),
        (lambda x: jvp(x, [x], [1.0]), TypeError, "outputs must be a sequence of Values"),
        (lambda x: jvp([x], [2.0], [1.0]), TypeError, r"inputs\[0\] must be a Value"),
        (lambda x: hvp(x, [x], [1.0, 1.0]), ValueError, "hvp: 2 tangents for 1 inputs"),
        (lambda x: hvp([x], [x], [1.0]), TypeError, "hvp: output must be a Value"),
        (lambda x: jacobian([x], [x], mode="sideways"), ValueError, "mode must be"),
        (lambda x: jvp_fn(lambda a: 1.0, [1.0], [1.0]), TypeError, "must return a Value"),
    ],
)
def test_clear_errors(call: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call(Value(2.0))  # type: ignore[operator]


def test_a_partial_that_is_not_finite_names_the_op() -> None:
    x = Value(0.0)
    with pytest.raises(ValueError, match="sqrt: the derivative is not finite"):
        jvp([x.sqrt()], [x], [1.0])


def test_a_tangent_that_overflows_is_an_error_not_inf() -> None:
    x = Value(1e200)
    out = x * 1e100  # finite, but its derivative times the tangent is not
    with pytest.raises(OverflowError, match="jvp: the tangent"):
        jvp([out], [x], [1e300])
