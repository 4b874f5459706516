"""draw(): DOT structure, numbers, local partials, highlighting, determinism and rendering."""

from __future__ import annotations

import math
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings

from autodiff import Value, draw, explain, topological_order
from autodiff.graph import consumers
from autodiff.show.clusters import assign_clusters
from autodiff.show.render import LAYOUT_BUDGET, Drawing, GraphvizNotFound
from autodiff.show.scene import Options, describe
from autodiff.testing import Expression, expressions
from tests.helpers.drawing import parse_dot

SVG = "{http://www.w3.org/2000/svg}"


def tanh_neuron() -> dict[str, Value]:
    w, x, b = Value(-3.0, label="w"), Value(2.0, label="x"), Value(6.88, label="b")
    a = (w * x + b).tanh()
    a.backward()
    return {"w": w, "x": x, "b": b, "a": a}


def g4(x: float) -> str:
    return f"{x:.4g}"


def test_every_value_is_a_record_and_every_operation_a_node() -> None:
    n = tanh_neuron()
    graph = parse_dot(draw(n["a"]).source)
    assert len(graph.nodes) == 6 + 3  # w, x, b, w·x, w·x + b, a; ×, +, tanh
    assert len(graph.edges) == 3 + 3 + 2  # two operands and a result edge per binary op
    ops = sorted(attrs["label"] for name, attrs in graph.nodes.items() if name.startswith("o"))
    assert ops == ["+", "tanh", "×"]
    # By hand: z = −3·2 + 6.88 = 0.88; ∂a/∂w = x·(1 − tanh²z), ∂a/∂x = w·(1 − tanh²z).
    slope = 1 - math.tanh(0.88) ** 2
    assert graph.nodes["v0"]["label"] == f"{{ w | data -3 | grad {g4(2 * slope)} }}"
    assert graph.nodes["v1"]["label"] == f"{{ x | data 2 | grad {g4(-3 * slope)} }}"
    assert graph.nodes["v5"]["label"] == f"{{ data {g4(math.tanh(0.88))} | grad 1 }}"
    assert ("v0", "o2", {}) in graph.edges and ("o2", "v2", {}) in graph.edges
    assert "rankdir=LR" in draw(n["a"]).source


def test_kinds_of_values_look_different() -> None:
    x = Value(2.0, label="x")
    w, b = Value(0.5, label="w"), Value(0.1, label="b")
    out = (w * x + b - 1).sigmoid()
    graph = parse_dot(draw(out).source)
    fills = {attrs["label"].split("|")[0].strip("{ }"): attrs for attrs in graph.nodes.values()}
    assert fills["w"]["shape"] == fills["b"]["shape"] == "Mrecord"  # parameters
    assert "shape" not in fills["x"]  # data: a plain record
    colours = {fills[name]["fillcolor"] for name in ("w", "x", "-1")}
    assert len(colours) == 3  # parameter, data and constant each have their own colour
    assert fills["-1"]["label"] == "{ -1 }"  # a constant shows its number only


def test_digits_and_rankdir_options() -> None:
    n = tanh_neuron()
    source = draw(n["a"], digits=2, rankdir="TB").source
    assert 'label="data 0.71 | grad 1"' in source  # no braces: fields side by side in TB
    assert "rankdir=TB" in source


def test_show_local_labels_each_operand_edge_with_its_partial() -> None:
    n = tanh_neuron()
    graph = parse_dot(draw(n["a"], show_local=True).source)
    labels = {(tail, head): attrs.get("label") for tail, head, attrs in graph.edges}
    assert labels[("v0", "o2")] == "2"  # ∂(w·x)/∂w = x
    assert labels[("v1", "o2")] == "-3"  # ∂(w·x)/∂x = w
    assert labels[("v2", "o4")] == labels[("v3", "o4")] == "1"
    assert labels[("v4", "o5")] == g4(1 - math.tanh(0.88) ** 2)
    assert labels[("o5", "v5")] is None  # result edges carry no partial
    assert all("label" not in attrs for _, _, attrs in parse_dot(draw(n["a"]).source).edges)


def test_a_shared_operand_has_one_edge_per_use() -> None:
    a = Value(3.0, label="a")
    graph = parse_dot(draw(a * a, show_local=True).source)
    assert [(t, h, attrs["label"]) for t, h, attrs in graph.edges if h == "o1"] == [
        ("v0", "o1", "3"),
        ("v0", "o1", "3"),
    ]


def test_undefined_local_partial_is_drawn_not_raised() -> None:
    zero = Value(0.0, label="x")
    graph = parse_dot(draw(zero.sqrt(), show_local=True).source)
    assert graph.edges[0][2]["label"] == "undefined"


def test_same_graph_gives_byte_identical_source() -> None:
    first, second = tanh_neuron(), tanh_neuron()
    options = {"show_local": True}
    assert draw(first["a"], **options).source == draw(second["a"], **options).source
    source = draw(first["a"], highlight=first["w"]).source
    assert source == draw(first["a"], highlight=first["w"]).source
    assert "0x" not in source and str(id(first["a"])) not in source


@settings(max_examples=60, deadline=None)
@given(expressions())
def test_highlight_marks_exactly_the_edges_on_paths(recipe: Expression) -> None:
    nodes = recipe.nodes(*recipe.leaves())
    root = nodes[-1]
    order = topological_order(root)
    index = {id(node): k for k, node in enumerate(order)}
    for target in nodes:
        if id(target) not in index:  # a node the root was not computed from
            with pytest.raises(ValueError, match="is not in the graph below the root"):
                draw(root, highlight=target)
            continue
        # Expected, independently of draw's reachability sets: the edges of every path
        # explain() enumerates, each as operand -> operation -> result.
        expected: set[tuple[str, str]] = set()
        for path in explain(root, target, max_paths=100_000).paths:
            for parent, child in zip(path.nodes, path.nodes[1:]):
                expected.add((f"v{index[id(child)]}", f"o{index[id(parent)]}"))
                expected.add((f"o{index[id(parent)]}", f"v{index[id(parent)]}"))
        drawn = parse_dot(draw(root, highlight=target, max_nodes=10_000).source)
        assert set(drawn.highlighted()) == expected
        dimmed = [attrs for t, h, attrs in drawn.edges if (t, h) not in expected]
        assert all(attrs["color"] == "#c8c8c8" for attrs in dimmed)


def test_highlight_several_targets_and_mark_them() -> None:
    n = tanh_neuron()
    graph = parse_dot(draw(n["a"], highlight=[n["w"], n["b"]]).source)
    assert set(graph.highlighted()) == {
        ("v0", "o2"),
        ("o2", "v2"),
        ("v2", "o4"),
        ("v3", "o4"),
        ("o4", "v4"),
        ("v4", "o5"),
        ("o5", "v5"),
    }
    assert graph.nodes["v0"]["color"] == graph.nodes["v3"]["color"] == "#d62728"
    assert graph.nodes["v1"]["color"] == "#c8c8c8"  # x is on no path to w or b


def test_rendered_svg_is_xml_with_every_node_and_edge(tmp_path: Path) -> None:
    n = tanh_neuron()
    path = draw(n["a"], show_local=True).write(tmp_path / "neuron.svg")
    root = ET.parse(path).getroot()
    groups = list(root.iter(f"{SVG}g"))
    nodes = [g for g in groups if g.get("class") == "node"]
    edges = [g for g in groups if g.get("class") == "edge"]
    assert sorted(g.findtext(f"{SVG}title") for g in nodes) == sorted(
        ["v0", "v1", "v2", "o2", "v3", "v4", "o4", "v5", "o5"]
    )
    assert len(edges) == 8
    texts = {t.text for t in root.iter(f"{SVG}text")}
    assert {"w", "data -3", "grad 1", "tanh", "×"} <= texts
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask  # as open() would have made it


def test_save_refuses_a_picture_name_and_writes_dot_source_otherwise(tmp_path: Path) -> None:
    drawing = draw(tanh_neuron()["a"])
    for name in ("graph.svg", "graph.PNG", "graph.pdf"):
        words = rf"save: writes the DOT source.*\.write\('.*{name}'\)"
        with pytest.raises(ValueError, match=words):
            drawing.save(tmp_path / name)
    assert list(tmp_path.iterdir()) == []
    saved = drawing.save(tmp_path / "graph.gv")
    assert Path(saved).read_text() == drawing.source
    drawing.render(tmp_path / "picture", format="svg")  # render saves its source through save
    assert (tmp_path / "picture.svg").read_text().lstrip().startswith("<?xml")


def test_jupyter_display_is_svg() -> None:
    bundle = draw(tanh_neuron()["a"])._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"]
    assert ET.fromstring(bundle["image/svg+xml"]).tag == f"{SVG}svg"


def test_save_replaces_an_existing_file_and_writes_dot_source(tmp_path: Path) -> None:
    drawing = draw(tanh_neuron()["a"])
    target = tmp_path / "graph.svg"
    target.write_text("old")
    drawing.write(target)
    assert target.read_text().lstrip().startswith("<?xml")
    drawing.write(tmp_path / "graph.gv")
    assert (tmp_path / "graph.gv").read_text() == drawing.source
    with pytest.raises(ValueError, match="write: unknown format 'nope'"):
        drawing.write(tmp_path / "graph.nope")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.gv", "graph.svg"]


def test_without_dot_the_source_builds_and_rendering_names_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no dot anywhere
    drawing = draw(tanh_neuron()["a"])
    assert isinstance(drawing, Drawing) and drawing.source.startswith("digraph")
    for render in (
        lambda: drawing.pipe(format="svg"),
        lambda: drawing.render(tmp_path / "out", format="svg"),
        lambda: drawing._repr_mimebundle_(),
        lambda: drawing.write(tmp_path / "graph.svg"),
    ):
        with pytest.raises(GraphvizNotFound, match="install the package 'graphviz'"):
            render()
    drawing.write(tmp_path / "graph.dot")  # DOT source needs no Graphviz program
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.dot", "out"]


def test_labels_with_record_syntax_are_escaped(tmp_path: Path) -> None:
    odd = Value(1.0, label='a{b|c}<d>"e\\')
    drawing = draw(odd * 2)
    texts = {t.text for t in ET.fromstring(drawing.pipe(format="svg")).iter(f"{SVG}text")}
    assert 'a{b|c}<d>"e\\' in texts


def test_large_unclustered_graph_is_cut_to_max_nodes() -> None:
    x = Value(0.5, label="x")
    y = x
    for _ in range(5000):
        y = (y * 0.5).sin()
    graph = parse_dot(draw(y, max_nodes=120).source)
    assert len(graph.nodes) <= 120
    assert "more nodes" in graph.nodes["rest"]["label"]
    root = f"v{len(topological_order(y)) - 1}"
    assert root in graph.nodes and "x" not in str(graph.nodes)  # the root's end is kept
    assert len(graph.edges) < 2 * 120


@pytest.mark.parametrize(
    ("options", "error", "words"),
    [
        ({"highlight": 3.0}, TypeError, "draw: highlight must be a Value or a list of Values"),
        ({"highlight": [3.0]}, TypeError, "draw: highlight must hold Values, got float"),
        ({"max_nodes": 0}, ValueError, "draw: max_nodes must be a positive int, got 0"),
        ({"digits": 2.5}, ValueError, "draw: digits must be a positive int, got 2.5"),
        ({"rankdir": "XY"}, ValueError, "draw: rankdir must be 'LR', 'TB', 'RL' or 'BT'"),
        ({"expand": ["layers.9"]}, ValueError, "expand names no module of this graph: 'layers.9'"),
        ({"expand": [3]}, TypeError, "draw: expand must hold module paths"),
    ],
)
def test_bad_options_are_rejected(options: dict[str, object], error: type, words: str) -> None:
    with pytest.raises(error, match=words.replace("(", r"\(")):
        draw(tanh_neuron()["a"], **options)  # type: ignore[arg-type]


def test_highlighting_a_value_outside_the_graph_is_refused() -> None:
    n = tanh_neuron()
    stranger = Value(n["w"].data, label="w")  # equal in value, but not the one used
    words = r"draw: highlight: Value\(.*label='w'\) is not in the graph"
    with pytest.raises(ValueError, match=words):
        draw(n["a"], highlight=stranger)
    with pytest.raises(ValueError, match="is not in the graph"):
        draw(n["a"], highlight=[n["w"], stranger])
    draw(n["a"], highlight=[n["w"], n["a"]])  # the root itself and its leaves are in it


def test_root_must_be_a_value() -> None:
    with pytest.raises(TypeError, match=r"draw: root must be a Value, got float: 1\.0"):
        draw(1.0)  # type: ignore[arg-type]


def test_long_edges_that_would_overload_dot_collapse_further() -> None:
    # A leaf feeding every step of a chain: 351 nodes is few, but its long edges would
    # cost dot minutes to lay out. The drawing is cut until the estimate fits the budget.
    x = Value(0.5, label="x")
    y = x
    for _ in range(50):
        y = (y * 0.999 + x).tanh()
    order = topological_order(y)
    users = consumers(order)
    chains = assign_clusters(order, users)
    options = Options(digits=4, show_local=True, horizontal=True, path_ids=None, targets=set())
    whole = describe(order, users, chains, {}, options)
    assert len(whole.nodes) < 1000 and whole.layout_cost > LAYOUT_BUDGET
    graph = parse_dot(draw(y, show_local=True, max_nodes=1000).source)
    assert "rest" in graph.nodes and len(graph.nodes) < len(whole.nodes)
    assert f"v{len(order) - 1}" in graph.nodes  # the root's end is what stays
