"""Optimizers: turn each parameter's ``.grad`` into a step on its ``.data``.

An update is float arithmetic on ``.data`` and runs under :func:`autodiff.no_grad`, so a
parameter stays a leaf (no op, no children) and no step ever becomes part of the next
step's graph.

Example:
    >>> from autodiff import Value
    >>> w = Value(1.0)
    >>> optimizer = SGD([w], lr=0.1)
    >>> (w * w).backward()  # ∂(w²)/∂w = 2
    >>> optimizer.step()
    >>> w.data, w.children
    (0.8, ())
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from autodiff import Value, no_grad

__all__ = ["SGD", "Adam", "Optimizer"]


def _hyperparameter(
    owner: str, name: str, number: object, low: float, high: float, *, low_open: bool
) -> float:
    """``number`` as a float, checked to lie in (low, high) or [low, high)."""
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        raise TypeError(f"{owner}: {name} must be a number, got {type(number).__name__}")
    value = float(number)
    above = value > low if low_open else value >= low
    if not (above and value < high):
        interval = f"{'(' if low_open else '['}{low:g}, {high:g})"
        raise ValueError(f"{owner}: {name} must be in {interval}, got {number!r}")
    return value


class Optimizer:
    """What every optimizer shares: the parameter list, ``zero_grad`` and the finiteness check.

    Raises:
        TypeError: a parameter is not a Value.
        ValueError: the list is empty or holds the same Value twice.
    """

    def __init__(self, params: Iterable[Value]) -> None:
        owner = type(self).__name__
        self.params: list[Value] = list(params)
        if not self.params:
            raise ValueError(f"{owner}: got an empty parameter list")
        for position, param in enumerate(self.params):
            if not isinstance(param, Value):
                raise TypeError(
                    f"{owner}: params[{position}] must be a Value, got {type(param).__name__}"
                )
        if len({id(param) for param in self.params}) != len(self.params):
            raise ValueError(f"{owner}: a parameter appears more than once in params")

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0.0 (do it before each ``backward()``)."""
        for param in self.params:
            param.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its ``.grad``, recording no graph.

        Raises:
            ValueError: some gradient is not finite (the parameters are left unchanged).
        """
        self._check_gradients()
        with no_grad():
            self._update()

    def _update(self) -> None:
        raise NotImplementedError

    def _check_gradients(self) -> None:
        # One float sum is the cheap test (inf and nan survive it); only when it fails do we
        # look for the culprits (a sum can also overflow with every gradient finite).
        if math.isfinite(sum(param.grad for param in self.params)):
            return
        bad = [
            param.label or f"params[{i}]"
            for i, param in enumerate(self.params)
            if not math.isfinite(param.grad)
        ]
        if bad:
            raise ValueError(f"{type(self).__name__}: non-finite gradient in {', '.join(bad)}")


class SGD(Optimizer):
    """Gradient descent, with optional momentum (PyTorch's form): v ← μ·v + g; p ← p − η·v.

    With ``momentum=0`` this is the course's P ← P − η J.

    Args:
        params: the parameters (e.g. ``model.parameters()``).
        lr: the step size η > 0.
        momentum: μ in [0, 1).

    Raises:
        ValueError: ``lr`` not positive and finite, or ``momentum`` outside [0, 1).

    Example:
        >>> from autodiff import Value
        >>> w = Value(0.0)
        >>> optimizer = SGD([w], lr=0.5, momentum=0.5)
        >>> w.grad = 1.0; optimizer.step(); w.data  # v = 1
        -0.5
        >>> w.grad = 1.0; optimizer.step(); w.data  # v = 0.5·1 + 1 = 1.5
        -1.25
    """

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0) -> None:
        super().__init__(params)
        self.lr = _hyperparameter("SGD", "lr", lr, 0.0, math.inf, low_open=True)
        self.momentum = _hyperparameter("SGD", "momentum", momentum, 0.0, 1.0, low_open=False)
        self.velocity = [0.0] * len(self.params)

    def _update(self) -> None:
        lr, momentum = self.lr, self.momentum
        if momentum == 0.0:
            for param in self.params:
                param.data -= lr * param.grad
            return
        velocity = self.velocity
        for i, param in enumerate(self.params):
            velocity[i] = momentum * velocity[i] + param.grad
            param.data -= lr * velocity[i]

    def __repr__(self) -> str:
        return f"SGD({len(self.params)} parameters, lr={self.lr!r}, momentum={self.momentum!r})"


class Adam(Optimizer):
    """Adam (Kingma & Ba), with bias-corrected first and second moments.

    For each parameter, at step t: m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g²,
    p ← p − η · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε).

    Raises:
        ValueError: ``lr`` or ``eps`` not positive and finite, a beta outside [0, 1), or
            ``betas`` not a pair.

    Example:
        >>> from autodiff import Value
        >>> w = Value(1.0)
        >>> optimizer = Adam([w], lr=0.1)
        >>> w.grad = 3.0
        >>> optimizer.step()  # the first step moves by about lr, whatever the gradient's size
        >>> round(w.data, 6)
        0.9
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: Sequence[float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        super().__init__(params)
        self.lr = _hyperparameter("Adam", "lr", lr, 0.0, math.inf, low_open=True)
        if isinstance(betas, (str, bytes)) or not isinstance(betas, Sequence) or len(betas) != 2:
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (
            _hyperparameter("Adam", "betas[0]", betas[0], 0.0, 1.0, low_open=False),
            _hyperparameter("Adam", "betas[1]", betas[1], 0.0, 1.0, low_open=False),
        )
        self.eps = _hyperparameter("Adam", "eps", eps, 0.0, math.inf, low_open=True)
        self.steps = 0
        self.first_moment = [0.0] * len(self.params)
        self.second_moment = [0.0] * len(self.params)

    def _update(self) -> None:
        beta1, beta2 = self.betas
        self.steps += 1
        lr, eps = self.lr, self.eps
        first_correction = 1.0 / (1.0 - beta1**self.steps)
        second_correction = 1.0 / (1.0 - beta2**self.steps)
        m, v = self.first_moment, self.second_moment
        for i, param in enumerate(self.params):
            g = param.grad
            m[i] = beta1 * m[i] + (1.0 - beta1) * g
            v[i] = beta2 * v[i] + (1.0 - beta2) * g * g
            m_hat = m[i] * first_correction
            v_hat = v[i] * second_correction
            param.data -= lr * m_hat / (math.sqrt(v_hat) + eps)

    def __repr__(self) -> str:
        return (
            f"Adam({len(self.params)} parameters, lr={self.lr!r}, betas={self.betas!r}, "
            f"eps={self.eps!r})"
        )
