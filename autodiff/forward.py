"""Forward mode: directional derivatives pushed from the inputs up, with the same local rules.

Reverse mode (:mod:`autodiff.backward`) starts at one output and hands ∂output/∂node down to
every node: one sweep per output gives a whole row of the Jacobian. Forward mode starts at
the inputs with a tangent ``ẋ`` (a direction) and carries ``ṅode = Σ ∂node/∂operand ·
ṁoperand`` up through the graph in topological order: one sweep per direction gives a whole
column, ``J @ ẋ``, for every output at once. Both evaluate the primitives' own local partials
(:func:`~autodiff.graph.local_partials`); which is cheaper depends on the Jacobian's shape
(docs/forward-or-reverse.md).

A tangent given to an interior node is added to what flows into it from below, so that
``jvp`` is exactly ``Σᵢ tangents[i] · grad(output, inputs)[i]``, as reverse mode counts
every path to each input.

Example:
    >>> from autodiff import Value, grad
    >>> x, y = Value(2.0), Value(3.0)
    >>> out = x * y + x.sin()
    >>> jvp([out], [x, y], [1.0, 0.0]) == [grad(out, [x])[0]]
    True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from numbers import Real
from typing import Any

from .backward import gradients, written_data_error
from .graph import local_partials, topological_order_of
from .recording import recording
from .value import Value

__all__ = ["hvp", "jvp", "jvp_fn"]

_INF = math.inf


def _checked(values: Any, what: str) -> list[Value]:
    if isinstance(values, Value) or not isinstance(values, Sequence):
        raise TypeError(f"{what} must be a sequence of Values, got {values!r}")
    for position, value in enumerate(values):
        if not isinstance(value, Value):
            raise TypeError(
                f"{what}[{position}] must be a Value, got {type(value).__name__}: {value!r}"
            )
    return list(values)


def _tangents(tangents: Any, n_inputs: int, who: str) -> list[float]:
    if isinstance(tangents, (str, bytes)) or not isinstance(tangents, Sequence):
        raise TypeError(f"{who}: tangents must be a sequence of numbers, got {tangents!r}")
    if len(tangents) != n_inputs:
        raise ValueError(
            f"{who}: {len(tangents)} tangents for {n_inputs} inputs (one tangent per input)"
        )
    numbers = []
    for position, t in enumerate(tangents):
        if isinstance(t, bool) or not isinstance(t, Real):
            kind = type(t).__name__
            raise TypeError(f"{who}: tangents[{position}] must be a real number, got {kind}: {t!r}")
        number = float(t)
        if not -_INF < number < _INF:
            raise ValueError(f"{who}: tangents[{position}] must be finite, got {t!r}")
        numbers.append(number)
    return numbers


def jvp(
    outputs: Sequence[Value], inputs: Sequence[Value], tangents: Sequence[float]
) -> list[float]:
    """The directional derivative of each output along ``tangents``: ``J @ tangents``, where
    ``J[i][j] = ∂outputs[i]/∂inputs[j]``, in one forward sweep (no ``.grad`` is touched).

    Args:
        outputs: Values of a recorded graph.
        inputs: Values below them (leaves or interior nodes), one per tangent.
        tangents: numbers, the direction to differentiate along.

    Returns:
        One float per output.

    Raises:
        TypeError: an output or input is not a Value, or a tangent not a real number.
        ValueError: the tangents are not one per input or not finite; or a local partial
            is not finite (naming the op).
        OverflowError: a tangent overflows a float, or a local partial does.

    Example:
        >>> from autodiff import Value
        >>> x, y = Value(2.0), Value(3.0)
        >>> jvp([x * y, x + y], [x, y], [1.0, 1.0])
        [5.0, 2.0]
    """
    outputs = _checked(outputs, "jvp: outputs")
    inputs = _checked(inputs, "jvp: inputs")
    seeds: dict[Value, float] = {}
    for node, t in zip(inputs, _tangents(tangents, len(inputs), "jvp")):
        seeds[node] = seeds.get(node, 0.0) + t
    tangent: dict[Value, float] = {}
    for node in topological_order_of(outputs):
        t = seeds.get(node, 0.0)
        children = node.children
        incoming = [tangent[child] for child in children]
        if any(incoming):  # no partial is evaluated where nothing flows in
            for partial, dt in zip(local_partials(node), incoming):
                if dt:
                    t += partial * dt
            if not -_INF < t < _INF:
                raise _tangent_error(outputs, node, t)
        tangent[node] = t
    return [tangent[output] for output in outputs]


def _tangent_error(outputs: list[Value], node: Value, t: float) -> Exception:
    for output in outputs:
        written = written_data_error(output, "jvp")
        if written is not None:
            return written
    return OverflowError(
        f"jvp: the tangent of {node!r} would be {t!r}: a product of derivatives overflows a float"
    )


def jvp_fn(
    f: Callable[..., Value], primals: Sequence[float], tangents: Sequence[float]
) -> tuple[float, float]:
    """``f``'s value at ``primals`` and its directional derivative along ``tangents``.

    Args:
        f: takes one Value per primal and returns a Value.
        primals: the point, as numbers.
        tangents: the direction, one number per primal.

    Example:
        >>> jvp_fn(lambda x, y: x * y, [2.0, 3.0], [1.0, 0.0])
        (6.0, 3.0)
    """
    leaves = [Value(x) for x in primals]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"jvp_fn: f must return a Value, got {type(out).__name__}: {out!r}")
    (derivative,) = jvp([out], leaves, tangents)
    return out.data, derivative


def hvp(output: Value, inputs: Sequence[Value], v: Sequence[float]) -> list[float]:
    """The Hessian of ``output`` with respect to ``inputs`` times ``v``, without the Hessian.

    Forward over reverse: the gradient is taken with ``create_graph=True`` (a graph of its
    own), and one forward sweep of that graph along ``v`` gives ``H @ v``, costing about
    two gradients whatever the number of inputs (the Hessian costs one per input).

    Raises:
        TypeError, ValueError: as :func:`jvp` (``v`` is its tangents).

    Example:
        >>> from autodiff import Value, hessian
        >>> x, y = Value(2.0), Value(3.0)
        >>> out = x * x * y
        >>> hvp(out, [x, y], [1.0, 2.0])
        [14.0, 4.0]
    """
    if not isinstance(output, Value):
        raise TypeError(f"hvp: output must be a Value, got {type(output).__name__}: {output!r}")
    inputs = _checked(inputs, "hvp: inputs")
    tangents = _tangents(v, len(inputs), "hvp")
    with recording(True):  # as grad(create_graph=True): the gradient's graph is recorded
        gradient = gradients(output, inputs, 1.0, create_graph=True)
    # One sweep for every component. An input the output does not reach has the gradient
    # 0.0 (a float), which no direction changes.
    graphs = [g for g in gradient if isinstance(g, Value)]
    swept = iter(jvp(graphs, inputs, tangents))
    return [next(swept) if isinstance(g, Value) else 0.0 for g in gradient]
