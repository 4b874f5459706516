"""The reference: both training steps written by hand with Python floats.

Forward, backward (the chain rule worked out by hand, as in the course) and the SGD update,
with no library at all. Every other engine's loss and gradients are checked against these.
"""

from __future__ import annotations

from math import exp
from operator import mul

from .data import Layers

__all__ = ["course_step", "demo_step", "flat_grads"]


def flat_grads(grads: Layers) -> list[float]:
    """Gradients (or parameters) in the benchmarks' common order: per layer, W row by row, b."""
    return [g for W, b in grads for g in [*[x for row in W for x in row], *b]]


def _zeros_like(layers: Layers) -> Layers:
    return [([[0.0] * len(row) for row in W], [0.0] * len(b)) for W, b in layers]


def _sgd(layers: Layers, grads: Layers, lr: float) -> None:
    for (W, b), (gW, gb) in zip(layers, grads):
        for row, grow in zip(W, gW):
            for j, g in enumerate(grow):
                row[j] -= lr * g
        for i, g in enumerate(gb):
            b[i] -= lr * g


def demo_step(
    layers: Layers, points: list[list[float]], labels: list[float], lr: float
) -> tuple[float, list[float]]:
    """micrograd's demo step: relu MLP, mean hinge loss max(0, 1 − y·score), SGD."""
    grads = _zeros_like(layers)
    n = len(points)
    total = 0.0
    last = len(layers) - 1
    for point, label in zip(points, labels):
        activations = [point]
        pre = []
        a = point
        for k, (W, b) in enumerate(layers):
            z = [bi + sum(map(mul, row, a)) for row, bi in zip(W, b)]
            pre.append(z)
            a = z if k == last else [zi if zi > 0.0 else 0.0 for zi in z]
            activations.append(a)
        margin = 1.0 - label * a[0]
        if margin <= 0.0:
            continue
        total += margin
        delta = [-label / n]  # ∂loss/∂score for this example
        for k in range(last, -1, -1):
            W, _ = layers[k]
            gW, gb = grads[k]
            if k != last:
                delta = [d if z > 0.0 else 0.0 for d, z in zip(delta, pre[k])]
            below = activations[k]
            for i, d in enumerate(delta):
                if d:
                    gb[i] += d
                    grow = gW[i]
                    for j, x in enumerate(below):
                        grow[j] += d * x
            if k:
                delta = [sum(map(mul, delta, column)) for column in zip(*W)]
    _sgd(layers, grads, lr)
    return total / n, flat_grads(grads)


def course_step(
    layers: Layers, xs: list[float], targets: list[list[float]], lr: float
) -> tuple[float, list[float]]:
    """The course's step: sigmoid layers, C = (1/N) Σ |a3 − y|², gradient descent."""
    grads = _zeros_like(layers)
    n = len(xs)
    total = 0.0
    for x, target in zip(xs, targets):
        activations = [[x]]
        a = [x]
        for W, b in layers:
            a = [1.0 / (1.0 + exp(-bi - sum(map(mul, row, a)))) for row, bi in zip(W, b)]
            activations.append(a)
        total += sum((ai - yi) ** 2 for ai, yi in zip(a, target))
        # δ = ∂C/∂z: σ'(z) = a(1 − a) for the logistic sigmoid.
        delta = [2.0 * (ai - yi) / n * ai * (1.0 - ai) for ai, yi in zip(a, target)]
        for k in range(len(layers) - 1, -1, -1):
            W, _ = layers[k]
            gW, gb = grads[k]
            below = activations[k]
            for i, d in enumerate(delta):
                gb[i] += d
                grow = gW[i]
                for j, v in enumerate(below):
                    grow[j] += d * v
            if k:
                delta = [
                    sum(map(mul, delta, column)) * v * (1.0 - v)
                    for column, v in zip(zip(*W), below)
                ]
    _sgd(layers, grads, lr)
    return total / n, flat_grads(grads)
