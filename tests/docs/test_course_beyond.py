"""Beyond the course: second derivatives, the Hessian and Newton's step on the NOT cost.

C(w, b) = ½[(tanh b − 1)² + tanh²(w + b)]. With u = tanh(w + b) and p = tanh b, its second
derivatives by hand are ∂²C/∂w² = ∂²C/∂w∂b = (1 − u²)(1 − 3u²) =: h and
∂²C/∂b² = h + (1 − p²)(1 + 2p − 3p²).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autodiff import Value, grad, gradcheck, hessian
from autodiff.testing import points, reals


def not_cost(w: Value, b: Value) -> Value:
    return sum(((w * x + b).tanh() - y) ** 2 for x, y in [(0, 1), (1, 0)]) / 2


def hand_hessian(w: float, b: float) -> list[list[float]]:
    u, p = math.tanh(w + b), math.tanh(b)
    h = (1 - u**2) * (1 - 3 * u**2)
    k = (1 - p**2) * (1 + 2 * p - 3 * p**2)
    return [[h, h], [h, h + k]]


def hessian_at(w: float, b: float) -> list[list[float]]:
    w_value, b_value = Value(w), Value(b)
    return hessian(not_cost(w_value, b_value), [w_value, b_value])


w_and_b = points(2, reals(-3, 3))


@given(w_and_b)
def test_the_hessian_is_the_hand_derived_one(point: tuple[float, float]) -> None:
    expected = hand_hessian(*point)
    for row, expected_row in zip(hessian_at(*point), expected):
        assert row == pytest.approx(expected_row, abs=1e-12)


@given(w_and_b)
def test_second_derivatives_pass_gradcheck(point: tuple[float, float]) -> None:
    assert gradcheck(not_cost, list(point), order=2)


def test_the_start_is_saddle_shaped_and_the_valley_a_bowl() -> None:
    def determinant(H: list[list[float]]) -> float:
        return H[0][0] * H[1][1] - H[0][1] * H[1][0]

    assert determinant(hessian_at(1.3, -0.1)) < 0  # eigenvalues of opposite signs
    valley = hessian_at(-1.0, 1.0)
    assert determinant(valley) > 0 and valley[0][0] > 0  # positive definite


def newton_step(w: float, b: float) -> tuple[float, float]:
    w_value, b_value = Value(w), Value(b)
    g_w, g_b = grad(not_cost(w_value, b_value), [w_value, b_value])
    (p, q), (_, r) = hessian_at(w, b)
    det = p * r - q * q
    return w - (r * g_w - q * g_b) / det, b - (p * g_b - q * g_w) / det


def cost_at(w: float, b: float) -> float:
    return not_cost(Value(w), Value(b)).data


@given(st.floats(0.5, 2.0))
def test_newton_steps_stay_on_the_valley_and_beat_gradient_descent(b: float) -> None:
    point = (-b, b)
    w_next, b_next = newton_step(*point)
    assert w_next == pytest.approx(-b_next, abs=1e-9)  # along b = −w
    w_value, b_value = Value(point[0]), Value(point[1])
    g_w, g_b = grad(not_cost(w_value, b_value), [w_value, b_value])
    descent = (point[0] - 0.5 * g_w, point[1] - 0.5 * g_b)
    assert cost_at(w_next, b_next) < cost_at(*descent) < cost_at(*point)


def test_second_derivative_through_create_graph_matches_closed_form() -> None:
    w, b = Value(1.3), Value(-0.1)
    dC_dw, _ = grad(not_cost(w, b), [w, b], create_graph=True)
    u = math.tanh(1.2)
    assert dC_dw.data == pytest.approx(u * (1 - u**2), abs=1e-15)
    d2C_dw2, d2C_dwdb = grad(dC_dw, [w, b])
    assert d2C_dw2 == pytest.approx((1 - u**2) * (1 - 3 * u**2), abs=1e-14)
    assert d2C_dwdb == pytest.approx(d2C_dw2, abs=1e-14)
