"""nn.backprop_table: the course's per-layer backpropagation, read from the engine.

The table's numbers come from the engine; these tests compute the course's formulas
independently with plain floats (z = W a + b, δ(L) = ∂C/∂a ⊙ σ'(z), δ(n) = (W(n+1)ᵀ δ(n+1)) ⊙
σ'(z(n)), J_W = Σₖ δ a_prevᵀ) and compare, and compare J_W and J_b with what ``backward()``
leaves in ``.grad``.
"""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn

_FORWARD = {
    "sigmoid": lambda z: 1.0 / (1.0 + math.exp(-z)),
    "tanh": math.tanh,
    "linear": lambda z: z,
}
_SLOPE = {  # the derivative, written with the activation's output a
    "sigmoid": lambda z, a: a * (1.0 - a),
    "tanh": lambda z, a: 1.0 - a * a,
    "linear": lambda z, a: 1.0,
}


def close(x: float, y: float) -> bool:
    return math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-15)


def course_formulas(model: nn.MLP, examples, targets):
    """z, a, δ per layer and example, and J_W, J_b per layer, from the course's formulas."""
    matrices = model.matrices()
    activations = [layer.activation for layer in model.layers]
    N = len(examples)
    zs, as_, deltas = [], [], []
    for x, y in zip(examples, targets):
        a_prev, z_rows, a_rows = list(x), [], []
        for (W, b), act in zip(matrices, activations):
            z = [sum(w * a for w, a in zip(row, a_prev)) + bias for row, bias in zip(W, b)]
            a_prev = [_FORWARD[act](value) for value in z]
            z_rows.append(z)
            a_rows.append(a_prev)
        dC_da = [2.0 * (a - t) / N for a, t in zip(a_rows[-1], y)]
        delta = [
            g * _SLOPE[activations[-1]](z, a) for g, z, a in zip(dC_da, z_rows[-1], a_rows[-1])
        ]
        example_deltas = [delta]
        for n in range(len(matrices) - 2, -1, -1):
            W_next = matrices[n + 1][0]
            back = [
                sum(W_next[i][j] * delta[i] for i in range(len(delta)))
                for j in range(len(W_next[0]))
            ]
            delta = [
                g * _SLOPE[activations[n]](z, a) for g, z, a in zip(back, z_rows[n], a_rows[n])
            ]
            example_deltas.insert(0, delta)
        zs.append(z_rows)
        as_.append(a_rows)
        deltas.append(example_deltas)
    J_W, J_b = [], []
    for n in range(len(matrices)):
        inputs = [list(x) if n == 0 else as_[k][n - 1] for k, x in enumerate(examples)]
        J_W.append(
            [
                [
                    sum(deltas[k][n][i] * inputs[k][j] for k in range(N))
                    for j in range(len(inputs[0]))
                ]
                for i, row in enumerate(matrices[n][0])
            ]
        )
        J_b.append([sum(deltas[k][n][i] for k in range(N)) for i in range(len(matrices[n][1]))])
    return zs, as_, deltas, J_W, J_b


def assert_table_matches_formulas(model, examples, targets, table):
    zs, as_, deltas, J_W, J_b = course_formulas(model, examples, targets)
    assert len(table.layers) == len(model.layers)
    for n, terms in enumerate(table.layers):
        assert terms.n == n + 1
        for k in range(len(examples)):
            for name, ours, theirs in (
                ("z", terms.z[k], zs[k][n]),
                ("a", terms.a[k], as_[k][n]),
                ("delta", terms.delta[k], deltas[k][n]),
            ):
                assert len(ours) == len(theirs)
                assert all(close(p, q) for p, q in zip(ours, theirs)), (name, n, k, ours, theirs)
        for ours_row, theirs_row in zip(terms.J_W, J_W[n], strict=True):
            assert all(close(p, q) for p, q in zip(ours_row, theirs_row, strict=True))
        assert all(close(p, q) for p, q in zip(terms.J_b, J_b[n], strict=True))


def test_the_heart_batch_table_is_the_course_derivation():
    model = nn.MLP(1, [6, 7, 2], init="course", rng=0)
    inputs, targets = nn.heart()
    table = nn.backprop_table(model, inputs, targets)
    assert_table_matches_formulas(model, inputs, targets, table)


def test_the_jacobians_are_the_grads_backward_leaves():
    model = nn.MLP(1, [6, 7, 2], init="course", rng=1)
    inputs, targets = nn.heart()
    inputs, targets = inputs[::10], targets[::10]
    table = nn.backprop_table(model, inputs, targets)
    C = sum(nn.sum_squared_error(model(x), y) for x, y in zip(inputs, targets)) / len(inputs)
    model.zero_grad()
    C.backward()
    assert table.cost == C.data
    for layer, terms in zip(model.layers, table.layers):
        assert [list(row) for row in terms.J_W] == layer.weight_grad()
        assert list(terms.J_b) == layer.bias_grad()


@given(
    widths=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    nin=st.integers(1, 3),
    activation=st.sampled_from(["sigmoid", "tanh"]),
    output=st.sampled_from(["sigmoid", "tanh", "linear"]),
    seed=st.integers(0, 2**16),
    examples=st.integers(1, 3),
    numbers=st.randoms(use_true_random=False),
)
def test_random_networks_follow_the_delta_recursion(
    widths, nin, activation, output, seed, examples, numbers
):
    model = nn.MLP(nin, widths, activation, output_activation=output, rng=seed)
    xs = [[numbers.uniform(-2, 2) for _ in range(nin)] for _ in range(examples)]
    ys = [[numbers.uniform(-1, 1) for _ in range(widths[-1])] for _ in range(examples)]
    table = nn.backprop_table(model, xs, ys)
    assert_table_matches_formulas(model, xs, ys, table)


def test_one_example_is_the_batch_of_one():
    model = nn.MLP(1, [3, 2], rng=0)
    one = nn.backprop_table(model, [0.25], [0.9, 0.6])
    batch = nn.backprop_table(model, [[0.25]], [[0.9, 0.6]])
    assert one == batch
    assert one.inputs == ((0.25,),)


def test_a_layer_alone_gives_the_quiz_layer():
    layer = nn.Layer.from_matrices([[-2, 4, -1], [6, 0, -3]], [0.1, -2.5], "tanh")
    table = nn.backprop_table(layer, [0.3, 0.4, 0.1], [1.0, -1.0])
    (terms,) = table.layers
    outputs = [a.data for a in layer([0.3, 0.4, 0.1])]
    assert list(terms.a[0]) == outputs
    # one layer, one example: δ = 2(a − y) ⊙ (1 − a²), J_W = δ xᵀ, J_b = δ
    delta = [2 * (a - y) * (1 - a * a) for a, y in zip(outputs, [1.0, -1.0])]
    assert all(close(p, q) for p, q in zip(terms.delta[0], delta))
    assert terms.J_b == terms.delta[0]
    assert [list(row) for row in terms.J_W] == [
        [d * x for x in [0.3, 0.4, 0.1]] for d in terms.delta[0]
    ]


def test_the_table_leaves_every_grad_as_it_was():
    model = nn.MLP(1, [3, 2], rng=0)
    for k, parameter in enumerate(model.parameters()):
        parameter.grad = float(k)
    before = [parameter.grad for parameter in model.parameters()]
    data = [parameter.data for parameter in model.parameters()]
    nn.backprop_table(model, [0.5], [0.1, 0.2])
    assert [parameter.grad for parameter in model.parameters()] == before
    assert [parameter.data for parameter in model.parameters()] == data


def test_another_loss_changes_dC_da():
    model = nn.MLP(2, [2, 1], output_activation="linear", rng=0)
    table = nn.backprop_table(model, [0.5, -0.5], [1.0], loss=nn.binary_cross_entropy)
    (a,) = table.layers[-1].a[0]
    (g,) = table.dC_da[0]
    # binary cross-entropy on a logit a: ∂C/∂a = σ(a) − y
    assert close(g, 1.0 / (1.0 + math.exp(-a)) - 1.0)
    assert table.layers[-1].delta[0] == (g,)  # a linear output: δ = ∂C/∂a


def test_the_text_writes_every_layer_in_the_course_notation():
    model = nn.MLP(1, [6, 7, 2], init="course", rng=0)
    inputs, targets = nn.heart()
    table = nn.backprop_table(model, inputs[:5], targets[:5])
    text = str(table)
    lines = text.splitlines()
    assert lines[0] == f"{model!r}, 5 examples: C = {table.cost:.4g}"
    for sup in "³²¹":
        assert f"δ⁽{sup}⁾" in text and f"J_W⁽{sup}⁾ = Σₖ δ⁽{sup}⁾" in text
    assert "layer 3 (output): z⁽³⁾ = W⁽³⁾ a⁽²⁾ + b⁽³⁾,  a⁽³⁾ = σ(z⁽³⁾)" in lines
    assert "δ⁽²⁾ = (W⁽³⁾ᵀ δ⁽³⁾) ⊙ σ'(z⁽²⁾)" in text
    J_b1 = ", ".join(f"{x:.4g}" for x in table.layers[0].J_b)
    assert f"  J_b⁽¹⁾ = Σₖ δ⁽¹⁾ = [{J_b1}]" in lines
    first_delta3 = f"{table.layers[2].delta[0][0]:.4g}"
    assert any(line.strip().startswith(f"[{first_delta3}") for line in lines)


def test_the_html_escapes_and_carries_the_numbers():
    model = nn.MLP(1, [2, 1], activation=lambda v: v.tanh(), rng=0)
    table = nn.backprop_table(model, [0.5], [1.0])
    page = table._repr_html_()
    assert page.startswith("<div") and page.count("<table>") == 4
    assert "<lambda>" not in page and "&lt;lambda&gt;" in page
    assert f">{table.layers[0].delta[0][1]:.4g}</td>" in page


@pytest.mark.parametrize(
    ("model", "x", "y", "error", "message"),
    [
        ("not a model", [1.0], [1.0], TypeError, "model must be an nn.MLP or an nn.Layer"),
        (
            None,
            [1.0, 2.0],
            [1.0],
            ValueError,
            "backprop_table: x must have 1 entry (one per input)",
        ),
        (None, [[1.0], [2.0]], [[1.0]], ValueError, "y must have one target per example, 2 of"),
        (None, [1.0], [1.0, 2.0], ValueError, "backprop_table: y must have 1 entry (one per"),
        (None, [1.0], [1.0], TypeError, "loss must be a function (outputs, target) -> Value"),
        (None, [1.0], [[1.0, 2.0]], TypeError, "backprop_table: y[0] must be a real number"),
        (None, [float("nan")], [1.0], ValueError, "backprop_table: x[0] must be finite"),
        (None, ["1"], [1.0], TypeError, "backprop_table: x[0] must be a real number"),
    ],
)
def test_bad_input_gets_a_clear_error(model, x, y, error, message):
    model = nn.MLP(1, [2, 1], rng=0) if model is None else model
    loss = "sse" if "loss" in message else nn.sum_squared_error
    with pytest.raises(error, match=re.escape(message)):
        nn.backprop_table(model, x, y, loss=loss)


def test_a_one_output_model_takes_numbers_as_targets():
    model = nn.MLP(2, [3, 1], rng=0)
    assert nn.backprop_table(model, [0.0, 1.0], 1.0) == nn.backprop_table(model, [0.0, 1.0], [1.0])
    batch = nn.backprop_table(model, [[0.0, 1.0], [1.0, 0.0]], [1.0, 0.0])
    assert batch == nn.backprop_table(model, [[0.0, 1.0], [1.0, 0.0]], [[1.0], [0.0]])
    assert batch.targets == ((1.0,), (0.0,))


def test_a_linear_layer_has_no_slope_factor_and_all_examples_shown_have_no_ellipsis():
    model = nn.MLP(1, [2, 1], output_activation="linear", rng=0)
    text = str(nn.backprop_table(model, [[0.1], [0.2], [0.3]], [[1.0], [0.0], [0.5]]))
    assert "δ⁽²⁾ = ∂C/∂a⁽²⁾  (linear: a⁽²⁾ = z⁽²⁾)" in text
    assert "δ⁽¹⁾ = (W⁽²⁾ᵀ δ⁽²⁾) ⊙ σ'(z⁽¹⁾)" in text
    assert "…" not in text and "(examples 0, 1, 2)" in text
    assert "δ divided by 3" in text.splitlines()[1]


def test_explain_on_the_heart_batch_cost_is_a_delta_ledger_by_layer():
    from autodiff import explain

    model = nn.MLP(1, [6, 7, 2], init="course", rng=0)
    inputs, targets = nn.heart()
    C = sum(nn.sum_squared_error(model(x), y) for x, y in zip(inputs, targets)) / len(inputs)
    C.label = "C"
    table = nn.backprop_table(model, inputs, targets)
    # b3[1]: exactly 100 paths (one per example), summarised rather than listed
    bias = str(explain(C, model.parameter("b3[1]"))).splitlines()
    assert bias[0].endswith("100 paths lead from C down to layers.2.neurons.0.b, more than 10.")
    assert bias[-1].endswith(f" = {table.layers[2].J_b[0]:.4g}") and len(bias) == 5
    # W2[1][3]: from the cost down, layer by layer, neuron 0 before neuron 1 at each level
    lines = str(explain(C, model.parameter("W2[1][3]"))).splitlines()[2:]
    heads = [line.split(" = ")[0].removeprefix("∂C/∂") for line in lines]
    assert heads == [
        "layers.2.neurons.0.a",
        "layers.2.neurons.1.a",
        "layers.2.neurons.0.z",
        "layers.2.neurons.1.z",
        "layers.1.neurons.0.a",
        "layers.1.neurons.0.z",
        "layers.1.neurons.0.w.2",
    ]
    delta2 = sum(row[0] for row in table.layers[1].delta)  # Σₖ δ⁽²⁾₁ = J_b⁽²⁾₁
    assert lines[5].endswith(f"layers.1.neurons.0.z: {delta2:.4g}")
    assert lines[6].endswith(f" = {table.layers[1].J_W[0][2]:.4g}")
