"""Replaying a tape on a whole batch: numpy arrays as node values, one element per example.

The generated code is the tape's own program in the array dialect
(each primitive's ``kernel.array``): each example's numbers come from
the same operations, in the same order, as a one-example replay, and each wrt gradient is
summed over the examples in example order, as one ``backward`` per example would add it.
Operations of one kind run together, a node a row of one 2-D array
(:mod:`autodiff.tape.stacking`): the same floats, in fewer numpy calls.
With ``fold_layers`` a network's layers are computed as matrix products instead (faster;
sums in another order). Guards must hold for every example. numpy is told to raise on
overflow and invalid operations; when it does, each example is evaluated through the eager
engine instead, which raises the engine's own error for the first example that has one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .arguments import GraphChangedError, argument, plain
from .trace import Program

__all__ = ["Replay", "as_rows", "run_batch"]


@dataclass(frozen=True)
class Replay:
    """What a batch replay needs of a tape: its program, the numbers of its wrt Values and
    other leaves (read once per call), its array-dialect code, and its exact one-example
    evaluation (``interpret(row, seed)`` → value and gradients), for the fallback."""

    program: Program
    shared: list[Any]
    array_code: Callable[[bool, bool], dict[str, Any]]
    interpret: Callable[[list[float], float], tuple[float, list[float]]]


def as_rows(
    value_and_grad: Callable[[list[Any], Any], tuple[Any, list[Any]]],
) -> Callable[[list[Any], Any], tuple[Any, Any, Any]]:
    """``value_and_grad`` that gives a list of per-example gradients, made to give them as
    the generated array code does: the rows of a 2-D array, then the batch sums (none).

    Example:
        >>> import numpy as np
        >>> code = as_rows(lambda inputs, seed: (inputs[0] * 2, [seed * 2, seed * 0.0]))
        >>> value, rows, sums = code([np.array([1.0, 2.0])], np.ones(2))
        >>> rows.tolist(), sums.tolist()
        ([[2.0, 2.0], [0.0, 0.0]], [])
    """
    import numpy as np

    def rows_and_sums(inputs: list[Any], seed: Any) -> tuple[Any, Any, Any]:
        value, grads = value_and_grad(inputs, seed)
        rows = np.array(np.broadcast_arrays(*grads, seed)[:-1]).reshape(len(grads), -1)
        return value, rows, np.empty(0)

    return rows_and_sums


def _column(column: Any, position: int) -> Any:
    """One argument column as a 1-D float64 array, refusing what ``Value()`` refuses."""
    import numpy as np

    array = np.asarray(column)
    if array.dtype.char == "d" and array.ndim == 1:  # float64, as it usually comes
        # Made contiguous: numpy may pick another kernel for a strided array.
        if not np.isfinite(array).all():
            _refuse_non_finite(array, position)
        return np.ascontiguousarray(array)
    if array.ndim != 1:
        raise ValueError(f"argument column {position} must be 1-D, got shape {array.shape}")
    if array.dtype.kind in "fiu":
        array = array.astype(float)
    else:  # bools, objects, strings: refused or converted one by one, as Value() does
        array = np.array([argument(x, position) for x in array.tolist()], dtype=float)
    if not np.isfinite(array).all():
        _refuse_non_finite(array, position)
    return array


def _refuse_non_finite(array: Any, position: int) -> None:
    import numpy as np

    k = int(np.flatnonzero(~np.isfinite(array))[0])
    raise ValueError(
        f"tape argument {position}, example {k}: Value data must be finite, got {float(array[k])!r}"
    )


def _columns(program: Program, columns: tuple[Any, ...]) -> list[Any]:
    n_args = program.n_args
    if len(columns) != n_args:
        raise TypeError(f"the tape takes {n_args} argument columns, got {len(columns)}")
    arrays = [_column(column, position) for position, column in enumerate(columns)]
    if len({len(array) for array in arrays}) > 1:
        raise ValueError(f"argument columns must be of one length, got {[len(a) for a in arrays]}")
    return arrays


def run_batch(
    replay: Replay,
    columns: tuple[Any, ...],
    grad: float,
    *,
    args_grads: bool = True,
    fold_layers: bool = False,
    start: list[float] | None = None,
) -> tuple[Any, list[Any]]:
    """Values (an array) and gradients: an array per argument (unless ``args_grads`` is
    False, for training, which needs only the wrt sums), then a batch sum per wrt Value,
    added in example order onto ``start`` (zeros by default)."""
    import numpy as np

    arrays = _columns(replay.program, columns)
    size = len(arrays[0]) if arrays else 1
    shared = replay.shared
    n_wrt = len(replay.program.wrt)
    checked = start is not None  # else nothing is added to the gradients, none can overflow
    start = [0.0] * n_wrt if start is None else start
    n_args = replay.program.n_args if args_grads else 0
    if plain(shared):
        try:
            with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
                code = replay.array_code(args_grads, fold_layers)
                values, rows, numbers = code["value_and_grad"](
                    [*arrays, *shared], np.full(size, grad)
                )
                values = np.broadcast_to(values, (size,)).astype(float)
                per_example = [np.broadcast_to(g, (size,)).astype(float) for g in rows[:n_args]]
                if len(rows) > n_args:  # a row per example: sum them in example order
                    sums = _sums_in_order(start, rows[n_args:])
                else:  # the folded code summed each wrt gradient itself
                    sums = numbers.tolist()
                    if checked and any(start):
                        sums = [s + g if s else g for s, g in zip(start, sums)]
            # numpy raised on any overflow above; a sum of Python floats may still overflow.
            if not checked or plain(sums):
                return values, per_example + sums
        except GraphChangedError:
            raise
        except (ArithmeticError, ValueError, TypeError):
            pass
    values, grads = _one_by_one(replay, arrays, size, grad, start)
    return values, grads if args_grads else grads[replay.program.n_args :]


def _sums_in_order(start: list[float], grads: Any) -> list[float]:
    """start + g₁ + g₂ + … for each wrt (a row of ``grads``), added left to right as one
    backward per example would add them into ``.grad``.

    numpy's ``sum`` adds pairwise, in another order. ``np.add.accumulate`` is defined as the
    loop ``r[i] = r[i - 1] + a[i]``, so its order is numpy's documented promise, not an
    accident of one version (``np.add.at`` is twice as fast here, but its order is not
    documented)."""
    import numpy as np

    if not len(grads):
        return []
    n, size = np.shape(grads)
    table = np.empty((n, size + 1))
    table[:, 0] = start
    table[:, 1:] = grads
    totals: list[float] = np.add.accumulate(table, axis=1)[:, -1].tolist()
    return totals


def _one_by_one(
    replay: Replay, arrays: list[Any], size: int, grad: float, start: list[float]
) -> tuple[Any, list[Any]]:
    import numpy as np

    n_args = replay.program.n_args
    values = np.empty(size)
    per_example = [np.empty(size) for _ in range(n_args)]
    sums = list(start)
    for k in range(size):
        row = [float(array[k]) for array in arrays]
        values[k], grads = replay.interpret(row, grad)
        for column, g in zip(per_example, grads):
            column[k] = g
        sums = [s + g if s else g for s, g in zip(sums, grads[n_args:])]
    return values, [*per_example, *sums]
