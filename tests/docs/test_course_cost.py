"""Course §3: the costs of the quiz and the facts of its contour map.

The NOT neuron's cost is C(w, b) = ½[(tanh b − 1)² + tanh²(w + b)]; references are that
closed form and central differences on plain floats.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from autodiff import Value, grad, numeric_grad
from autodiff.testing import points, reals


def not_cost(w: Value, b: Value) -> Value:
    return sum(((w * x + b).tanh() - y) ** 2 for x, y in [(0, 1), (1, 0)]) / 2


def closed_form_cost(w: float, b: float) -> float:
    return ((math.tanh(b) - 1) ** 2 + math.tanh(w + b) ** 2) / 2


def test_the_quiz_costs_at_the_start() -> None:
    w, b = Value(1.3), Value(-0.1)
    c0 = nn.sum_squared_error((w * 0 + b).tanh(), 1)
    c1 = nn.sum_squared_error((w * 1 + b).tanh(), 0)
    assert c0.data == pytest.approx((math.tanh(-0.1) - 1) ** 2, abs=1e-15)
    assert c1.data == pytest.approx(math.tanh(1.2) ** 2, abs=1e-15)
    assert not_cost(w, b).data == pytest.approx((c0.data + c1.data) / 2, abs=1e-15)


@given(st.lists(st.floats(-2, 2), min_size=1, max_size=5), st.data())
def test_the_vector_cost_is_the_squared_length(a: list[float], data: st.DataObject) -> None:
    y = data.draw(st.lists(st.floats(-2, 2), min_size=len(a), max_size=len(a)))
    cost = nn.sum_squared_error([Value(v) for v in a], y)
    assert cost.data == pytest.approx(float(np.sum((np.array(a) - np.array(y)) ** 2)), abs=1e-12)


def test_the_cost_over_the_heart_data_is_the_mean_of_the_example_costs() -> None:
    inputs, targets = nn.heart()
    model = nn.MLP(1, [6, 7, 2], rng=3)
    cost = sum(nn.sum_squared_error(model(x), y) for x, y in zip(inputs, targets)) / len(inputs)
    outputs = np.array([[a.data for a in model(x)] for x in inputs])
    expected = np.mean(np.sum((outputs - np.array(targets)) ** 2, axis=1))
    assert cost.data == pytest.approx(expected, abs=1e-12)


w_and_b = points(2, reals(-4, 4))


@given(w_and_b)
def test_the_engine_cost_and_gradient_match_closed_form_and_differences(
    point: tuple[float, float],
) -> None:
    w, b = Value(point[0]), Value(point[1])
    cost = not_cost(w, b)
    assert cost.data == pytest.approx(closed_form_cost(*point), abs=1e-12)
    numeric = numeric_grad(lambda w, b: not_cost(w, b), list(point))
    assert grad(cost, [w, b]) == pytest.approx(numeric, abs=1e-6)


@given(st.floats(-6, 6))
def test_on_the_line_b_equals_minus_w_the_w_derivative_vanishes(b_value: float) -> None:
    w, b = Value(-b_value), Value(b_value)
    dw, db = grad(not_cost(w, b), [w, b])
    assert dw == 0.0
    # and the cost keeps falling along the valley as b grows: no finite minimum
    assert db < 0


@given(st.floats(-3, 3), st.floats(-3, 3))
def test_for_each_b_the_best_w_is_minus_b(w_value: float, b_value: float) -> None:
    assert closed_form_cost(w_value, b_value) >= closed_form_cost(-b_value, b_value)


@given(w_and_b)
def test_moving_along_a_contour_changes_the_cost_only_to_second_order(
    point: tuple[float, float],
) -> None:
    # The gradient is perpendicular to the contour through its point: a small step at right
    # angles to it changes C by O(step²), while a step against it lowers C by about
    # step·|∇C|.
    w, b = Value(point[0]), Value(point[1])
    g_w, g_b = grad(not_cost(w, b), [w, b])
    length = math.hypot(g_w, g_b)
    if length < 1e-3:
        return  # no contour direction to speak of at a (near-)flat point
    step = 1e-4
    along = closed_form_cost(point[0] - step * g_b / length, point[1] + step * g_w / length)
    down = closed_form_cost(point[0] - step * g_w / length, point[1] - step * g_b / length)
    start = closed_form_cost(*point)
    # C's Hessian has eigenvalues of size below 3 everywhere (a grid over [−8, 8]² gives
    # 2.79), so the second-order term ½·dᵀHd·step² stays below 1.5·step² for a unit d.
    assert abs(along - start) <= 2 * step**2
    assert start - down == pytest.approx(step * length, abs=2 * step**2)
