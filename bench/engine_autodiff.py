"""This engine on the benchmark workloads: eager (one node per + and *, or fused ``dot``
neurons), the compiled tape (one example at a time) and the batched tape (numpy)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from autodiff import Value, compile_tape, dot

from .data import Layers

__all__ = ["course", "demo"]

Step = Callable[..., Any]
Neuron = Callable[[list[Value], Sequence[Value], Value], Value]


def _values(layers: Layers) -> tuple[Any, list[Value]]:
    model = [([[Value(w) for w in row] for row in W], [Value(v) for v in b]) for W, b in layers]
    flat = [p for W, b in model for p in [*[w for row in W for w in row], *b]]
    return model, flat


def _chained(row: list[Value], inputs: Sequence[Value], bias: Value) -> Value:
    # As micrograd's Neuron: b + w₁x₁ + w₂x₂ + …, one node per * and per +.
    return sum((w * x for w, x in zip(row, inputs)), bias)


def _fused(row: list[Value], inputs: Sequence[Value], bias: Value) -> Value:
    return dot(row, inputs) + bias


def _forward(model: Any, inputs: Any, neuron: Neuron, hidden: str, output: str) -> list[Value]:
    a = inputs
    last = len(model) - 1
    for k, (W, b) in enumerate(model):
        z = [neuron(row, a, bias) for row, bias in zip(W, b)]
        activation = output if k == last else hidden
        a = z if activation == "linear" else [getattr(zi, activation)() for zi in z]
    return a


def _sgd_step(params: list[Value], loss: Any, lr: float, collect: bool) -> Any:
    for p in params:
        p.grad = 0.0
    loss.backward()
    grads = [p.grad for p in params] if collect else None
    for p in params:
        p.data -= lr * p.grad
    return (loss.data, grads) if collect else None


def demo(layers: Layers, points: Any, labels: Any, lr: float, fused: bool = False) -> Step:
    """micrograd's demo step on this engine's eager graph."""
    model, params = _values(layers)
    neuron = _fused if fused else _chained
    inputs = [[Value(x) for x in point] for point in points]

    def step(collect: bool = False) -> Any:
        scores = [_forward(model, x, neuron, "relu", "linear")[0] for x in inputs]
        losses = [(1 + -y * s).relu() for y, s in zip(labels, scores)]
        loss = sum(losses) * (1.0 / len(losses))
        return _sgd_step(params, loss, lr, collect)

    return step


def _course_cost(model: Any, neuron: Neuron) -> Callable[..., Value]:
    def cost(x: Value, y1: Value, y2: Value) -> Value:
        a = _forward(model, [x], neuron, "sigmoid", "sigmoid")
        return (a[0] - y1) ** 2 + (a[1] - y2) ** 2

    return cost


def course(layers: Layers, xs: Any, targets: Any, lr: float, fused: bool = False) -> Step:
    """The course's step on this engine's eager graph: C = (1/N) Σ |a3 − y|²."""
    model, params = _values(layers)
    cost = _course_cost(model, _fused if fused else _chained)
    rows = [(Value(x), Value(y1), Value(y2)) for x, (y1, y2) in zip(xs, targets)]

    def step(collect: bool = False) -> Any:
        loss = sum(cost(*row) for row in rows) * (1.0 / len(rows))
        return _sgd_step(params, loss, lr, collect)

    return step


def _batch_mean(tape: Any, columns: Any, n: int, fold: bool) -> float:
    return float(tape.batch_backward(*columns, grad=1 / n, fold_layers=fold).sum()) / n


def _tape_step(params: list[Value], lr: float, run: Callable[[], float]) -> Step:
    def step(collect: bool = False) -> Any:
        for p in params:
            p.grad = 0.0
        loss = run()
        grads = [p.grad for p in params] if collect else None
        for p in params:
            p.data -= lr * p.grad
        return (loss, grads) if collect else None

    return step


def course_tape(
    layers: Layers, xs: Any, targets: Any, lr: float, batched: bool = False, fold: bool = False
) -> Step:
    """The course's step replayed by a compiled tape: per example, or the whole batch (in
    eager's order of operations, or with ``fold`` its layers as matrix products)."""
    model, params = _values(layers)
    tape = compile_tape(_course_cost(model, _chained), [0.5, 0.5, 0.5], wrt=params)
    n = len(xs)
    rows = [(x, y1, y2) for x, (y1, y2) in zip(xs, targets)]
    if batched:
        import numpy as np

        columns = [np.array(column) for column in zip(*rows)]
        return _tape_step(params, lr, lambda: _batch_mean(tape, columns, n, fold))
    return _tape_step(params, lr, lambda: tape.backward_sum(rows, grad=1 / n) / n)


def demo_tape(
    layers: Layers, points: Any, labels: Any, lr: float, batched: bool = False, fold: bool = False
) -> Step:
    """micrograd's demo step replayed by a compiled tape of one example's hinge loss."""
    model, params = _values(layers)

    def hinge(x1: Value, x2: Value, y: Value) -> Value:
        score = _forward(model, [x1, x2], _chained, "relu", "linear")[0]
        return (1 + -y * score).relu()

    tape = compile_tape(hinge, [0.5, 0.5, 1.0], wrt=params)
    n = len(points)
    rows = [(x1, x2, y) for (x1, x2), y in zip(points, labels)]
    if batched:
        import numpy as np

        columns = [np.array(column) for column in zip(*rows)]
        return _tape_step(params, lr, lambda: _batch_mean(tape, columns, n, fold))
    return _tape_step(params, lr, lambda: tape.backward_sum(rows, grad=1 / n) / n)
