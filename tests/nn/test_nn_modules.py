"""Neuron, Layer, MLP and Module: names, labels, initialisation, calls, errors and state."""

from __future__ import annotations

import json
import math
import random
import re
from collections.abc import Callable

import pytest

from autodiff import Value
from nn import ACTIVATIONS, MLP, Layer, Module, Neuron


def module_path(label: str) -> str:
    """The renderer's rule: the label minus its local name (the last segment, or the last
    two when the last is an integer, as in ``w.6``)."""
    parts = label.split(".")
    local = 2 if parts[-1].isdigit() else 1
    return ".".join(parts[:-local])


# --- names and labels ------------------------------------------------------------------


def test_neuron_parameter_names_and_labels() -> None:
    neuron = Neuron(3, rng=0)
    names = [name for name, _ in neuron.named_parameters()]
    assert names == ["w.0", "w.1", "w.2", "b"]
    assert [p.label for p in neuron.parameters()] == names
    assert neuron.parameters() == [*neuron.w, neuron.b]


def test_mlp_names_follow_layers_then_neurons_then_weights_and_bias() -> None:
    model = MLP(2, [3, 2], rng=0)
    names = [name for name, _ in model.named_parameters()]
    assert names[:3] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b"]
    assert names[-1] == "layers.1.neurons.1.b"
    assert "layers.1.neurons.1.w.2" in names
    assert len(names) == len(set(names)) == 3 * 3 + 2 * 4
    assert all(value.label == name for name, value in model.named_parameters())
    assert model.layers[1].neurons[1].w[2].label == "layers.1.neurons.1.w.2"


def test_layer_on_its_own_labels_from_neurons() -> None:
    layer = Layer(2, 2, rng=0)
    assert [p.label for p in layer.parameters()] == [
        "neurons.0.w.0",
        "neurons.0.w.1",
        "neurons.0.b",
        "neurons.1.w.0",
        "neurons.1.w.1",
        "neurons.1.b",
    ]


def test_neuron_call_labels_pre_activation_and_output() -> None:
    a = Neuron(2, "tanh", rng=0)([1.0, 2.0])
    assert (a.label, a.op) == ("a", "tanh")
    z = a.children[0]
    assert (z.label, z.op) == ("z", "+")
    assert z.children[1].label == "b"  # z = Σ wᵢxᵢ + b, the bias added last


def test_mlp_call_labels_carry_the_full_path() -> None:
    model = MLP(2, [3, 2], "tanh", rng=0)
    outputs = model([0.5, -0.5])
    assert [a.label for a in outputs] == ["layers.1.neurons.0.a", "layers.1.neurons.1.a"]
    assert [a.children[0].label for a in outputs] == [
        "layers.1.neurons.0.z",
        "layers.1.neurons.1.z",
    ]


def test_linear_output_is_z_and_labelled_z() -> None:
    model = MLP(2, [3, 1], "relu", output_activation="linear", rng=0)
    (out,) = model([1.0, 2.0])
    assert (out.label, out.op) == ("layers.1.neurons.0.z", "+")
    assert out.children[1] is model.layers[1].neurons[0].b
    standalone = Neuron(1, "linear", rng=0)([2.0])
    assert standalone.label == "z"


def test_labels_follow_the_renderers_module_path_rule() -> None:
    model = MLP(1, [2, 1], rng=0)
    outputs = model([0.3])
    for name, _ in model.named_parameters():
        layer, neuron = re.match(r"layers\.(\d)\.neurons\.(\d)\.", name).groups()  # type: ignore[union-attr]
        assert module_path(name) == f"layers.{layer}.neurons.{neuron}"
    assert module_path(outputs[0].label) == "layers.1.neurons.0"
    assert module_path(outputs[0].children[0].label) == "layers.1.neurons.0"
    assert module_path("w.6") == "" and module_path("b") == ""


def test_relabel_in_a_custom_container() -> None:
    class TwoHeads(Module):
        def __init__(self) -> None:
            self.left, self.right = Neuron(1, rng=0), Neuron(1, rng=1)
            self.relabel()

        def named_children(self) -> list[tuple[str, Module]]:
            return [("left", self.left), ("right", self.right)]

        def __call__(self, x: list[float]) -> list[Value]:
            return [self.left(x), self.right(x)]

    model = TwoHeads()
    assert [name for name, _ in model.named_parameters()] == [
        "left.w.0",
        "left.b",
        "right.w.0",
        "right.b",
    ]
    assert [p.label for p in model.parameters()] == ["left.w.0", "left.b", "right.w.0", "right.b"]
    assert [a.label for a in model([1.0])] == ["left.a", "right.a"]


# --- initialisation ----------------------------------------------------------------------


def test_same_seed_gives_identical_parameters() -> None:
    assert MLP(2, [4, 3, 1], rng=5).state_dict() == MLP(2, [4, 3, 1], rng=5).state_dict()
    same = MLP(2, [4, 1], rng=random.Random(9)).state_dict()
    assert same == MLP(2, [4, 1], rng=random.Random(9)).state_dict()
    assert MLP(2, [4, 1], rng=5).state_dict() != MLP(2, [4, 1], rng=6).state_dict()


def test_unseeded_models_differ() -> None:
    assert MLP(2, [4, 1]).state_dict() != MLP(2, [4, 1]).state_dict()


def test_default_init_is_uniform_scaled_by_one_over_sqrt_nin() -> None:
    source = random.Random(11)
    bound = 1 / math.sqrt(3)
    expected = [source.uniform(-bound, bound) for _ in range(4)]  # w.0, w.1, w.2, then b
    neuron = Neuron(3, rng=11)
    assert [p.data for p in neuron.parameters()] == expected
    layer = Layer(100, 20, rng=0)
    assert all(abs(p.data) <= 0.1 for p in layer.parameters())


def test_course_init_is_standard_normal_over_two() -> None:
    source = random.Random(4)
    expected = [source.gauss(0.0, 1.0) / 2 for _ in range(3)]
    assert [p.data for p in Neuron(2, rng=4, init="course").parameters()] == expected
    assert repr(Neuron(2, init="course")) == "Neuron(2, activation='sigmoid', init='course')"


def test_unknown_init_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown init scheme 'he'; valid: 'uniform', 'course'"):
        MLP(1, [2], init="he")


def test_rng_of_the_wrong_type_is_refused() -> None:
    with pytest.raises(TypeError, match=r"rng must be an int seed, a random\.Random or None"):
        Neuron(1, rng=1.5)  # type: ignore[arg-type]


# --- calls ---------------------------------------------------------------------------------


def test_neuron_computes_activation_of_weighted_sum() -> None:
    neuron = Neuron(2, rng=0)
    (w0, w1), b = [w.data for w in neuron.w], neuron.b.data
    z = w0 * 0.5 + w1 * -2.0 + b
    assert neuron([0.5, -2.0]).data == pytest.approx(1 / (1 + math.exp(-z)), abs=1e-15)


@pytest.mark.parametrize(
    ("name", "function"),
    [
        ("sigmoid", lambda z: 1 / (1 + math.exp(-z))),
        ("tanh", math.tanh),
        ("relu", lambda z: max(z, 0.0)),
        ("linear", lambda z: z),
    ],
)
def test_each_named_activation(name: str, function: object) -> None:
    neuron = Neuron(1, name, rng=0)
    neuron.w[0].data, neuron.b.data = 2.0, -0.5
    for x in (-1.0, 1.0):
        assert neuron([x]).data == pytest.approx(function(2.0 * x - 0.5), abs=1e-15)  # type: ignore[operator]
    assert repr(neuron) == f"Neuron(1, activation={name!r})"


def test_activation_names_are_exactly_the_documented_four() -> None:
    assert list(ACTIVATIONS) == ["sigmoid", "tanh", "relu", "linear"]


def test_callable_activation() -> None:
    def double(z: Value) -> Value:
        return z * 2

    neuron = Neuron(1, double, rng=0)
    neuron.w[0].data, neuron.b.data = 1.0, 0.25
    a = neuron([1.0])
    assert (a.data, a.label, a.children[0].label) == (2.5, "a", "z")
    assert repr(neuron) == "Neuron(1, activation='double')"
    identity = Neuron(1, lambda z: z, rng=0)([1.0])
    assert identity.label == "z"


def test_values_as_inputs_receive_gradients() -> None:
    neuron = Neuron(2, "linear", rng=0)
    x = [Value(1.0), Value(2.0)]
    neuron(x).backward()
    assert [xi.grad for xi in x] == [w.data for w in neuron.w]
    assert neuron.b.grad == 1.0


def test_layer_returns_a_list_also_with_one_output() -> None:
    outputs = Layer(3, 1, rng=0)([1.0, 2.0, 3.0])
    assert isinstance(outputs, list) and len(outputs) == 1 and isinstance(outputs[0], Value)
    assert isinstance(MLP(3, [1], rng=0)([1.0, 2.0, 3.0]), list)


def test_one_wide_hidden_layer() -> None:
    model = MLP(1, [1, 1], "tanh", output_activation="sigmoid", rng=0)
    (w1,), b1 = model.layers[0].W[0], model.layers[0].b[0]
    (w2,), b2 = model.layers[1].W[0], model.layers[1].b[0]
    (out,) = model([0.8])
    hidden = math.tanh(w1.data * 0.8 + b1.data)
    expected = 1 / (1 + math.exp(-(w2.data * hidden + b2.data)))
    assert out.data == pytest.approx(expected, abs=1e-15)
    out.backward()
    slope = expected * (1 - expected)
    assert w2.grad == pytest.approx(slope * hidden, abs=1e-15)
    assert w1.grad == pytest.approx(slope * w2.data * (1 - hidden**2) * 0.8, abs=1e-15)


def test_layer_matrix_views_share_the_parameters() -> None:
    layer = Layer(3, 2, rng=0)
    assert [len(row) for row in layer.W] == [3, 3]
    layer.W[1][2].data = 4.5
    layer.b[0].data = -1.5
    assert layer.neurons[1].w[2].data == 4.5
    assert layer.neurons[0].b.data == -1.5
    out = sum(layer([1.0, 2.0, 3.0]))
    assert isinstance(out, Value)
    out.backward()
    grads = layer.weight_grad()
    assert len(grads) == 2 and all(len(row) == 3 for row in grads)
    assert grads == [[w.grad for w in neuron.w] for neuron in layer.neurons]
    assert layer.bias_grad() == [neuron.b.grad for neuron in layer.neurons]


def _set_weight(layer: Layer) -> None:
    layer.W[0][0] = 5.0


def _set_row(layer: Layer) -> None:
    layer.W[0] = (5.0, 5.0, 5.0)


def _delete_weight(layer: Layer) -> None:
    del layer.W[1][2]


def _set_bias(layer: Layer) -> None:
    layer.b[0] = 5.0


def _set_neuron_weight(layer: Layer) -> None:
    layer.neurons[0].w[0] = 5.0


@pytest.mark.parametrize(
    ("assign", "words"),
    [
        pytest.param(_set_weight, "WeightRow is read-only: set a weight", id="W[0][0] ="),
        pytest.param(_set_row, "WeightRows is read-only: set a weight", id="W[0] ="),
        pytest.param(_delete_weight, "WeightRow is read-only: set a weight", id="del W[1][2]"),
        pytest.param(_set_bias, "Biases is read-only: set a bias", id="b[0] ="),
        pytest.param(_set_neuron_weight, "Weights is read-only: set a weight", id="w[0] ="),
    ],
)
def test_assigning_into_a_parameter_view_says_how_to_set_it(
    assign: Callable[[Layer], None], words: str
) -> None:
    layer = Layer(3, 2, rng=0)
    before = layer.parameters()
    state = layer.state_dict()
    with pytest.raises(TypeError, match=words + r".*\.data = value"):
        assign(layer)
    assert all(p is q for p, q in zip(layer.parameters(), before))
    assert layer.state_dict() == state


def test_the_matrix_views_are_tuples_of_the_parameters() -> None:
    layer = Layer(3, 2, rng=0)
    assert isinstance(layer.W, tuple) and all(isinstance(row, tuple) for row in layer.W)
    assert isinstance(layer.b, tuple) and isinstance(layer.neurons[0].w, tuple)
    assert [p for row in layer.W for p in row] == [w for n in layer.neurons for w in n.w]


def test_zero_grad_clears_every_parameter() -> None:
    model = MLP(2, [3, 1], rng=0)
    model([1.0, 1.0])[0].backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


# --- errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "owner", "expected"),
    [
        (Neuron(3, rng=0), "Neuron", 3),
        (Layer(3, 2, rng=0), "Layer", 3),
        (MLP(3, [2], rng=0), "MLP", 3),
    ],
)
def test_wrong_input_length_names_expected_and_given(
    module: Module, owner: str, expected: int
) -> None:
    with pytest.raises(ValueError, match=rf"^{owner} expects {expected} inputs, got 2$"):
        module([1.0, 2.0])
    with pytest.raises(
        TypeError, match=rf"{owner} expects a sequence of {expected} inputs, got float"
    ):
        module(1.0)


def test_unknown_activation_lists_the_valid_ones() -> None:
    message = r"unknown activation 'softmax'; valid: 'sigmoid', 'tanh', 'relu', 'linear'"
    for build in (lambda: Neuron(2, "softmax"), lambda: MLP(2, [2], output_activation="softmax")):
        with pytest.raises(ValueError, match=message):
            build()


def test_activation_neither_name_nor_callable() -> None:
    with pytest.raises(TypeError, match="activation must be a name or a callable"):
        Neuron(2, 3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("build", "error", "words"),
    [
        (lambda: Neuron(0), ValueError, "Neuron: nin must be at least 1, got 0"),
        (lambda: Neuron(2.0), TypeError, "Neuron: nin must be an int, got float"),
        (lambda: Layer(2, 0), ValueError, "Layer: nout must be at least 1, got 0"),
        (lambda: MLP(2, []), ValueError, "MLP: nouts must name at least one layer width"),
        (lambda: MLP(2, 3), TypeError, "MLP: nouts must be a list of layer widths, got 3"),
        (lambda: MLP(2, [3, 0]), ValueError, "MLP: each of nouts must be at least 1, got 0"),
    ],
)
def test_bad_sizes(build: object, error: type[Exception], words: str) -> None:
    with pytest.raises(error, match=re.escape(words)):
        build()  # type: ignore[operator]


# --- repr ------------------------------------------------------------------------------------


def test_reprs() -> None:
    assert repr(Neuron(3, "tanh")) == "Neuron(3, activation='tanh')"
    assert repr(Layer(3, 2)) == "Layer(3, 2, activation='sigmoid')"
    assert repr(MLP(1, [6, 7, 2])) == "MLP(1, [6, 7, 2], activation='sigmoid')"
    assert (
        repr(MLP(2, [16, 16, 1], "relu", output_activation="linear"))
        == "MLP(2, [16, 16, 1], activation='relu', output_activation='linear')"
    )


# --- state -------------------------------------------------------------------------------------


def test_state_dict_is_plain_json_ready_and_round_trips() -> None:
    source, target = MLP(2, [3, 1], rng=0), MLP(2, [3, 1], rng=1)
    state = source.state_dict()
    assert list(state) == [name for name, _ in source.named_parameters()]
    assert all(type(number) is float for number in state.values())
    target.load_state_dict(json.loads(json.dumps(state)))
    assert target.state_dict() == state
    assert target([0.5, 0.25])[0].data == source([0.5, 0.25])[0].data


def test_loaded_parameters_stay_the_same_leaves() -> None:
    model = MLP(1, [2], rng=0)
    before = model.parameters()
    model.load_state_dict({name: 0.5 for name in model.state_dict()})
    assert all(p is q for p, q in zip(before, model.parameters()))
    assert all(p.data == 0.5 and p.children == () for p in model.parameters())


def test_load_state_dict_with_missing_and_unexpected_names_changes_nothing() -> None:
    model = MLP(1, [2], rng=0)
    before = model.state_dict()
    state = dict(before)
    del state["layers.0.neurons.1.b"]
    state["layers.0.neurons.2.b"] = 1.0
    with pytest.raises(ValueError) as caught:
        model.load_state_dict(state)
    message = str(caught.value)
    assert "missing: 'layers.0.neurons.1.b'" in message
    assert "unexpected: 'layers.0.neurons.2.b'" in message
    assert model.state_dict() == before


def test_load_state_dict_of_another_architecture_names_the_counts() -> None:
    model = MLP(1, [2], rng=0)
    before = model.state_dict()
    with pytest.raises(
        ValueError, match="state has 13 entries, the model has 4 parameters"
    ) as caught:
        model.load_state_dict(MLP(1, [2, 3], rng=0).state_dict())
    assert "unexpected: 'layers.1.neurons.0.b'" in str(caught.value)
    assert model.state_dict() == before
    with pytest.raises(
        ValueError, match="state has 0 entries, the model has 4 parameters; missing"
    ):
        model.load_state_dict({})


@pytest.mark.parametrize(
    ("bad", "error", "words"),
    [
        ("0.5", TypeError, "state['b'] must be a real number, got str"),
        (True, TypeError, "state['b'] must be a real number, got bool"),
        (math.nan, ValueError, "state['b'] must be finite, got nan"),
    ],
)
def test_load_state_dict_with_a_bad_number_changes_nothing(
    bad: object, error: type, words: str
) -> None:
    neuron = Neuron(1, rng=0)
    before = neuron.state_dict()
    with pytest.raises(error, match=re.escape(words)):
        neuron.load_state_dict({"w.0": 9.0, "b": bad})  # type: ignore[dict-item]
    assert neuron.state_dict() == before


def test_load_state_dict_refuses_a_non_mapping() -> None:
    with pytest.raises(TypeError, match="state must be a mapping, got list"):
        Neuron(1, rng=0).load_state_dict([("w.0", 1.0), ("b", 0.0)])  # type: ignore[arg-type]


def test_a_custom_module_has_a_repr_and_no_call_by_default() -> None:
    class Empty(Module):
        pass

    assert repr(Empty()) == "Empty(0 parameters)"
    with pytest.raises(NotImplementedError, match="Empty does not define __call__"):
        Empty()([1.0])
