"""Strategies for plain numbers: finite reals, reals kept away from zero, and points."""

from __future__ import annotations

import math

from hypothesis import strategies as st

__all__ = ["nonzero_reals", "points", "reals"]


def reals(min_value: float = -10.0, max_value: float = 10.0) -> st.SearchStrategy[float]:
    """Finite floats in [min_value, max_value]: no nan, no infinity, no subnormals.

    Example:
        >>> from hypothesis import find
        >>> find(reals(1.0, 2.0), lambda x: x > 1.5) > 1.5
        True
    """
    return st.floats(min_value, max_value, allow_nan=False, allow_subnormal=False)


def nonzero_reals(min_magnitude: float, max_magnitude: float) -> st.SearchStrategy[float]:
    """Floats x with min_magnitude <= |x| <= max_magnitude, of either sign.

    Example:
        >>> from hypothesis import find
        >>> x = find(nonzero_reals(0.5, 2.0), lambda x: x < 0)
        >>> -2.0 <= x <= -0.5
        True
    """
    magnitudes = reals(min_magnitude, max_magnitude)
    return st.tuples(st.sampled_from((1.0, -1.0)), magnitudes).map(math.prod)


def points(
    dimensions: int, coordinates: st.SearchStrategy[float] | None = None
) -> st.SearchStrategy[tuple[float, ...]]:
    """Tuples of ``dimensions`` coordinates: somewhere to evaluate a recipe besides its inputs.

    Args:
        dimensions: how many coordinates.
        coordinates: the strategy for each (default ``reals(-2, 2)``, the range of the
            inputs of :func:`~autodiff.testing.expressions`).

    Example:
        >>> from hypothesis import find
        >>> find(points(3, reals(1.0, 2.0)), lambda point: True)  # the simplest point
        (1.0, 1.0, 1.0)
    """
    coordinate = coordinates if coordinates is not None else reals(-2.0, 2.0)
    return st.tuples(*[coordinate] * dimensions)
