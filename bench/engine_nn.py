"""This engine through the ``nn`` package, as a user writes it: ``nn.MLP``, ``nn.losses``,
``nn.SGD``; eager, and replayed by a tape traced over the model's parameters."""

from __future__ import annotations

from typing import Any

from autodiff import Value, compile_tape

from .data import Layers

__all__ = ["course", "demo", "heart_tape"]


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
