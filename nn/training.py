"""``fit``: the training loop — forward, cost, backward, step — epoch after epoch.

Example:
    >>> from nn import MLP, SGD, sum_squared_error
    >>> model = MLP(1, [1], rng=0)
    >>> costs = fit(model, [[0.0], [1.0]], [[1.0], [0.0]], loss=sum_squared_error,
    ...             optimizer=SGD(model.parameters(), lr=1.0), epochs=20, progress=False)
    >>> len(costs), costs[-1] < costs[0]
    (20, True)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from autodiff import Value, collector_paused

from .checks import positive_int

__all__ = ["fit"]

Loss = Callable[[Any, Any], Value]
Callback = Callable[[int, float], object]


class _Optimizer(Protocol):
    def zero_grad(self) -> None: ...

    def step(self) -> None: ...


def _batch_cost(
    model: Callable[[Any], Any], loss: Loss, inputs: Sequence[Any], targets: Sequence[Any]
) -> Value:
    """The mean of the per-example losses over one batch: the course's C for that batch."""
    total = loss(model(inputs[0]), targets[0])
    for x, y in zip(inputs[1:], targets[1:]):
        total = total + loss(model(x), y)
    if not isinstance(total, Value):
        raise TypeError(f"fit: loss must return a Value, got {type(total).__name__}: {total!r}")
    return total / len(inputs)


def _run_epoch(
    model: Callable[[Any], Any],
    loss: Loss,
    optimizer: _Optimizer,
    data: tuple[list[Any], list[Any]],
    batch_size: int,
) -> float:
    """One pass over the data in consecutive batches; the mean per-example loss seen."""
    inputs, targets = data
    count = len(inputs)
    seen = 0.0
    for start in range(0, count, batch_size):
        stop = min(start + batch_size, count)
        # A step builds a graph and drops it: no collections meanwhile (autodiff/collector.py).
        with collector_paused():
            optimizer.zero_grad()
            cost = _batch_cost(model, loss, inputs[start:stop], targets[start:stop])
            cost.backward()
            optimizer.step()
            seen += cost.data * (stop - start)
            del cost  # the graph is freed inside the pause
    return seen / count


def fit(
    model: Callable[[Any], Any],
    inputs: Sequence[Any],
    targets: Sequence[Any],
    *,
    loss: Loss,
    optimizer: _Optimizer,
    epochs: int,
    batch_size: int | None = None,
    progress: bool = True,
    callback: Callback | None = None,
) -> list[float]:
    """Train ``model`` on (input, target) pairs; return the cost of every epoch.

    Each batch's cost is the mean of ``loss(model(x), y)`` over its examples — with
    ``loss=sum_squared_error`` and full batches, the course's C = (1/N) Σ_k |a_k − y_k|² —
    followed by ``optimizer.zero_grad()``, ``backward()`` and ``optimizer.step()``.

    Args:
        model: any callable from an input to a prediction (e.g. an :class:`~nn.MLP`).
        inputs, targets: equally long sequences of examples.
        loss: a per-example loss such as :func:`~nn.sum_squared_error`.
        optimizer: anything with ``zero_grad()`` and ``step()``, e.g. :class:`~nn.SGD`.
        epochs: passes over the data (at least 1).
        batch_size: examples per step; None (the default) takes them all at once. Batches
            are consecutive slices in the given order (shuffle the data beforehand if needed).
        progress: show a progress bar: ``tqdm.auto``'s, a widget in a Jupyter notebook and
            text on stderr elsewhere; with False nothing is printed.
        callback: called as ``callback(epoch, cost)`` after every epoch (epoch from 0).

    Returns:
        One float per epoch: the mean per-example loss over that epoch, each batch measured
        just before its step (with full batches: the cost before the epoch's update).

    Raises:
        ValueError: inputs and targets differ in length (both named) or are empty, or
            ``epochs``/``batch_size`` is below 1.
        TypeError: ``epochs``/``batch_size`` is not an int, or ``loss`` returns no Value.
        OverflowError: from the optimizer's step (see :meth:`nn.Optimizer.step`).

    A step is the optimizer's, whole or not at all: when an error or Ctrl-C stops training,
    the model holds the parameters of its last whole step.

    Example:
        >>> from nn import MLP, Adam, sum_squared_error, xor
        >>> inputs, targets = xor()
        >>> model = MLP(2, [4, 1], "tanh", output_activation="sigmoid", rng=0)
        >>> costs = fit(model, inputs, targets, loss=sum_squared_error,
        ...             optimizer=Adam(model.parameters(), lr=0.1), epochs=100, progress=False)
        >>> round(costs[0], 3), costs[-1] < 0.01
        (0.255, True)
    """
    inputs, targets = list(inputs), list(targets)
    if len(inputs) != len(targets):
        raise ValueError(f"fit: {len(inputs)} inputs but {len(targets)} targets")
    if not inputs:
        raise ValueError("fit: no training examples")
    epochs = positive_int(epochs, "fit: epochs")
    step_size = len(inputs) if batch_size is None else positive_int(batch_size, "fit: batch_size")
    costs: list[float] = []
    # Here, not at the top: `import nn` stays quick. tqdm.auto picks the notebook widget
    # under Jupyter (text when ipywidgets is missing) and the text bar in a terminal.
    from tqdm.auto import tqdm

    bar = tqdm(range(epochs), desc="fit", unit="epoch", disable=not progress)
    try:
        for epoch in bar:
            cost = _run_epoch(model, loss, optimizer, (inputs, targets), step_size)
            costs.append(cost)
            if progress:
                bar.set_postfix(cost=f"{cost:.6g}", refresh=False)
            if callback is not None:
                callback(epoch, cost)
    finally:
        bar.close()
    return costs
