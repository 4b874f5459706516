"""This engine through the ``nn`` package, as a user writes it: ``nn.MLP``, ``nn.losses``,
``nn.SGD``; eager, and replayed by a tape traced over the model's parameters."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from autodiff import Value, collector_paused, compile_tape

from .data import Layers, Trainer

__all__ = ["course", "demo", "digits", "heart_tape"]


def _mlp(layers: Layers, activation: str, output_activation: str) -> tuple[Any, list[Value]]:
    import nn

    sizes = [len(b) for _, b in layers]
    model = nn.MLP(len(layers[0][0][0]), sizes, activation, output_activation)
    flat: list[Value] = []
    for layer, (W, b) in zip(model.layers, layers):
        for row, values in zip(layer.W, W):
            for param, value in zip(row, values):
                param.data = value
        for param, value in zip(layer.b, b):
            param.data = value
        flat += [w for row in layer.W for w in row] + list(layer.b)
    return model, flat


def _step(model: Any, params: list[Value], optimizer: Any, run: Any, collect: bool) -> Any:
    optimizer.zero_grad()
    loss = run()
    grads = [p.grad for p in params] if collect else None
    optimizer.step()
    return (loss, grads) if collect else None


def demo(layers: Layers, points: Any, labels: Any, lr: float, tape: bool = False) -> Any:
    """micrograd's demo step with nn.MLP, nn.losses.hinge and nn.SGD."""
    import nn

    model, params = _mlp(layers, "relu", "linear")
    optimizer = nn.SGD(params, lr)
    n = len(points)
    if tape:
        compiled = compile_tape(
            lambda x1, x2, y: nn.losses.hinge(model([x1, x2]), y), [0.5, 0.5, 1.0], wrt=params
        )
        rows = [(x1, x2, y) for (x1, x2), y in zip(points, labels)]

        def run() -> float:
            return compiled.backward_sum(rows, grad=1 / n) / n
    else:

        def run() -> float:
            total: Any = sum(nn.losses.hinge(model(x), y) for x, y in zip(points, labels))
            loss = total * (1 / n)
            loss.backward()
            return loss.data

    return lambda collect=False: _step(model, params, optimizer, run, collect)


def course(layers: Layers, xs: Any, targets: Any, lr: float, tape: str = "") -> Any:
    """The course's step with nn.MLP and nn.losses.sum_squared_error: eager, or a tape
    replayed per example (``tape="rows"``) or on the whole batch (``tape="batch"``, or
    ``tape="folded"`` with its layers as matrix products)."""
    import nn

    model, params = _mlp(layers, "sigmoid", "sigmoid")
    optimizer = nn.SGD(params, lr)
    n = len(xs)
    if not tape:

        def run() -> float:
            total: Any = sum(
                nn.losses.sum_squared_error(model([x]), y) for x, y in zip(xs, targets)
            )
            loss = total * (1 / n)
            loss.backward()
            return loss.data

        return lambda collect=False: _step(model, params, optimizer, run, collect)
    compiled = heart_tape(model, params)
    rows = [(x, y1, y2) for x, (y1, y2) in zip(xs, targets)]
    if tape == "rows":

        def run() -> float:
            return compiled.backward_sum(rows, grad=1 / n) / n
    else:
        import numpy as np

        columns = [np.array(column) for column in zip(*rows)]

        def run() -> float:
            fold = tape == "folded"
            return float(compiled.batch_backward(*columns, grad=1 / n, fold_layers=fold).sum()) / n

    return lambda collect=False: _step(model, params, optimizer, run, collect)


def heart_tape(model: Any, params: list[Value]) -> Any:
    """One example's course cost |model(x) − y|², traced over the model's parameters."""
    import nn

    def cost(x: Value, y1: Value, y2: Value) -> Value:
        return nn.losses.sum_squared_error(model([x]), [y1, y2])

    return compile_tape(cost, [0.5, 0.5, 0.5], wrt=params)


def digits(model: Any, xs: Any, targets: Any, lr: float, tape: str = "") -> Trainer:
    """Mini-batch SGD with nn.hinge (one score per class; targets +1 for the example's
    class, −1 for the others) and nn.SGD, the mean over the batch. Eagerly: one
    ``backward(grad=1/B)`` per example, the floats every tape below promises (one graph for
    the whole batch, as ``nn.fit`` builds it, costs about the same but adds each gradient in
    another order), with the collector paused as ``nn.fit`` pauses it for a step. Or
    replayed by a tape of one example's loss: per example (``tape="rows"``,
    ``backward_sum``), or on the batch (``tape="batch"``; ``"folded"`` with
    ``fold_layers=True``)."""
    import nn

    params = model.parameters()
    optimizer = nn.SGD(params, lr)
    n_in = len(xs[0])

    def eager(batch: Sequence[int]) -> float:
        total = 0.0
        with collector_paused():  # as nn.fit runs a step
            for k in batch:
                loss = nn.hinge(model(xs[k]), targets[k])
                loss.backward(grad=1 / len(batch))
                total += loss.data
        return total

    run: Callable[[Sequence[int]], float] = eager
    if tape:
        rows = [(*x, *y) for x, y in zip(xs, targets)]
        compiled = compile_tape(
            lambda *row: nn.hinge(model(row[:n_in]), row[n_in:]), rows[0], wrt=params
        )
        if tape == "rows":

            def run(batch: Sequence[int]) -> float:
                return compiled.backward_sum([rows[k] for k in batch], grad=1 / len(batch))
        else:
            import numpy as np

            columns = np.array(rows).T.copy()  # one row per argument: a batch is a column slice
            fold = tape == "folded"

            def run(batch: Sequence[int]) -> float:
                values = compiled.batch_backward(
                    *columns[:, batch], grad=1 / len(batch), fold_layers=fold
                )
                return sum(values.tolist())  # eager's order: 0.0 + loss₁ + loss₂ + …

    def step(batch: Sequence[int]) -> float:
        optimizer.zero_grad()
        total = run(batch)
        optimizer.step()
        return total / len(batch)

    return Trainer(step, lambda: [p.grad for p in params], model.matrices)
