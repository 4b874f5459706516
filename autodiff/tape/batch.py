"""Replaying a tape on a whole batch: numpy arrays as node values, one element per example.

The generated code is the tape's own program in the array dialect
(:data:`~autodiff.tape.kernels.KERNELS`' ``array`` column). Guards must hold for every
example. numpy is told to raise on overflow and invalid operations; when it does, each
example is evaluated through the eager engine instead, which raises the engine's own error
for the first example that has one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .tape import GraphChangedError

if TYPE_CHECKING:
    from .tape import Tape

__all__ = ["run_batch"]


def _columns(tape: Tape, columns: tuple[Any, ...]) -> list[Any]:
    import numpy as np

    n_args = tape.program.n_args
    if len(columns) != n_args:
        raise TypeError(f"the tape takes {n_args} argument columns, got {len(columns)}")
    arrays = [np.asarray(column, dtype=float) for column in columns]
    lengths = {array.shape for array in arrays}
    if len(lengths) > 1 or any(array.ndim != 1 for array in arrays):
        raise ValueError(f"argument columns must be 1-D and of one length, got shapes {lengths}")
    return arrays


def run_batch(
    tape: Tape, columns: tuple[Any, ...], grad: float, *, args_grads: bool = True
) -> tuple[Any, list[Any]]:
    """Values (an array) and gradients: an array per argument (unless ``args_grads`` is
    False, for training, which needs only the wrt sums), then a batch sum per wrt Value."""
    import numpy as np

    arrays = _columns(tape, columns)
    size = len(arrays[0]) if arrays else 1
    inputs = [*arrays, *tape._shared()]
    n_args = tape.program.n_args if args_grads else 0
    try:
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            code = tape.array_code(args_grads)
            values, grads = code["value_and_grad"](inputs, np.full(size, grad))
    except GraphChangedError:
        raise
    except (ArithmeticError, ValueError, TypeError):
        values, grads = _one_by_one(tape, arrays, size, grad)
        return values, grads if args_grads else grads[tape.program.n_args :]
    values = np.broadcast_to(values, (size,)).astype(float)
    per_example = [np.broadcast_to(g, (size,)).astype(float) for g in grads[:n_args]]
    # The array code already sums each wrt gradient over the batch.
    return values, per_example + [float(g) for g in grads[n_args:]]


def _one_by_one(tape: Tape, arrays: list[Any], size: int, grad: float) -> tuple[Any, list[Any]]:
    import numpy as np

    shared = tape._shared()
    n_args = tape.program.n_args
    values = np.empty(size)
    per_example = [np.empty(size) for _ in range(n_args)]
    sums = [0.0] * len(tape.program.wrt)
    for k in range(size):
        row = [float(array[k]) for array in arrays]
        values[k], grads = tape.interpret([*row, *shared], grad, tape._every)
        for column, g in zip(per_example, grads):
            column[k] = g
        sums = [s + g for s, g in zip(sums, grads[n_args:])]
    return values, [*per_example, *sums]
