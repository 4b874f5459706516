"""The heart demo: the course's 1→6→7→2 sigmoid network learns to draw a heart.

``autodiff demo heart`` (or ``python -m autodiff demo heart``) trains the network of the
course's backpropagation assignment on its heart data (N = 100), showing a progress bar and
the cost as it falls, then writes two files to the output folder (``out/`` by default):

- ``heart.png``: the network's curve against the target heart, at several stages of training,
  and the cost against the step;
- ``graph.svg``: the cost graph of one example, with every layer collapsed into one node.

The course trains with plain gradient descent for tens of thousands of steps; to finish in
seconds the demo uses Adam, on the course's initialisation (standard normal / 2), and replays
a compiled tape of the cost (:func:`autodiff.compile`) instead of rebuilding its graph at
every step: the same numbers, a hundred times faster.

Example:
    >>> args = build_parser().parse_args(["--steps", "50", "--seed", "3"])
    >>> args.steps, args.lr, args.seed, args.out
    (50, 0.1, 3, 'out')
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from tqdm import tqdm

from autodiff import Value, no_grad
from autodiff import compile as compile_tape

from .datasets import heart
from .layers import MLP
from .losses import sum_squared_error
from .optim import Adam

__all__ = ["DEFAULTS", "HeartRun", "build_parser", "main", "train_heart"]

DEFAULTS = {"steps": 5000, "lr": 0.1, "seed": 0, "out": "out"}
"""The demo's defaults: about three seconds of training, to C ≈ 1e-4: a clear heart."""

Curve = list[list[float]]


@dataclass
class HeartRun:
    """What a training run leaves behind: the model, its cost per step, curves on the way."""

    model: MLP
    inputs: list[list[float]]
    targets: list[list[float]]
    costs: list[float] = field(default_factory=list)
    snapshots: list[tuple[int, float, Curve]] = field(default_factory=list)


def _positive_int(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def _learning_rate(text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (math.isfinite(number) and number > 0):
        raise argparse.ArgumentTypeError(f"must be a positive finite number, got {text!r}")
    return number


class _OneLineErrors(argparse.ArgumentParser):
    """Option errors in one line, what is wrong and where help is (argparse's own print the
    whole usage first), as the ``autodiff`` command's are."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The demo's options: ``--steps``, ``--lr``, ``--seed`` and ``--out``."""
    parser = _OneLineErrors(
        prog="autodiff demo heart",
        description="Train the course's 1→6→7→2 sigmoid network on the heart data and draw it.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--steps",
        type=_positive_int,
        default=DEFAULTS["steps"],
        help="training steps (each one a full pass over the 100 examples)",
    )
    parser.add_argument(
        "--lr", type=_learning_rate, default=DEFAULTS["lr"], help="Adam's learning rate"
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULTS["seed"], help="seed of the initial weights"
    )
    parser.add_argument(
        "--out",
        default=DEFAULTS["out"],
        help="folder for heart.png and graph.svg (created if missing)",
    )
    return parser


def curve(model: MLP, inputs: Sequence[Sequence[float]]) -> Curve:
    """The network's outputs (a point (a1, a2) per input), computed without a graph."""
    with no_grad():
        return [[a.data for a in model(x)] for x in inputs]


def curve_cost(points: Curve, targets: Sequence[Sequence[float]]) -> float:
    """The course's cost of a curve: the mean over examples of |a − y|²."""
    squares = [sum((a - y) ** 2 for a, y in zip(p, t)) for p, t in zip(points, targets)]
    return math.fsum(squares) / len(squares)


def snapshot_steps(steps: int) -> list[int]:
    """The steps after which ``heart.png`` shows the curve: 0, 1%, 5%, 20%, 50% and 100%.

    Example:
        >>> snapshot_steps(1000)
        [0, 10, 50, 200, 500, 1000]
        >>> snapshot_steps(3)
        [0, 1, 2, 3]
    """
    marks = {0, steps}
    for fraction in (0.01, 0.05, 0.2, 0.5):
        marks.add(max(1, round(steps * fraction)))
    return sorted(marks)


def compiled_cost(
    model: MLP, inputs: Sequence[Sequence[float]], targets: Sequence[Sequence[float]]
) -> Callable[[], float]:
    """A function that adds ∂C/∂p into every parameter's ``.grad`` and returns C.

    C = (1/N) Σ_k |model(x_k) − y_k|² is the course's cost. The per-example cost is traced
    once with :func:`autodiff.compile`; each call replays it for all N examples — as one
    numpy batch when numpy is installed (the ``fast`` extra), else in a generated loop —
    reading the parameters' current ``.data``. It gives what ``C.backward()`` on the eager
    graph gives, to rounding, without building that graph.

    Example:
        >>> model = MLP(1, [2], rng=0)
        >>> cost = compiled_cost(model, [[0.0], [1.0]], [[0.0, 1.0], [1.0, 0.0]])
        >>> eager = sum(sum_squared_error(model(x), y) for x, y in
        ...             [([0.0], [0.0, 1.0]), ([1.0], [1.0, 0.0])]) / 2
        >>> eager.backward()
        >>> eager_grads = [p.grad for p in model.parameters()]
        >>> model.zero_grad()
        >>> abs(cost() - eager.data) < 1e-12
        True
        >>> all(abs(p.grad - g) < 1e-12 for p, g in zip(model.parameters(), eager_grads))
        True
    """
    rows = [[*x, *y] for x, y in zip(inputs, targets)]
    n_inputs, count = len(inputs[0]), len(rows)

    def example_cost(*numbers: Value) -> Value:
        return sum_squared_error(model(list(numbers[:n_inputs])), list(numbers[n_inputs:]))

    tape = compile_tape(example_cost, rows[0], wrt=model.parameters())
    try:
        import numpy as np
    except ImportError:
        return lambda: tape.backward_sum(rows, grad=1 / count) / count
    columns = [np.array(column) for column in zip(*rows)]
    # Layers as matrix products: the fast path (sums reordered, so equal to eager to rounding).
    return lambda: (
        float(np.sum(tape.batch_backward(*columns, grad=1 / count, fold_layers=True))) / count
    )


def train_heart(steps: int, lr: float, seed: int, *, progress: bool = True) -> HeartRun:
    """Train a fresh 1→6→7→2 sigmoid network on the heart with Adam for ``steps`` steps.

    ``run.costs[k]`` is the cost after k steps (measured by the step that follows).
    """
    inputs, targets = heart()
    model = MLP(1, [6, 7, 2], init="course", rng=seed)
    run = HeartRun(model, inputs, targets)
    wanted = set(snapshot_steps(steps))

    def keep(step: int) -> None:
        if step in wanted:
            points = curve(model, inputs)
            cost = curve_cost(points, targets)
            run.snapshots.append((step, cost, points))
            if progress:  # tqdm.write keeps the progress bar intact below the line
                tqdm.write(f"  step {step:>6}: C = {cost:.6f}")

    cost_and_gradients = compiled_cost(model, inputs, targets)
    optimizer = Adam(model.parameters(), lr=lr)
    keep(0)
    with tqdm(range(1, steps + 1), desc="training", unit="step", disable=not progress) as bar:
        for step in bar:
            optimizer.zero_grad()
            cost = cost_and_gradients()
            optimizer.step()
            run.costs.append(cost)
            bar.set_postfix(C=f"{cost:.6f}", refresh=False)
            keep(step)
    return run


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo with command-line arguments ``argv``; return the exit status.

    Ctrl-C stops it with one line and status 130 (128 + SIGINT, as shells report it); a
    picture being written is either whole or not there.
    """
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("\nautodiff demo heart: interrupted", file=sys.stderr)
        return 130


def _run(args: argparse.Namespace) -> int:
    missing = _missing_tools()
    if missing:
        print(f"autodiff demo heart: {missing}", file=sys.stderr)
        return 1
    out = Path(args.out)
    if _blocked_by_a_file(out):
        print(f"autodiff demo heart: --out {args.out}: not a folder", file=sys.stderr)
        return 2
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return _cannot_write(error, out)
    print(
        f"Training the course's 1→6→7→2 sigmoid network on the heart (N = 100): "
        f"{args.steps} Adam steps, lr {args.lr:g}, seed {args.seed}"
    )
    run = train_heart(args.steps, args.lr, args.seed, progress=True)
    from .heart_pictures import draw_cost_graph, plot_heart

    try:
        plot_heart(run, out / "heart.png", title=_title(args))
        draw_cost_graph(run, out / "graph.svg")
    except OSError as error:
        return _cannot_write(error, out)
    # On stderr, like the progress bar: stdout carries only the training log.
    print(f"wrote {out / 'heart.png'} and {out / 'graph.svg'}", file=sys.stderr)
    return 0


def _blocked_by_a_file(out: Path) -> bool:
    """Whether ``out`` or a folder above it is something other than a folder."""
    for folder in (out, *out.parents):
        if folder.exists():
            return not folder.is_dir()
    return False


def _cannot_write(error: OSError, out: Path) -> int:
    where = error.filename if error.filename is not None else out
    print(f"autodiff demo heart: cannot write {where}: {error.strerror or error}", file=sys.stderr)
    return 1


def _title(args: argparse.Namespace) -> str:
    return f"1→6→7→2 sigmoid network, Adam lr {args.lr:g}, seed {args.seed}"


def _missing_tools() -> str:
    """What is missing to write the pictures ("" when nothing is), checked before training."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return (
            "heart.png is drawn with matplotlib, which is not installed: "
            "pip install 'autodiff-course[plot]' (or matplotlib)"
        )
    if shutil.which("dot") is None:
        return (
            "graph.svg is drawn by Graphviz's `dot` program, which is not on PATH: "
            "install the package 'graphviz' (e.g. sudo apt-get install graphviz)"
        )
    return ""
