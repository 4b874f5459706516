"""Whether operations record a graph: on by default, off inside :func:`no_grad`.

The switch is a :class:`contextvars.ContextVar`, so ``no_grad`` in one thread or asyncio
task never affects another.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["NO_GRAD_WATCHERS", "is_recording", "no_grad", "recording"]

NO_GRAD_WATCHERS: list[Callable[[], None]] = []
"""Called whenever :func:`no_grad` is entered (the compiled tape's tracer refuses functions
that use it: values computed under it would be frozen into the tape)."""

_RECORDING: ContextVar[bool] = ContextVar("autodiff_recording", default=True)

is_recording = _RECORDING.get
"""``is_recording() -> bool``: True unless called inside :func:`no_grad`."""


@contextmanager
def recording(enabled: bool) -> Iterator[None]:
    """Record graphs (``enabled=True``) or not, for the duration of the block.

    ``grad(..., create_graph=True)`` uses it so that derivatives keep their graphs even when
    it is called inside :func:`no_grad`.

    Example:
        >>> with no_grad(), recording(True):
        ...     is_recording()
        True
    """
    token = _RECORDING.set(enabled)
    try:
        yield
    finally:
        _RECORDING.reset(token)


@contextmanager
def no_grad() -> Iterator[None]:
    """Compute values without recording a graph: results are leaves with no children.

    Optimizers update parameters under it, so that an update never becomes part of the
    next step's graph.

    Example:
        >>> from autodiff import Value, no_grad
        >>> x = Value(3.0)
        >>> with no_grad():
        ...     y = x * x
        >>> y.data, y.op, y.children
        (9.0, '', ())
    """
    for watcher in NO_GRAD_WATCHERS:
        watcher()
    with recording(False):
        yield
