"""The course's exercises (COURSE.md §2–§4), reproduced with nn and checked independently."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from nn import MLP, SGD, Layer, Neuron, fit, heart, mean_squared_error, sum_squared_error

# --- §2: the NOT neuron and the quiz's 3 → 2 layer --------------------------------------


def not_neuron(w: float, b: float) -> Neuron:
    neuron = Neuron(1, "tanh", rng=0)
    neuron.w[0].data, neuron.b.data = w, b
    return neuron


def test_not_neuron_from_the_course_start() -> None:
    neuron = not_neuron(1.3, -0.1)
    assert neuron([0.0]).data == pytest.approx(math.tanh(-0.1), abs=1e-15)
    assert neuron([1.0]).data == pytest.approx(math.tanh(1.2), abs=1e-15)
    # The starting point is far from NOT: a1(0) should be near 1, a1(1) near 0.
    assert neuron([0.0]).data < 0.0
    assert neuron([1.0]).data > 0.8


def test_not_neuron_offered_solution_computes_not() -> None:
    neuron = not_neuron(-5.0, 5.0)
    assert neuron([0.0]).data == pytest.approx(math.tanh(5.0), abs=1e-15)
    assert neuron([0.0]).data > 0.9999  # a1(0) ≈ 1
    assert abs(neuron([1.0]).data) < 1e-15  # a1(1) = tanh(0) = 0


def not_cost(neuron: Neuron) -> float:
    # C = ½ (C_0 + C_1) over the two examples x = 0, y = 1 and x = 1, y = 0.
    return (
        (sum_squared_error(neuron([0.0]), 1.0) + sum_squared_error(neuron([1.0]), 0.0)) / 2
    ).data


def test_not_neuron_costs_match_closed_form_and_fall_at_the_solution() -> None:
    start = not_cost(not_neuron(1.3, -0.1))
    expected = ((math.tanh(-0.1) - 1) ** 2 + math.tanh(1.2) ** 2) / 2
    assert start == pytest.approx(expected, abs=1e-15)
    assert not_cost(not_neuron(-5.0, 5.0)) < 1e-8 < start


QUIZ_W = [[-2.0, 4.0, -1.0], [6.0, 0.0, -3.0]]
QUIZ_B = [0.1, -2.5]


def layer_with(weights: list[list[float]], biases: list[float], activation: str) -> Layer:
    layer = Layer(len(weights[0]), len(weights), activation, rng=0)
    for row, numbers in zip(layer.W, weights):
        for weight, number in zip(row, numbers):
            weight.data = number
    for bias, number in zip(layer.b, biases):
        bias.data = number
    return layer


def test_quiz_layer_matches_numpy() -> None:
    layer = layer_with(QUIZ_W, QUIZ_B, "tanh")
    a0 = [0.3, 0.4, 0.1]
    expected = np.tanh(np.array(QUIZ_W) @ np.array(a0) + np.array(QUIZ_B))
    np.testing.assert_allclose([a.data for a in layer(a0)], expected, rtol=0, atol=1e-15)


def test_quiz_layer_on_a_batch_of_rows_matches_the_transposed_formula() -> None:
    # The notes' (W @ x.T + b.T).T, with examples as the rows of x and b as a 1×2 row.
    layer = layer_with(QUIZ_W, QUIZ_B, "tanh")
    x = np.array([[0.3, 0.4, 0.1], [1.0, -0.5, 0.25], [0.0, 0.0, 0.0]])
    b = np.array([QUIZ_B])
    expected = np.tanh((np.array(QUIZ_W) @ x.T + b.T).T)
    got = [[a.data for a in layer(list(row))] for row in x]
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-15)


# --- §3: the cost and its partial derivatives -------------------------------------------


@pytest.mark.parametrize("x", [0.0, 0.7])
def test_tanh_neuron_partials_match_closed_forms(x: float) -> None:
    w, b, y = 2.3, -1.2, 1.0  # the quiz's point (x = 0), and one where ∂C/∂w is not 0
    neuron = not_neuron(w, b)
    cost = sum_squared_error(neuron([x]), y)
    cost.backward()
    z = w * x + b
    a = math.tanh(z)
    assert cost.data == pytest.approx((a - y) ** 2, abs=1e-15)
    assert neuron.w[0].grad == pytest.approx(2 * (a - y) / math.cosh(z) ** 2 * x, abs=1e-14)
    assert neuron.b.grad == pytest.approx(2 * (a - y) / math.cosh(z) ** 2, abs=1e-14)


VECTOR_W = [[-0.94529712, -0.2667356, -0.91219181], [2.05529992, 1.21797092, 0.22914497]]
VECTOR_B = [0.61273249, 1.6422662]


@pytest.mark.parametrize(
    ("x", "y"), [([0.7, 0.6, 0.2], [0.9, 0.6]), ([0.1, 0.5, 0.6], [0.25, 0.75])]
)
def test_vector_cost_and_its_gradients_match_numpy(x: list[float], y: list[float]) -> None:
    layer = layer_with(VECTOR_W, VECTOR_B, "tanh")
    cost = sum_squared_error(layer(x), y)
    cost.backward()
    W, b, xs, ys = np.array(VECTOR_W), np.array(VECTOR_B), np.array(x), np.array(y)
    z = W @ xs + b
    a = np.tanh(z)
    assert cost.data == pytest.approx(float(np.sum((a - ys) ** 2)), abs=1e-14)
    delta = 2 * (a - ys) / np.cosh(z) ** 2
    np.testing.assert_allclose(layer.weight_grad(), np.outer(delta, xs), rtol=0, atol=1e-14)
    np.testing.assert_allclose(layer.bias_grad(), delta, rtol=0, atol=1e-14)


# --- §4: backpropagation through the 1 → 6 → 7 → 2 sigmoid network ----------------------


def sigmoid_prime(z: np.ndarray) -> np.ndarray:
    return 1 / (4 * np.cosh(z / 2) ** 2)  # the course's form of σ(z)(1 − σ(z))


def course_jacobians(model: MLP, x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """COURSE.md §4 in numpy, examples as columns: the cost and J_W3, J_b3, …, J_b1."""
    W = [np.array([[w.data for w in row] for row in layer.W]) for layer in model.layers]
    b = [np.array([[bias.data] for bias in layer.b]) for layer in model.layers]
    a0 = x
    z1 = W[0] @ a0 + b[0]
    a1 = 1 / (1 + np.exp(-z1))
    z2 = W[1] @ a1 + b[1]
    a2 = 1 / (1 + np.exp(-z2))
    z3 = W[2] @ a2 + b[2]
    a3 = 1 / (1 + np.exp(-z3))
    n = x.shape[1]
    delta3 = 2 * (a3 - y) * sigmoid_prime(z3)
    delta2 = (W[2].T @ delta3) * sigmoid_prime(z2)
    delta1 = (W[1].T @ delta2) * sigmoid_prime(z1)
    return {
        "C": np.sum((a3 - y) ** 2) / n,
        "J_W3": delta3 @ a2.T / n,
        "J_b3": np.sum(delta3, axis=1) / n,
        "J_W2": delta2 @ a1.T / n,
        "J_b2": np.sum(delta2, axis=1) / n,
        "J_W1": delta1 @ a0.T / n,
        "J_b1": np.sum(delta1, axis=1) / n,
    }


@pytest.mark.parametrize(("seed", "init"), [(0, "uniform"), (7, "course")])
def test_heart_network_gradients_equal_the_course_matrix_formulas(seed: int, init: str) -> None:
    model = MLP(1, [6, 7, 2], rng=seed, init=init)
    inputs, targets = heart()
    data = list(zip(inputs, targets))
    N = len(data)
    C = sum(sum_squared_error(model(x), y) for x, y in data) / N
    C.backward()
    expected = course_jacobians(model, np.array(inputs).T, np.array(targets).T)
    assert N == 100
    assert C.data == pytest.approx(expected["C"], abs=1e-12)
    for number, layer in zip((1, 2, 3), model.layers):
        np.testing.assert_allclose(
            layer.weight_grad(), expected[f"J_W{number}"], rtol=0, atol=1e-10
        )
        np.testing.assert_allclose(layer.bias_grad(), expected[f"J_b{number}"], rtol=0, atol=1e-10)
    shapes = [np.shape(layer.weight_grad()) for layer in model.layers]
    assert shapes == [(6, 1), (7, 6), (2, 7)]


def test_course_cost_is_outputs_times_mean_squared_error() -> None:
    model = MLP(1, [6, 7, 2], rng=3)
    inputs, targets = heart(20)
    predictions = [model(x) for x in inputs]
    C = sum(sum_squared_error(a, y) for a, y in zip(predictions, targets)) / len(inputs)
    assert C.data == pytest.approx(2 * mean_squared_error(predictions, targets).data, rel=1e-14)


def test_training_on_the_heart_makes_the_cost_fall() -> None:
    model = MLP(1, [6, 7, 2], rng=0)
    inputs, targets = heart()
    costs = fit(
        model,
        inputs,
        targets,
        loss=sum_squared_error,
        optimizer=SGD(model.parameters(), lr=1.0),
        epochs=8,
        progress=False,
    )
    start = course_jacobians(MLP(1, [6, 7, 2], rng=0), np.array(inputs).T, np.array(targets).T)
    assert costs[0] == pytest.approx(start["C"], abs=1e-12)  # the first epoch's cost is C
    assert all(later < earlier for earlier, later in itertools.pairwise(costs))
    assert costs[-1] < 0.95 * costs[0]
