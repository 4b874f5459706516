"""Draw the tutorials' pictures with the library itself.

Usage (``make docs-figures`` runs it with the rendering guide's script):
    python docs/make_course_figures.py            # every figure
    python docs/make_course_figures.py not-cost   # only the named ones
    python docs/make_course_figures.py --out DIR  # somewhere else than docs/course-figures

Each figure is computed with ``autodiff`` and ``nn`` (matplotlib only draws the numbers
they produce) and written atomically to ``docs/course-figures/``. Everything is seeded, so a rerun
draws the same pictures. The slow part is the heart network's long training run.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository's own code

from autodiff import Value, draw, grad, hessian, no_grad
from autodiff.files import write_atomically

FIGURES_DIR = Path(__file__).resolve().parent / "course-figures"

# The NOT neuron of the course: a = tanh(w·x + b), trained on x = 0 → 1 and x = 1 → 0.
NOT_DATA = ((0.0, 1.0), (1.0, 0.0))
NOT_START = (1.3, -0.1)
NOT_OFFERED = (-5.0, 5.0)
NOT_LEARNING_RATE = 0.5
NOT_STEPS = 100


# --- shared helpers ------------------------------------------------------------------------
def save_figure(figure: Any, path: Path) -> None:
    """Write a matplotlib figure to ``path`` as PNG, without a timestamp (reruns match)."""
    import matplotlib.pyplot as plt

    def save(file: Any) -> None:
        figure.savefig(file, format="png", dpi=110, metadata={"Software": None})

    write_atomically(path, save)
    plt.close(figure)
    print(f"wrote {path}")


def pyplot() -> Any:
    """matplotlib's pyplot on a file-only backend (imported late: it is an optional extra)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


# --- one neuron ------------------------------------------------------------------------------
def tanh_neuron_curve(w: float, b: float, xs: Sequence[float]) -> list[float]:
    """tanh(w·x + b) at each x, computed by the engine."""
    with no_grad():
        return [(Value(w) * x + b).tanh().data for x in xs]


def figure_neuron_curves(folder: Path) -> None:
    """How the weight and the bias change one tanh neuron's output."""
    plt = pyplot()
    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
    xs = linspace(-3.0, 3.0, 121)
    for w in (0.5, 1.0, 3.0, -3.0):
        left.plot(xs, tanh_neuron_curve(w, 0.0, xs), label=f"w = {w:g}")
    for b in (-3.0, 0.0, 1.5, 3.0):
        right.plot(xs, tanh_neuron_curve(3.0, b, xs), label=f"b = {b:g}")
    left.set_title("b = 0: the weight sets slope and direction", fontsize=9)
    right.set_title("w = 3: the bias shifts the step to x = −b/w", fontsize=9)
    left.set_ylabel("a = tanh(w·x + b)")
    for axes in (left, right):
        axes.axhline(0.0, color="grey", lw=0.5)
        axes.set_xlabel("x")
        axes.legend(fontsize=8)
    figure.tight_layout()
    save_figure(figure, folder / "neuron-curves.png")


# --- XOR: one layer against a hidden layer -----------------------------------------------------
def trained_on_xor(model: Any) -> tuple[Any, float]:
    """``model`` after 300 full-batch Adam steps on XOR (as on the layers page), and its cost."""
    import nn

    inputs, targets = nn.xor()
    optimizer = nn.Adam(model.parameters(), lr=0.1)
    nn.fit(
        model,
        inputs,
        targets,
        loss=nn.sum_squared_error,
        optimizer=optimizer,
        epochs=300,
        progress=False,
    )
    with no_grad():
        costs = [nn.sum_squared_error(model(x), y).data for x, y in zip(inputs, targets)]
    return model, sum(costs) / len(costs)


def output_grid(model: Any, grid: list[float]) -> list[list[float]]:
    """The model's single output over grid × grid: one row per x2, one column per x1."""

    def output(x1: float, x2: float) -> float:
        out = model([x1, x2])
        return (out if isinstance(out, Value) else out[0]).data

    with no_grad():
        return [[output(x1, x2) for x1 in grid] for x2 in grid]


def figure_xor(folder: Path) -> None:
    """What one sigmoid neuron and a 2→4→1 sigmoid network learn of XOR."""
    import nn

    plt = pyplot()
    models = [
        ("one sigmoid neuron (no hidden layer)", trained_on_xor(nn.Neuron(2, rng=0))),
        ("2→4→1 sigmoid network", trained_on_xor(nn.MLP(2, [4, 1], rng=0))),
    ]
    grid = linspace(-0.25, 1.25, 61)
    figure, panels = plt.subplots(1, 2, figsize=(9, 4.2))
    inputs, targets = nn.xor()
    for axes, (title, (model, cost)) in zip(panels, models):
        image = axes.pcolormesh(
            grid, grid, output_grid(model, grid), vmin=0, vmax=1, cmap="coolwarm", shading="auto"
        )
        for (x1, x2), (y,) in zip(inputs, targets):
            axes.plot(x1, x2, "o", ms=11, mec="black", color="white" if y == 0 else "black")
        axes.set_title(f"{title}\ncost after training: {cost:.4f}", fontsize=9)
        axes.set_xlabel("x1")
        axes.set_aspect("equal")
    panels[0].set_ylabel("x2")
    figure.colorbar(image, ax=list(panels), label="output a (white dots want 0, black 1)")
    save_figure(figure, folder / "xor.png")


# --- the NOT neuron --------------------------------------------------------------------------
def not_cost(w: Value, b: Value) -> Value:
    """C(w, b) = ½ Σ_k (tanh(w·x_k + b) − y_k)² over the two NOT examples."""
    per_example = [((w * x + b).tanh() - y) ** 2 for x, y in NOT_DATA]
    return sum(per_example, Value(0.0)) / len(per_example)


def not_cost_at(w: float, b: float) -> float:
    with no_grad():
        return not_cost(Value(w), Value(b)).data


def descent_path(
    start: tuple[float, float], learning_rate: float, steps: int
) -> list[tuple[float, float]]:
    """The points (w, b) visited by gradient descent on the NOT neuron's cost."""
    from nn.plot import descent_path as path_of

    return path_of(not_cost, start, learning_rate, steps)


def cost_grid(ws: Sequence[float], bs: Sequence[float]) -> list[list[float]]:
    """C(w, b) on a grid: one row per b, one column per w (matplotlib's contour layout)."""
    return [[not_cost_at(w, b) for w in ws] for b in bs]


def linspace(low: float, high: float, count: int) -> list[float]:
    return [low + (high - low) * i / (count - 1) for i in range(count)]


CONTOUR_LEVELS = [
    0.003,
    0.01,
    0.03,
    0.07,
    0.15,
    0.3,
    0.42,
    0.47,
    0.49,
    0.55,
    0.7,
    0.9,
    1.1,
    1.4,
    1.7,
]


def draw_cost_contours(
    axes: Any, ws: list[float], bs: list[float], *, mark_offered: bool = True
) -> None:
    """C's contours, the valley b = −w, and (if asked) the quiz's offered solution."""
    contours = axes.contour(ws, bs, cost_grid(ws, bs), levels=CONTOUR_LEVELS, cmap="viridis")
    axes.clabel(contours, levels=[0.01, 0.07, 0.3, 0.47, 0.7, 1.1, 1.7], fontsize=7, fmt="%g")
    axes.plot([ws[0], ws[-1]], [-ws[0], -ws[-1]], "k--", lw=0.8, label="b = −w")
    if mark_offered:
        axes.plot(*NOT_OFFERED, "k*", ms=10, label="offered w = −5, b = 5")
    axes.set_aspect("equal")  # right angles only look right on equal axes
    axes.set_xlim(ws[0], ws[-1])
    axes.set_ylim(bs[0], bs[-1])
    axes.set_xlabel("w")
    axes.set_ylabel("b")


def figure_not_cost(folder: Path) -> None:
    """The NOT neuron's cost over (w, b) with the gradient-descent path from (1.3, −0.1)."""
    from nn.plot import cost_contour

    pyplot()
    path = descent_path(NOT_START, NOT_LEARNING_RATE, NOT_STEPS)
    figure = cost_contour(
        not_cost,
        w=(-5.5, 2.5),
        b=(-1.5, 5.5),
        path=path,
        levels=CONTOUR_LEVELS,
        labelled=[0.01, 0.07, 0.3, 0.47, 0.7, 1.1, 1.7],
        resolution=161,
        label=f"gradient descent, η = {NOT_LEARNING_RATE}",
        title="C(w, b) of the NOT neuron: descent crosses the contours at right angles",
    )
    axes = figure.axes[0]
    axes.plot([-5.5, 2.5], [5.5, -2.5], "k--", lw=0.8, label="b = −w")
    axes.plot(*NOT_OFFERED, "k*", ms=10, label="offered w = −5, b = 5")
    axes.annotate("start (1.3, −0.1)", NOT_START, xytext=(-40, -16), textcoords="offset points")
    end = path[-1]
    axes.annotate(f"after {NOT_STEPS} steps", end, xytext=(8, 4), textcoords="offset points")
    axes.legend(loc="lower left", fontsize=8)
    save_figure(figure, folder / "not-cost.png")


def newton_path(start: tuple[float, float], steps: int) -> list[tuple[float, float]]:
    """The points visited by Newton's method, d = −H⁻¹ ∇C, on the NOT neuron's cost."""
    path = [start]
    for _ in range(steps):
        w, b = Value(path[-1][0]), Value(path[-1][1])
        g_w, g_b = grad(not_cost(w, b), [w, b])
        (p, q), (_, r) = hessian(not_cost(w, b), [w, b])
        det = p * r - q * q
        path.append((w.data - (r * g_w - q * g_b) / det, b.data - (p * g_b - q * g_w) / det))
    return path


def figure_newton_vs_descent(folder: Path) -> None:
    """Five Newton steps and five gradient-descent steps from (−1, 1)."""
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(5.6, 5.2))
    ws, bs = linspace(-3.0, 0.0, 121), linspace(0.0, 3.0, 121)
    draw_cost_contours(axes, ws, bs, mark_offered=False)
    start = (-1.0, 1.0)
    newton = newton_path(start, 5)
    descent = descent_path(start, NOT_LEARNING_RATE, 5)
    axes.plot(*zip(*newton), "o-", color="tab:red", ms=4, label="Newton, 5 steps")
    axes.plot(*zip(*descent), "o-", color="tab:blue", ms=3, label="descent η = 0.5, 5 steps")
    axes.set_title("Newton's steps follow the valley; descent creeps", fontsize=9)
    axes.legend(loc="lower left", fontsize=8)
    save_figure(figure, folder / "newton-vs-descent.png")


# --- the chain rule --------------------------------------------------------------------------
def quiz_neuron_cost() -> tuple[Value, Value]:
    """The quiz's tanh neuron at w = 2.3, b = −1.2, x = 0, y = 1: its cost C and w."""
    w, b, x = Value(2.3, label="w"), Value(-1.2, label="b"), Value(0.0, label="x")
    z = w * x + b
    z.label = "z"
    a = z.tanh()
    a.label = "a"
    cost = (a - 1) ** 2
    cost.label = "C"
    cost.backward()
    return cost, w


def figure_chain_rule(folder: Path) -> None:
    """The quiz neuron's cost graph with the chain-rule path down to w highlighted."""
    cost, w = quiz_neuron_cost()
    svg = draw(cost, highlight=w, show_local=True).pipe(format="svg")
    write_atomically(folder / "chain-rule.svg", svg)
    print(f"wrote {folder / 'chain-rule.svg'}")


# --- the heart -------------------------------------------------------------------------------
def heart_model_with_gradients() -> Any:
    """The heart network (seed 0, the course's init) after one backward() of the heart cost."""
    import nn

    inputs, targets = nn.heart()
    model = nn.MLP(1, [6, 7, 2], init="course", rng=0)
    cost = sum(nn.sum_squared_error(model(x), y) for x, y in zip(inputs, targets)) / len(inputs)
    cost.backward()
    return model


def figure_network_grads(folder: Path) -> None:
    """The 1→6→7→2 network drawn by its gradients: which weights the cost is most sensitive to."""
    import nn

    path = nn.draw_network(heart_model_with_gradients(), show="grads").write(
        folder / "network-grads.svg"
    )
    print(f"wrote {path}")


def figure_heart_training(folder: Path) -> None:
    """The heart network's curve after more and more steps: the demo's run, panel by panel."""
    from nn.app.heart import DEFAULTS, train_heart

    plt = pyplot()
    run = train_heart(DEFAULTS["steps"], DEFAULTS["lr"], DEFAULTS["seed"], progress=True)
    figure, panels = plt.subplots(2, 3, figsize=(10, 7), sharex=True, sharey=True)
    heart = [*run.targets, run.targets[0]]
    for axes, (step, cost, points) in zip(panels.flat, run.snapshots):
        axes.plot(*zip(*heart), "k--", lw=1)
        axes.plot(*zip(*points), color="tab:red", lw=2)
        axes.set_title(f"after {step} steps: C = {cost:.2g}", fontsize=9)
        axes.set_aspect("equal")
    figure.suptitle(
        f"1→6→7→2 sigmoid network (dashed: the heart). Adam, lr {DEFAULTS['lr']}, "
        f"seed {DEFAULTS['seed']}",
        fontsize=10,
    )
    figure.tight_layout()
    save_figure(figure, folder / "heart-training.png")


HEART_COMPARISON_STEPS = 20_000
HEART_NOISE = 1.0  # the noisy run's noise term: each Jacobian times 1 + 1.0·ε


def heart_costs(optimizer_name: str, steps: int, noise: float = 0.0) -> list[float]:
    """The heart network's cost after 0, 1, …, steps − 1 steps (seed 0, course init).

    "sgd" is the course's gradient descent, η = 7, with ``noise`` (drawn from seed 0).
    """
    import nn
    from nn.app.heart import compiled_cost

    inputs, targets = nn.heart()
    model = nn.MLP(1, [6, 7, 2], init="course", rng=0)
    optimizer: nn.Optimizer = (
        nn.SGD(model.parameters(), lr=7.0, noise=noise, rng=0)
        if optimizer_name == "sgd"
        else nn.Adam(model.parameters(), lr=0.1)
    )
    cost_and_gradients = compiled_cost(model, inputs, targets)
    costs = []
    for _ in range(steps):
        optimizer.zero_grad()
        costs.append(cost_and_gradients())
        optimizer.step()
    return costs


def figure_heart_cost(folder: Path) -> None:
    """The course's gradient descent (η = 7), plain and noisy, against Adam on the heart."""
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(6.4, 4.2))
    runs = [  # the noisy run first, so that its spikes stay behind the others
        ("sgd", HEART_NOISE, f"noisy gradient descent, η = 7, noise {HEART_NOISE:g}", "tab:green"),
        ("sgd", 0.0, "gradient descent, η = 7 (no noise)", "tab:blue"),
        ("adam", 0.0, "Adam, lr 0.1", "tab:orange"),
    ]
    for name, noise, label, colour in runs:
        costs = heart_costs(name, HEART_COMPARISON_STEPS, noise)
        # costs[k] is the cost after k steps; a log axis starts at step 1
        ending = f"{label}: C = {min(costs[-100:]):.2g} at the end"
        axes.plot(range(1, len(costs)), costs[1:], color=colour, lw=1, label=ending, alpha=0.85)
        marks = (1000, 3000, 10000, len(costs) - 1)
        print(f"{label}: " + ", ".join(f"C({k}) = {costs[k]:.3g}" for k in marks))
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("step")
    axes.set_ylabel("cost C")
    axes.set_title("The heart network: same start (seed 0), three optimizers", fontsize=9)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    save_figure(figure, folder / "heart-cost.png")


# --- the command line ------------------------------------------------------------------------
FIGURES: dict[str, Callable[[Path], None]] = {
    "neuron-curves": figure_neuron_curves,
    "xor": figure_xor,
    "not-cost": figure_not_cost,
    "chain-rule": figure_chain_rule,
    "network-grads": figure_network_grads,
    "newton-vs-descent": figure_newton_vs_descent,
    "heart-training": figure_heart_training,
    "heart-cost": figure_heart_cost,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="name", help=", ".join(FIGURES))
    parser.add_argument("--out", type=Path, default=FIGURES_DIR, help="where to write them")
    args = parser.parse_args(argv)
    names = args.names or list(FIGURES)
    unknown = [name for name in names if name not in FIGURES]
    if unknown:
        parser.error(f"unknown figure {unknown[0]!r}; choose from {', '.join(FIGURES)}")
    args.out.mkdir(parents=True, exist_ok=True)
    for name in names:
        FIGURES[name](args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
