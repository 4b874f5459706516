"""The heart demo's pictures: the fitted curve against the heart, and one example's graph.

matplotlib (the optional extra ``plot``) is imported inside :func:`plot_heart`, so ``nn``
itself never needs it; Graphviz drawing goes through :func:`autodiff.draw`. Both files are
written by :func:`autodiff.files.write_atomically`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

from autodiff import Value, draw
from autodiff.files import write_atomically

from ..losses import sum_squared_error
from .heart import HeartRun

__all__ = ["GRAPH_EXAMPLE", "LAYERS_COLLAPSED", "draw_cost_graph", "plot_heart"]

GRAPH_EXAMPLE = 25
"""Which example's cost ``graph.svg`` draws: x = 0.25, a quarter of the way round."""

LAYERS_COLLAPSED = 20
"""``max_nodes`` for ``graph.svg``: the input, one summary per layer and the cost's dozen
nodes fit in it, while one summary per neuron (15 of them, over 30 nodes in all) does not —
so :func:`autodiff.draw` collapses whole layers."""


def plot_heart(run: HeartRun, path: Path, *, title: str) -> None:
    """Write ``path`` (PNG): the curves of ``run.snapshots`` against the heart, and the cost."""
    # matplotlib's object interface, not pyplot: no global backend or figure state changes.
    from matplotlib import colormaps
    from matplotlib.figure import Figure

    figure = Figure(figsize=(11, 5.4))
    left, right = figure.subplots(1, 2)
    # Earlier curves from dark to light along viridis; the final one in red, to stand out.
    earlier = len(run.snapshots) - 1
    colours: list[Any] = [
        colormaps["viridis"](0.85 * i / max(1, earlier - 1)) for i in range(earlier)
    ]
    colours.append("tab:red")
    _draw_curves(left, run, colours)
    _draw_costs(right, run, colours)
    figure.suptitle(title, fontsize=11)
    figure.tight_layout()

    def save(file: BinaryIO) -> None:
        figure.savefig(
            file, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None}
        )

    write_atomically(path, save)


def _draw_curves(axes: Any, run: HeartRun, colours: list[Any]) -> None:
    targets = run.targets
    axes.plot(*zip(*targets, targets[0]), "k--", lw=1.2, label="target heart")
    for (step, cost, points), colour in zip(run.snapshots, colours):
        final = step == run.snapshots[-1][0]
        axes.plot(
            *zip(*points),
            color=colour,
            lw=2.2 if final else 1,
            label=f"after {step} steps: C = {cost:.2g}",
        )
    axes.set_aspect("equal")
    axes.set_xlabel("output a1 (target y1)")
    axes.set_ylabel("output a2 (target y2)")
    axes.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2)
    axes.set_title("the network's curve x ↦ (a1, a2), x in [0, 1)", fontsize=9)


def _draw_costs(axes: Any, run: HeartRun, colours: list[Any]) -> None:
    costs = run.costs
    axes.plot(range(len(costs)), costs, color="tab:grey", lw=1)
    for (step, cost, _), colour in zip(run.snapshots, colours):
        axes.plot(step, cost, "o", color=colour, ms=6)
    axes.set_yscale("log")
    axes.set_xlabel("step")
    axes.set_ylabel("cost C = (1/N) Σ |a − y|²")
    axes.set_title("the cost falls", fontsize=9)
    axes.grid(True, which="both", alpha=0.3)


def draw_cost_graph(run: HeartRun, path: Path) -> None:
    """Write ``path`` (SVG): one example's cost graph after training, layers collapsed."""
    x = [Value(run.inputs[GRAPH_EXAMPLE][0], label="x")]
    cost = sum_squared_error(run.model(x), run.targets[GRAPH_EXAMPLE])
    cost.label = f"C_{GRAPH_EXAMPLE}"
    run.model.zero_grad()
    cost.backward()
    svg = draw(cost, max_nodes=LAYERS_COLLAPSED).pipe(format="svg")
    write_atomically(path, svg)
    run.model.zero_grad()
