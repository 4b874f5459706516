"""draw_network: the course's architecture picture, checked on its DOT source."""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

import nn
from autodiff import Value, no_grad
from autodiff.show.render import Drawing
from nn.network_drawing import NEGATIVE, POSITIVE
from tests.helpers.drawing import DotGraph, parse_dot

pytest.importorskip("graphviz")


def heart_model() -> nn.MLP:
    """The course's 1→6→7→2 network (seed 0) with the gradients of the heart cost."""
    inputs, targets = nn.heart()
    model = nn.MLP(1, [6, 7, 2], init="course", rng=0)
    cost = sum(nn.sum_squared_error(model(x), y) for x, y in zip(inputs, targets)) / len(inputs)
    cost.backward()
    return model


def circles(graph: DotGraph) -> dict[str, dict[str, str]]:
    return {name: attrs for name, attrs in graph.nodes.items() if not name.startswith("title")}


def test_one_circle_per_input_and_neuron_and_one_edge_per_weight() -> None:
    model = heart_model()
    graph = parse_dot(nn.draw_network(model).source)
    sizes = [1, 6, 7, 2]
    assert len(circles(graph)) == sum(sizes)
    assert len(graph.edges) == sum(a * b for a, b in itertools.pairwise(sizes)) == 62
    for n, layer in enumerate(model.layers, start=1):
        for i in range(1, layer.nout + 1):
            tails = sorted(t for t, h, _ in graph.edges if h == f"n{n}_{i}")
            assert tails == sorted(f"n{n - 1}_{j}" for j in range(1, layer.nin + 1))


@pytest.mark.parametrize("show", ["weights", "grads"])
def test_the_thickest_edge_is_the_largest_number_and_colours_give_the_sign(show: str) -> None:
    model = heart_model()
    graph = parse_dot(nn.draw_network(model, show=show).source)
    # Independently of the drawing: every W(n)[i][j] as the number shown.
    expected = {}
    for n, layer in enumerate(model.layers, start=1):
        values = [[w.data for w in row] for row in layer.W]
        matrix = layer.weight_grad() if show == "grads" else values
        for i, row in enumerate(matrix, start=1):
            for j, number in enumerate(row, start=1):
                expected[(f"n{n - 1}_{j}", f"n{n}_{i}")] = number
    widths = {(t, h): float(attrs["penwidth"]) for t, h, attrs in graph.edges}
    thickest = max(widths, key=widths.__getitem__)
    largest = max(expected, key=lambda edge: abs(expected[edge]))
    assert thickest == largest
    colours = {(t, h): attrs["color"] for t, h, attrs in graph.edges}
    assert colours == {
        edge: POSITIVE if number >= 0 else NEGATIVE for edge, number in expected.items()
    }
    ranked = sorted(expected, key=lambda edge: abs(expected[edge]))  # widths grow with |number|
    assert [widths[edge] for edge in ranked] == sorted(widths.values())


def test_the_heart_costs_most_sensitive_weight_is_named_in_the_legend() -> None:
    model = heart_model()
    source = nn.draw_network(model, show="grads").source
    grads = [
        (abs(g), f"W{n}[{i}][{j}]", g)
        for n, layer in enumerate(model.layers, start=1)
        for i, row in enumerate(layer.weight_grad(), start=1)
        for j, g in enumerate(row, start=1)
    ]
    _, name, value = max(grads)
    assert f"largest |∂C/∂w|: {name} = {value:.3g}" in source


def test_biases_are_in_the_circles_and_neurons_are_drawn_in_order() -> None:
    model = heart_model()
    graph = parse_dot(nn.draw_network(model).source)
    for n, layer in enumerate(model.layers, start=1):
        heights = []
        for i, bias in enumerate(layer.b, start=1):
            attrs = graph.nodes[f"n{n}_{i}"]
            assert f"b = {bias.data:.3g}" in attrs["label"]
            assert attrs["label"].startswith(f"{i}\\n")
            heights.append(float(attrs["pos"].rstrip("!").split(",")[1]))
        assert heights == sorted(heights, reverse=True)  # neuron 1 on top


def test_with_an_input_every_neuron_shows_its_activation() -> None:
    model = heart_model()
    graph = parse_dot(nn.draw_network(model, x=[0.25]).source)
    with no_grad():
        outputs = [a.data for a in model([0.25])]
        hidden = [a.data for a in model.layers[0]([0.25])]
    assert "a = 0.25" in graph.nodes["n0_1"]["label"]
    for i, a in enumerate(outputs, start=1):
        assert graph.nodes[f"n3_{i}"]["label"].endswith(f"a = {a:.3g}")
    for i, a in enumerate(hidden, start=1):
        assert graph.nodes[f"n1_{i}"]["label"].endswith(f"a = {a:.3g}")


def test_a_layer_alone_is_a_network_of_two_columns(tmp_path: Path) -> None:
    layer = nn.Layer(3, 2, "tanh", rng=1)
    drawing = nn.draw_network(layer)
    assert isinstance(drawing, Drawing)
    graph = parse_dot(drawing.source)
    assert len(circles(graph)) == 5 and len(graph.edges) == 6
    path = drawing.write(tmp_path / "layer.svg")
    assert ElementTree.parse(path).getroot().tag.endswith("svg")
    assert drawing.source == nn.draw_network(layer).source  # deterministic


@pytest.mark.parametrize(
    ("arguments", "error", "words"),
    [
        ({"show": "values"}, ValueError, "draw_network: show must be 'weights' or 'grads'"),
        ({"show": "grads"}, ValueError, "every gradient is 0: compute a cost and call"),
        ({"x": [0.1, 0.2]}, ValueError, "draw_network: x must hold 1 inputs, got 2"),
        ({"x": 0.5}, TypeError, "draw_network: x must be a sequence of numbers"),
        ({"digits": 0}, ValueError, "draw_network: digits must be a positive int, got 0"),
        ({"x": [Value(0.5)]}, TypeError, "draw_network: x must be a sequence of numbers"),
    ],
)
def test_bad_arguments_are_refused(
    arguments: dict[str, object], error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words.replace("(", r"\(").replace("|", r"\|")):
        nn.draw_network(nn.MLP(1, [2, 1], rng=0), **arguments)  # type: ignore[arg-type]


def test_a_number_that_is_not_finite_is_refused() -> None:
    model = nn.MLP(1, [2, 1], rng=0)
    model.layers[1].neurons[0].w[1].data = math.inf
    with pytest.raises(ValueError, match=r"draw_network: W2\[1\]\[2\] is inf"):
        nn.draw_network(model)
    model.layers[1].neurons[0].w[1].data = 1.0
    model.layers[0].neurons[1].b.grad = math.nan
    with pytest.raises(ValueError, match=r"draw_network: ∂C/∂b1\[2\] is nan"):
        nn.draw_network(model, show="grads")


def test_only_networks_are_drawn() -> None:
    with pytest.raises(TypeError, match=r"draw_network: model must be an nn\.MLP or an nn\.Layer"):
        nn.draw_network(nn.Neuron(2, rng=0))  # type: ignore[arg-type]
