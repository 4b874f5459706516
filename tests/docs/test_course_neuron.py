"""Course §1–2, the NOT neuron: a learner can reproduce and train it with the library.

The references are closed forms on plain floats (math.tanh and the chain rule of COURSE.md
§3 written out by hand), never the library itself.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from autodiff import Value, grad

NOT_DATA = [(0.0, 1.0), (1.0, 0.0)]


def not_neuron(w: float, b: float) -> nn.Neuron:
    neuron = nn.Neuron(1, activation="tanh")
    neuron.w[0].data, neuron.b.data = w, b
    return neuron


def hand_gradient(w: float, b: float) -> tuple[float, float]:
    """∂C/∂w, ∂C/∂b of C = ½ Σ (tanh(w·x + b) − y)², from ∂C/∂a · ∂a/∂z · ∂z/∂(w, b)."""
    dw = db = 0.0
    for x, y in NOT_DATA:
        a = math.tanh(w * x + b)
        delta = 2 * (a - y) / math.cosh(w * x + b) ** 2 / len(NOT_DATA)
        dw, db = dw + delta * x, db + delta
    return dw, db


def test_start_outputs_are_far_from_not() -> None:
    neuron = not_neuron(1.3, -0.1)
    assert neuron([0.0]).data == pytest.approx(math.tanh(-0.1), abs=1e-15)
    assert neuron([1.0]).data == pytest.approx(math.tanh(1.2), abs=1e-15)
    assert neuron([0.0]).data < 0 and neuron([1.0]).data > 0.8


def test_offered_solution_computes_not() -> None:
    neuron = not_neuron(-5.0, 5.0)
    assert neuron([0.0]).data == pytest.approx(math.tanh(5.0), abs=1e-15)
    assert neuron([0.0]).data > 0.9999
    assert neuron([1.0]).data == 0.0


def test_gradient_descent_from_the_start_follows_the_hand_computed_path() -> None:
    neuron = not_neuron(1.3, -0.1)
    optimizer = nn.SGD(neuron.parameters(), lr=0.5)
    w, b = 1.3, -0.1
    for _ in range(100):
        cost = sum(nn.sum_squared_error(neuron([x]), y) for x, y in NOT_DATA) / 2
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        dw, db = hand_gradient(w, b)
        w, b = w - 0.5 * dw, b - 0.5 * db
        assert neuron.w[0].data == pytest.approx(w, abs=1e-12)
        assert neuron.b.data == pytest.approx(b, abs=1e-12)
    # A working NOT: 0 ↦ near 1, 1 ↦ near 0, with (w, b) near the valley b = −w.
    assert neuron([0.0]).data > 0.9
    assert abs(neuron([1.0]).data) < 0.05
    assert abs(w + b) < 0.05 and w < -1


@given(st.floats(0.2, 5.0), st.floats(-3.0, 3.0))
def test_the_output_crosses_zero_at_minus_b_over_w_with_slope_w(w: float, b: float) -> None:
    # The "play with w and b" exercise: the bias moves the step, the weight sets its slope.
    x = Value(-b / w)
    a = (Value(w) * x + b).tanh()
    assert a.data == pytest.approx(0.0, abs=1e-12)
    (slope,) = grad(a, [x])
    assert slope == pytest.approx(w, rel=1e-12)
