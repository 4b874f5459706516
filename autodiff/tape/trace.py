"""Tracing: run a function once on Values and record its graph as a flat program.

The program numbers every node: first the function's arguments, then the ``wrt`` Values
(leaves the function reaches through its closure, such as a model's parameters), then every
other leaf (constants, read afresh on every replay), then the operations in topological
order. Guards recorded while tracing (see :mod:`autodiff.tape.observe`) refer to these
numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..backward import topological_order
from ..primitives import Primitive
from ..value import Value
from .observe import Guard, Watch, watching

__all__ = ["Instruction", "Program", "TraceError", "trace"]


class TraceError(ValueError):
    """The function cannot be compiled into a tape (the message says why)."""


@dataclass(frozen=True)
class Instruction:
    """Node ``target`` = ``prim`` applied to the nodes numbered ``operands``."""

    target: int
    prim: Primitive
    operands: tuple[int, ...]


@dataclass(frozen=True)
class Program:
    """A traced graph: leaves, instructions, the output's number and the guards.

    ``guards`` hold ``(node, op, other, outcome)`` with ``other`` a number or a node index
    (an int is never a number there: numbers are stored as floats).
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

    Raises:
        TraceError: ``f`` does not return a Value, uses ``no_grad``, computes with a
            number read off a Value, or a ``wrt`` item is not a leaf Value.
        TypeError: ``example`` holds something that is not a real number.
    """
    for position, value in enumerate(wrt):
        if not isinstance(value, Value) or value.op:
            raise TraceError(f"wrt[{position}] must be a leaf Value, got {value!r}")
    args = [Value(x, label=f"arg{i}") for i, x in enumerate(example)]
    watch = Watch()
    with watching(watch):
        output = f(*args)
    if not isinstance(output, Value):
        raise TraceError(f"the traced function must return a Value, got {output!r}")
    _refuse_unfollowable(watch)
    roots = (
        [output]
        + [g.node for g in watch.guards]
        + [g.other for g in watch.guards if isinstance(g.other, Value)]
    )
    return _number(args, list(wrt), _merged_order(roots), output, watch.guards)


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


def _merged_order(roots: list[Value]) -> list[Value]:
    """Every node below any root, operands before results (each root's order, merged)."""
    seen: set[int] = set()
    order = []
    for root in roots:
        if id(root) in seen:
            continue
        for node in topological_order(root):
            if id(node) not in seen:
                seen.add(id(node))
                order.append(node)
    return order


def _number(
    args: list[Value], wrt: list[Value], order: list[Value], output: Value, guards: list[Guard]
) -> Program:
    index = {id(node): i for i, node in enumerate(args + wrt)}
    constants = [n for n in order if not n.op and id(n) not in index]
    for node in constants:
        index[id(node)] = len(index)
    instructions = []
    for node in order:
        if node.op:
            index[id(node)] = len(index)
            operands = tuple(index[id(child)] for child in node.children)
            assert node._prim is not None
            instructions.append(Instruction(index[id(node)], node._prim, operands))
    numbered_guards = tuple(
        (
            index[id(g.node)],
            g.op,
            index[id(g.other)] if isinstance(g.other, Value) else float(g.other),
            g.outcome,
        )
        for g in guards
    )
    return Program(
        len(args),
        tuple(wrt),
        tuple(constants),
        tuple(instructions),
        index[id(output)],
        numbered_guards,
    )
