"""The course's names: W2[1][3] for layers.1.neurons.0.w.2, and back, on every model shape;
model.parameter by either name; the labels for drawings."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from autodiff import topological_order
from nn import MLP, Layer, Neuron, course_labels, course_name, library_name

widths = st.lists(st.integers(1, 4), min_size=1, max_size=4)


@given(st.integers(1, 4), widths)
def test_course_names_count_layers_rows_and_columns_from_one(nin: int, nouts: list[int]) -> None:
    model = MLP(nin, nouts, rng=0)
    sizes = [nin, *nouts]
    for n, layer in enumerate(model.layers, start=1):  # the course's layer n
        for i in range(1, sizes[n] + 1):  # row i: neuron i of layer n
            for j in range(1, sizes[n - 1] + 1):  # column j: input j
                weight = model.parameter(f"W{n}[{i}][{j}]")
                assert weight is layer.W[i - 1][j - 1]
                assert course_name(weight.label) == f"W{n}[{i}][{j}]"
            assert model.parameter(f"b{n}[{i}]") is layer.b[i - 1]
    assert len(model.parameters()) == sum(a * b + b for a, b in itertools.pairwise(sizes))


@given(st.integers(1, 4), widths)
def test_every_name_of_a_model_goes_to_the_course_and_back(nin: int, nouts: list[int]) -> None:
    for model in (MLP(nin, nouts, rng=0), Layer(nin, nouts[0], rng=0), Neuron(nin, rng=0)):
        labels = course_labels(model)
        assert len(set(labels.values())) == len(labels)  # no two parts share a course name
        for name, value in model.named_parameters():
            assert labels[name] == course_name(name)
            assert library_name(course_name(name)) == name
            assert model.parameter(course_name(name)) is value
            assert model.parameter(name) is value


@pytest.mark.parametrize(
    ("library", "course"),
    [
        ("layers.0.neurons.0.w.0", "W1[1][1]"),
        ("layers.2.neurons.1.w.6", "W3[2][7]"),
        ("layers.10.neurons.11.w.12", "W11[12][13]"),
        ("layers.1.neurons.3.b", "b2[4]"),
        ("layers.1.neurons.3.z", "z2[4]"),
        ("layers.1.neurons.3.a", "a2[4]"),
        ("neurons.1.w.2", "W[2][3]"),
        ("neurons.1.b", "b[2]"),
        ("neurons.1.a", "a[2]"),
        ("w.4", "w[5]"),
        ("b", "b"),
        ("z", "z"),
    ],
)
def test_the_documented_correspondence(library: str, course: str) -> None:
    assert course_name(library) == course
    assert library_name(course) == library


def test_modules_have_course_names_for_the_drawing() -> None:
    assert course_name("layers.0") == "layer 1"
    assert course_name("layers.2.neurons.1") == "layer 3, neuron 2"
    assert course_name("neurons.4") == "neuron 5"


def test_course_labels_name_every_label_a_call_gives_and_every_module() -> None:
    model = MLP(1, [6, 7, 2], rng=0)
    cost = nn.sum_squared_error(model([0.3]), [0.1, 0.2])
    drawn = {node.label for node in topological_order(cost) if node.label}
    labels = course_labels(model)
    assert drawn <= set(labels)
    modules = {f"layers.{k}" for k in range(3)} | {
        f"layers.{k}.neurons.{i}" for k, width in enumerate([6, 7, 2]) for i in range(width)
    }
    assert modules <= set(labels)
    assert labels["layers.1.neurons.6.a"] == "a2[7]" and labels["layers.1"] == "layer 2"
    assert course_labels(Neuron(2, rng=0)) == {
        "w.0": "w[1]",
        "w.1": "w[2]",
        "b": "b",
        "z": "z",
        "a": "a",
    }


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("W4[1][1]", r"'W4\[1\]\[1\]' \(layers.3.neurons.0.w.0 in nn's names\)"),
        ("W2[8][1]", r"'W2\[8\]\[1\]' \(layers.1.neurons.7.w.0 in nn's names\)"),
        ("W2[0][1]", r"'W2\[0\]\[1\]': layers, rows and columns count from 1"),
        ("W2[1]", r"'W2\[1\]';"),
        ("layers.0.neurons.6.b", r"'layers.0.neurons.6.b';"),
        ("w[1]", r"'w\[1\]' \(w.0 in nn's names\)"),
    ],
)
def test_a_name_the_model_does_not_have_says_what_it_has(name: str, words: str) -> None:
    model = MLP(1, [6, 7, 2], rng=0)
    run = r"its parameters run W1\[1\]\[1\] … b3\[2\] \(layers.0.neurons.0.w.0 … layers.2"
    with pytest.raises(ValueError, match=rf"^MLP has no parameter {words}.*{run}"):
        model.parameter(name)


def test_parameter_refuses_what_is_not_a_name() -> None:
    with pytest.raises(TypeError, match=r"parameter: name must be a str, got int: 3"):
        MLP(1, [2], rng=0).parameter(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^Layer has no parameter 'W1\[1\]\[1\]'"):
        Layer(2, 2, rng=0).parameter("W1[1][1]")


@pytest.mark.parametrize("name", ["layers.x", "W2", "layers.0.neurons.1.q", "", "encoder.0"])
def test_course_name_refuses_names_nn_does_not_give(name: str) -> None:
    with pytest.raises(ValueError, match=rf"course_name: '{name}' is not a name nn gives"):
        course_name(name)


@pytest.mark.parametrize("name", ["W2[1]", "W2(1)(3)", "w2[1][3]", "layers.0", "W-1[1][1]"])
def test_library_name_refuses_what_the_course_does_not_write(name: str) -> None:
    with pytest.raises(ValueError, match=r"is not a course name such as 'W2\[1\]\[3\]'"):
        library_name(name)


def test_names_must_be_strings() -> None:
    with pytest.raises(TypeError, match="course_name: name must be a str"):
        course_name(1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="library_name: name must be a str"):
        library_name(None)  # type: ignore[arg-type]


def test_course_labels_of_something_else_is_a_type_error() -> None:
    import pytest

    import nn

    with pytest.raises(TypeError, match="course_labels: model must be an nn module"):
        nn.course_labels(5)  # type: ignore[arg-type]
