"""Regenerate the figures of docs/rendering.md: ``python docs/make_figures.py [DIRECTORY]``.

Every figure is drawn by the library itself (autodiff.draw, autodiff.explain) and written
under docs/figures/, as SVG, plus the text of a chain-rule ledger. The same code gives the
same files.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the repository, when the package is not installed

import nn  # noqa: E402
from autodiff import Value, draw, explain  # noqa: E402
from autodiff.files import write_atomically  # noqa: E402

FIGURES = HERE / "figures"


def course_neuron() -> dict[str, Value]:
    """The course's NOT neuron at w = 1.3, b = −0.1 on the example x = 1, y = 0."""
    w, b = Value(1.3, label="w"), Value(-0.1, label="b")
    x, y = Value(1.0, label="x"), Value(0.0, label="y")
    z = w * x + b
    z.label = "z"
    a = z.tanh()
    a.label = "a"
    cost = (a - y) ** 2
    cost.label = "C"
    cost.backward()
    return {"w": w, "b": b, "x": x, "y": y, "z": z, "a": a, "C": cost}


def heart(x: float) -> tuple[float, float]:
    """The course's training target at x: a point of the heart curve, mapped into (0, 1)."""
    t = 2 * math.pi * x
    y1 = 16 * math.sin(t) ** 3 / 20
    y2 = (13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)) / 20
    return (y1 + 1) / 2, (y2 + 1) / 2


def course_network_cost(x: float = 0.3, seed: int = 1) -> tuple[nn.MLP, Value]:
    """The course's 1→6→7→2 sigmoid network (nn.MLP) and its cost on one example."""
    model = nn.MLP(1, [6, 7, 2], "sigmoid", rng=seed)
    cost = nn.sum_squared_error(model([x]), list(heart(x)))
    cost.label = "C"
    cost.backward()
    return model, cost


def main(figures: Path = FIGURES) -> None:
    """Draw every figure into ``figures`` (default: docs/figures)."""
    figures.mkdir(exist_ok=True)
    neuron = course_neuron()
    cost = neuron["C"]
    draw(cost).write(figures / "neuron.svg")
    draw(cost, show_local=True).write(figures / "neuron_local.svg")
    draw(cost, show_local=True, highlight=neuron["w"]).write(figures / "neuron_highlight.svg")
    ledger = f"{explain(cost, neuron['w'])}\n\n{explain(cost, neuron['b'])}\n"
    write_atomically(figures / "neuron_ledger.txt", ledger)
    model, network = course_network_cost()
    # max_nodes=100: the network's 185 drawing nodes would fit the default limit of 300.
    draw(network, max_nodes=100).write(figures / "mlp_collapsed.svg")
    draw(network, max_nodes=100, expand="layers.2.neurons.1").write(figures / "mlp_expanded.svg")
    course = nn.course_labels(model)
    draw(network, max_nodes=100, expand="layers.2.neurons.1", labels=course).write(
        figures / "mlp_course.svg"
    )
    for path in sorted(figures.iterdir()):
        print(f"wrote {path}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else FIGURES)
