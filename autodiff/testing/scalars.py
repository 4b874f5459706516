"""Strategies for plain numbers: finite reals, and reals kept away from zero."""

from __future__ import annotations

import math

from hypothesis import strategies as st

__all__ = ["nonzero_reals", "reals"]


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
