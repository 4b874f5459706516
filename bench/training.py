"""Training the course's network on the heart with the compiled tape, for a fixed time."""

from __future__ import annotations

import time
from dataclasses import dataclass

from autodiff import Value, compile

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


def train_heart(seconds: float, batched: bool, lr: float = 7.0) -> TrainingResult:
    """Plain gradient descent P ← P − η J (the course's η = 7, without its noise) on
    C = (1/N) Σ |a3 − y|², each step one replay of the tape over the N = 100 examples."""
    layers = course_params()
    model = [([[Value(w) for w in row] for row in W], [Value(v) for v in b]) for W, b in layers]
    params = [p for W, b in model for p in [*[w for row in W for w in row], *b]]

    def cost(x: Value, y1: Value, y2: Value) -> Value:
        a = [x]
        for W, b in model:
            a = [sum((w * v for w, v in zip(row, a)), bias).sigmoid() for row, bias in zip(W, b)]
        return (a[0] - y1) ** 2 + (a[1] - y2) ** 2

    tape = compile(cost, [0.5, 0.5, 0.5], wrt=params)
    xs, targets = heart()
    n = len(xs)
    rows = [(x, y1, y2) for x, (y1, y2) in zip(xs, targets)]
    if batched:
        import numpy as np

        columns = [np.array(column) for column in zip(*rows)]

        def step() -> float:
            return float(tape.batch_backward(*columns, grad=1.0 / n).sum()) / n
    else:

        def step() -> float:
            return tape.backward_sum(rows, grad=1.0 / n) / n

    steps, first = 0, None
    start = time.perf_counter()
    while True:
        for p in params:
            p.grad = 0.0
        current = step()
        first = current if first is None else first
        for p in params:
            p.data -= lr * p.grad
        steps += 1
        if time.perf_counter() - start >= seconds:
            break
    elapsed = time.perf_counter() - start
    final = tape.backward_sum(rows, grad=0.0) / n
    return TrainingResult("batched" if batched else "per example", elapsed, steps, first, final)
