"""The heart demo's pictures: the fitted curve against the heart, and one example's graph.

matplotlib (the optional extra ``plot``) is imported inside :func:`plot_heart`, so ``nn``
itself never needs it; Graphviz drawing goes through :func:`autodiff.draw`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autodiff import draw

from .losses import sum_squared_error

if TYPE_CHECKING:
    from .heart_demo import HeartRun

__all__ = ["GRAPH_EXAMPLE", "draw_cost_graph", "plot_heart", "write_atomically"]

GRAPH_EXAMPLE = 25
"""Which example's cost ``graph.svg`` draws: x = 0.25, a quarter of the way round."""


def write_atomically(path: Path, save: Callable[[str], None]) -> None:
    """Call ``save(temporary_path)`` next to ``path``, then rename the result to ``path``."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.close(descriptor)
    try:
        save(temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def plot_heart(run: HeartRun, path: Path, *, title: str) -> None:
    """Write ``path`` (PNG): the curves of ``run.snapshots`` against the heart, and the cost."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no window, no display needed
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4.6))
    _draw_curves(left, run)
    _draw_costs(right, run.costs)
    figure.suptitle(title, fontsize=11)
    figure.tight_layout()

    def save(temporary: str) -> None:
        figure.savefig(temporary, format="png", dpi=100, metadata={"Software": None})

    try:
        write_atomically(path, save)
    finally:
        plt.close(figure)


def _draw_curves(axes: Any, run: HeartRun) -> None:
    targets = run.targets
    axes.plot(*zip(*targets, targets[0]), "k--", lw=1.2, label="target heart")
    *earlier, (last_step, last_cost, last_points) = run.snapshots
    for rank, (step, cost, points) in enumerate(earlier):
        shade = 0.8 - 0.6 * rank / max(1, len(earlier))
        axes.plot(*zip(*points), color=str(shade), lw=1, label=f"step {step}: C = {cost:.4f}")
    axes.plot(*zip(*last_points), color="tab:red", lw=2,
              label=f"step {last_step}: C = {last_cost:.5f}")  # fmt: skip
    axes.set_aspect("equal")
    axes.set_xlabel("output a1 (target y1)")
    axes.set_ylabel("output a2 (target y2)")
    axes.legend(fontsize=7, loc="lower left")
    axes.set_title("the network's curve x ↦ (a1, a2) for x in [0, 1)", fontsize=9)


def _draw_costs(axes: Any, costs: list[float]) -> None:
    axes.plot(range(1, len(costs) + 1), costs, color="tab:blue")
    axes.set_yscale("log")
    axes.set_xlabel("step")
    axes.set_ylabel("cost C = (1/N) Σ |a − y|²")
    axes.set_title("the cost falls", fontsize=9)
    axes.grid(True, which="both", alpha=0.3)


def draw_cost_graph(run: HeartRun, path: Path) -> None:
    """Write ``path`` (SVG): one example's cost graph after training, layers collapsed."""
    x, y = run.inputs[GRAPH_EXAMPLE], run.targets[GRAPH_EXAMPLE]
    cost = sum_squared_error(run.model(x), y)
    cost.label = f"C_{GRAPH_EXAMPLE}"
    run.model.zero_grad()
    cost.backward()
    drawing = draw(cost, max_nodes=LAYER_LEVEL)
    drawing.save(path, format="svg")
    run.model.zero_grad()
