"""Training the course's 1→6→7→2 sigmoid network on its heart data (N = 100).

The course trains with plain gradient descent (η = 7, each Jacobian times a random factor
1 + noise·ε) for tens of thousands of steps; to finish in seconds the demo uses Adam by default
(``optimizer="sgd"`` is the course's), on the course's initialisation (standard normal / 2),
and replays a compiled tape of the cost (:func:`autodiff.compile_tape`) instead of rebuilding
its graph at every step: the same numbers, a hundred times faster. ``autodiff demo heart``
(:mod:`nn.app.heart_command`) runs it and draws the result (:mod:`nn.app.heart_pictures`).

Example:
    >>> run = train_heart(steps=3, lr=0.1, seed=0, progress=False)
    >>> len(run.costs), [step for step, _, _ in run.snapshots]
    (3, [0, 1, 2, 3])
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tqdm import tqdm

from autodiff import Value, compile_tape, no_grad

from ..datasets import heart
from ..layers import MLP
from ..losses import sum_squared_error
from ..optim import SGD, Adam, Optimizer

__all__ = [
    "DEFAULTS",
    "LEARNING_RATES",
    "OPTIMIZERS",
    "HeartRun",
    "compiled_cost",
    "make_optimizer",
    "snapshot_steps",
    "train_heart",
]

DEFAULTS = {"steps": 5000, "lr": 0.1, "seed": 0, "out": "out"}
"""The demo's defaults: about three seconds of training, to C ≈ 1e-4: a clear heart."""

OPTIMIZERS = ("adam", "sgd")
"""The demo's optimizers: Adam, and the course's (noisy) gradient descent."""

LEARNING_RATES = {"adam": DEFAULTS["lr"], "sgd": 7.0}
"""Each optimizer's default step size: η = 7 for gradient descent, as in the course."""

Curve = list[list[float]]


@dataclass
class HeartRun:
    """What a training run leaves behind: the model, its cost per step, curves on the way."""

    model: MLP
    inputs: list[list[float]]
    targets: list[list[float]]
    costs: list[float] = field(default_factory=list)
    snapshots: list[tuple[int, float, Curve]] = field(default_factory=list)


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


def make_optimizer(
    name: str, params: list[Value], lr: float, *, noise: float = 0.0, seed: int = 0
) -> Optimizer:
    """The demo's optimizer ``name`` ("adam" or "sgd"); the noise is drawn from ``seed``.

    Raises:
        ValueError: an unknown name, or ``noise`` given to Adam (it is gradient descent's).

    Example:
        >>> from autodiff import Value
        >>> make_optimizer("sgd", [Value(1.0)], 7.0, noise=0.5)
        SGD(1 parameters, lr=7.0, momentum=0.0, noise=0.5)
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {name!r}")
    if name == "adam":
        if noise:
            raise ValueError(f"noise is the course's gradient descent's (sgd), not Adam's: {noise}")
        return Adam(params, lr=lr)
    return SGD(params, lr=lr, noise=noise, rng=seed)


def train_heart(
    steps: int,
    lr: float,
    seed: int,
    *,
    optimizer: str = "adam",
    noise: float = 0.0,
    progress: bool = True,
) -> HeartRun:
    """Train a fresh 1→6→7→2 sigmoid network on the heart for ``steps`` steps.

    ``optimizer`` is "adam" or "sgd" (the course's gradient descent, with its ``noise``);
    ``seed`` seeds the initial weights and the noise. ``run.costs[k]`` is the cost after k
    steps (measured by the step that follows).
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
    stepper = make_optimizer(optimizer, model.parameters(), lr, noise=noise, seed=seed)
    keep(0)
    with tqdm(range(1, steps + 1), desc="training", unit="step", disable=not progress) as bar:
        for step in bar:
            stepper.zero_grad()
            cost = cost_and_gradients()
            stepper.step()
            run.costs.append(cost)
            bar.set_postfix(C=f"{cost:.6f}", refresh=False)
            keep(step)
    return run
