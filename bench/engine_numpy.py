"""numpy matrices with the course's backpropagation formulas written by hand (COURSE.md §4)."""

from __future__ import annotations

from typing import Any

from .data import Layers

__all__ = ["course"]


def course(layers: Layers, xs: Any, targets: Any, lr: float) -> Any:
    import numpy as np

    Ws = [np.array(W) for W, _ in layers]
    bs = [np.array(b)[:, None] for _, b in layers]
    a0 = np.array([xs])
    y = np.array(targets).T
    n = a0.shape[1]

    def step(collect: bool = False) -> Any:
        activations = [a0]
        for W, b in zip(Ws, bs):
            activations.append(1.0 / (1.0 + np.exp(-(W @ activations[-1] + b))))
        a3 = activations[-1]
        delta = 2 * (a3 - y) * a3 * (1 - a3)  # δ3 = 2(a3 − y) ⊙ σ'(z3)
        grads = []
        for k in range(len(Ws) - 1, -1, -1):
            below = activations[k]
            grads.append((delta @ below.T / n, delta.sum(axis=1, keepdims=True) / n))
            if k:
                delta = (Ws[k].T @ delta) * below * (1 - below)
        grads.reverse()
        result = None
        if collect:
            loss = float(((a3 - y) ** 2).sum() / n)
            result = (loss, [g for gW, gb in grads for g in [*gW.ravel(), *gb.ravel()]])
        for W, b, (gW, gb) in zip(Ws, bs, grads):
            W -= lr * gW
            b -= lr * gb
        return result

    return step
