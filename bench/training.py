"""Training the course's network on the heart with the compiled tape, for a fixed time."""

from __future__ import annotations

import time
from dataclasses import dataclass

from .data import course_params, heart

__all__ = ["TrainingResult", "train_heart"]


@dataclass
class TrainingResult:
    """What ``seconds`` of training reached."""

    mode: str
    seconds: float
    steps: int
    first_cost: float
    final_cost: float

    @property
    def steps_per_second(self) -> float:
        return self.steps / self.seconds


def train_heart(
    seconds: float, batched: bool, lr: float = 7.0, fold: bool = False
) -> TrainingResult:
    """Plain gradient descent P ← P − η J (the course's η = 7, without its noise) on
    C = (1/N) Σ |a3 − y|² for an ``nn.MLP(1, [6, 7, 2])``, each step one replay of a tape
    traced over the model's parameters, then ``nn.SGD``'s update. ``fold`` replays a batch
    with its layers as matrix products (``fold_layers=True``)."""
    import nn

    from .engine_nn import _mlp, heart_tape

    model, params = _mlp(course_params(), "sigmoid", "sigmoid")
    tape = heart_tape(model, params)
    optimizer = nn.SGD(params, lr)
    xs, targets = heart()
    n = len(xs)
    rows = [(x, y1, y2) for x, (y1, y2) in zip(xs, targets)]
    if batched:
        import numpy as np

        columns = [np.array(column) for column in zip(*rows)]

        def step() -> float:
            return float(tape.batch_backward(*columns, grad=1.0 / n, fold_layers=fold).sum()) / n
    else:

        def step() -> float:
            return tape.backward_sum(rows, grad=1.0 / n) / n

    steps, first = 0, None
    start = time.perf_counter()
    while True:
        optimizer.zero_grad()
        current = step()
        first = current if first is None else first
        optimizer.step()
        steps += 1
        if time.perf_counter() - start >= seconds:
            break
    elapsed = time.perf_counter() - start
    final = tape.backward_sum(rows, grad=0.0) / n
    mode = ("batched, folded" if fold else "batched") if batched else "per example"
    return TrainingResult(mode, elapsed, steps, first, final)
