"""PyTorch (float64, one thread) on the benchmark workloads: 0-d tensors, one per scalar, as
a scalar engine would be used; and matrices, as PyTorch is meant to be used."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .data import Layers, Trainer

__all__ = [
    "course_matrix",
    "course_scalar",
    "demo_matrix",
    "demo_scalar",
    "digits_matrix",
]


def _torch() -> Any:
    import torch

    torch.set_num_threads(1)
    return torch


def _scalars(layers: Layers) -> tuple[list[Any], list[Any]]:
    torch = _torch()

    def leaf(x: float) -> Any:
        return torch.tensor(x, dtype=torch.float64, requires_grad=True)

    model = [([[leaf(w) for w in row] for row in W], [leaf(v) for v in b]) for W, b in layers]
    flat = [p for W, b in model for p in [*[w for row in W for w in row], *b]]
    return model, flat


def _matrices(layers: Layers) -> list[Any]:
    torch = _torch()
    tensors = []
    for W, b in layers:
        tensors.append(torch.tensor(W, dtype=torch.float64, requires_grad=True))
        tensors.append(torch.tensor(b, dtype=torch.float64, requires_grad=True))
    return tensors


def _step(params: list[Any], loss: Any, lr: float, collect: bool, flat: bool = False) -> Any:
    torch = _torch()
    for p in params:
        p.grad = None
    loss.backward()
    grads = None
    if collect:
        grads = [float(g) for p in params for g in p.grad.reshape(-1).tolist()]
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
    return (float(loss.detach()), grads) if collect else None


def demo_scalar(layers: Layers, points: Any, labels: Any, lr: float) -> Any:
    torch = _torch()
    model, params = _scalars(layers)
    inputs = [[torch.tensor(x, dtype=torch.float64) for x in point] for point in points]
    last = len(model) - 1

    def step(collect: bool = False) -> Any:
        losses = []
        for x, y in zip(inputs, labels):
            a = x
            for k, (W, b) in enumerate(model):
                z = [sum((w * v for w, v in zip(row, a)), bias) for row, bias in zip(W, b)]
                a = z if k == last else [torch.relu(zi) for zi in z]
            losses.append(torch.relu(1 + -y * a[0]))
        loss = sum(losses) * (1.0 / len(losses))
        return _step(params, loss, lr, collect)

    return step


def demo_matrix(layers: Layers, points: Any, labels: Any, lr: float) -> Any:
    torch = _torch()
    params = _matrices(layers)
    X = torch.tensor(points, dtype=torch.float64)
    Y = torch.tensor(labels, dtype=torch.float64)

    def step(collect: bool = False) -> Any:
        a = X
        for k in range(0, len(params), 2):
            a = a @ params[k].T + params[k + 1]
            if k + 2 < len(params):
                a = torch.relu(a)
        loss = torch.relu(1 - Y * a[:, 0]).mean()
        return _step(params, loss, lr, collect)

    return step


def course_scalar(layers: Layers, xs: Any, targets: Any, lr: float) -> Any:
    torch = _torch()
    model, params = _scalars(layers)
    rows = [(torch.tensor(x, dtype=torch.float64), y) for x, y in zip(xs, targets)]

    def step(collect: bool = False) -> Any:
        costs = []
        for x, (y1, y2) in rows:
            a = [x]
            for W, b in model:
                a = [
                    torch.sigmoid(sum((w * v for w, v in zip(row, a)), bias))
                    for row, bias in zip(W, b)
                ]
            costs.append((a[0] - y1) ** 2 + (a[1] - y2) ** 2)
        loss = sum(costs) * (1.0 / len(costs))
        return _step(params, loss, lr, collect)

    return step


def course_matrix(layers: Layers, xs: Any, targets: Any, lr: float) -> Any:
    torch = _torch()
    params = _matrices(layers)
    X = torch.tensor([xs], dtype=torch.float64)  # examples as columns, as in the course
    Y = torch.tensor(targets, dtype=torch.float64).T

    def step(collect: bool = False) -> Any:
        a = X
        for k in range(0, len(params), 2):
            a = torch.sigmoid(params[k] @ a + params[k + 1][:, None])
        loss = ((a - Y) ** 2).sum() / X.shape[1]
        return _step(params, loss, lr, collect)

    return step


def digits_matrix(model: Any, xs: Any, targets: Any, lr: float) -> Trainer:
    """The digits workload in PyTorch: ``model.to_torch()`` (float64), the batch's mean of
    the hinge loss Σ max(0, 1 − y·s) as one expression on matrices, ``torch.optim.SGD``."""
    torch = _torch()
    module = model.to_torch()
    linears = [layer for layer in module if isinstance(layer, torch.nn.Linear)]
    optimizer = torch.optim.SGD(module.parameters(), lr=lr)
    X = torch.tensor(xs, dtype=torch.float64)
    Y = torch.tensor(targets, dtype=torch.float64)

    def step(batch: Sequence[int]) -> float:
        rows = torch.tensor(batch)
        optimizer.zero_grad()
        loss = torch.relu(1 - Y[rows] * module(X[rows])).sum() / len(batch)
        loss.backward()
        optimizer.step()
        return float(loss.detach())

    def gradients() -> list[float]:
        # nn's order: neuron by neuron, its weights then its bias.
        grads: list[float] = []
        for linear in linears:
            for row, bias in zip(linear.weight.grad.tolist(), linear.bias.grad.tolist()):
                grads += [*row, bias]
        return grads

    def matrices() -> Layers:
        return [(linear.weight.tolist(), linear.bias.tolist()) for linear in linears]

    return Trainer(step, gradients, matrices)
