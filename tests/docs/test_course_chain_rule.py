"""Course §3's chain-rule exercises: the quiz's partial derivatives, the ledger and drawing of
them, the vector cost, and the derivative through a layer.

References are the course's closed forms evaluated with math and numpy.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from autodiff import Value, draw, explain, grad, jacobian
from autodiff.testing import points
from tests.helpers.drawing import neuron_cost

VECTOR_W = [[-0.94529712, -0.2667356, -0.91219181], [2.05529992, 1.21797092, 0.22914497]]
VECTOR_B = [0.61273249, 1.6422662]


def tanh_neuron_cost(w: float, b: float, x: float, y: float) -> tuple[Value, Value, Value]:
    """C = (tanh(w·x + b) − y)² with labelled nodes and y a constant; returns C, w and b."""
    nodes = neuron_cost("tanh", w, b, x, y)
    return nodes["C"], nodes["w"], nodes["b"]


def closed_form(w: float, b: float, x: float, y: float) -> tuple[float, float]:
    """∂C/∂w = 2(a − y)·x/cosh²z and ∂C/∂b = 2(a − y)/cosh²z (COURSE.md §3)."""
    z = w * x + b
    delta = 2 * (math.tanh(z) - y) / math.cosh(z) ** 2
    return delta * x, delta


def test_the_quiz_point() -> None:
    cost, w, b = tanh_neuron_cost(2.3, -1.2, 0.0, 1.0)
    cost.backward()
    dw, db = closed_form(2.3, -1.2, 0.0, 1.0)
    assert w.grad == 0.0 == dw  # the input is 0
    assert b.grad == pytest.approx(db, rel=1e-14)
    assert b.grad == pytest.approx(-1.1186, abs=5e-5)


@given(st.floats(-3, 3), st.floats(-3, 3), st.floats(-2, 2), st.floats(-1, 1))
def test_tanh_neuron_partials_are_the_chain_rule_product(
    w: float, b: float, x: float, y: float
) -> None:
    cost, w_value, b_value = tanh_neuron_cost(w, b, x, y)
    assert grad(cost, [w_value, b_value]) == pytest.approx(closed_form(w, b, x, y), abs=1e-12)


def test_the_ledger_holds_the_courses_four_factors() -> None:
    cost, w, b = tanh_neuron_cost(2.3, -1.2, 0.0, 1.0)
    a = math.tanh(-1.2)
    ledger = explain(cost, b)
    (path,) = ledger.paths
    # ∂C/∂(a − y), ∂(a − y)/∂a, ∂a/∂z, ∂z/∂b
    assert path.partials == pytest.approx((2 * (a - 1), 1.0, 1 - a**2, 1.0), rel=1e-14)
    assert [node.label for node in path.nodes] == ["C", "", "a", "z", "b"]
    assert ledger.total == grad(cost, [b])[0]
    text = str(ledger)
    assert text.startswith("∂C/∂b = ∂C/∂(a - 1) · ∂(a - 1)/∂a · ∂a/∂z · ∂z/∂b")
    assert "(1 - a²)" in text and "-1.119" in text
    (w_path,) = explain(cost, w).paths
    assert w_path.partials[-1] == 0.0  # ∂(w·x)/∂w = x = 0


def test_the_drawing_highlights_the_path_to_w_and_shows_its_local_partials() -> None:
    cost, w, _ = tanh_neuron_cost(2.3, -1.2, 0.0, 1.0)
    cost.backward()
    plain = draw(cost, show_local=True).source
    highlighted = draw(cost, highlight=w, show_local=True).source
    assert highlighted != plain
    assert "0.305" in highlighted and "-3.667" in highlighted  # σ'(z) and ∂C/∂(a − y)
    svg = draw(cost, highlight=w, show_local=True).pipe(format="svg").decode()
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg


@pytest.mark.parametrize("x, y", [([0.7, 0.6, 0.2], [0.9, 0.6]), ([0.1, 0.5, 0.6], [0.25, 0.75])])
def test_the_vector_cost_exercise(x: list[float], y: list[float]) -> None:
    layer = nn.Layer(3, 2, activation="tanh")
    for weights, numbers in zip(layer.W, VECTOR_W):
        for weight, number in zip(weights, numbers):
            weight.data = number
    for bias, number in zip(layer.b, VECTOR_B):
        bias.data = number
    cost = nn.sum_squared_error(layer(x), y)
    z = np.array(VECTOR_W) @ np.array(x) + np.array(VECTOR_B)
    a = np.tanh(z)
    assert cost.data == pytest.approx(float(np.sum((a - np.array(y)) ** 2)), abs=1e-12)
    cost.backward()
    delta = 2 * (a - np.array(y)) / np.cosh(z) ** 2
    np.testing.assert_allclose(layer.weight_grad(), np.outer(delta, x), atol=1e-12)
    np.testing.assert_allclose(layer.bias_grad(), delta, atol=1e-12)


@given(points(3))
def test_the_derivative_through_a_layer_is_sigma_prime_times_w(x: tuple[float, ...]) -> None:
    layer = nn.Layer(3, 2, activation="tanh", rng=7)
    inputs = [Value(v) for v in x]
    outputs = layer(inputs)
    W = np.array([[weight.data for weight in row] for row in layer.W])
    b = np.array([bias.data for bias in layer.b])
    sigma_prime = 1 / np.cosh(W @ np.array(x) + b) ** 2
    np.testing.assert_allclose(jacobian(outputs, inputs), sigma_prime[:, None] * W, atol=1e-12)
