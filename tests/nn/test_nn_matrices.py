"""The matrix interface of Layer and MLP: W and b assigned whole, from_matrices, forward_batch,
and the message for a batch passed where one example goes.

References are numpy matrix formulas (σ(W a + b), ``(W @ x.T + b.T).T``), independent of the
library's per-neuron loops.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autodiff import Value
from nn import MLP, SGD, Layer, Neuron

QUIZ_W = [[-2, 4, -1], [6, 0, -3]]
QUIZ_B = [0.1, -2.5]
QUIZ_A0 = [0.3, 0.4, 0.1]

numbers = st.floats(-3, 3)


def matrices(rows: int, columns: int) -> st.SearchStrategy[list[list[float]]]:
    return st.lists(
        st.lists(numbers, min_size=columns, max_size=columns), min_size=rows, max_size=rows
    )


def values_of(layer: Layer) -> tuple[list[list[float]], list[float]]:
    return [[w.data for w in row] for row in layer.W], [b.data for b in layer.b]


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


# --- the quiz layer -------------------------------------------------------------------------


def test_quiz_layer_from_matrices_gives_tanh_of_plus_and_minus_one() -> None:
    layer = Layer.from_matrices(QUIZ_W, QUIZ_B, activation="tanh")
    by_hand = [
        math.tanh(sum(w * x for w, x in zip(row, QUIZ_A0)) + b) for row, b in zip(QUIZ_W, QUIZ_B)
    ]
    outputs = [a.data for a in layer(QUIZ_A0)]
    assert outputs == pytest.approx(by_hand, abs=1e-15)
    assert [round(a, 8) for a in outputs] == [0.76159416, -0.76159416]
    assert (layer.nin, layer.nout, layer.activation) == (3, 2, "tanh")


def test_quiz_layer_by_assignment_equals_quiz_layer_from_matrices() -> None:
    layer = Layer(3, 2, "tanh", rng=5)
    layer.W = QUIZ_W
    layer.b = QUIZ_B
    assert values_of(layer) == values_of(Layer.from_matrices(QUIZ_W, QUIZ_B, "tanh"))
    assert values_of(layer) == ([[float(w) for w in row] for row in QUIZ_W], QUIZ_B)


# --- assigning W and b ----------------------------------------------------------------------


@given(st.integers(1, 4), st.integers(1, 4), st.data())
def test_assigned_matrices_are_what_the_layer_computes(
    nin: int, nout: int, data: st.DataObject
) -> None:
    W = data.draw(matrices(nout, nin))
    b = data.draw(st.lists(numbers, min_size=nout, max_size=nout))
    x = data.draw(st.lists(numbers, min_size=nin, max_size=nin))
    layer = Layer(nin, nout, rng=0)
    params = layer.parameters()
    layer.W, layer.b = W, b
    assert all(p is q for p, q in zip(layer.parameters(), params))  # the same Values, new data
    assert values_of(layer) == (W, b)
    expected = sigmoid(np.array(W) @ np.array(x) + np.array(b))
    np.testing.assert_allclose([a.data for a in layer(x)], expected, rtol=1e-12, atol=1e-15)


def test_assignment_takes_numpy_arrays_and_another_layers_values() -> None:
    source = Layer(3, 2, rng=1)
    copy = Layer(3, 2, rng=2)
    copy.W, copy.b = source.W, source.b
    assert values_of(copy) == values_of(source)
    assert all(p is not q for p, q in zip(copy.parameters(), source.parameters()))
    copy.W, copy.b = np.array(QUIZ_W, dtype=float), np.array(QUIZ_B)
    assert values_of(copy) == ([[float(w) for w in row] for row in QUIZ_W], QUIZ_B)
    assert all(type(p.data) is float for p in copy.parameters())


def _W(layer: Layer, value: object) -> None:
    layer.W = value  # type: ignore[assignment]


def _b(layer: Layer, value: object) -> None:
    layer.b = value  # type: ignore[assignment]


@pytest.mark.parametrize(
    ("assign", "value", "error", "words"),
    [
        (_W, 5.0, TypeError, r"Layer.W must be a matrix: a list of rows.*got float: 5.0"),
        (_W, "abc", TypeError, r"Layer.W must be a matrix.*got str"),
        (_W, [1.0, 2.0, 3.0], TypeError, r"Layer.W must be a matrix.*got list"),
        (_W, {"a": 1}, TypeError, r"Layer.W must be a matrix.*got dict"),
        (_W, [[1, 2, 3]], ValueError, r"Layer.W must be 2×3 \(one row per neuron.*got 1 rows"),
        (_W, [[1, 2, 3], [4, 5]], ValueError, r"Layer.W\[1\] has 2 numbers, expected 3"),
        (_W, [[1, 2, 3], 4], TypeError, r"Layer.W\[1\] must be a row of numbers, got int: 4"),
        (_W, [[1, 2, 3], [4, 5, "6"]], TypeError, r"Layer.W\[1\]\[2\] must be a real number"),
        (_W, [[1, 2, 3], [4, 5, True]], TypeError, r"Layer.W\[1\]\[2\] must be a real.*bool"),
        (_W, [[1, 2, 3], [4, 5, None]], TypeError, r"Layer.W\[1\]\[2\] must be a real"),
        (_W, [[1, 2, 3], [4, 5, math.nan]], ValueError, r"Layer.W\[1\]\[2\] must be finite"),
        (_W, [[1, 2, 3], [4, 5, -math.inf]], ValueError, r"Layer.W\[1\]\[2\] must be finite"),
        (_b, 0.5, TypeError, r"Layer.b must be a list of numbers, got float: 0.5"),
        (_b, [0.5], ValueError, r"Layer.b must have 2 entries \(one per neuron\), got 1"),
        (_b, [0.5, 1, 2], ValueError, r"Layer.b must have 2 entries \(one per neuron\), got 3"),
        (_b, [0.5, "1"], TypeError, r"Layer.b\[1\] must be a real number, got str"),
        (_b, [0.5, math.inf], ValueError, r"Layer.b\[1\] must be finite, got inf"),
    ],
)
def test_bad_matrices_are_refused_whole_with_a_clear_error(
    assign: Callable[[Layer, object], None], value: object, error: type, words: str
) -> None:
    layer = Layer(3, 2, rng=0)
    state = layer.state_dict()
    with pytest.raises(error, match=words):
        assign(layer, value)
    assert layer.state_dict() == state  # the good rows before the bad one were not applied


def test_reading_W_still_gives_read_only_views_that_say_how_to_set_the_matrix() -> None:
    layer = Layer(3, 2, rng=0)
    with pytest.raises(TypeError, match=r"or the whole matrix with layer.W = \[\[...\], ...\]"):
        layer.W[0][0] = 5.0  # type: ignore[index]
    with pytest.raises(TypeError, match=r"or all of them with layer.b = \[...\]"):
        layer.b[0] = 5.0  # type: ignore[index]


# --- from_matrices ------------------------------------------------------------------------------


@given(st.lists(st.integers(1, 4), min_size=2, max_size=4), st.data())
def test_mlp_from_matrices_computes_the_nested_formula(
    sizes: list[int], data: st.DataObject
) -> None:
    pairs = [
        (
            data.draw(matrices(rows, columns)),
            data.draw(st.lists(numbers, min_size=rows, max_size=rows)),
        )
        for columns, rows in itertools.pairwise(sizes)
    ]
    x = data.draw(st.lists(numbers, min_size=sizes[0], max_size=sizes[0]))
    model = MLP.from_matrices(pairs, activation="tanh", output_activation="linear")
    assert [layer.nout for layer in model.layers] == sizes[1:] and model.nin == sizes[0]
    a = np.array(x)
    for n, (W, b) in enumerate(pairs, start=1):
        z = np.array(W) @ a + np.array(b)
        a = z if n == len(pairs) else np.tanh(z)
    np.testing.assert_allclose([out.data for out in model(x)], a, rtol=1e-12, atol=1e-12)
    for layer, (W, b) in zip(model.layers, pairs):
        assert values_of(layer) == (W, b)


def test_mlp_from_matrices_defaults_to_the_course_sigmoid() -> None:
    model = MLP.from_matrices([(QUIZ_W, QUIZ_B)])
    assert repr(model) == "MLP(3, [2], activation='sigmoid')"
    expected = sigmoid(np.array(QUIZ_W) @ np.array(QUIZ_A0) + np.array(QUIZ_B))
    np.testing.assert_allclose([a.data for a in model(QUIZ_A0)], expected, rtol=1e-14)


@pytest.mark.parametrize(
    ("matrices", "error", "words"),
    [
        ([], ValueError, r"matrices must hold at least one \(W, b\), got \[\]"),
        (QUIZ_W, TypeError, r"layer 1 must be a pair \(W1, b1\)"),
        ("W", TypeError, r"matrices must be a list of \(W, b\) pairs, got str"),
        ([(QUIZ_W, QUIZ_B), ([[1.0, 2.0, 3.0]], [0.0])], ValueError, r"W2 has 3 columns, but"),
        ([(QUIZ_W, [0.1])], ValueError, r"b1 must have 2 entries \(one per neuron\), got 1"),
        ([([[1.0], [2.0, 3.0]], [0.0, 0.0])], ValueError, r"W1: row 1 has 2 numbers, row 0 has 1"),
        ([([[1.0], ["x"]], [0.0, 0.0])], TypeError, r"W1\[1\]\[0\] must be a real number"),
        ([([], [])], ValueError, r"W1 must have at least one row, got none"),
        ([([[]], [0.0])], ValueError, r"W1\[0\] must have at least one number"),
    ],
)
def test_mlp_from_matrices_refuses_what_is_not_a_network(
    matrices: object, error: type, words: str
) -> None:
    with pytest.raises(error, match="MLP.from_matrices: " + words):
        MLP.from_matrices(matrices)  # type: ignore[arg-type]


def test_layer_from_matrices_refuses_a_bias_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match=r"Layer.from_matrices: b must have 2 entries"):
        Layer.from_matrices(QUIZ_W, [0.1, -2.5, 3.0])


# --- forward_batch ------------------------------------------------------------------------


examples = st.lists(st.lists(numbers, min_size=3, max_size=3), min_size=1, max_size=6)


@given(examples)
def test_layer_forward_batch_is_the_transposes_formula(x: list[list[float]]) -> None:
    layer = Layer.from_matrices(QUIZ_W, QUIZ_B, "tanh")
    W, b_row = np.array(QUIZ_W), np.array([QUIZ_B])  # b as the quiz stores it: 1×2
    expected = np.tanh((W @ np.array(x).T + b_row.T).T)
    rows = layer.forward_batch(x)
    assert len(rows) == len(x) and all(len(row) == 2 for row in rows)
    np.testing.assert_allclose([[a.data for a in row] for row in rows], expected, atol=1e-15)


@given(st.lists(st.lists(numbers, min_size=1, max_size=1), min_size=1, max_size=5))
def test_mlp_forward_batch_rows_are_calls_and_carry_gradients(x: list[list[float]]) -> None:
    model = MLP(1, [6, 7, 2], rng=0)
    rows = model.forward_batch(np.array(x))
    assert [[a.data for a in row] for row in rows] == [[a.data for a in model(e)] for e in x]
    total = sum(a for row in rows for a in row)
    assert isinstance(total, Value)
    total.backward()
    batch_grads = [p.grad for p in model.parameters()]
    model.zero_grad()
    for example in x:
        sum(model(example)).backward()  # type: ignore[union-attr]
    np.testing.assert_allclose(batch_grads, [p.grad for p in model.parameters()], atol=1e-12)


def test_forward_batch_of_no_examples_is_no_rows() -> None:
    assert Layer(3, 2, rng=0).forward_batch([]) == []


@pytest.mark.parametrize(
    ("batch", "error", "words"),
    [
        (QUIZ_A0, TypeError, r"expects a batch.*got one example of 3 numbers: call the model"),
        (3.0, TypeError, r"expects a batch.*got float"),
        ([QUIZ_A0, [1.0, 2.0]], ValueError, r"example 1 has 2 inputs, expected 3"),
        ([QUIZ_A0, 1.0], TypeError, r"example 1 must be a list of 3 inputs, got float"),
    ],
)
def test_forward_batch_refuses_what_is_not_a_batch(batch: object, error: type, words: str) -> None:
    with pytest.raises(error, match=r"^Layer.forward_batch.*" + words):
        Layer(3, 2, rng=0).forward_batch(batch)  # type: ignore[arg-type]
    with pytest.raises(error, match=r"^MLP.forward_batch.*" + words):
        MLP(3, [2], rng=0).forward_batch(batch)  # type: ignore[arg-type]


# --- a batch where one example goes ---------------------------------------------------------


@pytest.mark.parametrize("n_examples", [4, 3, 1])
@pytest.mark.parametrize(
    ("module", "owner", "hint"),
    [
        (Layer(3, 2, rng=0), "Layer", r"for a batch, call layer.forward_batch\(X\)"),
        (MLP(3, [2, 1], rng=0), "MLP", r"for a batch, call model.forward_batch\(X\)"),
        (Neuron(3, rng=0), "Neuron", "call it on each example"),
    ],
)
def test_a_batch_passed_as_one_example_says_how_many_examples(
    module: Layer | MLP | Neuron, owner: str, hint: str, n_examples: int
) -> None:
    batch = [[0.1 * k, 0.2, 0.3] for k in range(n_examples)]
    examples = f"{n_examples} example" + ("s" if n_examples > 1 else "")
    words = rf"^{owner} expects one example of 3 inputs, got a batch of {examples}"
    for given_batch in (batch, np.array(batch)):
        with pytest.raises(ValueError, match=words + r" \(a list of rows\): " + hint + "$"):
            module(given_batch)


def test_a_wrong_length_example_still_names_the_lengths() -> None:
    with pytest.raises(ValueError, match=r"^Layer expects 3 inputs, got 4$"):
        Layer(3, 2, rng=0)([0.1, 0.2, 0.3, 0.4])


@given(st.integers(0, 10**6))
def test_matrices_read_back_what_from_matrices_built(seed: int) -> None:
    model = MLP(2, [3, 4, 1], "tanh", rng=seed)
    pairs = model.matrices()
    assert pairs == [values_of(layer) for layer in model.layers]
    clone = MLP.from_matrices(pairs, "tanh")
    assert clone.state_dict() == model.state_dict()
    assert [layer.matrices() for layer in clone.layers] == pairs


def test_assigning_a_neurons_weights_sets_the_numbers_of_the_same_values() -> None:
    neuron = Neuron(3, "tanh", rng=0)
    weights, bias = list(neuron.w), neuron.b
    optimizer = SGD(neuron.parameters(), lr=0.1)
    neuron.w = [0.5, -1.0, 2]
    neuron.b = -2.5
    assert list(neuron.w) == weights and neuron.b is bias  # the same Values
    assert [w.data for w in neuron.w] == [0.5, -1.0, 2.0] and bias.data == -2.5
    assert neuron([1.0, 1.0, 1.0]).data == math.tanh(0.5 - 1.0 + 2.0 - 2.5)
    assert optimizer.params[0] is weights[0]


@pytest.mark.parametrize(
    ("attribute", "value", "error", "message"),
    [
        ("w", [0.5, 1.0], ValueError, r"Neuron.w must have 3 entries \(one per input\), got 2"),
        ("w", [0.5, float("inf"), 1.0], ValueError, r"Neuron.w\[1\] must be finite"),
        ("w", 0.5, TypeError, "Neuron.w must be a list of numbers"),
        ("w", [0.5, "1", 1.0], TypeError, r"Neuron.w\[1\] must be a real number"),
        ("b", float("nan"), ValueError, "Neuron.b must be finite"),
        ("b", [0.5], TypeError, "Neuron.b must be a real number"),
    ],
)
def test_a_bad_neuron_assignment_changes_nothing(attribute, value, error, message) -> None:
    neuron = Neuron(3, rng=0)
    before = [p.data for p in neuron.parameters()]
    with pytest.raises(error, match=message):
        setattr(neuron, attribute, value)
    assert [p.data for p in neuron.parameters()] == before


@pytest.mark.parametrize(
    ("make", "name", "hint"),
    [
        (lambda: Layer(3, 2, rng=0), "w", "layer.W"),
        (lambda: Neuron(2, rng=0), "W", "neuron.w"),
        (lambda: MLP(2, [3, 1], rng=0), "W", "model.layers[n].W"),
        (lambda: MLP(2, [3, 1], rng=0), "w", "model.layers[n].W"),
        (lambda: MLP(2, [3, 1], rng=0), "b", "model.layers[n].W and .b"),
    ],
)
def test_the_other_modules_spelling_of_the_weights_is_an_error_not_a_new_attribute(
    make: Callable[[], object], name: str, hint: str
) -> None:
    module = make()
    before = [p.data for p in module.parameters()]  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match=f"has no {name!r}: .*{re.escape(hint)}"):
        setattr(module, name, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    with pytest.raises(AttributeError, match=f"has no {name!r}"):
        getattr(module, name)
    assert [p.data for p in module.parameters()] == before  # type: ignore[attr-defined]
    assert name not in vars(module)


def test_biases_may_be_the_courses_column() -> None:
    column = np.array([[0.1], [-2.5]])  # the course's b: one row per neuron
    layer = Layer.from_matrices(QUIZ_W, column, "tanh")
    assert layer.matrices()[1] == [0.1, -2.5]
    layer.b = [[1.0], [2.0]]
    assert [bias.data for bias in layer.b] == [1.0, 2.0]
    model = MLP.from_matrices([(np.ones((2, 1)), np.zeros((2, 1))), (np.ones((1, 2)), [[0.5]])])
    assert model.matrices()[1] == ([[1.0, 1.0]], [0.5])
    with pytest.raises(ValueError, match="must have 2 entries"):
        layer.b = [[1.0, 2.0]]  # a row of two is one entry that is not a number: no guessing


def test_batch_mistakes_get_the_advice_that_fixes_them() -> None:
    model = MLP(1, [2, 1], rng=0)
    with pytest.raises(TypeError, match=re.escape("pass [[x] for x in xs]")):
        model.forward_batch([0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match=re.escape("examples as columns? pass the transpose")):
        model.forward_batch(np.zeros((1, 5)))  # the course's 1 × N input
    with pytest.raises(ValueError, match=re.escape("Layer.W[0][0] must be finite, got 1000")):
        Layer(1, 1).W = [[10**400]]
