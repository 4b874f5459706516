"""Gradient checking: reverse-mode derivatives against central differences."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from numbers import Real

from .functional import grad, hessian
from .value import Value

__all__ = [
    "GradcheckError",
    "assert_gradients_match",
    "central_differences",
    "gradcheck",
    "numeric_grad",
]


class GradcheckError(AssertionError):
    """Raised by :func:`gradcheck`; the message is a table of analytic vs numeric values.

    Example:
        >>> from autodiff import Value, gradcheck
        >>> def wrong(x):  # the value of x², with the derivative of 3x
        ...     return 3 * x + Value(x.data**2 - 3 * x.data)
        >>> try:
        ...     gradcheck(wrong, [2.0])
        ... except GradcheckError as error:
        ...     print(type(error).__name__, isinstance(error, AssertionError))
        GradcheckError True
    """


Function = Callable[..., Value]


def _call(f: Function, inputs: Sequence[Value]) -> Value:
    out = f(*inputs)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}: {out!r}")
    return out


def _evaluate(f: Function, point: Sequence[float]) -> float:
    return _call(f, [Value(x) for x in point]).data


def central_differences(
    f: Callable[..., float], point: Sequence[float], eps: float = 1e-6
) -> list[float]:
    """(f(x + eps·eᵢ) − f(x − eps·eᵢ)) / 2eps for each coordinate i, on plain floats.

    Example:
        >>> [round(d, 6) for d in central_differences(lambda x, y: x * y * y, [2.0, 3.0])]
        [9.0, 12.0]
    """
    derivatives = []
    for i in range(len(point)):
        up = [x + eps if j == i else x for j, x in enumerate(point)]
        down = [x - eps if j == i else x for j, x in enumerate(point)]
        derivatives.append((f(*up) - f(*down)) / (2 * eps))
    return derivatives


def numeric_grad(f: Function, point: Sequence[float], eps: float = 1e-6) -> list[float]:
    """:func:`central_differences` of ``f``, a function of Values, for each input.

    Example:
        >>> [round(d, 6) for d in numeric_grad(lambda x, y: x * y, [2.0, 3.0])]
        [3.0, 2.0]
    """
    return central_differences(lambda *xs: _evaluate(f, xs), point, eps)


def _analytic_grad(f: Function, point: Sequence[float]) -> list[float]:
    inputs = [Value(x) for x in point]
    return grad(_call(f, inputs), inputs)


def _compare(
    names: list[str],
    analytic: list[float],
    numeric: list[float],
    atol: float,
    rtol: float,
    against: str = "central differences",
) -> None:
    rows = [
        (name, a, n, abs(a - n), abs(a - n) <= atol + rtol * abs(n))
        for name, a, n in zip(names, analytic, numeric)
    ]
    if all(ok for *_, ok in rows):
        return
    column = "numeric" if against == "central differences" else against
    lines = [f"{'input':<12}{'analytic':>16}{column:>16}{'difference':>14}"]
    for name, a, n, difference, ok in rows:
        flag = "" if ok else "  <-- mismatch"
        lines.append(f"{name:<12}{a:>16.8g}{n:>16.8g}{difference:>14.3g}{flag}")
    lines.append(f"(allowed: |analytic - {column}| <= {atol:g} + {rtol:g} * |{column}|)")
    head = "central differences" if against == "central differences" else "the expected ones"
    raise GradcheckError(f"gradients do not match {head}\n" + "\n".join(lines))


def _check_tolerance(name: str, value: object, *, positive: bool) -> None:
    if isinstance(value, bool) or not isinstance(value, Real):
        kind = type(value).__name__
        raise TypeError(f"gradcheck: {name} must be a number, got {kind}: {value!r}")
    number = float(value)
    if not (math.isfinite(number) and (number > 0 if positive else number >= 0)):
        bound = "positive" if positive else "non-negative"
        raise ValueError(f"gradcheck: {name} must be finite and {bound}, got {value!r}")


def gradcheck(
    f: Function,
    inputs: Sequence[float],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    order: int = 1,
) -> bool:
    """Check ``f``'s reverse-mode derivatives at ``inputs`` against central differences.

    Args:
        f: takes one Value per input and returns one Value.
        inputs: the point, as floats.
        eps: the finite-difference step.
        atol, rtol: a derivative passes when |analytic − numeric| <= atol + rtol·|numeric|.
        order: 1 checks the gradient; 2 also checks every second derivative (the Hessian
            from ``create_graph``) against central differences of the gradient.

    Returns:
        True when every derivative matches.

    Raises:
        GradcheckError: some derivative does not match; the message is a table with, per
            input, the analytic value, the numeric value and their difference.
        TypeError: ``f`` does not return a Value, or a tolerance is not a number.
        ValueError: ``order`` is not 1 or 2, ``eps`` is not positive, or a tolerance is
            negative.

    Example:
        >>> gradcheck(lambda x, y: (x * y).tanh(), [0.5, -1.5], order=2)
        True
    """
    if order not in (1, 2) or isinstance(order, bool):
        raise ValueError(f"gradcheck: order must be 1 or 2, got {order!r}")
    _check_tolerance("eps", eps, positive=True)
    _check_tolerance("atol", atol, positive=False)
    _check_tolerance("rtol", rtol, positive=False)
    point = [float(x) for x in inputs]
    names = [f"x[{i}]" for i in range(len(point))]
    _compare(names, _analytic_grad(f, point), numeric_grad(f, point, eps), atol, rtol)
    if order == 2:
        values = [Value(x) for x in point]
        second = hessian(_call(f, values), values)
        for i, row in enumerate(second):

            def partial_i(*xs: Value, i: int = i) -> Value:
                return grad(f(*xs), xs, create_graph=True)[i]

            numeric_row = numeric_grad(partial_i, point, eps)
            row_names = [f"d{names[i]},{name}" for name in names]
            _compare(row_names, row, numeric_row, atol, rtol)
    return True


def _leaves(inputs: Sequence[float | Value]) -> list[Value]:
    if isinstance(inputs, (str, bytes)) or not isinstance(inputs, Sequence):
        kind = type(inputs).__name__
        raise TypeError(f"assert_gradients_match: inputs must be a sequence, got {kind}")
    if not inputs:
        raise ValueError("assert_gradients_match: inputs is empty")
    if all(isinstance(x, Value) for x in inputs):
        return list(inputs)  # type: ignore[arg-type]
    if any(isinstance(x, Value) for x in inputs):
        raise TypeError("assert_gradients_match: inputs must be all numbers or all Values")
    return [Value(x, label=f"x[{i}]") for i, x in enumerate(inputs)]  # type: ignore[arg-type]


def _differences_at(f: Function, leaves: list[Value], eps: float) -> list[float]:
    """Central differences of f with respect to each leaf, moving the leaf's ``.data``."""
    differences = []
    for leaf in leaves:
        start = leaf.data
        try:
            leaf.data = start + eps
            up = _call(f, leaves).data
            leaf.data = start - eps
            down = _call(f, leaves).data
        finally:
            leaf.data = start
        differences.append((up - down) / (2 * eps))
    return differences


def assert_gradients_match(
    f: Function,
    inputs: Sequence[float | Value],
    *,
    expected: Callable[..., Sequence[float]] | None = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> None:
    """Assert that reverse mode gives ``f``'s derivatives at ``inputs``; for property tests.

    Args:
        f: takes one Value per input and returns one Value.
        inputs: the point as numbers, or Values already in a graph (a model's parameters,
            say): then ``f`` is differentiated with respect to those Values, and the
            differences move their ``.data`` (restored afterwards).
        expected: a function of the input numbers returning the derivatives you expect
            (written by hand); by default, central differences of ``f`` with step ``eps``.
        eps, atol, rtol: as for :func:`gradcheck`.

    Raises:
        GradcheckError: (an AssertionError) some derivative does not match; the message is
            a table with, per input (named by its label), both values and their difference.
        TypeError: ``f`` does not return a Value, ``inputs`` mixes numbers and Values, or
            ``expected`` returns a wrong number of derivatives.
        ValueError: ``inputs`` is empty, or a tolerance is out of range.

    Example:
        >>> def softplus(x):
        ...     return (1 + x.exp()).log()
        >>> assert_gradients_match(softplus, [0.5])
        >>> assert_gradients_match(lambda x: x * x, [3.0], expected=lambda x: [3.0])
        Traceback (most recent call last):
        ...
        autodiff.gradcheck.GradcheckError: gradients do not match the expected ones
        input               analytic        expected    difference
        x[0]                       6               3             3  <-- mismatch
        (allowed: |analytic - expected| <= 1e-05 + 0.001 * |expected|)
    """
    _check_tolerance("eps", eps, positive=True)
    _check_tolerance("atol", atol, positive=False)
    _check_tolerance("rtol", rtol, positive=False)
    leaves = _leaves(inputs)
    analytic = grad(_call(f, leaves), leaves)
    if expected is None:
        reference, against = _differences_at(f, leaves, eps), "central differences"
    else:
        reference, against = [float(d) for d in expected(*(v.data for v in leaves))], "expected"
        if len(reference) != len(leaves):
            raise TypeError(
                f"assert_gradients_match: expected returned {len(reference)} derivatives "
                f"for {len(leaves)} inputs"
            )
    names = [leaf.label or f"x[{i}]" for i, leaf in enumerate(leaves)]
    _compare(names, analytic, reference, atol, rtol, against)
