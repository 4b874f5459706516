"""Regenerate the figures of docs/rendering.md, docs/extending.md and
docs/forward-or-reverse.md: ``python docs/make_figures.py [DIRECTORY]``.

Every figure is drawn by the library itself (autodiff.draw, autodiff.explain; the counts of
forward-or-reverse.md measured with it and plotted with matplotlib) and written under
docs/figures/, as SVG or PNG, plus the text of a chain-rule ledger. The same code gives the
same drawings.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the repository, when the package is not installed

import autodiff.primitives  # noqa: E402
import nn  # noqa: E402
from autodiff import Value, draw, explain, jacobian, primitive  # noqa: E402
from autodiff import functions as F  # noqa: E402
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


SQRT2, SQRT2PI = math.sqrt(2.0), math.sqrt(2.0 * math.pi)


def _normal_pdf(x: Any) -> Any:
    return F.exp(-0.5 * x * x) / SQRT2PI


def gelu_neuron() -> Value:
    """docs/extending.md's GELU neuron: C = (gelu(w·x + b) − 1)² at w = 1.5, b = −0.25,
    x = 0.5, after backward (GELU and Φ are user-defined primitives, as on the page)."""
    normal_cdf = primitive(
        "normal_cdf",
        forward=lambda x: 0.5 * math.erfc(-x / SQRT2),
        partials=lambda x, out: (_normal_pdf(x),),
        formula="Φ({x})",
    )
    gelu = primitive(
        "gelu",
        forward=lambda x: x * normal_cdf(x),
        partials=lambda x, out: (normal_cdf(x) + x * _normal_pdf(x),),
        formula="{x}·Φ({x})",
    )
    w, b, x = Value(1.5, label="w"), Value(-0.25, label="b"), Value(0.5, label="x")
    z = w * x + b
    z.label = "z"
    h = gelu(z)
    h.label = "h"
    cost = (h - 1.0) ** 2
    cost.label = "C"
    cost.backward()
    return cost


def rule_evaluations(compute: Callable[[], object]) -> int:
    """How many times ``compute()`` evaluates a primitive's local partials (as on
    docs/forward-or-reverse.md: each rule is one function of autodiff/primitives.py)."""
    rules = autodiff.primitives.__file__
    calls = 0

    def watch(frame: Any, event: str, arg: object) -> None:
        nonlocal calls
        code = frame.f_code
        if event == "call" and code.co_filename == rules and code.co_name.endswith("_grads"):
            calls += 1

    sys.setprofile(watch)
    try:
        compute()
    finally:
        sys.setprofile(None)
    return calls


def _both_modes(outputs: list[Value], inputs: list[Value]) -> tuple[int, int]:
    forward = rule_evaluations(lambda: jacobian(outputs, inputs, mode="forward"))
    reverse = rule_evaluations(lambda: jacobian(outputs, inputs))
    return forward, reverse


def forward_or_reverse(target: Path) -> None:
    """Rule evaluations of both modes: the cost of networks 1→k→k→2 against their number of
    parameters, and the curve x ↦ outputs of networks 1→6→7→m against m."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes, cost_counts = [], []
    for width in range(1, 13):
        model = nn.MLP(1, [width, width, 2], "sigmoid", rng=1)
        cost = nn.sum_squared_error(model([Value(0.3)]), [0.8, 0.4])
        sizes.append(len(model.parameters()))
        cost_counts.append(_both_modes([cost], model.parameters()))
    widths, curve_counts = list(range(1, 13)), []
    for m in widths:
        x = Value(0.3)
        curve_counts.append(_both_modes(nn.MLP(1, [6, 7, m], "sigmoid", rng=1)([x]), [x]))
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    panels = [
        (left, sizes, cost_counts, "parameters n (scalar cost, 1 output)"),
        (right, widths, curve_counts, "outputs m (curve, 1 input)"),
    ]
    for axes, xs, counts, label in panels:
        axes.plot(xs, [f for f, _ in counts], "o-", label="forward (one sweep per input)")
        axes.plot(xs, [r for _, r in counts], "s-", label="reverse (one sweep per output)")
        axes.set_xlabel(label)
        axes.set_ylabel("local-partial evaluations")
        axes.grid(alpha=0.3)
        axes.legend()
    left.set_title("C: ℝⁿ → ℝ, networks 1→k→k→2")
    right.set_title("x ↦ outputs: ℝ → ℝᵐ, networks 1→6→7→m")
    figure.tight_layout()
    figure.savefig(target, dpi=100, metadata={"Software": None})
    plt.close(figure)


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
    draw(gelu_neuron()).write(figures / "gelu_neuron.svg")
    forward_or_reverse(figures / "forward_or_reverse.png")
    for path in sorted(figures.iterdir()):
        print(f"wrote {path}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else FIGURES)
