"""The interactive page in a real headless Chromium: its numbers are the eager engine's.

Every test loads a page written by ``explore`` and compares ``autodiffPage.nodes()`` with
the eager engine at the same inputs, to 1e-12 relative (tests/helpers/eager.py): a neuron
as the learner changes it, random expressions (``autodiff.testing``) at their inputs and at
other points, domain errors (the engine's message instead of numbers), and the course's
1→6→7→2 network. They also click, step the walk and select. Skipped, saying why, where
Chromium, chromedriver or selenium is missing (``make test`` installs them).

The random expressions follow the Hypothesis profile: a dozen or so pages in ``ci``, a few
hundred with ``HYPOTHESIS_PROFILE=thorough``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autodiff import Value, explore
from autodiff.primitives import Kernel, Primitive
from autodiff.show.notation import format_number
from autodiff.testing import Expression, expressions, points
from autodiff.value import apply
from tests.helpers import browser
from tests.helpers.eager import close, eager_nodes, mismatches, replay

pytestmark = pytest.mark.skipif(bool(browser.missing()), reason=browser.missing() or "ok")

PAGES = max(8, settings.default.max_examples // 6)
"""Random expressions per run: a few in ``default`` and ``ci``, hundreds in ``thorough``."""


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    started = browser.start_browser()
    try:
        yield started
    finally:
        browser.stop_browser(started)


def show(driver: Any, root: Value, folder: Path, name: str = "page.html") -> None:
    path = explore(root).write(folder / name)
    browser.open_page(driver, path)


def nodes(driver: Any) -> list[dict[str, Any]]:
    return driver.execute_script("return window.autodiffPage.nodes()")


def call(driver: Any, method: str, *args: Any) -> Any:
    return driver.execute_script(f"return window.autodiffPage.{method}(...arguments)", *args)


def build_neuron(w: float, x: float, b: float) -> Value:
    wv, xv, bv = Value(w, label="w"), Value(x, label="x"), Value(b, label="b")
    a = (wv * xv + bv).tanh()
    a.label = "a"
    return a


def test_the_neuron_page_has_the_engines_numbers_as_the_learner_changes_it(
    driver: Any, tmp_path: Path
) -> None:
    a = build_neuron(-3.0, 2.0, 6.88)
    a.backward()
    show(driver, a, tmp_path)
    assert mismatches(nodes(driver), eager_nodes(build_neuron, (-3.0, 2.0, 6.88))) == []
    # Nothing was fetched: the page is one file (and its policy forbids any fetch).
    assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0
    for w, x, b in [(-3.0, 2.0, 1.5), (0.25, -1.0, 6.88), (2.0, 0.5, -0.125)]:
        call(driver, "setLeaf", "w", w)
        call(driver, "setLeaf", "x", x)
        call(driver, "setLeaf", "b", b)
        assert call(driver, "error") is None
        assert mismatches(nodes(driver), eager_nodes(build_neuron, (w, x, b))) == []
    # The drawing shows the new numbers.
    text = driver.execute_script(
        "return [...document.querySelectorAll('#drawing g.node')].map(g => g.textContent).join(' ')"
    )
    assert "data -0.125" in text


def test_typing_into_a_leaf_box_recomputes(driver: Any, tmp_path: Path) -> None:
    a = build_neuron(-3.0, 2.0, 6.88)
    show(driver, a, tmp_path)
    box = driver.find_element("id", "input-v1")  # x
    box.clear()
    box.send_keys("1.5")
    assert mismatches(nodes(driver), eager_nodes(build_neuron, (-3.0, 1.5, 6.88))) == []
    box.clear()
    box.send_keys("e")  # not a number: said, and nothing recomputed
    assert "not a finite number" in driver.find_element("id", "message").text
    assert mismatches(nodes(driver), eager_nodes(build_neuron, (-3.0, 1.5, 6.88))) == []


def test_setleaf_refuses_what_value_refuses(driver: Any, tmp_path: Path) -> None:
    show(driver, build_neuron(-3.0, 2.0, 6.88), tmp_path)
    for label, value in (("nope", 1.0), ("w", "2")):
        with pytest.raises(Exception, match="setLeaf"):
            call(driver, "setLeaf", label, value)


@pytest.mark.parametrize(
    ("formula", "at", "bad"),
    [
        (lambda x: (x * 1.0).log(), 2.0, -1.5),
        (lambda x: (x + 0.0).sqrt(), 4.0, -0.5),
        (lambda x: (x * 2.0).exp(), 1.0, 400.0),
        (lambda x: (x + 0.0) ** 0.5, 4.0, -2.0),
        (lambda x: (x + 0.0) ** -1.0, 4.0, 0.0),
        (lambda x: 2.0 ** (x * 1.0) + (x * 1.0) ** (x * 1.0), 1.5, -1.0),
        (lambda x: (x * 1e100) * (x * 1e100), 1.0, 1e60),
        (lambda x: (x + 0.0).sqrt() * 3.0, 4.0, 0.0),  # the derivative at 0 is infinite
        (lambda x: (x * 1.0) ** 3.0, 1.0, 1e103),
        (lambda x: (x * 1.0) ** -2.0, 1.0, 1e-160),  # the partial overflows
    ],
)
def test_a_domain_error_shows_the_engines_message_instead_of_numbers(
    driver: Any, tmp_path: Path, formula: Any, at: float, bad: float
) -> None:
    def build(x: float) -> Value:
        return formula(Value(x, label="x"))

    root = build(at)
    root.backward()
    show(driver, root, tmp_path)
    call(driver, "setLeaf", "x", bad)
    expected = eager_nodes(build, (bad,))
    assert isinstance(expected, str), "the engine computes this: not a domain error"
    assert call(driver, "error") == expected
    assert driver.find_element("id", "message").text == expected
    page = nodes(driver)
    assert all(node["grad"] is None for node in page)
    call(driver, "setLeaf", "x", at)  # back inside the domain: numbers again
    assert call(driver, "error") is None
    assert mismatches(nodes(driver), eager_nodes(build, (at,))) == []


@pytest.mark.parametrize(
    ("dividend", "divisor"), [(2.0, 1e308), (2.0, -1.5e308), (1e-300, 1e-310), (1e-310, 5e-324)]
)
def test_a_division_by_a_divisor_the_engine_would_scale_is_refused(
    driver: Any, tmp_path: Path, dividend: float, divisor: float
) -> None:
    # Built at y = 3, the graph holds x · y^-1. At these divisors the engine, dividing anew,
    # scales y first (another graph, other floats): the page must not show y^-1's floats.
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    root = x / y
    root.backward()
    show(driver, root, tmp_path)
    call(driver, "setLeaf", "x", dividend)
    call(driver, "setLeaf", "y", divisor)
    fresh = Value(dividend) / Value(divisor)  # the engine, dividing anew, gives a number
    assert math.isfinite(fresh.data)
    assert call(driver, "error") == (
        f"ValueError: **: 1/{divisor!r} is not a normal float, so the engine would divide by "
        f"{divisor!r} on another path (scaling it first): make the page again at these inputs"
    )
    assert all(node["grad"] is None for node in nodes(driver))
    call(driver, "setLeaf", "x", 2.0)
    call(driver, "setLeaf", "y", 4.0)
    assert call(driver, "error") is None
    assert nodes(driver)[-1]["data"] == 0.5


@settings(
    max_examples=PAGES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(recipe=expressions(max_steps=10), data=st.data())
def test_random_expressions_have_the_engines_numbers(
    driver: Any, tmp_path: Path, recipe: Expression, data: st.DataObject
) -> None:
    def build(*point: float) -> Value:
        leaves = [Value(x, label=f"v{i}") for i, x in enumerate(point)]
        return recipe(*leaves)

    root = build(*recipe.inputs)
    root.backward()
    show(driver, root, tmp_path)
    assert mismatches(nodes(driver), eager_nodes(build, recipe.inputs)) == []
    # Elsewhere: the engine's numbers, or its error where the graph leaves a domain.
    point = data.draw(points(len(recipe.inputs)))
    in_graph = {node["label"] for node in nodes(driver)}
    for i, x in enumerate(point):
        if f"v{i}" in in_graph:  # an input the output does not use is not in its graph
            call(driver, "setLeaf", f"v{i}", x)
    # The same graph built again by the engine at the point (the recipe may compute more
    # than the output uses, and a division x / y is x * y**-1 in the graph).
    moved = {f"v{i}": x for i, x in enumerate(point)}
    expected = eager_nodes(replay(root, moved), ())
    if isinstance(expected, str):
        assert call(driver, "error") == expected
        assert all(node["grad"] is None for node in nodes(driver))
    else:
        assert call(driver, "error") is None
        assert mismatches(nodes(driver), expected) == []


def test_stepping_the_walk_shows_gradients_in_the_engines_order(
    driver: Any, tmp_path: Path
) -> None:
    a = build_neuron(-3.0, 2.0, 6.88)
    a.backward()
    show(driver, a, tmp_path)
    call(driver, "reset")
    assert not any(node["shown"] for node in nodes(driver))
    order = call(driver, "walk")["order"]
    assert order[0] == "v5"
    grads = driver.execute_script(
        "return [...document.querySelectorAll('#drawing g.node')]"
        ".filter(g => g.querySelector('title').textContent === 'v5')[0].textContent"
    )
    assert "grad ?" in grads
    driver.find_element("id", "step").click()
    assert call(driver, "walk")["current"] == "v5"
    assert call(driver, "selected") == "v5"
    driver.find_element("tag name", "body").send_keys("\ue014")  # the right arrow key
    assert call(driver, "walk")["current"] == order[1]
    shown = [node["id"] for node in nodes(driver) if node["shown"]]
    assert sorted(shown) == sorted(order[:2])
    for _ in range(len(order) - 2):
        call(driver, "step")
    assert call(driver, "walk")["position"] is None
    assert all(node["shown"] for node in nodes(driver))


def test_clicking_a_node_opens_its_chain_rule(driver: Any, tmp_path: Path) -> None:
    a = build_neuron(-3.0, 2.0, 6.88)
    a.backward()
    show(driver, a, tmp_path)
    w = next(
        g
        for g in driver.find_elements("css selector", "#drawing g.node")
        if g.find_element("tag name", "title").get_attribute("textContent") == "v0"
    )
    w.click()
    assert call(driver, "selected") == "v0"
    panel = driver.find_element("id", "panel").text
    assert "∂a/∂w" in panel and "1.002" in panel and "1 path" in panel
    lit = driver.execute_script("return document.querySelectorAll('#drawing g.edge.path').length")
    assert lit == 6  # w → ×, × → w·x, w·x → +, + → w·x + b, w·x + b → tanh, tanh → a
    call(driver, "select", "x")
    assert call(driver, "selected") == "v1"


def test_a_primitive_without_a_javascript_form_is_said_not_computed(
    driver: Any, tmp_path: Path
) -> None:
    cube = Primitive(
        "cube", 1, lambda x: x**3, lambda x, out: (3.0 * x * x,), Kernel("{0} ** 3", "{0} ** 3")
    )
    x = Value(2.0, label="x")
    y = apply(cube, [x]) + x
    y.backward()
    show(driver, y, tmp_path)
    message = driver.find_element("id", "message").text
    assert "Live recomputation is off" in message and '"cube"' in message
    assert [node["data"] for node in nodes(driver)] == [2.0, 8.0, 10.0]
    with pytest.raises(Exception, match="Live recomputation is off"):
        call(driver, "setLeaf", "x", 3.0)
    assert driver.find_element("id", "input-v0").get_attribute("disabled") is not None


def test_the_course_network_has_the_engines_numbers(driver: Any, tmp_path: Path) -> None:
    from nn import MLP
    from nn.losses import sum_squared_error

    model = MLP(1, [6, 7, 2], "sigmoid", rng=4)

    def build(x: float, *weights: float) -> Value:
        for p, value in zip(model.parameters(), weights):
            p.data = value
            p.grad = 0.0
        return sum_squared_error(model([Value(x, label="x")]), [0.3, 0.7])

    weights = [p.data for p in model.parameters()]
    cost = build(0.25, *weights)
    model.zero_grad()
    cost.backward()
    path = explore(cost).write(tmp_path / "net.html")
    assert path.stat().st_size < 2_000_000
    browser.open_page(driver, path)
    expected = eager_nodes(build, (0.25, *weights))
    assert mismatches(nodes(driver), expected) == []
    label = model.parameters()[5].label
    call(driver, "setLeaf", label, 0.5)
    call(driver, "setLeaf", "x", -0.75)
    moved = [0.5 if i == 5 else w for i, w in enumerate(weights)]
    assert mismatches(nodes(driver), eager_nodes(build, (-0.75, *moved))) == []
    assert math.isfinite(nodes(driver)[-1]["data"])
    assert close(nodes(driver)[-1]["data"], expected[-1]["data"]) is False  # it moved


def test_the_find_box_keeps_the_inputs_it_names(driver: Any, tmp_path: Path) -> None:
    show(driver, build_neuron(-3.0, 2.0, 6.88), tmp_path)
    search = driver.find_element("id", "search")
    search.send_keys("b")
    shown = [
        item.text.split("\n")[0]
        for item in driver.find_elements("css selector", "#leaves li")
        if item.is_displayed()
    ]
    assert shown == ["b"]
    search.send_keys("\ue007")  # Enter: the node named so opens
    assert call(driver, "selected") == "v3"


def test_a_node_is_reached_with_the_keyboard(driver: Any, tmp_path: Path) -> None:
    show(driver, build_neuron(-3.0, 2.0, 6.88), tmp_path)
    node = driver.execute_script(
        "return [...document.querySelectorAll('#drawing g.node')]"
        ".find(g => g.querySelector('title').textContent === 'v1')"
    )
    assert node.get_attribute("tabindex") == "0"
    driver.execute_script("arguments[0].focus()", node)
    node.send_keys("\ue007")
    assert call(driver, "selected") == "v1"


def test_after_a_domain_error_the_leaves_keep_their_numbers(driver: Any, tmp_path: Path) -> None:
    x = Value(2.0, label="x")
    y = (x * 1.0).log()
    y.backward()
    show(driver, y, tmp_path)
    call(driver, "setLeaf", "x", -1.0)
    page = nodes(driver)
    assert page[0]["data"] == -1.0 and page[-1]["data"] is None
    assert "data -1" in driver.find_element("id", "drawing").text


def test_the_forward_pass_steps_values_in_topological_order_then_the_backward_walk(
    driver: Any, tmp_path: Path
) -> None:
    a = build_neuron(-3.0, 2.0, 6.88)
    a.backward()
    show(driver, a, tmp_path)
    driver.find_element("id", "forward").click()
    assert call(driver, "walk")["phase"] == "forward"
    assert not any(node["valueShown"] or node["shown"] for node in nodes(driver))
    assert "data ?" in driver.find_element("id", "drawing").text
    n = len(nodes(driver))
    for k in range(1, n + 1):
        call(driver, "step")
        shown = [node["valueShown"] for node in nodes(driver)]
        assert shown == [i < k for i in range(n)]  # one more value, in topological order
        assert call(driver, "walk")["current"] == f"v{k - 1}"
    assert call(driver, "walk")["phase"] == "backward"
    assert not any(node["shown"] for node in nodes(driver))
    call(driver, "step")
    assert call(driver, "walk")["current"] == "v5"  # then the gradients, from the output
    call(driver, "back")
    call(driver, "back")
    assert call(driver, "walk")["phase"] == "forward"


def test_a_collapsed_module_opens_on_click_and_lists_its_named_nodes(
    driver: Any, tmp_path: Path
) -> None:
    from nn import MLP
    from nn.losses import sum_squared_error

    model = MLP(1, [6, 7, 2], "sigmoid", rng=1)

    def build(x: float) -> Value:
        model.zero_grad()  # the model's parameters are every graph's leaves
        return sum_squared_error(model([Value(x, label="x")]), [0.3, 0.7])

    cost = build(0.25)
    cost.backward()
    path = explore(cost, max_nodes=20).write(tmp_path / "collapsed.html")
    browser.open_page(driver, path)
    weight = next(node["id"] for node in nodes(driver) if node["label"] == "layers.1.neurons.3.w.5")

    def drawn() -> set[str]:
        titles = driver.find_elements("css selector", "#drawing g.node title")
        return {title.get_attribute("textContent").strip() for title in titles}

    assert weight not in drawn() and call(driver, "openModule") is None
    summary = next(
        g
        for g in driver.find_elements("css selector", "#drawing g.node")
        if g.find_element("tag name", "title").get_attribute("textContent").startswith("m")
        and "layers.1" in g.get_attribute("textContent")
    )
    summary.click()
    assert call(driver, "openModule") == "layers.1" and weight in drawn()  # drawn open
    panel = driver.find_element("id", "panel")
    assert "layers.1.neurons.3.w.5" in panel.text and "drawn open" in panel.text
    # the open drawing is live: its records show the page's numbers as inputs change
    call(driver, "setLeaf", "x", 0.75)
    assert mismatches(nodes(driver), eager_nodes(build, (0.75,))) == []
    record = next(
        g
        for g in driver.find_elements("css selector", "#drawing g.node")
        if g.find_element("tag name", "title").get_attribute("textContent").strip() == weight
    )
    page_grad = next(n["grad"] for n in nodes(driver) if n["id"] == weight)
    assert f"grad {format_number(page_grad, 4)}" in record.get_attribute("textContent")
    panel.find_element("link text", "layers.1.neurons.3.w.5").click()
    assert call(driver, "selected") == weight
    assert "∂" in driver.find_element("id", "panel").text
    summary = next(  # another module, then back to the drawing as made
        g
        for g in driver.find_elements("css selector", "#drawing g.node")
        if g.find_element("tag name", "title").get_attribute("textContent").startswith("m")
    )
    summary.click()
    driver.find_element("id", "collapse").click()
    assert call(driver, "openModule") is None and weight not in drawn()


def test_the_heart_demos_page_has_the_engines_numbers(driver: Any, tmp_path: Path) -> None:
    from nn.app.heart import train_heart
    from nn.app.heart_pictures import GRAPH_EXAMPLE, explore_cost
    from nn.losses import sum_squared_error

    run = train_heart(30, 0.1, 0, progress=False)
    path = tmp_path / "heart.html"
    explore_cost(run, path)
    assert path.stat().st_size < 2_000_000
    browser.open_page(driver, path)

    def build(x: float) -> Value:
        run.model.zero_grad()
        cost = sum_squared_error(run.model([Value(x, label="x")]), run.targets[GRAPH_EXAMPLE])
        cost.label = f"C_{GRAPH_EXAMPLE}"
        return cost

    x = run.inputs[GRAPH_EXAMPLE][0]
    assert mismatches(nodes(driver), eager_nodes(build, (x,))) == []
    call(driver, "setLeaf", "x", 0.8)
    assert mismatches(nodes(driver), eager_nodes(build, (0.8,))) == []


def test_the_drawing_writes_numbers_as_the_engines_drawings_do(driver: Any, tmp_path: Path) -> None:
    from autodiff.show.notation import format_number

    def build(x: float) -> Value:
        leaf = Value(x, label="x")
        return (leaf * 12345.678) + (leaf * 1e-7) + (leaf * -0.000123456) + leaf.exp()

    root = build(1.0)
    root.backward()
    show(driver, root, tmp_path)
    for x in (1.0, -3.25, 250.0, 1e-9):
        call(driver, "setLeaf", "x", x)
        expected = eager_nodes(build, (x,))
        assert not isinstance(expected, str)
        drawn = driver.execute_script(
            "const texts = {};"
            "for (const g of document.querySelectorAll('#drawing g.node')) {"
            "  const t = [...g.querySelectorAll('text')].map(e => e.textContent);"
            "  texts[g.querySelector('title').textContent] = t; }"
            "return texts;"
        )
        for node in expected:
            if node["op"] or node["label"]:  # a constant's box is its number, never redrawn
                assert f"data {format_number(node['data'], 4)}" in drawn[node["id"]]
                assert f"grad {format_number(node['grad'], 4)}" in drawn[node["id"]]
