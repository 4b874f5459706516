"""Watching what a traced function does with numbers it reads off Values.

A graph can only depend on input values through Python code that reads ``.data`` (or calls
``float()``) and decides something with the number: ``if loss.data > 1: ...``. While a tape
traces a function, reads of ``.data`` by code outside the engine return an
:class:`Observation`: a float that records every comparison made with it as a *guard*
(which node, which comparison, which outcome), and records any other use (arithmetic,
``int()``, ``round()``, hashing, conversion back into a Value) as an *escape* that the tape
cannot follow. The tracer turns guards into checks run on every replay and refuses to
compile a function with escapes.

What stays unseen: a number passed to C code that reads the float directly (``math.exp(v.data)``,
``numpy``), and reads made through the engine's own modules. The guards see exactly the
comparisons Python code makes on the number it read.

Only the tracing thread is watched; the class attribute ``Value.data`` is swapped for a
property while tracing (one trace at a time) and restored afterwards, so ordinary use of
the engine pays nothing.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..recording import NO_GRAD_WATCHERS
from ..value import Value

__all__ = ["Guard", "Observation", "Watch", "watching"]

# Modules whose reads of .data compute the graph itself; everything else is "user code".
_ENGINE_MODULES = frozenset(
    {"autodiff.value", "autodiff.backward", "autodiff.functional", "autodiff.fused"}
)
_SLOT = Value.__dict__["data"]
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Guard:
    """A comparison the traced function made: ``node <op> other`` came out ``outcome``."""

    node: Value
    op: str
    other: Value | float
    outcome: bool


@dataclass
class Watch:
    """What the traced function did with the numbers it read."""

    guards: list[Guard] = field(default_factory=list)
    escapes: list[tuple[Value, str]] = field(default_factory=list)
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
        outcome = float(self) != 0.0
        self.watch.guards.append(Guard(self.node, "!=", 0.0, outcome))
        return outcome


def _comparison(name: str, op: str) -> Any:
    compare = getattr(float, name)

    def method(self: Observation, other: object) -> Any:
        outcome = compare(float.__float__(self), other)
        if isinstance(other, Observation):
            self.watch.guards.append(Guard(self.node, op, other.node, bool(outcome)))
        elif isinstance(other, (int, float)) and outcome is not NotImplemented:
            self.watch.guards.append(Guard(self.node, op, float(other), bool(outcome)))
        else:
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
    """Record, into ``watch``, what this thread's non-engine code does with ``.data``."""
    thread = threading.get_ident()
    float_code = Value.__float__.__code__

    def read(node: Value) -> float:
        number: float = _SLOT.__get__(node, Value)
        if threading.get_ident() != thread:
            return number
        caller = sys._getframe(1)
        if caller.f_code is float_code:
            # float(v) hands the number out as a plain float: nothing more can be seen.
            watch.escapes.append((node, "float()"))
            return number
        if caller.f_globals.get("__name__") in _ENGINE_MODULES:
            return number
        return Observation(number, node, watch)

    def write(node: Value, number: float) -> None:
        _SLOT.__set__(node, number)

    def saw_no_grad() -> None:
        if threading.get_ident() == thread:
            watch.used_no_grad = True

    with _LOCK:
        Value.data = property(read, write)  # type: ignore[misc,assignment]
        NO_GRAD_WATCHERS.append(saw_no_grad)
        try:
            yield
        finally:
            NO_GRAD_WATCHERS.remove(saw_no_grad)
            Value.data = _SLOT  # type: ignore[misc]
