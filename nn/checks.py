"""Argument checks shared by nn's classes and functions."""

from __future__ import annotations

__all__ = ["positive_int"]


def positive_int(n: object, what: str) -> int:
    """``n`` itself if it is an int of at least 1.

    Raises:
        TypeError: ``n`` is not an int (a bool is not one either); the message names
            ``what`` and ``n``.
        ValueError: ``n`` is below 1.

    Example:
        >>> positive_int(3, "Layer: nout")
        3
        >>> positive_int(0, "Layer: nout")
        Traceback (most recent call last):
        ...
        ValueError: Layer: nout must be at least 1, got 0
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{what} must be an int, got {type(n).__name__}: {n!r}")
    if n < 1:
        raise ValueError(f"{what} must be at least 1, got {n!r}")
    return n
