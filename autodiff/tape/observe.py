"""Watching what a traced function does with Values: the numbers it reads, the nodes it makes.

A graph can only depend on input values through Python code that reads ``.data`` and decides
something with the number: ``if loss.data > 1: ...``. While a tape traces a function, reads of
``.data`` by code outside the engine return an :class:`Observation`: a float that records
every comparison made with it as a *guard* (which node, which comparison, which outcome;
truthiness, ``if y.data:``, is the comparison ``!= 0``), and records any other use
(arithmetic, ``int()``, ``round()``, hashing, conversion back into a Value) as an *escape*
that the tape cannot follow. The tracer turns guards into checks run on every replay and
refuses to compile a function with escapes.

A write of ``.data`` by the traced function is refused. The nodes the function makes come
from the engine itself (:func:`autodiff.recording.collecting`): every operation made in the
tracing thread, in the order it was made (including nodes whose result is then unused).

What stays unseen: a number passed to C code that reads the float directly (``math.exp(v.data)``,
``numpy``), and the engine's own reads, which use the internal name ``_data`` of the same slot.
The guards see exactly the comparisons Python code makes on the number it read.

The engine itself decides one thing by a number: how to divide by a Value (see
:func:`autodiff.value.reciprocal_scale`). Each such division is kept as a guard too, with
the op ``"/"``: the divisor's reciprocal scale must be the one it had while tracing.

Only the tracing thread is watched. The class attribute ``Value.data`` is swapped for a
property while tracing (one trace at a time in the process) and restored afterwards, so
ordinary use of the engine pays nothing when no trace runs. Meanwhile other threads read
and write ``.data`` through that property (a function call each, returning the plain
number), but the engine's own work in them (making nodes, ``backward()``) never touches it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..recording import NO_GRAD_WATCHERS, collecting
from ..value import DIVISION_WATCHERS, Value

__all__ = ["Guard", "NestedTraceError", "Observation", "Watch", "watching"]

_LOCK = threading.Lock()
_TRACING = threading.local()


class NestedTraceError(RuntimeError):
    """``compile()`` was called while this thread was already tracing a function."""


@dataclass(frozen=True)
class Guard:
    """A comparison the traced function made: ``node <op> other`` came out ``outcome``.

    ``other`` is a node or the number compared with, as given (an int stays an int, so that
    a comparison with 2**53 + 1 is replayed exactly). With op ``"/"``, ``node`` is a divisor
    whose :func:`~autodiff.value.reciprocal_scale` was ``other`` (outcome True).
    """

    node: Value
    op: str
    other: Value | float | int
    outcome: bool


@dataclass
class Watch:
    """What the traced function did: guards, escapes, and the operations made, in order."""

    guards: list[Guard] = field(default_factory=list)
    escapes: list[tuple[Value, str]] = field(default_factory=list)
    created: list[Value] = field(default_factory=list)
    used_no_grad: bool = False


_COMPARISONS = {"__lt__": "<", "__le__": "<=", "__gt__": ">", "__ge__": ">=", "__eq__": "=="}
_COMPARISONS["__ne__"] = "!="
_ESCAPES = [
    "__add__",
    "__radd__",
    "__sub__",
    "__rsub__",
    "__mul__",
    "__rmul__",
    "__truediv__",
    "__rtruediv__",
    "__floordiv__",
    "__rfloordiv__",
    "__mod__",
    "__rmod__",
    "__divmod__",
    "__rdivmod__",
    "__pow__",
    "__rpow__",
    "__neg__",
    "__pos__",
    "__abs__",
    "__float__",
    "__int__",
    "__round__",
    "__trunc__",
    "__floor__",
    "__ceil__",
    "__hash__",
    "as_integer_ratio",
    "is_integer",
    "hex",
    "conjugate",
]


class Observation(float):
    """The number of a traced Value, as seen by the traced function."""

    node: Value
    watch: Watch

    def __new__(cls, number: float, node: Value, watch: Watch) -> Observation:
        observed = super().__new__(cls, number)
        observed.node = node
        observed.watch = watch
        return observed

    def __bool__(self) -> bool:
        outcome = float.__float__(self) != 0.0
        self.watch.guards.append(Guard(self.node, "!=", 0.0, outcome))
        return outcome


def _comparison(name: str, op: str) -> Any:
    compare = getattr(float, name)

    def method(self: Observation, other: object) -> Any:
        number = float.__float__(self)
        if isinstance(other, Observation):
            outcome = compare(number, float.__float__(other))
            self.watch.guards.append(Guard(self.node, op, other.node, bool(outcome)))
        elif isinstance(other, (int, float)) and not isinstance(other, bool):
            outcome = compare(number, other)
            threshold = other if type(other) is int else float(other)
            self.watch.guards.append(Guard(self.node, op, threshold, bool(outcome)))
        else:
            outcome = compare(number, other)
            self.watch.escapes.append((self.node, f"a comparison with {type(other).__name__}"))
        return outcome

    return method


def _escape(name: str) -> Any:
    original = getattr(float, name)

    def method(self: Observation, *args: Any) -> Any:
        self.watch.escapes.append((self.node, name.strip("_")))
        return original(float.__float__(self), *args)

    return method


for _name, _op in _COMPARISONS.items():
    setattr(Observation, _name, _comparison(_name, _op))
for _name in _ESCAPES:
    setattr(Observation, _name, _escape(_name))


@contextmanager
def watching(watch: Watch) -> Iterator[None]:
    """Record, into ``watch``, what this thread's code does with ``.data`` of Values, and the
    operations it makes (graph recording is on inside, even under ``no_grad``).

    Raises:
        NestedTraceError: this thread is already inside ``watching`` (a ``compile()`` in a
            traced function); waiting for the trace lock would wait forever.
    """
    if getattr(_TRACING, "active", False):
        raise NestedTraceError("compile() was called inside a function being traced")
    thread = threading.get_ident()
    get_ident = threading.get_ident
    with _LOCK:
        slot = Value.__dict__["data"]
        slot_get, slot_set = slot.__get__, slot.__set__

        def read(node: Value) -> float:
            number: float = slot_get(node, Value)
            if get_ident() != thread:
                return number
            return Observation(number, node, watch)

        def write(node: Value, number: float) -> None:
            slot_set(node, number)
            if get_ident() == thread:
                watch.escapes.append((node, "a write into .data"))

        def saw_no_grad() -> None:
            if get_ident() == thread:
                watch.used_no_grad = True

        def saw_division(divisor: Value, scale: float) -> None:
            if get_ident() == thread:
                watch.guards.append(Guard(divisor, "/", scale, True))

        Value.data = property(read, write)  # type: ignore[misc,assignment]
        NO_GRAD_WATCHERS.append(saw_no_grad)
        DIVISION_WATCHERS.append(saw_division)
        _TRACING.active = True
        try:
            with collecting(watch.created):
                yield
        finally:
            _TRACING.active = False
            DIVISION_WATCHERS.remove(saw_division)
            NO_GRAD_WATCHERS.remove(saw_no_grad)
            Value.data = slot  # type: ignore[misc]
