"""The heart demo's pictures: the fitted curve against the heart, and one example's graph
(drawn, and as an interactive page).

The curves are drawn by :func:`nn.plot.heart` (matplotlib, the optional extra ``plot``,
imported only when it draws); Graphviz drawing goes through :func:`autodiff.draw`. Both files
are written by :func:`autodiff.files.write_atomically` (the page by ``Page.write``, which uses it).
"""

from __future__ import annotations

from pathlib import Path

from autodiff import Value, draw, explore
from autodiff.files import write_atomically

from ..losses import sum_squared_error
from ..plot import heart
from .heart import HeartRun

__all__ = [
    "GRAPH_EXAMPLE",
    "LAYERS_COLLAPSED",
    "draw_cost_graph",
    "explore_cost",
    "plot_heart",
]

GRAPH_EXAMPLE = 25
"""Which example's cost ``graph.svg`` draws: x = 0.25, a quarter of the way round."""

LAYERS_COLLAPSED = 20
"""``max_nodes`` for ``graph.svg``: the input, one summary per layer and the cost's dozen
nodes fit in it, while one summary per neuron (15 of them, over 30 nodes in all) does not —
so :func:`autodiff.draw` collapses whole layers."""


def plot_heart(run: HeartRun, path: Path, *, title: str) -> None:
    """Write ``path`` (PNG): the curves of ``run.snapshots`` against the heart, and the cost.

    The picture is :func:`nn.plot.heart`'s: the last snapshot is the trained model.
    """
    *earlier, (last_step, _, _) = run.snapshots
    heart(
        run.model,
        snapshots=[(step, points) for step, _, points in earlier],
        step=last_step,
        costs=run.costs,
        title=title,
        file=path,
    )


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


def explore_cost(run: HeartRun, path: Path) -> None:
    """Write ``path`` (HTML): the interactive page of the same example's cost after training
    (:func:`autodiff.explore`): every weight and the input can be changed in the page."""
    x = [Value(run.inputs[GRAPH_EXAMPLE][0], label="x")]
    cost = sum_squared_error(run.model(x), run.targets[GRAPH_EXAMPLE])
    cost.label = f"C_{GRAPH_EXAMPLE}"
    run.model.zero_grad()
    cost.backward()
    explore(cost, title=f"The cost of example {GRAPH_EXAMPLE} (x = {x[0].data:g})").write(path)
    run.model.zero_grad()
