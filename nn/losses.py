"""Loss functions: how far predictions are from targets, as a Value to differentiate.

Each loss compares one example's prediction (a Value, or a list of Values such as a model's
output) with its target (numbers or Values) and sums over the elements. The course's cost
over N examples is then the mean of the per-example losses::

    C = sum(sum_squared_error(model(x), y) for x, y in data) / N

:func:`mean_squared_error` is PyTorch's convention instead: the mean over *all* elements,
so for a network with m outputs C = m · mean_squared_error(every prediction, every target).

Example:
    >>> from autodiff import Value
    >>> a = [Value(0.5), Value(0.25)]
    >>> sum_squared_error(a, [1.0, 0.0]).data, mean_squared_error(a, [1.0, 0.0]).data
    (0.3125, 0.15625)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from numbers import Real
from typing import Any

from autodiff import Value

from .module import Scalar

__all__ = ["binary_cross_entropy", "hinge", "mean_squared_error", "sum_squared_error"]

Prediction = Value | Sequence[Value]
Target = Scalar | Sequence[Scalar]


def _is_scalar(x: object) -> bool:
    return isinstance(x, Value) or (isinstance(x, Real) and not isinstance(x, bool))


def _elements(x: object, what: str, op: str) -> list[Any]:
    """A scalar as a one-element list, a sequence as a list."""
    if _is_scalar(x):
        return [x]
    if isinstance(x, (str, bytes)) or not isinstance(x, Iterable):
        raise TypeError(
            f"{op}: {what} must be a Value, a number or a sequence of them, "
            f"got {type(x).__name__}: {x!r}"
        )
    return list(x)


def _pairs(prediction: object, target: object, op: str) -> list[tuple[Any, Any]]:
    predictions = _elements(prediction, "prediction", op)
    targets = _elements(target, "target", op)
    if len(predictions) != len(targets):
        raise ValueError(
            f"{op}: prediction has {len(predictions)} elements, target has {len(targets)}"
        )
    if not predictions:
        raise ValueError(f"{op}: prediction and target are empty")
    return list(zip(predictions, targets))


def _total(terms: Iterable[Value]) -> Value:
    """The sum of the terms, without the extra ``0 +`` node that ``sum()`` would add."""
    iterator = iter(terms)
    total = next(iterator)
    for term in iterator:
        total = total + term
    return total


def sum_squared_error(prediction: Prediction, target: Target) -> Value:
    """Σᵢ (aᵢ − yᵢ)² for one example: the course's per-example cost C_k = |a − y|².

    Args:
        prediction: a Value or a list of Values (a model's output).
        target: a number or Value, or a list of them, one per prediction.

    Raises:
        ValueError: the lengths differ (both are named), or both are empty.

    Example:
        >>> from autodiff import Value
        >>> a = Value(0.8)
        >>> cost = sum_squared_error(a, 1.0)
        >>> cost.backward()
        >>> round(cost.data, 12), round(a.grad, 12)  # (a − y)², 2(a − y)
        (0.04, -0.4)
    """
    pairs = _pairs(prediction, target, "sum_squared_error")
    return _total((a - y) ** 2 for a, y in pairs)


def _flattened(x: object, what: str) -> list[Any]:
    items = []
    for item in _elements(x, what, "mean_squared_error"):
        items.extend([item] if _is_scalar(item) else _elements(item, what, "mean_squared_error"))
    return items


def mean_squared_error(predictions: Any, targets: Any) -> Value:
    """The mean of (a − y)² over all elements — PyTorch's ``MSELoss``, not the course's C.

    Both arguments may be one example (a Value or a list) or a batch (a list of lists); they
    are flattened, one level deep, and must have as many elements as each other. For N
    examples of m outputs, the course's C = (1/N) Σ_k |a_k − y_k|² equals m times this.

    Raises:
        ValueError: the element counts differ (both are named), or are zero.

    Example:
        >>> from autodiff import Value
        >>> batch = [[Value(0.5), Value(0.0)], [Value(1.0), Value(1.0)]]
        >>> mean_squared_error(batch, [[1.0, 0.0], [0.0, 1.0]]).data  # (0.25 + 1) / 4
        0.3125
    """
    flat_predictions = _flattened(predictions, "predictions")
    pairs = _pairs(flat_predictions, _flattened(targets, "targets"), "mean_squared_error")
    return _total((a - y) ** 2 for a, y in pairs) / len(pairs)


def _check_target(y: object, op: str, condition: bool, wanted: str) -> None:
    if not condition:
        raise ValueError(f"{op}: targets must be {wanted}, got {y!r}")


def _softplus_minus(z: Value, y: Scalar) -> Value:
    # log(1 + e^z) − y·z, written so that exp only ever sees −|z| (never overflows) and with
    # a branch on the sign of z rather than relu/abs, whose zero derivatives at the kink
    # would give the wrong slope at z = 0. Either branch has derivative σ(z) − y.
    if z.data >= 0.0:
        return (1 - y) * z + (1 + (-z).exp()).log()
    return (1 + z.exp()).log() - y * z


def binary_cross_entropy(logit: Prediction, target: Target) -> Value:
    """Cross-entropy of targets y ∈ [0, 1] against **logits** z (scores before the sigmoid).

    Per element: −[y·log σ(z) + (1 − y)·log(1 − σ(z))] = log(1 + e^z) − y·z, computed without
    forming σ(z), so it is finite for every finite logit (e.g. ±1000) and its derivative is
    exactly σ(z) − y. Summed over elements, like :func:`sum_squared_error`; for one output it
    equals PyTorch's ``binary_cross_entropy_with_logits``. Give it a model with a
    ``"linear"`` output activation, not probabilities.

    Raises:
        ValueError: lengths differ (both named), or a number target is outside [0, 1].

    Example:
        >>> from autodiff import Value
        >>> z = Value(1000.0)
        >>> loss = binary_cross_entropy(z, 0.0)
        >>> loss.backward()
        >>> loss.data, z.grad  # log(1 + e^1000) ≈ 1000, σ(1000) − 0 = 1
        (1000.0, 1.0)
    """
    op = "binary_cross_entropy"
    pairs = _pairs(logit, target, op)
    for _, y in pairs:
        if not isinstance(y, Value):
            _check_target(y, op, 0.0 <= y <= 1.0, "in [0, 1]")
    return _total(_softplus_minus(z if isinstance(z, Value) else Value(z), y) for z, y in pairs)


def hinge(score: Prediction, target: Target) -> Value:
    """The SVM margin loss Σ max(0, 1 − y·s) of micrograd's demo, for labels y = −1 or +1.

    Raises:
        ValueError: lengths differ (both named), or a number target is not −1 or +1.

    Example:
        >>> from autodiff import Value
        >>> s = Value(0.25)
        >>> loss = hinge(s, 1.0)
        >>> loss.backward()
        >>> loss.data, s.grad  # 1 − 0.25 and −y inside the margin
        (0.75, -1.0)
    """
    pairs = _pairs(score, target, "hinge")
    for _, y in pairs:
        if not isinstance(y, Value):
            _check_target(y, "hinge", y in (-1, 1), "-1 or +1")
    return _total((1 + (-y) * s).relu() for s, y in pairs)
