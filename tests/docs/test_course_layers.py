"""Course §2: the quiz's layer, the transposes, counting parameters, and the hidden layer.

References are numpy matrix formulas, independent of the library's per-neuron loops.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from autodiff import Value

QUIZ_W = [[-2.0, 4.0, -1.0], [6.0, 0.0, -3.0]]
QUIZ_B = [0.1, -2.5]
QUIZ_A0 = [0.3, 0.4, 0.1]


def set_layer(layer: nn.Layer, W: list[list[float]], b: list[float]) -> None:
    for weights, numbers in zip(layer.W, W):
        for weight, number in zip(weights, numbers):
            weight.data = number
    for bias, number in zip(layer.b, b):
        bias.data = number


def layer_arrays(layer: nn.Layer) -> tuple[np.ndarray, np.ndarray]:
    W = np.array([[weight.data for weight in row] for row in layer.W])
    return W, np.array([bias.data for bias in layer.b])


def test_quiz_layer_gives_tanh_of_plus_and_minus_one() -> None:
    layer = nn.Layer(3, 2, activation="tanh")
    set_layer(layer, QUIZ_W, QUIZ_B)
    outputs = [a.data for a in layer(QUIZ_A0)]
    # z = W a0 + b = [1, −1] exactly in real arithmetic.
    assert outputs == pytest.approx([np.tanh(1.0), np.tanh(-1.0)], abs=1e-12)


examples = st.lists(st.lists(st.floats(-3, 3), min_size=3, max_size=3), min_size=1, max_size=6).map(
    np.array
)


@given(examples)
def test_rows_with_transposes_columns_and_the_layer_agree(x: np.ndarray) -> None:
    layer = nn.Layer(3, 2, activation="tanh")
    set_layer(layer, QUIZ_W, QUIZ_B)
    W, b = np.array(QUIZ_W), np.array([QUIZ_B])  # b as the quiz stores it: a 1×2 row
    rows = np.tanh((W @ x.T + b.T).T)  # examples as rows: N×3 in, N×2 out
    columns = np.tanh(W @ x.T + b.T)  # examples as columns: 3×N in, 2×N out
    library = np.array([[a.data for a in layer(list(example))] for example in x])
    assert rows.shape == (len(x), 2) and columns.shape == (2, len(x))
    np.testing.assert_allclose(rows, library, atol=1e-12)
    np.testing.assert_allclose(columns.T, library, atol=1e-12)


def test_without_the_transposes_the_shapes_do_not_fit() -> None:
    x = np.ones((4, 3))
    with pytest.raises(ValueError):
        np.array(QUIZ_W) @ x


widths = st.lists(st.integers(1, 5), min_size=1, max_size=4)


@given(st.integers(1, 5), widths)
def test_weights_are_inputs_times_outputs_and_biases_one_per_neuron(
    nin: int, nouts: list[int]
) -> None:
    model = nn.MLP(nin, nouts, rng=0)
    names = [name for name, _ in model.named_parameters()]
    sizes = [nin, *nouts]
    expected_weights = sum(a * b for a, b in itertools.pairwise(sizes))
    assert sum(".w." in name for name in names) == expected_weights
    assert sum(name.endswith(".b") for name in names) == sum(nouts)


def test_the_course_network_3_3_2_has_15_weights_and_5_biases() -> None:
    names = [name for name, _ in nn.MLP(3, [3, 2]).named_parameters()]
    assert (sum(".w." in n for n in names), sum(n.endswith(".b") for n in names)) == (15, 5)
    without_hidden = [name for name, _ in nn.MLP(3, [2]).named_parameters()]
    assert len(without_hidden) == 3 * 2 + 2


@pytest.mark.parametrize("activation, sigma", [("tanh", np.tanh), ("sigmoid", None)])
def test_the_nested_formula_is_the_network(activation: str, sigma: object) -> None:
    model = nn.MLP(3, [3, 2], activation=activation, rng=4)
    (W1, b1), (W2, b2) = (layer_arrays(layer) for layer in model.layers)
    act = sigma if callable(sigma) else (lambda z: 1 / (1 + np.exp(-z)))
    a0 = np.array(QUIZ_A0)
    expected = act(W2 @ act(W1 @ a0 + b1) + b2)
    np.testing.assert_allclose([a.data for a in model(QUIZ_A0)], expected, atol=1e-12)


# --- XOR: one layer cannot, a hidden layer can ----------------------------------------------
XOR_INPUTS, XOR_TARGETS = nn.xor()


def xor_cost(model: nn.Module) -> float:
    costs = [nn.sum_squared_error(model(x), y).data for x, y in zip(XOR_INPUTS, XOR_TARGETS)]
    return sum(costs) / len(costs)


def train_on_xor(model: nn.Module) -> None:
    """300 full-batch Adam steps on XOR, as on the layers page."""
    nn.fit(
        model,
        XOR_INPUTS,
        XOR_TARGETS,
        loss=nn.sum_squared_error,
        optimizer=nn.Adam(model.parameters(), lr=0.1),
        epochs=300,
        progress=False,
    )


@given(st.floats(-50, 50), st.floats(-50, 50), st.floats(-50, 50))
def test_a_single_neuron_cannot_order_xor(w1: float, w2: float, b: float) -> None:
    neuron = nn.Neuron(2)
    neuron.w[0].data, neuron.w[1].data, neuron.b.data = w1, w2, b
    z = [neuron(x).children[0].data for x in XOR_INPUTS]  # the pre-activations
    # z(0,1) + z(1,0) = z(0,0) + z(1,1): both "1" examples cannot beat both "0" examples.
    assert z[1] + z[2] == pytest.approx(z[0] + z[3], abs=1e-9)
    assert min(z[1], z[2]) <= max(z[0], z[3]) + 1e-9


def test_no_single_sigmoid_neuron_gets_below_a_quarter_on_xor() -> None:
    # An exhaustive grid, with numpy, over (w1, w2, b) in [−30, 30]³.
    grid = np.linspace(-30, 30, 121)
    w1, w2, b = np.meshgrid(grid, grid, grid, indexing="ij")

    def sigmoid(z: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-z))

    cost = (
        sigmoid(b) ** 2 + (sigmoid(w2 + b) - 1) ** 2 + (sigmoid(w1 + b) - 1) ** 2
    ) / 4 + sigmoid(w1 + w2 + b) ** 2 / 4
    assert cost.min() >= 0.25 - 1e-12


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_training_one_neuron_on_xor_stalls_at_a_quarter(seed: int) -> None:
    neuron = nn.Neuron(2, rng=seed)
    train_on_xor(neuron)
    assert xor_cost(neuron) >= 0.25 - 1e-9
    assert xor_cost(neuron) == pytest.approx(0.25, abs=1e-3)


def test_a_hidden_layer_learns_xor() -> None:
    model = nn.MLP(2, [4, 1], rng=0)
    train_on_xor(model)
    assert xor_cost(model) < 0.01
    predictions = [round(model(x)[0].data) for x in XOR_INPUTS]
    assert predictions == [int(y) for (y,) in XOR_TARGETS]


def test_a_neurons_output_is_the_activation_of_its_z() -> None:
    # What the XOR argument reads: the output is act(z), z the weighted sum plus bias.
    neuron = nn.Neuron(2)
    out = neuron([1.0, 0.0])
    assert isinstance(out, Value) and out.op == "sigmoid" and out.children[0].label == "z"
