"""Whether operations record a graph: on by default, off inside :func:`no_grad`.

The switch is a :class:`contextvars.ContextVar`, so ``no_grad`` in one thread or asyncio
task never affects another. While a compiled tape traces a function, the switch of the
tracing thread holds the function that collects every operation node made there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

__all__ = [
    "NO_GRAD_WATCHERS",
    "collecting",
    "current_recorder",
    "is_recording",
    "no_grad",
    "recording",
]

NO_GRAD_WATCHERS: list[Callable[[], None]] = []
"""Called whenever :func:`no_grad` is entered (the compiled tape's tracer refuses functions
that use it: values computed under it would be frozen into the tape)."""

_RECORDING: ContextVar[bool | Callable[[Any], None]] = ContextVar(
    "autodiff_recording", default=True
)

current_recorder = _RECORDING.get
"""``current_recorder()``: False inside :func:`no_grad`; else True, or the function that a
tracing tape collects operation nodes with, to be called on each (see :func:`collecting`)."""


def is_recording() -> bool:
    """True unless called inside :func:`no_grad`.

    Example:
        >>> is_recording()
        True
        >>> with no_grad():
        ...     is_recording()
        False
    """
    return bool(_RECORDING.get())


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
    # A tracing tape's collector stays on: operations made under recording(True) are collected too.
    token = _RECORDING.set((_RECORDING.get() or True) if enabled else False)
    try:
        yield
    finally:
        _RECORDING.reset(token)


@contextmanager
def collecting(made: list[Any]) -> Iterator[None]:
    """Record graphs, and append every operation node made in this context to ``made``.

    The compiled tape's tracer learns this way which operations a traced function makes,
    in the order it makes them (results it never uses included), and only in its own thread.

    Example:
        >>> from autodiff import Value
        >>> made: list[Value] = []
        >>> with collecting(made):
        ...     y = Value(2.0) * 3.0 + 1.0
        >>> [node.op for node in made]
        ['*', '+']
    """
    token = _RECORDING.set(made.append)
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
