"""The course's plots with matplotlib (the optional extra ``plot``): a cost's contour map with
the descent path on it, and the heart network's curve against the heart.

matplotlib is imported by each function when it runs, so ``import nn`` never needs it; without
it they raise ImportError naming the extra (``pip install 'autodiff-course[plot]'``). The
numbers come from ``autodiff`` and ``nn``; matplotlib only draws them. Each function returns
the matplotlib ``Figure`` (made with matplotlib's object interface: no pyplot state changes),
and with ``file=`` also writes it, atomically (:func:`autodiff.files.write_atomically`), as
PNG, SVG or PDF by the file's extension (PNG when it has none).

Example:
    >>> from autodiff import Value
    >>> def cost(w, b):  # the course's NOT neuron
    ...     return sum(((w * x + b).tanh() - y) ** 2 for x, y in [(0, 1), (1, 0)]) / 2
    >>> path = descent_path(cost, start=(1.3, -0.1), lr=0.5, steps=100)
    >>> [round(number, 3) for number in path[-1]]
    [-1.561, 1.568]
    >>> figure = cost_contour(cost, w=(-5.5, 2.5), b=(-1.5, 5.5), path=path)
    >>> figure.axes[0].get_xlabel(), figure.axes[0].get_ylabel()
    ('w', 'b')
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from numbers import Real
from pathlib import Path
from typing import Any, BinaryIO

from autodiff import Value, grad, no_grad
from autodiff.files import write_atomically

from .datasets import heart as heart_data
from .layers import MLP

__all__ = ["INSTALL", "cost_contour", "descent_path", "heart", "heart_curve"]

INSTALL = "pip install 'autodiff-course[plot]'"
"""What to install for these plots."""

Cost = Callable[[Value, Value], Value]
Point = tuple[float, float]


def _matplotlib() -> Any:
    """matplotlib.figure.Figure, or ImportError naming the extra to install."""
    try:
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ImportError(
            f"nn.plot draws with matplotlib, which is not installed: {INSTALL} (or matplotlib)"
        ) from error
    return Figure


def descent_path(cost: Cost, start: Point, lr: float, steps: int) -> list[Point]:
    """The points (w, b) that gradient descent P ← P − η ∇C visits from ``start``.

    ``cost(w, b)`` computes the cost from two Values; the path has ``steps + 1`` points.

    Raises:
        ValueError: ``lr`` not positive and finite, ``steps`` negative, or a step makes a
            parameter infinite or nan.

    Example:
        >>> descent_path(lambda w, b: w * w + b * b, (1.0, -2.0), lr=0.25, steps=2)
        [(1.0, -2.0), (0.5, -1.0), (0.25, -0.5)]
    """
    if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
        raise ValueError(f"descent_path: lr must be a positive finite number, got {lr!r}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"descent_path: steps must be an int ≥ 0, got {steps!r}")
    w, b = _point(start, "descent_path: start")
    path = [(w, b)]
    for step in range(1, steps + 1):
        w_value, b_value = Value(w), Value(b)
        dw, db = grad(cost(w_value, b_value), [w_value, b_value])
        w, b = w - lr * dw, b - lr * db
        if not (math.isfinite(w) and math.isfinite(b)):
            raise ValueError(f"descent_path: step {step} gives (w, b) = ({w!r}, {b!r})")
        path.append((w, b))
    return path


def _point(point: object, what: str) -> Point:
    """A pair of finite numbers (w, b), or a clear error."""
    if isinstance(point, (str, bytes)) or not hasattr(point, "__len__") or len(point) != 2:
        raise TypeError(f"{what} must be a pair of numbers (w, b), got {point!r}")
    numbers = []
    for number in point:  # type: ignore[attr-defined]
        if isinstance(number, bool) or not isinstance(number, Real):
            raise TypeError(f"{what} must be a pair of numbers (w, b), got {point!r}")
        if not math.isfinite(number):
            raise ValueError(f"{what} must be finite, got {point!r}")
        numbers.append(float(number))
    return numbers[0], numbers[1]


def _checked_path(path: object) -> list[Point]:
    """The points of a descent path: a list of (w, b) pairs (numpy's N × 2 arrays do)."""
    if isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(
            f"cost_contour: path is the list of points (w, b) to draw, got {path!r}; "
            "write the figure to a file with file="
        )
    if not hasattr(path, "__iter__"):
        raise TypeError(f"cost_contour: path must be a list of points (w, b), got {path!r}")
    return [_point(point, f"cost_contour: path[{k}]") for k, point in enumerate(path)]


def _cost_grid(cost: Cost, ws: list[float], bs: list[float]) -> list[list[float]]:
    """C on the grid: one row per b, one column per w (matplotlib's contour layout)."""
    with no_grad():
        return [[_number(cost(Value(w), Value(b))) for w in ws] for b in bs]


def _number(result: object) -> float:
    if isinstance(result, Value):
        return result.data
    if isinstance(result, (int, float)) and not isinstance(result, bool):
        return float(result)
    raise TypeError(f"cost_contour: cost(w, b) must give a Value, got {type(result).__name__}")


def _interval(name: str, bounds: Sequence[float]) -> tuple[float, float]:
    if isinstance(bounds, (str, bytes)) or not isinstance(bounds, Sequence) or len(bounds) != 2:
        raise ValueError(f"cost_contour: {name} must be a pair (low, high), got {bounds!r}")
    low, high = (float(number) for number in bounds)
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"cost_contour: {name} must be finite with low < high, got {bounds!r}")
    return low, high


def _linspace(low: float, high: float, count: int) -> list[float]:
    return [low + (high - low) * i / (count - 1) for i in range(count)]


def cost_contour(
    cost: Cost,
    *,
    w: Sequence[float],
    b: Sequence[float],
    path: Sequence[Point] | None = None,
    levels: Sequence[float] | int = 15,
    labelled: Sequence[float] | None = None,
    resolution: int = 121,
    label: str = "gradient descent",
    title: str | None = None,
    file: str | os.PathLike[str] | None = None,
) -> Any:
    """The contour map of ``cost(w, b)`` over w × b, with a descent ``path`` drawn on it.

    Args:
        cost: a function of two Values (the weight w and the bias b) returning the cost.
        w, b: the ranges drawn, ``(low, high)`` each; the axes share one scale, so that the
            gradient shows at right angles to the contours.
        path: points (w, b) to draw as a path, its start marked (e.g. :func:`descent_path`;
            an N × 2 numpy array does too). Not a file name: that is ``file``.
        levels: how many contour lines, or at which costs.
        labelled: the levels that carry their number (default: every other one).
        resolution: grid points along each axis (at least 2).
        label, title: the path's legend entry and the plot's title.
        file: where to write the figure, if anywhere: ``.png``, ``.svg`` or ``.pdf``.

    Returns:
        The matplotlib ``Figure``; its one axes has w across and b up.

    Raises:
        ImportError: matplotlib is missing (the message says what to install).
        ValueError: a range is not a finite (low, high) pair, ``resolution`` < 2, a point of
            ``path`` is not finite, or ``file`` has another extension.
        TypeError: ``cost`` returns something other than a Value, or ``path`` is not a list
            of (w, b) pairs (a file name, say).
    """
    figure_class = _matplotlib()
    points = [] if path is None else _checked_path(path)
    if file is not None:
        _format_of(file)
    ws, bs = (
        _linspace(*_interval("w", w), _count(resolution)),
        _linspace(*_interval("b", b), _count(resolution)),
    )
    grid = _cost_grid(cost, ws, bs)
    figure = figure_class(figsize=(6.4, 5.6))
    axes = figure.subplots()
    contours = axes.contour(ws, bs, grid, levels=levels, cmap="viridis")
    shown = list(contours.levels[::2]) if labelled is None else list(labelled)
    axes.clabel(contours, levels=shown, fontsize=7, fmt="%.3g")
    if points:
        axes.plot(*zip(*points), "r.-", ms=3, lw=1, label=label)
        axes.plot(*points[0], "ro", ms=6)
        axes.legend(loc="lower left", fontsize=8)
    axes.set_aspect("equal")  # right angles only look right on equal axes
    axes.set_xlim(ws[0], ws[-1])
    axes.set_ylim(bs[0], bs[-1])
    axes.set_xlabel("w")
    axes.set_ylabel("b")
    axes.set_title(title or "the cost C(w, b)", fontsize=9)
    if file is not None:
        _write_figure(figure, file)
    return figure


def _count(resolution: object) -> int:
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"cost_contour: resolution must be an int ≥ 2, got {resolution!r}")
    return resolution


def heart_curve(model: MLP, inputs: Sequence[Sequence[float]] | None = None) -> list[Point]:
    """The network's outputs (a1, a2) for each input (``nn.heart()``'s by default), no graph.

    Example:
        >>> points = heart_curve(MLP(1, [6, 7, 2], init="course", rng=0))
        >>> len(points), all(0 < a < 1 for point in points for a in point)
        (100, True)
    """
    inputs = heart_data()[0] if inputs is None else inputs
    with no_grad():
        curve = [tuple(a.data for a in model(list(x))) for x in inputs]
    if any(len(point) != 2 for point in curve):
        raise ValueError(f"heart: the model must have 2 outputs (a1, a2), got {len(curve[0])}")
    return [(point[0], point[1]) for point in curve]


def _curve_cost(points: Sequence[Sequence[float]], targets: Sequence[Sequence[float]]) -> float:
    """The course's cost of a curve: the mean over examples of |a − y|²."""
    squares = [sum((a - y) ** 2 for a, y in zip(p, t)) for p, t in zip(points, targets)]
    return math.fsum(squares) / len(squares)


def heart(
    model: MLP,
    *,
    snapshots: Sequence[tuple[int, Sequence[Sequence[float]]]] = (),
    step: int | None = None,
    costs: Sequence[float] | None = None,
    title: str | None = None,
    file: str | os.PathLike[str] | None = None,
) -> Any:
    """The network's curve x ↦ (a1, a2) against the course's heart, and optionally its cost.

    Args:
        model: a network with one input and two outputs (the course's 1→6→7→2).
        snapshots: earlier curves to draw too, as ``(step, points)`` (e.g. :func:`heart_curve`
            of the model after that many steps), dark to light.
        step: how many steps ``model`` has been trained (for its legend entry).
        costs: the cost per step; given, a second panel draws it on a log scale, with a dot at
            each snapshot and at ``step``.
        title: the figure's title. file: where to write the figure (``.png``, ``.svg``,
            ``.pdf``), if anywhere.

    Returns:
        The matplotlib ``Figure``: one axes (the curves), or two with ``costs``.

    Raises:
        ImportError: matplotlib is missing (the message says what to install).
        ValueError: the model does not have one input and two outputs.
        TypeError: ``snapshots`` is not a list of (step, points) pairs.

    Example:
        >>> import nn
        >>> figure = heart(nn.MLP(1, [6, 7, 2], init="course", rng=0), step=0)
        >>> [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
        ['target heart', 'after 0 steps: C = 0.22']
    """
    figure_class = _matplotlib()
    from matplotlib import colormaps

    _check_heart_model(model)
    snapshots = _checked_snapshots(snapshots)
    if file is not None:
        _format_of(file)
    targets = heart_data()[1]
    final = heart_curve(model)
    curves = [(s, points, _curve_cost(points, targets)) for s, points in snapshots]
    figure = figure_class(figsize=(11, 5.4) if costs is not None else (6, 6))
    panels = figure.subplots(1, 2 if costs is not None else 1, squeeze=False)[0]
    colours = [colormaps["viridis"](0.85 * i / max(1, len(curves) - 1)) for i in range(len(curves))]
    left = panels[0]
    left.plot(*zip(*targets, targets[0]), "k--", lw=1.2, label="target heart")
    for (s, points, cost), colour in zip(curves, colours):
        left.plot(*zip(*points), color=colour, lw=1, label=f"after {s} steps: C = {cost:.2g}")
    final_cost = _curve_cost(final, targets)
    named = f"after {step} steps" if step is not None else "the network"
    left.plot(*zip(*final), color="tab:red", lw=2.2, label=f"{named}: C = {final_cost:.2g}")
    left.set_aspect("equal")
    left.set_xlabel("output a1 (target y1)")
    left.set_ylabel("output a2 (target y2)")
    left.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2)
    left.set_title("the network's curve x ↦ (a1, a2), x in [0, 1)", fontsize=9)
    if costs is not None:
        marks: list[tuple[int, float, Any]] = [
            (s, cost, colour) for (s, _, cost), colour in zip(curves, colours)
        ]
        if step is not None:
            marks.append((step, final_cost, "tab:red"))
        _draw_costs(panels[1], costs, marks)
    if title:
        figure.suptitle(title, fontsize=11)
    figure.tight_layout()
    if file is not None:
        _write_figure(figure, file)
    return figure


def _check_heart_model(model: object) -> None:
    nin = getattr(model, "nin", None)
    layers = getattr(model, "layers", None)
    if nin != 1 or not layers or layers[-1].nout != 2:
        raise ValueError(
            f"heart: the model must have 1 input (x) and 2 outputs (a1, a2), like the course's "
            f"nn.MLP(1, [6, 7, 2]); got {model!r}"
        )


def _checked_snapshots(
    snapshots: object,
) -> list[tuple[int, Sequence[Sequence[float]]]]:
    what = "heart: snapshots must be a list of (step, points) pairs (points: heart_curve(model))"
    if isinstance(snapshots, (str, bytes)) or not hasattr(snapshots, "__iter__"):
        raise TypeError(f"{what}, got {snapshots!r}")
    checked: list[tuple[int, Sequence[Sequence[float]]]] = []
    for entry in snapshots:
        if not isinstance(entry, tuple) or len(entry) != 2 or not isinstance(entry[0], int):
            raise TypeError(f"{what}, got {entry!r} in it")
        checked.append(
            (entry[0], [_point(point, "heart: a snapshot's point") for point in entry[1]])
        )
    return checked


def _draw_costs(axes: Any, costs: Sequence[float], marks: list[tuple[int, float, Any]]) -> None:
    axes.plot(range(len(costs)), costs, color="tab:grey", lw=1)
    for s, cost, colour in marks:
        axes.plot(s, cost, "o", color=colour, ms=6)
    axes.set_yscale("log")
    axes.set_xlabel("step")
    axes.set_ylabel("cost C = (1/N) Σ |a − y|²")
    axes.set_title("the cost falls", fontsize=9)
    axes.grid(True, which="both", alpha=0.3)


_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf", "": "png"}
_NO_DATES = {"png": {"Software": None}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}
"""Metadata left out, so that drawing the same figure again gives the same bytes."""


def _format_of(file: str | os.PathLike[str]) -> str:
    """The format a file name asks for, checked before anything is drawn."""
    if not isinstance(file, (str, os.PathLike)):
        raise TypeError(f"file must be a file name, got {type(file).__name__}: {file!r}")
    suffix = Path(file).suffix.lower()
    if suffix not in _FORMATS:
        raise ValueError(f"file: {str(file)!r} — write a figure as .png, .svg or .pdf")
    return _FORMATS[suffix]


def _write_figure(figure: Any, file: str | os.PathLike[str]) -> None:
    """Write ``figure`` in the format its name asks for, without a timestamp."""
    fmt = _format_of(file)

    import matplotlib

    def save(handle: BinaryIO) -> None:
        # SVG ids are random unless salted: a fixed salt gives the same bytes each time
        with matplotlib.rc_context({"svg.hashsalt": "nn.plot"}):
            figure.savefig(
                handle, format=fmt, dpi=100, bbox_inches="tight", metadata=_NO_DATES[fmt]
            )

    write_atomically(Path(file), save)
