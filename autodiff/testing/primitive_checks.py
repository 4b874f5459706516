"""``check_primitive``: a property test of a user-defined primitive's rule.

Example:
    >>> import math
    >>> from autodiff import primitive
    >>> from autodiff import functions as F
    >>> softplus = primitive(
    ...     "doc_softplus",
    ...     lambda x: math.log1p(math.exp(-abs(x))) + max(x, 0.0),
    ...     lambda x, out: (F.sigmoid(x),),
    ... )
    >>> check_primitive(softplus)  # silent when the rule holds
    >>> wrong = primitive("doc_wrong", lambda x: x * x, lambda x, out: (x,))
    >>> try:
    ...     check_primitive(wrong)
    ... except AssertionError as error:
    ...     print(str(error).splitlines()[0])
    doc_wrong: the first derivatives disagree with central differences
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ..extend import UserPrimitive
from ..functional import grad, hessian
from ..gradcheck import central_differences
from ..value import Value
from .scalars import points, reals

__all__ = ["check_primitive"]

EPS = 1e-6
"""The step of the first derivatives' central differences (as the engine's own tests)."""
EPS_SECOND = 1e-5
"""The step of the second derivatives' central differences of the first."""
RTOL = 1e-6
RTOL_SECOND = 1e-4
"""Relative to the larger of 1 and the numeric estimate, as the engine's property tests."""


def _near(actual: float, expected: float, rtol: float) -> bool:
    return abs(actual - expected) <= rtol * max(1.0, abs(expected))


def _inside(prim: UserPrimitive, point: Sequence[float], eps: float) -> bool:
    """The point and every central-difference probe around it lie in the domain."""
    if prim.domain is None:
        return True
    probes = [list(point)]
    for i in range(len(point)):
        for step in (eps, -eps):
            probes.append([x + step if j == i else x for j, x in enumerate(point)])
    return all(prim.domain(*probe) for probe in probes)


def _gradient(prim: UserPrimitive, i: int) -> Callable[..., float]:
    def partial(*xs: float) -> float:
        leaves = [Value(x) for x in xs]
        return float(grad(prim(*leaves), leaves)[i])

    return partial


def check_primitive(
    prim: UserPrimitive,
    *,
    coordinates: st.SearchStrategy[float] | None = None,
    max_examples: int | None = None,
) -> None:
    """Check ``prim``'s partials against central differences at random points of its
    domain, to first and second order (Hypothesis), and that numbers and Values give one
    float.

    Args:
        prim: what :func:`autodiff.primitive` returned.
        coordinates: where each operand is drawn from (default ``reals(-3, 3)``); points
            outside ``prim.domain`` (or whose differences would leave it) are skipped.
        max_examples: how many points (default: the Hypothesis profile's).

    Raises:
        AssertionError: a derivative disagrees; the message names the primitive, and
            Hypothesis prints the point.
    """
    strategy = points(prim.arity, coordinates if coordinates is not None else reals(-3.0, 3.0))
    options = {} if max_examples is None else {"max_examples": max_examples}

    @settings(deadline=None, database=None, **options)  # type: ignore[arg-type]
    @given(strategy)
    def first_and_second_derivatives(point: tuple[float, ...]) -> None:
        assume(_inside(prim, point, EPS_SECOND))
        leaves = [Value(x) for x in point]
        out = prim(*leaves)
        assert out.data == prim(*point), f"{prim.name}: numbers and Values give other floats"
        analytic = grad(out, leaves)
        numeric = central_differences(prim, point, EPS)
        if not all(_near(a, n, RTOL) for a, n in zip(analytic, numeric)):
            raise AssertionError(
                f"{prim.name}: the first derivatives disagree with central differences\n"
                f"  at {point}: partials {analytic}, differences {numeric}"
            )
        for i, row in enumerate(hessian(out, leaves)):
            numeric_row = central_differences(_gradient(prim, i), point, EPS_SECOND)
            if not all(_near(a, n, RTOL_SECOND) for a, n in zip(row, numeric_row)):
                raise AssertionError(
                    f"{prim.name}: the second derivatives disagree with central differences"
                    f" of the first\n  at {point}: row {i} {row}, differences {numeric_row}"
                )

    first_and_second_derivatives()
