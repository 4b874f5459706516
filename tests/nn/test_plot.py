"""nn.plot: the contour map with its descent path, and the heart, from the engine's numbers."""

from __future__ import annotations

import itertools
import math
import re
import sys
from pathlib import Path

import pytest

import nn
from autodiff import Value
from nn import plot

pytest.importorskip("matplotlib")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def not_cost(w: Value, b: Value) -> Value:
    """The course's NOT neuron: C = ½ Σ (tanh(w·x + b) − y)² over x = 0 → 1, x = 1 → 0."""
    return sum((((w * x + b).tanh() - y) ** 2 for x, y in [(0, 1), (1, 0)]), Value(0.0)) / 2


def not_gradient(w: float, b: float) -> tuple[float, float]:
    """∂C/∂w and ∂C/∂b in closed form (σ' = 1 − tanh²)."""
    a0, a1 = math.tanh(b), math.tanh(w + b)
    d0, d1 = (a0 - 1) * (1 - a0**2), a1 * (1 - a1**2)
    return d1, d0 + d1


def test_descent_path_is_gradient_descent_with_the_closed_form_gradient() -> None:
    path = plot.descent_path(not_cost, (1.3, -0.1), lr=0.5, steps=20)
    assert len(path) == 21 and path[0] == (1.3, -0.1)
    for (w, b), following in itertools.pairwise(path):
        dw, db = not_gradient(w, b)
        assert following == pytest.approx((w - 0.5 * dw, b - 0.5 * db), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        ({"lr": 0.0}, "descent_path: lr must be a positive finite number, got 0.0"),
        ({"lr": math.nan}, "descent_path: lr must be a positive finite number"),
        ({"steps": -1}, "descent_path: steps must be an int ≥ 0, got -1"),
        ({"lr": 1e300}, "descent_path: step 1 gives"),
    ],
)
def test_descent_path_refuses_bad_steps(arguments: dict[str, float], words: str) -> None:
    options = {"lr": 0.5, "steps": 3} | arguments

    def bowl(w: Value, b: Value) -> Value:
        return w * w * 1e10 + b * b

    with pytest.raises(ValueError, match=words.replace("(", r"\(")):
        plot.descent_path(bowl, (1.0, 1.0), **options)  # type: ignore[arg-type]


def test_cost_contour_draws_the_cost_and_the_path(tmp_path: Path) -> None:
    path = plot.descent_path(not_cost, (1.3, -0.1), lr=0.5, steps=10)
    target = tmp_path / "contour.png"
    figure = plot.cost_contour(
        not_cost, w=(-5.5, 2.5), b=(-1.5, 5.5), path=path, resolution=21, file=target
    )
    assert target.read_bytes()[:8] == PNG_SIGNATURE
    (axes,) = figure.axes
    assert (axes.get_xlim(), axes.get_ylim()) == ((-5.5, 2.5), (-1.5, 5.5))
    drawn = axes.lines[0]
    assert list(zip(drawn.get_xdata(), drawn.get_ydata())) == path
    # the contour lines lie where the cost has their level (closed form, to the grid's accuracy)
    contours = axes.collections[0]  # matplotlib's ContourSet
    for level, segments in zip(contours.levels, contours.allsegs):
        for segment in segments:
            for w, b in segment[:: max(1, len(segment) // 5)]:
                exact = ((math.tanh(b) - 1) ** 2 + math.tanh(w + b) ** 2) / 2
                assert exact == pytest.approx(level, abs=0.05)


@pytest.mark.parametrize(
    ("arguments", "error", "words"),
    [
        ({"w": (1.0, -1.0)}, ValueError, "cost_contour: w must be finite with low < high"),
        ({"b": (0.0,)}, ValueError, "cost_contour: b must be a pair (low, high), got (0.0,)"),
        ({"resolution": 1}, ValueError, "cost_contour: resolution must be an int ≥ 2, got 1"),
        ({"cost": lambda w, b: "x"}, TypeError, "cost(w, b) must give a Value, got str"),
        ({"path": "map.png"}, TypeError, "path is the list of points (w, b) to draw"),
        ({"path": [(0.0, 1.0, 2.0)]}, TypeError, "path[0] must be a pair of numbers (w, b)"),
        ({"path": [(0.0, math.nan)]}, ValueError, "cost_contour: path[0] must be finite"),
        ({"file": "map.jpeg"}, ValueError, "write a figure as .png, .svg or .pdf"),
    ],
)
def test_cost_contour_refuses_bad_arguments(
    arguments: dict[str, object], error: type[Exception], words: str
) -> None:
    options: dict[str, object] = {"cost": not_cost, "w": (-1.0, 1.0), "b": (-1.0, 1.0)}
    options |= arguments
    with pytest.raises(error, match=re.escape(words)):
        plot.cost_contour(**options)  # type: ignore[arg-type]


def test_heart_draws_the_networks_curve_against_the_heart(tmp_path: Path) -> None:
    model = nn.MLP(1, [6, 7, 2], init="course", rng=0)
    inputs, targets = nn.heart()
    start = plot.heart_curve(model)
    assert start == [tuple(a.data for a in model(x)) for x in inputs]
    figure = plot.heart(model, file=tmp_path / "heart.png")
    assert (tmp_path / "heart.png").read_bytes()[:8] == PNG_SIGNATURE
    (axes,) = figure.axes
    target_line, curve_line = axes.lines
    assert list(zip(target_line.get_xdata(), target_line.get_ydata())) == [
        tuple(t) for t in [*targets, targets[0]]
    ]
    assert list(zip(curve_line.get_xdata(), curve_line.get_ydata())) == start
    cost = sum(sum((a - y) ** 2 for a, y in zip(p, t)) for p, t in zip(start, targets)) / 100
    assert curve_line.get_label() == f"the network: C = {cost:.2g}"


def test_heart_with_snapshots_and_costs_has_a_cost_panel() -> None:
    model = nn.MLP(1, [6, 7, 2], init="course", rng=0)
    earlier = plot.heart_curve(model)
    costs = [0.2, 0.1, 0.05]
    figure = plot.heart(model, snapshots=[(0, earlier)], step=3, costs=costs, title="run")
    left, right = figure.axes
    labels = [line.get_label() for line in left.lines]
    assert labels[0] == "target heart" and labels[1].startswith("after 0 steps: C = ")
    assert labels[2].startswith("after 3 steps: C = ")
    assert list(right.lines[0].get_ydata()) == costs and right.get_yscale() == "log"
    assert figure._suptitle.get_text() == "run"


@pytest.mark.parametrize("model", [nn.MLP(1, [3], rng=0), nn.MLP(2, [3, 2], rng=0), "net"])
def test_heart_needs_one_input_and_two_outputs(model: object) -> None:
    words = r"heart: the model must have 1 input \(x\) and 2 outputs \(a1, a2\)"
    with pytest.raises(ValueError, match=words):
        plot.heart(model)  # type: ignore[arg-type]


@pytest.mark.parametrize("snapshots", [[1, 2], "curve", [(0, [(0.1, 0.2, 0.3)])]])
def test_heart_refuses_snapshots_that_are_not_step_and_points(snapshots: object) -> None:
    with pytest.raises(TypeError, match=r"heart: (snapshots must be|a snapshot's point)"):
        plot.heart(nn.MLP(1, [6, 7, 2], rng=0), snapshots=snapshots)  # type: ignore[arg-type]


def test_the_figure_is_written_in_the_format_its_name_asks_for(tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    path = np.array(plot.descent_path(not_cost, (1.3, -0.1), lr=0.5, steps=5))  # N × 2
    options = {"w": (-2.0, 2.0), "b": (-2.0, 2.0), "resolution": 11, "path": path}
    svg, pdf, png = tmp_path / "map.svg", tmp_path / "map.pdf", tmp_path / "map"
    for file in (svg, pdf, png):
        plot.cost_contour(not_cost, file=file, **options)  # type: ignore[arg-type]
    assert svg.read_text().lstrip().startswith("<?xml") and "<svg" in svg.read_text()
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert png.read_bytes()[:8] == PNG_SIGNATURE
    first = svg.read_bytes()
    plot.cost_contour(not_cost, file=svg, **options)  # type: ignore[arg-type]
    assert svg.read_bytes() == first  # no date in it: the same figure, the same bytes


def test_descent_path_refuses_a_start_that_is_not_a_pair() -> None:
    with pytest.raises(TypeError, match=r"descent_path: start must be a pair of numbers \(w, b\)"):
        plot.descent_path(not_cost, (1.0, 2.0, 3.0), lr=0.5, steps=2)  # type: ignore[arg-type]


def test_without_matplotlib_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"pip install 'autodiff-course\[plot\]'"):
        plot.heart(nn.MLP(1, [2], rng=0))
    with pytest.raises(ImportError, match="matplotlib, which is not installed"):
        plot.cost_contour(not_cost, w=(0.0, 1.0), b=(0.0, 1.0))
