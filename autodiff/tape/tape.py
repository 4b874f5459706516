"""`compile`: trace a function of Values once, then replay it for new numbers.

The replay runs generated straight-line code (see :mod:`autodiff.tape.codegen`): no Value
or other object is made per node, so forward and backward cost about what hand-written
float code costs. With numpy installed (the ``fast`` extra), the same program runs on whole
batches, one array element per example.

Replays give the eager engine's values and gradients (to rounding) or raise its errors: any
arithmetic error or non-finite result in the fast code makes the tape re-evaluate that call
through the eager engine, which then raises exactly what eager code would (or, for the rare
input where only the fast code's inline arithmetic fails, returns the eager result).
"""

from __future__ import annotations

import builtins
import linecache
import operator
from collections.abc import Callable, Iterable, Sequence
from itertools import count
from typing import Any

from ..backward import backpropagate
from ..value import Value, apply
from .codegen import generate
from .kernels import array_namespace, scalar_namespace
from .trace import Program, trace

__all__ = ["GraphChangedError", "Tape", "compile"]

_FALLBACK = (ArithmeticError, ValueError, TypeError)
_COMPARE = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
_serial = count()


class GraphChangedError(ValueError):
    """A replay's inputs would take the traced function down another branch."""


def compile(
    f: Callable[..., Value], example: Sequence[float], *, wrt: Sequence[Value] = ()
) -> Tape:
    """Trace ``f`` once at ``example`` and return a :class:`Tape` that replays it.

    Args:
        f: takes one Value per number of ``example`` and returns a Value.
        example: numbers to trace at (any values on the branches ``f`` will take).
        wrt: leaf Values that ``f`` reaches through its closure, such as a model's
            parameters. Replays read their current ``.data`` and compute their gradients.
            Every other leaf ``f`` reaches (constants, captured Values) is read afresh too,
            but gets no gradient.

    Raises:
        TraceError: ``f`` cannot be replayed faithfully (see :mod:`autodiff.tape.observe`).

    Example:
        >>> from autodiff import Value, compile
        >>> w = Value(0.5, label="w")
        >>> tape = compile(lambda x: (w * x).tanh(), [1.0], wrt=[w])
        >>> value, (dx, dw) = tape.value_and_grad(2.0)
        >>> eager = (w * 2.0).tanh()
        >>> eager.backward()
        >>> value == eager.data, dw == w.grad
        (True, True)
    """
    return Tape(trace(f, example, wrt))


class Tape:
    """A traced program with generated forward and backward code.

    Attributes:
        program: what was traced (leaves, instructions, guards).
        source: the generated scalar code, for reading.
    """

    def __init__(self, program: Program) -> None:
        self.program = program
        n_inputs = program.n_args + len(program.wrt)
        self._every = list(range(n_inputs))
        self._params = list(range(program.n_args, n_inputs))
        self.source = generate(program, "scalar", self._every)
        self._scalar = self._load(self.source, scalar_namespace())
        self._scalar_params = self._load(
            generate(program, "scalar", self._params), scalar_namespace()
        )
        self._array: dict[bool, dict[str, Any]] = {}

    def __repr__(self) -> str:
        p = self.program
        return (
            f"Tape({p.n_args} args, {len(p.wrt)} wrt, {len(p.instructions)} operations,"
            f" {len(p.guards)} guards)"
        )

    def _load(self, source: str, namespace: dict[str, Any]) -> dict[str, Any]:
        filename = f"<autodiff tape {next(_serial)}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        namespace["guard_failed"] = self._guard_failed
        exec(builtins.compile(source, filename, "exec"), namespace)
        return namespace

    def _inputs(self, args: Sequence[Any]) -> list[Any]:
        if len(args) != self.program.n_args:
            raise TypeError(f"the tape takes {self.program.n_args} arguments, got {len(args)}")
        return [*args, *self._shared()]

    def _shared(self) -> list[float]:
        return [v.data for v in self.program.wrt] + [v.data for v in self.program.constants]

    # --- one example ------------------------------------------------------------------------
    def __call__(self, *args: float) -> float:
        """The traced function's value at ``args``."""
        inputs = self._inputs(args)
        try:
            return self._scalar["value"](inputs)
        except GraphChangedError:
            raise
        except _FALLBACK:
            return self.interpret(inputs, 1.0, [])[0]

    def value_and_grad(self, *args: float, grad: float = 1.0) -> tuple[float, list[float]]:
        """The value at ``args`` and grad·∂value/∂input for each argument, then each wrt."""
        inputs = self._inputs(args)
        try:
            value, grads = self._scalar["value_and_grad"](inputs, grad)
        except GraphChangedError:
            raise
        except _FALLBACK:
            return self.interpret(inputs, grad, self._every)
        return value, grads

    def backward(self, *args: float, grad: float = 1.0) -> float:
        """Add grad·∂value/∂w into ``.grad`` of every wrt Value, as ``Value.backward`` does;
        return the value."""
        value, grads = self.value_and_grad(*args, grad=grad)
        self._accumulate(grads[self.program.n_args :])
        return value

    def backward_sum(self, rows: Iterable[Sequence[float]], grad: float = 1.0) -> float:
        """For each row of arguments, add grad·∂value/∂w into every wrt ``.grad``; return the
        sum of the values. The loop over rows runs inside the generated code.

        Example:
            >>> from autodiff import Value, compile
            >>> w = Value(3.0)
            >>> tape = compile(lambda x: w * x * x, [1.0], wrt=[w])
            >>> tape.backward_sum([[1.0], [2.0]]), w.grad
            (15.0, 5.0)
        """
        rows = list(rows)
        try:
            total, grads = self._scalar_params["sum_over"](rows, self._shared(), grad)
        except GraphChangedError:
            raise
        except _FALLBACK:
            total, grads = 0.0, [0.0] * len(self._params)
            for row in rows:
                value, row_grads = self.interpret(self._inputs(row), grad, self._params)
                total += value
                grads = [a + b for a, b in zip(grads, row_grads)]
        self._accumulate(grads)
        return total

    def _accumulate(self, grads: Sequence[float]) -> None:
        for value, g in zip(self.program.wrt, grads):
            value.grad += float(g)

    # --- a batch ----------------------------------------------------------------------------
    def batch_value_and_grad(self, *columns: Any, grad: float = 1.0) -> tuple[Any, list[Any]]:
        """Evaluate a whole batch at once: one numpy array per argument (one element per
        example). Returns the values (an array) and the gradients: an array per argument
        (per example) and, for each wrt Value, the sum over the batch.

        Needs numpy (``pip install autodiff-course[fast]``).
        """
        from .batch import run_batch

        return run_batch(self, columns, grad)

    def batch_backward(self, *columns: Any, grad: float = 1.0) -> Any:
        """Add grad·Σₖ ∂valueₖ/∂w over the batch into every wrt ``.grad``; return the values.

        Example:
            >>> from autodiff import Value, compile
            >>> w = Value(3.0)
            >>> tape = compile(lambda x: w * x * x, [1.0], wrt=[w])
            >>> tape.batch_backward([1.0, 2.0]).tolist(), w.grad
            ([3.0, 12.0], 5.0)
        """
        from .batch import run_batch

        values, grads = run_batch(self, columns, grad, args_grads=False)
        self._accumulate(grads)
        return values

    def array_code(self, args_grads: bool = True) -> dict[str, Any]:
        """The batch dialect's generated functions, with or without the arguments'
        gradients (made on first use)."""
        if args_grads not in self._array:
            targets = self._every if args_grads else self._params
            source = generate(self.program, "array", targets)
            self._array[args_grads] = self._load(source, array_namespace())
        return self._array[args_grads]

    # --- the reference --------------------------------------------------------------------------
    def interpret(
        self, inputs: Sequence[float], grad: Any, targets: list[int]
    ) -> tuple[float, list[Any]]:
        """Evaluate one example through the eager engine (Values and its backward pass):
        the reference the generated code is checked against, and its fallback."""
        nodes = [Value(x) for x in inputs]
        for instruction in self.program.instructions:
            nodes.append(apply(instruction.prim, [nodes[i] for i in instruction.operands]))
        for position, (left, op, other, outcome) in enumerate(self.program.guards):
            right = nodes[other].data if isinstance(other, int) else other
            if _COMPARE[op](nodes[left].data, right) != outcome:
                self._guard_failed(position)
        output = nodes[self.program.output]
        if not targets:
            return output.data, []
        order = backpropagate(output, grad)
        grads = [nodes[t]._g for t in targets]
        for node in order:
            node._g = 0.0
        return output.data, grads

    def _guard_failed(self, position: int) -> None:
        node, op, other, outcome = self.program.guards[position]
        right = self.program.describe(other) if isinstance(other, int) else repr(other)
        raise GraphChangedError(
            f"control flow changed: while tracing, the function compared"
            f" {self.program.describe(node)} {op} {right} and got {outcome}; for these"
            f" inputs it is {not outcome}, so the function would build a different graph."
            " Compile again for these inputs."
        )
