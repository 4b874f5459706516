"""Tracing: run a function once on Values and record its graph as a flat program.

The program numbers every node: first the function's arguments, then the ``wrt`` Values
(leaves the function reaches through its closure, such as a model's parameters), then every
other leaf (constants, read afresh on every replay), then the operations in the order the
function made them, which is the order the eager engine evaluates them in. Every operation
the function made is kept, also one whose result it never used, so that a replay evaluates
(and fails on) exactly what the function evaluates. A Value computed before tracing and
captured by the function is a constant of the trace: its stored number is used, as the
eager engine uses it. Guards recorded while tracing (see :mod:`autodiff.tape.observe`) refer
to these numbers.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..graph import reachable
from ..primitives import Primitive
from ..value import Value
from .observe import Guard, NestedTraceError, Watch, watching

__all__ = ["COMPARISONS", "Instruction", "Program", "TraceError", "trace", "walk_order"]

COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
"""A comparison guard's op, as a function (a ``"/"`` guard compares a division's scale)."""


class TraceError(ValueError):
    """The function cannot be compiled into a tape (the message says why).

    Example:
        >>> from autodiff import compile
        >>> compile(lambda x: x * float(x.data), [1.0])  # a number the tape cannot follow
        Traceback (most recent call last):
        ...
        autodiff.tape.trace.TraceError: ...
    """


@dataclass(frozen=True, slots=True)  # slots: made once per operation of a big trace
class Instruction:
    """Node ``target`` = ``prim`` applied to the nodes numbered ``operands``."""

    target: int
    prim: Primitive
    operands: tuple[int, ...]


@dataclass(frozen=True)
class Program:
    """A traced graph: leaves, instructions, the output's number and the guards.

    ``guards`` hold ``(node, op, other, outcome)`` with ``other`` a number or a node index
    (an int is never a number there: numbers are stored as floats). Op ``"/"`` is the path
    of a division by node: ``reciprocal_scale(node) == other`` (see
    :func:`autodiff.value.reciprocal_scale`).
    """

    n_args: int
    wrt: tuple[Value, ...]
    constants: tuple[Value, ...]
    instructions: tuple[Instruction, ...]
    output: int
    guards: tuple[tuple[int, str, int | float, bool], ...]

    @property
    def n_leaves(self) -> int:
        return self.n_args + len(self.wrt) + len(self.constants)

    def describe(self, index: int) -> str:
        """Node ``index`` in words: ``"argument 0"``, ``"wrt 3"``, ``"node #12 (tanh)"``."""
        if index < self.n_args:
            return f"argument {index}"
        if index < self.n_args + len(self.wrt):
            return f"wrt {index - self.n_args}"
        if index < self.n_leaves:
            return f"constant node #{index}"
        return f"node #{index} ({self.instructions[index - self.n_leaves].prim.name})"


def trace(f: Callable[..., Value], example: Sequence[float], wrt: Sequence[Value]) -> Program:
    """Run ``f`` on one fresh leaf per number of ``example`` and record its graph.

    The function runs with graph recording on, even when ``compile`` is called inside
    ``no_grad()``.

    Raises:
        TraceError: ``f`` does not return a Value, uses ``no_grad``, computes with a
            number read off a Value, writes into ``.data``, calls ``compile``, uses a Value
            computed before tracing from a ``wrt`` Value; or a ``wrt`` item is not a leaf
            Value or is listed twice.
        TypeError: ``example`` holds something that is not a real number.
    """
    wrt = _checked_wrt(wrt)
    args = [Value(x, label=f"arg{i}") for i, x in enumerate(example)]
    watch = Watch()
    try:
        with watching(watch):
            output = f(*args)
    except NestedTraceError:
        raise TraceError(
            "compile() was called inside a function being traced; compile the inner"
            " function before (outside) the outer one"
        ) from None
    if not isinstance(output, Value):
        raise TraceError(f"the traced function must return a Value, got {output!r}")
    _refuse_unfollowable(watch)
    return _number(args, wrt, watch, output)


def _checked_wrt(wrt: Sequence[Value]) -> list[Value]:
    wrt = list(wrt)
    first: dict[int, int] = {}
    for position, value in enumerate(wrt):
        if not isinstance(value, Value) or value.op:
            raise TraceError(f"wrt[{position}] must be a leaf Value, got {value!r}")
        if id(value) in first:
            raise TraceError(
                f"wrt[{position}] is wrt[{first[id(value)]}] again ({value!r}): list each"
                " Value once (a weight-tied model repeats its shared parameters)"
            )
        first[id(value)] = position
    return wrt


def _refuse_unfollowable(watch: Watch) -> None:
    if watch.used_no_grad:
        raise TraceError(
            "the traced function uses no_grad(): values computed under it would be frozen"
            " into the tape; compute them outside and pass them as arguments"
        )
    if watch.escapes:
        node, use = watch.escapes[0]
        raise TraceError(
            f"the traced function computes with the number of a Value ({use} of {node!r}),"
            " outside the graph, so a replay cannot follow it; use Value operations, or"
            " compute that number outside and pass it as an argument"
        )


class _Numbering:
    """Node numbers: arguments, wrt, then constants as they are met, then operations."""

    def __init__(self, args: list[Value], wrt: list[Value], made: list[Value]) -> None:
        self.index = {id(node): i for i, node in enumerate(args + wrt)}
        self.wrt = {id(value): position for position, value in enumerate(wrt)}
        self.made = {id(node) for node in made}
        self.constants: list[Value] = []

    def leaf(self, node: Value) -> None:
        """Number ``node`` as a constant unless it is an argument, wrt or operation."""
        if id(node) in self.index or id(node) in self.made:
            return
        if node.op:
            self._refuse_captured_result(node)
        self.index[id(node)] = len(self.index)
        self.constants.append(node)

    def _refuse_captured_result(self, node: Value) -> None:
        for below in reachable(node):
            if id(below) in self.wrt:
                raise TraceError(
                    f"the traced function uses {node!r}, computed before compile() from"
                    f" wrt[{self.wrt[id(below)]}]: a replay could neither recompute it nor"
                    " use its stored number when that Value changes; compute it inside"
                    " the function"
                )


def _number(args: list[Value], wrt: list[Value], watch: Watch, output: Value) -> Program:
    made = watch.created
    numbering = _Numbering(args, wrt, made)
    index, made_ids = numbering.index, numbering.made
    for node in made:
        for child in node.children:
            if id(child) not in index and id(child) not in made_ids:  # most are: no call
                numbering.leaf(child)
    for node in [output, *(g.node for g in watch.guards)]:
        numbering.leaf(node)
    for guard in watch.guards:
        if isinstance(guard.other, Value):
            numbering.leaf(guard.other)
    instructions = []
    for node in made:
        index[id(node)] = target = len(index)
        operands = tuple([index[id(child)] for child in node.children])
        assert node._prim is not None
        instructions.append(Instruction(target, node._prim, operands))
    return Program(
        len(args),
        tuple(wrt),
        tuple(numbering.constants),
        tuple(instructions),
        index[id(output)],
        tuple(_numbered_guards(watch.guards, index)),
    )


def _numbered_guards(
    guards: list[Guard], index: dict[int, int]
) -> list[tuple[int, str, int | float, bool]]:
    numbered: list[tuple[int, str, int | float, bool]] = []
    for guard in guards:
        node = index[id(guard.node)]
        if isinstance(guard.other, Value):
            numbered.append((node, guard.op, index[id(guard.other)], guard.outcome))
            continue
        exact = _as_float_comparison(guard.op, guard.other)
        if exact is not None:
            numbered.append((node, exact[0], exact[1], guard.outcome))
    return numbered


def _as_float_comparison(op: str, number: float | int) -> tuple[str, float] | None:
    """``v <op> number`` for every float ``v`` as a comparison with a float, or None when
    its outcome is the same for every finite ``v`` (``v == 2**53 + 1`` is always False).

    An int that no float equals lies strictly between two neighbouring floats ``lo < n < hi``;
    for a float ``v``, ``v < n`` is ``v <= lo`` and ``v > n`` is ``v >= hi``.
    """
    if type(number) is float:
        return op, number
    try:
        rounded = float(number)
    except OverflowError:
        return None  # beyond every float: each comparison has one outcome for finite v
    if rounded == number:
        return op, rounded
    if op in ("==", "!="):
        return None
    if rounded < number:
        lo, hi = rounded, math.nextafter(rounded, math.inf)
    else:
        lo, hi = math.nextafter(rounded, -math.inf), rounded
    return ("<=", lo) if op in ("<", "<=") else (">=", hi)


def walk_order(program: Program) -> list[int]:
    """The nodes the eager backward walk visits, in the order it visits them.

    The same walk as :func:`autodiff.backward.backpropagate`: count each node's uses below
    the output, then, from the output, hand gradients down and visit an operand once its
    last user is done (a stack, operands pushed in operand order). Gradients summed in this
    order are the eager engine's floats.
    """
    n_leaves = program.n_leaves
    operands_of = [ins.operands for ins in program.instructions]  # node n_leaves + k's
    uses = [0] * (n_leaves + len(operands_of))
    stack = [program.output]
    while stack:
        node = stack.pop()
        if node < n_leaves:
            continue
        for operand in operands_of[node - n_leaves]:
            uses[operand] += 1
            if uses[operand] == 1:
                stack.append(operand)
    order = []
    ready = [program.output]
    while ready:
        node = ready.pop()
        order.append(node)
        if node < n_leaves:
            continue
        for operand in operands_of[node - n_leaves]:
            uses[operand] -= 1
            if not uses[operand]:
                ready.append(operand)
    return order
