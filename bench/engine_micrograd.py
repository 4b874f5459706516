"""micrograd 0.1.0 on the benchmark workloads, written as its own demo writes them."""

from __future__ import annotations

import math
from typing import Any

from .data import Layers

__all__ = ["course", "demo"]


def _model(layers: Layers, nonlin: bool) -> tuple[Any, list[Any]]:
    from micrograd.nn import MLP

    sizes = [len(layers[0][0][0])] + [len(b) for _, b in layers]
    mlp = MLP(sizes[0], sizes[1:])
    flat = []
    for layer, (W, b) in zip(mlp.layers, layers):
        for neuron, row, bias in zip(layer.neurons, W, b):
            neuron.nonlin = nonlin and neuron.nonlin
            for p, w in zip(neuron.w, row):
                p.data = w
            neuron.b.data = bias
        flat += [w for neuron in layer.neurons for w in neuron.w]
        flat += [neuron.b for neuron in layer.neurons]
    return mlp, flat


def _step(mlp: Any, params: list[Any], loss: Any, lr: float, collect: bool) -> Any:
    mlp.zero_grad()
    loss.backward()
    grads = [float(p.grad) for p in params] if collect else None
    for p in params:
        p.data -= lr * p.grad
    return (loss.data, grads) if collect else None


def demo(layers: Layers, points: Any, labels: Any, lr: float) -> Any:
    """micrograd's demo step (its MLP: relu hidden layers, linear output; hinge loss)."""
    from micrograd.engine import Value

    mlp, params = _model(layers, nonlin=True)

    def step(collect: bool = False) -> Any:
        scores = [mlp([Value(a) for a in point]) for point in points]
        losses = [(1 + -y * s).relu() for y, s in zip(labels, scores)]
        loss = sum(losses) * (1.0 / len(losses))
        return _step(mlp, params, loss, lr, collect)

    return step


def _sigmoid(z: Any) -> Any:
    """A sigmoid node the way micrograd's README extends it (micrograd 0.1.0 has none)."""
    from micrograd.engine import Value

    s = 1.0 / (1.0 + math.exp(-z.data))
    out = Value(s, (z,), "sigmoid")

    def _backward() -> None:
        z.grad += s * (1.0 - s) * out.grad

    out._backward = _backward
    return out


def course(layers: Layers, xs: Any, targets: Any, lr: float) -> Any:
    """The course's step, the sigmoid network built from micrograd's Values."""
    from micrograd.engine import Value

    mlp, params = _model(layers, nonlin=False)

    def forward(x: Any) -> list[Any]:
        a = [Value(x)]
        for layer in mlp.layers:
            a = [_sigmoid(sum((w * v for w, v in zip(n.w, a)), n.b)) for n in layer.neurons]
        return a

    def step(collect: bool = False) -> Any:
        costs = [
            (a[0] - y1) ** 2 + (a[1] - y2) ** 2
            for a, (y1, y2) in ((forward(x), y) for x, y in zip(xs, targets))
        ]
        loss = sum(costs) * (1.0 / len(costs))
        return _step(mlp, params, loss, lr, collect)

    return step
