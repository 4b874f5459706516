"""Optimizers: turn each parameter's ``.grad`` into a step on its ``.data``.

An update is float arithmetic on ``.data`` and runs under :func:`autodiff.no_grad`, so a
parameter stays a leaf (no op, no children) and no step ever becomes part of the next
step's graph. A step is applied whole or not at all: every new value is computed and checked
first, then all are written at once, so an overflow refused or a Ctrl-C caught midway leaves
the parameters and the optimizer's state as they were.

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
import random
import re
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from contextvars import copy_context
from itertools import chain, repeat

from autodiff import Value, no_grad

from .init import RandomSource, as_random

__all__ = ["SGD", "Adam", "Optimizer", "jacobian_groups"]

_WEIGHT = re.compile(r"(?P<layer>.*?)(?:neurons\.\d+\.)?w\.\d+")
_BIAS = re.compile(r"(?P<layer>.*?)(?:neurons\.\d+\.)?b")


def jacobian_groups(params: Sequence[Value]) -> list[int]:
    """For each parameter, the number of the course's Jacobian it belongs to.

    The course has one Jacobian per weight matrix and one per bias vector: J_W(n) and J_b(n).
    They are read from the parameters' dotted labels (as ``nn``'s modules give them): every
    ``….neurons.<i>.w.<j>`` of one layer is in its J_W, every ``….neurons.<i>.b`` in its J_b;
    any other parameter is a Jacobian of its own. Two models in one list (their labels
    repeat) have Jacobians of their own each.

    Example:
        >>> from nn import MLP
        >>> model = MLP(1, [2, 1], rng=0)
        >>> [p.label for p in model.parameters()][:3]
        ['layers.0.neurons.0.w.0', 'layers.0.neurons.0.b', 'layers.0.neurons.1.w.0']
        >>> jacobian_groups(model.parameters())  # W1, b1, W1, b1, W2, W2, b2
        [0, 1, 0, 1, 2, 2, 3]
        >>> jacobian_groups(model.parameters() + MLP(1, [2, 1], rng=1).parameters())[7:]
        [4, 5, 4, 5, 6, 6, 7]
    """
    numbers: dict[tuple[int, str, str], int] = {}
    copies: dict[str, int] = {}  # how often each label came before: a second model repeats them
    groups = []
    for position, param in enumerate(params):
        label = param.label or ""
        copy = copies.get(label, 0)
        copies[label] = copy + 1
        weight, bias = _WEIGHT.fullmatch(label), _BIAS.fullmatch(label)
        if weight:
            key = (copy, weight["layer"], "W")
        elif bias:
            key = (copy, bias["layer"], "b")
        else:
            key = (0, f"params[{position}]", "")
        groups.append(numbers.setdefault(key, len(numbers)))
    return groups


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

    Example:
        A subclass implements ``_update`` (compute, ``_check_finite``, ``_commit``); the plain
        optimizers are :class:`SGD` and :class:`Adam`.

        >>> from autodiff import Value
        >>> SGD([Value(1.0), Value(2.0)], lr=0.1).params
        [Value(1.0, grad=0.0), Value(2.0, grad=0.0)]
        >>> x = Value(1.0)
        >>> SGD([x, x], lr=0.1)
        Traceback (most recent call last):
        ...
        ValueError: SGD: a parameter appears more than once in params
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
        """Set every parameter's ``.grad`` to 0.0 (do it before each ``backward()``).

        Example:
            >>> from autodiff import Value
            >>> w = Value(2.0)
            >>> (w * w).backward()
            >>> optimizer = SGD([w], lr=0.1)
            >>> w.grad, optimizer.zero_grad(), w.grad
            (4.0, None, 0.0)
        """
        for param in self.params:
            param.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its ``.grad``, recording no graph; all or nothing.

        Raises:
            ValueError: some gradient is not finite.
            OverflowError: the step would make a parameter or the optimizer's state
                infinite (e.g. gradients near the float limit); the message names the
                parameter.

        Either way the parameters and the optimizer's state are left unchanged, and so they
        are when a KeyboardInterrupt arrives during the step.

        Example:
            >>> from autodiff import Value
            >>> w = Value(2.0)
            >>> (w * w).backward()  # ∂(w²)/∂w = 4
            >>> SGD([w], lr=0.25).step()
            >>> w.data  # 2 − 0.25·4
            1.0
            >>> w.grad = float("nan")
            >>> SGD([w], lr=0.25).step()
            Traceback (most recent call last):
            ...
            ValueError: ...
            >>> w.data
            1.0
        """
        self._check_gradients()
        # In a copy of the context: were a Ctrl-C to land inside no_grad's own code, the
        # recording switch would stay off in the copy, never in the caller's context.
        copy_context().run(self._update_without_recording)

    def _update_without_recording(self) -> None:
        with no_grad():
            self._update()

    def _update(self) -> None:
        """Compute the new values, check them with ``_check_finite``, then ``_commit`` them."""
        raise NotImplementedError

    def _check_finite(self, quantities: dict[str, list[float]]) -> None:
        """Refuse the step if any new quantity (one float per parameter) is not finite."""
        for what, values in quantities.items():
            if math.isfinite(sum(values)):  # the cheap test, as for the gradients
                continue
            for i, value in enumerate(values):
                if not math.isfinite(value):
                    param = self.params[i]
                    raise OverflowError(
                        f"{type(self).__name__}: step refused: the {what} of "
                        f"{param.label or f'params[{i}]'} would be {value!r} (its value is "
                        f"{param.data!r}, its gradient {param.grad!r}); nothing was changed"
                    )

    def _commit(self, new_data: list[float], state: Mapping[str, object]) -> None:
        """Write every parameter's new ``.data`` and the optimizer's new ``state`` attributes.

        One ``map`` over ``setattr`` does every write in C: a Value's ``data`` is a slot, an
        optimizer's attribute a dict entry, so no Python code runs between two writes and
        neither a signal handler (Ctrl-C) nor a trace hook can stop the step half-applied.
        """
        targets = chain(self.params, repeat(self, len(state)))
        names = chain(repeat("data", len(new_data)), state)
        deque(map(setattr, targets, names, chain(new_data, state.values())), maxlen=0)

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

    With ``momentum=0`` this is the course's P ← P − η J. With ``noise`` it is the course's
    training demo: at every step each Jacobian J (all the weights of one layer, or all its
    biases: see :func:`jacobian_groups`) is multiplied by one random factor 1 + noise·ε,
    ε drawn from the standard normal, before the step: P ← P − η (1 + noise·ε) J.

    Args:
        params: the parameters (e.g. ``model.parameters()``).
        lr: the step size η > 0.
        momentum: μ in [0, 1).
        noise: the course's noise term, ≥ 0 (0: plain gradient descent).
        rng: where ε comes from: an int seed, a ``random.Random`` (the optimizer draws from
            a copy of it) or None for an unseeded generator.

    Raises:
        ValueError: ``lr`` not positive and finite, ``momentum`` outside [0, 1), or ``noise``
            negative or not finite.
        TypeError: ``rng`` is not a seed, a ``random.Random`` or None.

    Example:
        >>> from autodiff import Value
        >>> w = Value(0.0)
        >>> optimizer = SGD([w], lr=0.5, momentum=0.5)
        >>> w.grad = 1.0; optimizer.step(); w.data  # v = 1
        -0.5
        >>> w.grad = 1.0; optimizer.step(); w.data  # v = 0.5·1 + 1 = 1.5
        -1.25

        The course's noisy step: one factor per Jacobian, drawn from ``rng``:

        >>> import random
        >>> w = Value(0.0)
        >>> w.grad = 1.0
        >>> SGD([w], lr=7, noise=0.5, rng=1).step()
        >>> w.data == -7 * (1 + 0.5 * random.Random(1).gauss(0.0, 1.0))
        True
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        momentum: float = 0.0,
        *,
        noise: float = 0.0,
        rng: RandomSource = None,
    ) -> None:
        super().__init__(params)
        self.lr = _hyperparameter("SGD", "lr", lr, 0.0, math.inf, low_open=True)
        self.momentum = _hyperparameter("SGD", "momentum", momentum, 0.0, 1.0, low_open=False)
        self.noise = _hyperparameter("SGD", "noise", noise, 0.0, math.inf, low_open=False)
        self.rng = _copy_of(as_random(rng, "SGD: rng"))
        self.groups = jacobian_groups(self.params)
        self.velocity = [0.0] * len(self.params)

    def _update(self) -> None:
        lr, momentum, params = self.lr, self.momentum, self.params
        state: dict[str, object] = {}
        if self.noise == 0.0:
            grads = [param.grad for param in params]
        else:
            # Drawn from a copy, committed with the step: a refused step draws nothing.
            rng = _copy_of(self.rng)
            factors = [1.0 + self.noise * rng.gauss(0.0, 1.0) for _ in range(max(self.groups) + 1)]
            grads = [factors[group] * param.grad for group, param in zip(self.groups, params)]
            state["rng"] = rng
        if momentum == 0.0:
            new_data = [param.data - lr * g for param, g in zip(params, grads)]
            self._check_finite({"new value": new_data})
            self._commit(new_data, state)
            return
        velocity = [momentum * v + g for v, g in zip(self.velocity, grads)]
        new_data = [param.data - lr * v for param, v in zip(params, velocity)]
        self._check_finite({"velocity": velocity, "new value": new_data})
        self._commit(new_data, state | {"velocity": velocity})

    def __repr__(self) -> str:
        noise = f", noise={self.noise!r}" if self.noise else ""
        return (
            f"SGD({len(self.params)} parameters, lr={self.lr!r}, momentum={self.momentum!r}{noise})"
        )


def _copy_of(rng: random.Random) -> random.Random:
    copy = random.Random()
    copy.setstate(rng.getstate())
    return copy


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
        lr, eps, steps = self.lr, self.eps, self.steps + 1
        first_correction = 1.0 / (1.0 - beta1**steps)
        second_correction = 1.0 / (1.0 - beta2**steps)
        params, rest1, rest2 = self.params, 1.0 - beta1, 1.0 - beta2
        first = [beta1 * m + rest1 * p.grad for m, p in zip(self.first_moment, params)]
        second = [beta2 * v + rest2 * p.grad * p.grad for v, p in zip(self.second_moment, params)]
        new_data = [
            param.data - lr * (m * first_correction) / (math.sqrt(v * second_correction) + eps)
            for param, m, v in zip(params, first, second)
        ]
        self._check_finite({"first moment": first, "second moment": second, "new value": new_data})
        self._commit(new_data, {"steps": steps, "first_moment": first, "second_moment": second})

    def __repr__(self) -> str:
        return (
            f"Adam({len(self.params)} parameters, lr={self.lr!r}, betas={self.betas!r}, "
            f"eps={self.eps!r})"
        )
