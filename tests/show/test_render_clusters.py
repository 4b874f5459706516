"""Module clusters and collapse, on the course's 1→6→7→2 network labelled the way nn labels it."""

from __future__ import annotations

import re

import graphviz
import pytest

import nn
from autodiff import Value, draw, explain, topological_order
from autodiff.show.clusters import is_parameter, module_clusters, split_label
from autodiff.show.render import MAX_NODES
from tests.helpers.drawing import DotGraph, mlp_cost, parse_dot

NEURONS = [(0, j) for j in range(6)] + [(1, j) for j in range(7)] + [(2, j) for j in range(2)]


def titles(graph: DotGraph) -> dict[str, str]:
    """Module path -> drawing node, for every summary node."""
    found = {}
    for name, attributes in graph.nodes.items():
        if name.startswith("m"):
            title = re.match(r"\{ ([\w.]+) \(", attributes["label"])
            assert title is not None
            found[title.group(1)] = name
    return found


def ids_by_label(cost: Value) -> dict[str, str]:
    return {node.label: f"v{k}" for k, node in enumerate(topological_order(cost)) if node.label}


@pytest.mark.parametrize(
    ("label", "module", "local"),
    [
        ("layers.0.neurons.1.w.6", "layers.0.neurons.1", "w.6"),
        ("layers.0.neurons.1.b", "layers.0.neurons.1", "b"),
        ("layers.2.neurons.0.a", "layers.2.neurons.0", "a"),
        ("w.0", "", "w.0"),
        ("x", "", "x"),
        ("encoder.h", "encoder", "h"),
    ],
)
def test_labels_split_into_module_path_and_local_name(label: str, module: str, local: str) -> None:
    assert split_label(label) == (module, local)


def test_module_paths_nest_by_name_index_pairs() -> None:
    assert module_clusters("layers.0.neurons.1") == ("layers.0", "layers.0.neurons.1")
    assert module_clusters("layers.3") == ("layers.3",)
    assert module_clusters("") == ()


def test_full_network_groups_nodes_by_layer_and_neuron() -> None:
    cost = mlp_cost()
    cost.backward()
    graph = parse_dot(draw(cost, max_nodes=10_000).source)
    ids = ids_by_label(cost)
    for layer, j in NEURONS:
        neuron = f"layers.{layer}.neurons.{j}"
        assert graph.parent[neuron] == f"layers.{layer}"
        for local in ("b", "z", "a", "w.0"):
            assert graph.cluster_of[ids[f"{neuron}.{local}"]] == neuron
        assert graph.nodes[ids[f"{neuron}.w.0"]]["shape"] == "Mrecord"  # a parameter
        assert graph.nodes[ids[f"{neuron}.w.0"]]["label"].startswith("{ w.0 |")  # local name
    assert {graph.parent[f"layers.{layer}"] for layer in range(3)} == {None}
    for label in ("x", "y.0", "y.1", "C"):
        assert graph.cluster_of[ids[label]] is None


def cost_nodes(cost: Value) -> set[int]:
    """The nodes of the cost itself: reachable from C without entering the network."""
    seen, stack = {id(cost)}, [cost]
    while stack:
        for child in stack.pop().children:
            if id(child) not in seen and not child.label.startswith("layers."):
                seen.add(id(child))
                stack.append(child)
    return seen


def test_unlabelled_operations_join_the_deepest_cluster_of_their_users() -> None:
    cost = mlp_cost()
    outside = cost_nodes(cost)
    graph = parse_dot(draw(cost, max_nodes=10_000).source)
    checked = 0
    for k, node in enumerate(topological_order(cost)):
        if node.label or not node.children:
            continue
        drawn_in = graph.cluster_of[f"v{k}"]
        assert graph.cluster_of[f"o{k}"] == drawn_in
        if id(node) in outside:
            assert drawn_in is None  # the cost's own nodes stay outside the network
        else:  # w·a, or a partial sum ending in + w·a: the neuron that owns w
            weight = node.children[0] if node.op == "*" else node.children[1].children[0]
            assert drawn_in == split_label(weight.label)[0]
            checked += 1
    weights, neurons = 1 * 6 + 6 * 7 + 7 * 2, 6 + 7 + 2
    assert checked == 2 * weights - neurons  # a product and a sum per weight; z is labelled


def test_default_drawing_of_the_network_collapses_neurons_under_the_limit() -> None:
    cost = mlp_cost()
    cost.backward()
    order = topological_order(cost)
    assert len(order) + sum(1 for node in order if node.children) > MAX_NODES  # needs collapse
    graph = parse_dot(draw(cost).source)
    assert len(graph.nodes) <= MAX_NODES
    summaries = titles(graph)
    assert sorted(summaries) == sorted(f"layers.{layer}.neurons.{j}" for layer, j in NEURONS)
    outputs = {node.label: node for node in order if node.label.endswith(".a")}
    for neuron, name in summaries.items():
        a = outputs[f"{neuron}.a"]
        assert f"| out {a.data:.4g} | grad {a.grad:.4g} }}" in graph.nodes[name]["label"]
    assert not any(".w." in attrs["label"] for attrs in graph.nodes.values())


def test_expand_opens_chosen_modules() -> None:
    cost = mlp_cost()
    graph = parse_dot(draw(cost, expand=["layers.2.neurons.0"]).source)
    summaries = [a["label"] for n, a in graph.nodes.items() if n.startswith("m")]
    assert len(summaries) == len(NEURONS) - 1
    assert not any("layers.2.neurons.0 (" in label for label in summaries)
    ids = ids_by_label(cost)
    assert graph.cluster_of[ids["layers.2.neurons.0.w.6"]] == "layers.2.neurons.0"
    # Expanding a layer opens every neuron in it.
    graph = parse_dot(draw(cost, expand="layers.1").source)
    summaries = [a["label"] for n, a in graph.nodes.items() if n.startswith("m")]
    assert len(summaries) == 6 + 2 and not any("layers.1." in label for label in summaries)


def test_layers_collapse_when_neurons_are_still_too_many() -> None:
    cost = mlp_cost()
    graph = parse_dot(draw(cost, max_nodes=25).source)
    assert len(graph.nodes) <= 25
    summaries = titles(graph)
    assert sorted(summaries) == ["layers.0", "layers.1", "layers.2"]
    layer_2 = graph.nodes[summaries["layers.2"]]["label"]
    assert re.search(r"out [-\d.e]+, [-\d.e]+ \|", layer_2)  # both outputs of the last layer
    assert ", …" in graph.nodes[summaries["layers.1"]]["label"]  # seven: the rest elided


def test_collapse_keeps_highlighted_paths_through_summaries() -> None:
    cost = mlp_cost()
    ids = ids_by_label(cost)
    order = topological_order(cost)
    w = next(node for node in order if node.label == "layers.0.neurons.1.w.0")
    graph = parse_dot(draw(cost, highlight=w).source)
    summaries = titles(graph)
    on_path = summaries["layers.0.neurons.1"]
    off_path = summaries["layers.0.neurons.0"]
    assert {(t, h) for t, h, _ in graph.edges if t == on_path} <= set(graph.highlighted())
    assert not any(t == off_path for t, _ in graph.highlighted())
    assert ("o" + ids["C"][1:], ids["C"]) in graph.highlighted()


def test_tiny_budget_lumps_the_far_end_into_one_node() -> None:
    graph = parse_dot(draw(mlp_cost(), max_nodes=8).source)
    assert len(graph.nodes) <= 8
    assert "more nodes" in graph.nodes["rest"]["label"]


def test_standalone_neuron_has_no_cluster_but_parameters_look_like_parameters() -> None:
    w, b, x = Value(1.3, label="w.0"), Value(-0.1, label="b"), Value(0.0, label="x")
    z = w * x + b
    z.label = "z"
    a = z.tanh()
    a.label = "a"
    graph = parse_dot(draw(a).source)
    assert graph.parent == {}
    assert is_parameter(w) and is_parameter(b) and not is_parameter(x) and not is_parameter(z)
    shapes = {a["label"].split(" |")[0].strip("{ "): a.get("shape") for a in graph.nodes.values()}
    assert shapes["w.0"] == shapes["b"] == "Mrecord" and shapes["x"] is None


def test_real_nn_network_is_drawn_in_its_modules() -> None:
    model = nn.MLP(1, [6, 7, 2], "sigmoid", rng=3)
    cost = nn.sum_squared_error(model([0.3]), [0.2, 0.8])
    cost.label = "C"
    cost.backward()
    order = topological_order(cost)
    graph = parse_dot(draw(cost).source)
    assert len(graph.nodes) <= MAX_NODES and not titles(graph)  # fused: fits uncollapsed
    index = {id(node): k for k, node in enumerate(order)}
    for name, parameter in model.named_parameters():
        neuron = split_label(name)[0]
        assert parameter.label == name
        assert graph.cluster_of[f"v{index[id(parameter)]}"] == neuron
        assert graph.nodes[f"v{index[id(parameter)]}"]["shape"] == "Mrecord"
    dots = [k for k, node in enumerate(order) if node.op == "dot"]
    assert len(dots) == len(NEURONS)
    assert all(graph.cluster_of[f"o{k}"].startswith("layers.") for k in dots)
    assert graph.cluster_of[f"v{len(order) - 1}"] is None  # the cost is outside
    collapsed = parse_dot(draw(cost, max_nodes=100).source)
    assert len(collapsed.nodes) <= 100
    assert sorted(titles(collapsed)) == sorted(f"layers.{k}.neurons.{j}" for k, j in NEURONS)
    w = dict(model.named_parameters())["layers.0.neurons.1.w.0"]
    assert explain(cost, w).total == w.grad


def _heights(source: str) -> dict[str, float]:
    """Drawing node -> its height as dot lays it out (in a left-to-right drawing, larger is
    higher up the column)."""
    plain = graphviz.Source(source).pipe(format="plain").decode("utf-8")
    return {
        fields[1]: float(fields[3])
        for fields in (line.split() for line in plain.splitlines())
        if fields and fields[0] == "node"
    }


@pytest.mark.parametrize("seed", [1, 3])
def test_neurons_of_a_layer_are_drawn_in_their_order(seed: int) -> None:
    model = nn.MLP(1, [6, 7, 2], "sigmoid", rng=seed)
    cost = nn.sum_squared_error(model([0.3]), [0.8, 0.5])
    cost.backward()
    order = topological_order(cost)
    outputs = {node.label: f"v{k}" for k, node in enumerate(order) if node.label.endswith(".a")}
    collapsed = draw(cost, max_nodes=100).source
    drawings = {
        "whole": (draw(cost).source, outputs),
        "collapsed": (collapsed, {f"{m}.a": n for m, n in titles(parse_dot(collapsed)).items()}),
    }
    for kind, (source, node_of) in drawings.items():
        heights = _heights(source)
        for layer, width in enumerate([6, 7, 2]):
            column = [heights[node_of[f"layers.{layer}.neurons.{j}.a"]] for j in range(width)]
            assert column == sorted(column, reverse=True), (kind, layer, column)


# --- labels: names drawn instead of labels and module paths ---------------------------------


def test_labels_rename_nodes_clusters_and_summaries_and_nothing_else() -> None:
    cost = mlp_cost()
    labels = {
        "layers.0.neurons.1.w.0": "W1[2][1]",
        "layers.2.neurons.1.a": "a3[2]",
        "layers.1": "layer 2",
        "layers.2.neurons.0": "layer 3, neuron 1",
    }
    ids = ids_by_label(cost)
    plain = parse_dot(draw(cost, max_nodes=10_000).source)
    named = parse_dot(draw(cost, max_nodes=10_000, labels=labels).source)
    assert named.nodes[ids["layers.0.neurons.1.w.0"]]["label"].startswith("{ W1[2][1] | data")
    assert plain.nodes[ids["layers.0.neurons.1.w.0"]]["label"].startswith("{ w.0 | data")
    assert named.nodes[ids["layers.2.neurons.1.a"]]["label"].startswith("{ a3[2] | data")
    changed = [name for name in plain.nodes if plain.nodes[name] != named.nodes[name]]
    assert sorted(changed) == sorted([ids["layers.0.neurons.1.w.0"], ids["layers.2.neurons.1.a"]])
    assert named.edges == plain.edges and named.cluster_of == plain.cluster_of
    renamed = {"layers.1": "layer 2", "layers.2.neurons.0": "layer 3, neuron 1"}
    plain_titles = cluster_titles(draw(cost, max_nodes=10_000).source)
    assert cluster_titles(draw(cost, max_nodes=10_000, labels=labels).source) == [
        renamed.get(title, title) for title in plain_titles
    ]
    collapsed = draw(cost, max_nodes=100, labels=labels).source
    assert "{ layer 3, neuron 1 (" in collapsed and "{ layers.2.neurons.0 (" not in collapsed


def cluster_titles(source: str) -> list[str]:
    return re.findall(r'label="([^"]+)" style="rounded,filled"', source)


def test_course_labels_draw_the_network_in_the_course_notation() -> None:
    model = nn.MLP(1, [6, 7, 2], "sigmoid", rng=3)
    cost = nn.sum_squared_error(model([0.3]), [0.2, 0.8])
    cost.backward()
    order = topological_order(cost)
    graph = parse_dot(draw(cost, labels=nn.course_labels(model)).source)
    index = {id(node): k for k, node in enumerate(order)}
    for name, parameter in model.named_parameters():
        field = graph.nodes[f"v{index[id(parameter)]}"]["label"].split(" | ")[0]
        assert field == "{ " + nn.course_name(name)
    collapsed = draw(cost, max_nodes=100, labels=nn.course_labels(model)).source
    assert sorted(re.findall(r"\{ (layer \d, neuron \d+) \(", collapsed)) == sorted(
        f"layer {k + 1}, neuron {j + 1}" for k, j in NEURONS
    )


@pytest.mark.parametrize(
    ("labels", "error", "words"),
    [
        (["w"], TypeError, "draw: labels must be a mapping of labels to names, got list"),
        ({"w": 1}, TypeError, "draw: labels must map str to str, got 'w': 1"),
        ({2: "w"}, TypeError, "draw: labels must map str to str, got 2: 'w'"),
        ({"q": "Q"}, ValueError, r"draw: labels names nothing in this graph \('q', \.\.\.\)"),
    ],
)
def test_bad_labels_are_refused(labels: object, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        draw(mlp_cost(), labels=labels)  # type: ignore[arg-type]
