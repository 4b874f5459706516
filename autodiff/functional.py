"""Derivatives as return values: ``grad``, ``jacobian`` and ``hessian`` touch no ``.grad``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any

from .backward import gradients, written_data_error
from .forward import jvp
from .recording import recording
from .value import Value

__all__ = ["grad", "hessian", "jacobian"]


def _check_values(values: Sequence[Value], what: str) -> list[Value]:
    values = list(values)
    for position, value in enumerate(values):
        if not isinstance(value, Value):
            raise TypeError(
                f"{what}[{position}] must be a Value, got {type(value).__name__}: {value!r}"
            )
    return values


def grad(output: Value, inputs: Sequence[Value], *, create_graph: bool = False) -> list[Any]:
    """∂output/∂input for each input, in order, without touching any ``.grad``.

    Args:
        output: the Value to differentiate.
        inputs: the Values to differentiate with respect to (leaves or interior nodes).
        create_graph: return Values whose own graphs record how the derivatives were
            computed, so that they can be differentiated again.

    Returns:
        A list of floats, or of Values with ``create_graph=True``. An input that ``output``
        does not depend on gets 0.0 (``Value(0.0)`` with ``create_graph``). With
        ``create_graph`` the derivatives record their graphs even inside ``no_grad()``, as in
        PyTorch: asking for them is asking for that graph.

    Example:
        >>> x = Value(2.0)
        >>> y = x**3
        >>> (dy,) = grad(y, [x], create_graph=True)
        >>> (d2y,) = grad(dy, [x], create_graph=True)
        >>> (d3y,) = grad(d2y, [x])
        >>> dy.data, d2y.data, d3y
        (12.0, 12.0, 6.0)
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad: output must be a Value, got {type(output).__name__}: {output!r}")
    inputs = _check_values(inputs, "grad: inputs")
    with recording(True) if create_graph else nullcontext():
        found = gradients(output, inputs, 1.0, create_graph=create_graph)
    return [_read(output, g, create_graph, position) for position, g in enumerate(found)]


def _read(output: Value, g: Any, create_graph: bool, position: int) -> Any:
    if create_graph:
        return g if isinstance(g, Value) else Value(g)
    # Float products of derivatives overflow to inf (and then to nan) without raising.
    if not -math.inf < g < math.inf:
        written = written_data_error(output, "grad")
        if written is not None:
            raise written
        raise OverflowError(
            f"grad: the derivative with respect to inputs[{position}] would be {g!r}:"
            " a product of derivatives overflows a float"
        )
    return g


def jacobian(
    outputs: Sequence[Value], inputs: Sequence[Value], *, mode: str = "reverse"
) -> list[list[float]]:
    """The matrix ∂outputs[i]/∂inputs[j]: one row per output.

    Args:
        outputs, inputs: Values of a recorded graph.
        mode: ``"reverse"`` builds it a row at a time (one backward sweep per output),
            ``"forward"`` a column at a time (one forward sweep per input, see
            :func:`autodiff.jvp`): the same matrix, cheaper when the inputs are fewer.

    Example:
        >>> x, y = Value(2.0), Value(3.0)
        >>> jacobian([x * y, x + y], [x, y])
        [[3.0, 2.0], [1.0, 1.0]]
        >>> jacobian([x * y, x + y], [x, y], mode="forward")
        [[3.0, 2.0], [1.0, 1.0]]
    """
    outputs = _check_values(outputs, "jacobian: outputs")
    if mode == "reverse":
        return [grad(output, inputs) for output in outputs]
    if mode != "forward":
        raise ValueError(f"jacobian: mode must be 'forward' or 'reverse', got {mode!r}")
    inputs = _check_values(inputs, "jacobian: inputs")
    columns = []
    for j in range(len(inputs)):
        unit = [1.0 if k == j else 0.0 for k in range(len(inputs))]
        columns.append(jvp(outputs, inputs, unit))
    return [[column[i] for column in columns] for i in range(len(outputs))]


def hessian(output: Value, inputs: Sequence[Value]) -> list[list[float]]:
    """The matrix of second derivatives ∂²output/∂inputs[i]∂inputs[j].

    Example:
        >>> x, y = Value(2.0), Value(3.0)
        >>> hessian(x * x * y, [x, y])
        [[6.0, 4.0], [4.0, 0.0]]
    """
    inputs = _check_values(inputs, "hessian: inputs")
    first = grad(output, inputs, create_graph=True)
    return [grad(derivative, inputs) for derivative in first]
