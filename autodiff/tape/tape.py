"""`compile_tape`: trace a function of Values once, then replay it for new numbers.

The replay runs generated straight-line code (see :mod:`autodiff.tape.codegen`): no Value
or other object is made per node, so forward and backward cost about what hand-written
float code costs. With numpy installed (the ``fast`` extra), the same program runs on whole
batches, one array element per example.

A one-example replay gives the eager engine's floats: ``tape.value_and_grad(*args)`` is what
``out = f(*[Value(a) for a in args]); out.data, grad(out, inputs + wrt)`` gives, number for
number, or it raises what that raises. The generated code computes with the engine's own
kernels in the engine's order; whenever it raises or meets a number that is not finite, the
call is evaluated again through the eager engine itself (:meth:`Tape.interpret`), which
then raises exactly what eager code raises (or, where only the inline arithmetic failed,
returns the eager result).
"""

from __future__ import annotations

import builtins
import linecache
import math
from collections.abc import Callable, Iterable, Sequence
from itertools import count
from typing import Any

from ..backward import GradientOverflow, gradients
from ..collector import collector_paused
from ..value import Value, apply, reciprocal_scale
from .arguments import GraphChangedError, argument, plain, seed_of
from .batch import Replay, as_rows, run_batch
from .codegen import generate
from .interpreter import Interpreter
from .kernels import array_namespace, kernel_functions, scalar_namespace
from .trace import COMPARISONS, Program, trace

__all__ = ["INTERPRET_ABOVE", "GraphChangedError", "Tape", "compile_tape"]

_FALLBACK = (ArithmeticError, ValueError, TypeError)


def _divides_alike(y: float, scale: float) -> bool:
    """Whether division by ``y`` scales it by ``scale``, as it did while tracing (a ``"/"``
    guard: see :class:`~autodiff.tape.trace.Program`)."""
    return reciprocal_scale(y) == scale


_COMPARE = {**COMPARISONS, "/": _divides_alike}
_INF = math.inf
_serial = count()

INTERPRET_ABOVE = 20_000
"""Programs of more operations than this replay through :mod:`autodiff.tape.interpreter`
instead of generated code: CPython takes about 20 µs per operation to compile the generated
code (seconds for 100,000 operations), while the interpreter is ready in about one
microsecond per operation and replays a few times slower."""


def compile_tape(
    f: Callable[..., Value],
    example: Sequence[float],
    *,
    wrt: Sequence[Value] = (),
    interpret_above: int | None = None,
) -> Tape:
    """Trace ``f`` once at ``example`` and return a :class:`Tape` that replays it.

    Args:
        f: takes one Value per number of ``example`` and returns a Value.
        example: numbers to trace at (any values on the branches ``f`` will take).
        wrt: leaf Values that ``f`` reaches through its closure, such as a model's
            parameters, each listed once. Replays read their current ``.data`` and compute
            their gradients. Every other leaf ``f`` reaches (constants, captured Values) is
            read afresh too, but gets no gradient.
        interpret_above: replay through the interpreter instead of generated code when
            ``f`` makes more operations than this (default :data:`INTERPRET_ABOVE`): the
            same floats, ready at once, slower per replay.

    Raises:
        TraceError: ``f`` cannot be replayed faithfully (see :mod:`autodiff.tape.observe`).

    Example:
        >>> from autodiff import Value, compile_tape
        >>> w = Value(0.5, label="w")
        >>> tape = compile_tape(lambda x: (w * x).tanh(), [1.0], wrt=[w])
        >>> value, (dx, dw) = tape.value_and_grad(2.0)
        >>> eager = (w * 2.0).tanh()
        >>> eager.backward()
        >>> value == eager.data, dw == w.grad
        (True, True)
    """
    with collector_paused():  # tracing and compiling a big graph: see autodiff/collector.py
        return Tape(trace(f, example, wrt), interpret_above=interpret_above)


def _gradients(output: Value, seed: float, inputs: list[Value]) -> list[float]:
    """grad·∂output/∂input for each input, as ``autodiff.grad`` computes them (the same walk,
    seeded with ``seed``), refusing a gradient that overflowed as it does."""
    grads = gradients(output, inputs, seed)
    for position, g in enumerate(grads):
        if not -_INF < g < _INF:
            raise OverflowError(
                f"grad: the derivative with respect to input {position} would be {g!r}:"
                " a product of derivatives overflows a float"
            )
    return grads


class _LazyCode:
    """The functions of one piece of generated scalar code, each compiled on first use.

    Example:
        >>> from autodiff import compile
        >>> tape = compile(lambda x: x * x, [3.0])
        >>> sorted(tape._scalar.compiled), tape(4.0), sorted(tape._scalar.compiled)
        ([], 16.0, ['value'])
    """

    def __init__(self, tape: Tape, make_source: Callable[[], str]) -> None:
        self._tape = tape
        self._make_source = make_source
        self._source: str | None = None
        self._namespace = scalar_namespace()
        self.compiled: dict[str, Any] = {}

    @property
    def source(self) -> str:
        if self._source is None:
            self._source = self._make_source()
        return self._source

    def __getitem__(self, name: str) -> Any:
        if name not in self.compiled:
            source = self.source
            start = source.index(f"def {name}(")
            end = source.find("\ndef ", start)
            chunk = source[start:] if end < 0 else source[start : end + 1]
            self.compiled[name] = self._tape._load(chunk, self._namespace)[name]
        return self.compiled[name]


class _LazyInterpreter:
    """The scalar functions of a program run by :class:`~autodiff.tape.interpreter.Interpreter`
    (made on first use), and the code it would otherwise generate, for reading.

    Example:
        >>> from autodiff import compile
        >>> tape = compile(lambda x: x * x, [3.0])
        >>> _LazyInterpreter(tape, [0])["value_and_grad"]([4.0], 1.0)
        (16.0, [8.0])
    """

    def __init__(self, tape: Tape, targets: list[int]) -> None:
        self._tape = tape
        self._targets = targets
        self._source: str | None = None
        self._interpreter: Interpreter | None = None

    @property
    def source(self) -> str:
        if self._source is None:
            self._source = generate(self._tape.program, "scalar", self._targets)
        return self._source

    def __getitem__(self, name: str) -> Any:
        if self._interpreter is None:
            tape = self._tape
            namespace = {**scalar_namespace(), **tape._functions}
            self._interpreter = Interpreter(
                tape.program, "scalar", self._targets, namespace, tape._guard_failed
            )
        return self._interpreter[name]


class Tape:
    """A traced program with generated forward and backward code.

    A program of more than ``interpret_above`` operations replays through
    :mod:`autodiff.tape.interpreter` (ready at once, slower per replay) instead of generated
    code (see :data:`INTERPRET_ABOVE`); both give the same floats.

    Attributes:
        program: what was traced (leaves, instructions, guards).
        source: the generated scalar code, for reading.
        interpreted: whether replays run through the interpreter instead of that code.

    Example:
        >>> from autodiff import Value, compile
        >>> w = Value(3.0)
        >>> tape = compile(lambda x: w * x * x, [2.0], wrt=[w])
        >>> tape
        Tape(1 args, 1 wrt, 2 operations, 0 guards)
        >>> tape(2.0), tape(5.0)  # w·x² at x = 2 and x = 5
        (12.0, 75.0)
    """

    def __init__(self, program: Program, *, interpret_above: int | None = None) -> None:
        self.program = program
        limit = INTERPRET_ABOVE if interpret_above is None else interpret_above
        self.interpreted = len(program.instructions) > limit
        n_inputs = program.n_args + len(program.wrt)
        self._every = list(range(n_inputs))
        self._params = list(range(program.n_args, n_inputs))
        self._leaves = program.wrt + program.constants
        # The forward and partials of user-defined primitives, which their kernels call.
        prims = {id(ins.prim): ins.prim for ins in program.instructions}
        self._functions = kernel_functions(prims.values())
        # Each generated function is compiled the first time it is called: compiling is most
        # of the cost of a big tape, and most uses need one or two of the six.
        every, params = self._every, self._params
        self._scalar: _LazyCode | _LazyInterpreter
        self._scalar_params: _LazyCode | _LazyInterpreter
        if self.interpreted:
            self._scalar = _LazyInterpreter(self, every)
            self._scalar_params = _LazyInterpreter(self, params)
        else:
            self._scalar = _LazyCode(self, lambda: generate(program, "scalar", every))
            self._scalar_params = _LazyCode(self, lambda: generate(program, "scalar", params))
        self._array: dict[tuple[bool, bool], dict[str, Any]] = {}

    @property
    def source(self) -> str:
        """The generated scalar code, for reading (made on first use).

        Example:
            >>> from autodiff import compile
            >>> print(compile(lambda x: x * x, [3.0]).source.splitlines()[0])
            def value(inputs):
        """
        return self._scalar.source

    def __repr__(self) -> str:
        p = self.program
        return (
            f"Tape({p.n_args} args, {len(p.wrt)} wrt, {len(p.instructions)} operations,"
            f" {len(p.guards)} guards)"
        )

    def _load(self, source: str, namespace: dict[str, Any]) -> dict[str, Any]:
        filename = f"<autodiff tape {next(_serial)}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        namespace.update(self._functions)
        namespace["guard_failed"] = self._guard_failed
        namespace["argument"] = argument
        exec(builtins.compile(source, filename, "exec"), namespace)
        return namespace

    def _arguments(self, args: Sequence[Any]) -> list[float]:
        if len(args) != self.program.n_args:
            raise TypeError(f"the tape takes {self.program.n_args} arguments, got {len(args)}")
        return [
            x if type(x) is float and -_INF < x < _INF else argument(x, position)
            for position, x in enumerate(args)
        ]

    def _shared(self) -> list[Any]:
        return [v.data for v in self._leaves]

    # --- one example ------------------------------------------------------------------------
    def __call__(self, *args: float) -> float:
        """The traced function's value at ``args``.

        Example:
            >>> from autodiff import Value, compile
            >>> tape = compile(lambda x, y: x * y + x, [1.0, 1.0])
            >>> tape(2.0, 3.0) == (Value(2.0) * 3.0 + 2.0).data
            True
        """
        arguments, shared = self._arguments(args), self._shared()
        if plain(shared):
            try:
                return self._scalar["value"]([*arguments, *shared])
            except GraphChangedError:
                raise
            except _FALLBACK:
                pass
        return self.interpret(arguments, 1.0, [])[0]

    def value_and_grad(self, *args: float, grad: float = 1.0) -> tuple[float, list[float]]:
        """The value at ``args`` and grad·∂value/∂input for each argument, then each wrt.

        Example:
            >>> from autodiff import Value, compile
            >>> w = Value(3.0)
            >>> tape = compile(lambda x: w * x * x, [1.0], wrt=[w])
            >>> tape.value_and_grad(2.0)  # w·x², ∂/∂x = 2wx, ∂/∂w = x²
            (12.0, [12.0, 4.0])
            >>> w.grad  # unlike backward, it leaves .grad alone
            0.0
        """
        arguments, shared, seed = self._arguments(args), self._shared(), seed_of(grad)
        if plain(shared):
            try:
                value, grads = self._scalar["value_and_grad"]([*arguments, *shared], seed)
            except GraphChangedError:
                raise
            except _FALLBACK:
                pass
            else:
                return value, grads
        return self.interpret(arguments, seed, self._every)

    def backward(self, *args: float, grad: float = 1.0) -> float:
        """Add grad·∂value/∂w into ``.grad`` of every wrt Value, as ``Value.backward`` does;
        return the value. On an error no ``.grad`` changes.

        Example:
            >>> from autodiff import Value, compile
            >>> w = Value(3.0)
            >>> tape = compile(lambda x: w * x * x, [1.0], wrt=[w])
            >>> tape.backward(2.0), w.grad
            (12.0, 4.0)
            >>> tape.backward(1.0), w.grad  # accumulated: 4 + 1
            (3.0, 5.0)
        """
        value, grads = self.value_and_grad(*args, grad=grad)
        self._store(grads[self.program.n_args :])
        return value

    def backward_sum(self, rows: Iterable[Sequence[float]], grad: float = 1.0) -> float:
        """For each row of arguments, add grad·∂value/∂w into every wrt ``.grad``, in row
        order, as one ``backward`` per row would; return the sum of the values. The loop
        over rows runs inside the generated code. On an error no ``.grad`` changes.

        Example:
            >>> from autodiff import Value, compile
            >>> w = Value(3.0)
            >>> tape = compile(lambda x: w * x * x, [1.0], wrt=[w])
            >>> tape.backward_sum([[1.0], [2.0]]), w.grad
            (15.0, 5.0)
        """
        rows, seed, shared = list(rows), seed_of(grad), self._shared()
        start = [value.grad for value in self.program.wrt]
        if plain(shared):
            try:
                total, sums = self._scalar_params["sum_over"](rows, shared, seed, start)
            except GraphChangedError:
                raise
            except _FALLBACK:
                pass
            else:
                self._store(sums, added=True)
                return total
        total, grads = 0.0, []
        for row in rows:
            value, row_grads = self.interpret(self._arguments(row), seed, self._params)
            total += value
            grads.append(row_grads)
        sums = start
        for row_grads in grads:
            sums = [s + g if s else g for s, g in zip(sums, row_grads)]
        self._store(sums, added=True)
        return total

    def _store(self, grads: Sequence[float], added: bool = False) -> None:
        """Set every wrt ``.grad`` to its ``.grad`` + grad (or to ``grads``, already
        ``added``), all or none: a total that is not finite raises before any is written."""
        wrt = self.program.wrt
        totals = list(grads) if added else [v.grad + g if v.grad else g for v, g in zip(wrt, grads)]
        if not -_INF < sum(totals) < _INF:  # a nan or ±inf among them, or a large sum
            for value, total in zip(wrt, totals):
                if not -_INF < total < _INF:
                    raise GradientOverflow(
                        f"backward: the gradient of {value!r} would be {total!r}:"
                        " a product of derivatives overflows a float (no .grad was changed)"
                    )
        for value, total in zip(wrt, totals):
            value.grad = total

    # --- a batch ----------------------------------------------------------------------------
    def batch_value_and_grad(
        self, *columns: Any, grad: float = 1.0, fold_layers: bool = False
    ) -> tuple[Any, list[Any]]:
        """Evaluate a whole batch at once: one numpy array per argument (one element per
        example). Returns the values (an array) and the gradients: an array per argument
        (per example) and, for each wrt Value, the sum over the batch in example order.

        Each example's numbers come from the same operations in the same order as a
        one-example replay; only numpy's kernels for exp, log, tanh, sin, cos and powers
        may differ from the ``math`` module's in the last bits (see docs/performance.md).
        ``fold_layers=True`` computes a network's layers as matrix products instead: faster,
        but it reorders sums, so results differ from eager by rounding.

        Needs numpy (``pip install autodiff-course[fast]``).

        Example:
            >>> import numpy as np
            >>> from autodiff import Value, compile
            >>> w = Value(3.0)
            >>> tape = compile(lambda x: w * x * x, [1.0], wrt=[w])
            >>> values, (x_grads, w_grad) = tape.batch_value_and_grad(np.array([1.0, 2.0]))
            >>> values.tolist(), x_grads.tolist(), w_grad  # ∂/∂w summed: 1 + 4
            ([3.0, 12.0], [6.0, 12.0], 5.0)
        """
        return run_batch(self._replay(), columns, seed_of(grad), fold_layers=fold_layers)

    def batch_backward(self, *columns: Any, grad: float = 1.0, fold_layers: bool = False) -> Any:
        """Add grad·∂valueₖ/∂w for every example k, in example order, into every wrt
        ``.grad``; return the values. On an error no ``.grad`` changes.

        Example:
            >>> from autodiff import Value, compile
            >>> w = Value(3.0)
            >>> tape = compile(lambda x: w * x * x, [1.0], wrt=[w])
            >>> tape.batch_backward([1.0, 2.0]).tolist(), w.grad
            ([3.0, 12.0], 5.0)
        """
        # Folded sums are in another order anyway: no need to start them from .grad.
        start = None if fold_layers else [value.grad for value in self.program.wrt]
        values, grads = run_batch(
            self._replay(),
            columns,
            seed_of(grad),
            args_grads=False,
            fold_layers=fold_layers,
            start=start,
        )
        self._store(grads, added=start is not None)
        return values

    def _replay(self) -> Replay:
        every = self._every
        return Replay(
            self.program,
            self._shared(),
            self.array_code,
            lambda row, seed: self.interpret(row, seed, every),
        )

    def array_code(self, args_grads: bool = True, fold_layers: bool = False) -> dict[str, Any]:
        """The batch dialect's generated functions, with or without the arguments'
        gradients, with or without layers folded (made on first use).

        Example:
            >>> import numpy as np
            >>> from autodiff import compile
            >>> tape = compile(lambda x: x * x, [1.0])
            >>> code = tape.array_code()
            >>> code["value"]([np.array([2.0, 3.0])]).tolist()
            [4.0, 9.0]
        """
        key = (args_grads, fold_layers)
        if key not in self._array:
            targets = self._every if args_grads else self._params
            if self.interpreted and not fold_layers:
                namespace = {**array_namespace(), **self._functions}
                interpreter = Interpreter(
                    self.program, "array", targets, namespace, self._guard_failed
                )
                self._array[key] = {
                    "value": interpreter.value,
                    "value_and_grad": as_rows(interpreter.value_and_grad),
                }
            else:
                source = generate(self.program, "array", targets, fold_layers)
                self._array[key] = self._load(source, array_namespace())
        return self._array[key]

    def to_torch(self, dtype: Any = None, device: Any = None, checked: bool = True) -> Any:
        """The traced function as a ``torch.nn.Module``, batched over a tensor dimension:
        ``module(*columns)`` gives one value per example (on a GPU with ``device="cuda"``).

        The wrt Values are the module's parameters (named by their labels), for PyTorch's
        autograd and optimizers; the numbers are those of the numpy batch
        (:meth:`batch_value_and_grad`), equal to eager to rounding. Where the eager engine
        would raise (a log of a negative number, an overflow) the module raises too, naming
        the operation, unless ``checked=False``. See :mod:`autodiff.tape.torch_export`.

        Raises:
            ModuleNotFoundError: torch is not installed.
            TypeError: ``dtype`` is not a floating-point torch dtype.
            ValueError: the tape uses a primitive defined with :func:`autodiff.primitive`
                (its code runs on numbers, not tensors).

        Example:
            >>> import torch
            >>> from autodiff import Value, compile_tape
            >>> w = Value(3.0, label="w")
            >>> module = compile_tape(lambda x: w * x * x, [1.0], wrt=[w]).to_torch()
            >>> cost = module(torch.tensor([1.0, 2.0], dtype=torch.float64)).sum()
            >>> cost.backward()
            >>> cost.item(), module.w.grad.item()  # ∂/∂w of 3·1 + 3·4
            (15.0, 5.0)
        """
        from .torch_export import torch_module

        return torch_module(self, dtype, device, checked)

    # --- the reference --------------------------------------------------------------------------
    def interpret(
        self, arguments: Sequence[float], grad: Any, targets: list[int]
    ) -> tuple[float, list[Any]]:
        """Evaluate one example through the eager engine (Values and :func:`autodiff.grad`),
        on the wrt and constant Values themselves: the reference the generated code is
        checked against, and its fallback. ``targets`` are node numbers (arguments, wrt).

        Example:
            >>> from autodiff import Value, compile
            >>> w = Value(3.0)
            >>> tape = compile(lambda x: w * x * x, [1.0], wrt=[w])
            >>> tape.interpret([2.0], 1.0, [0, 1]) == tape.value_and_grad(2.0)
            True
        """
        nodes = [Value(x) for x in arguments] + list(self._leaves)
        guards_at: dict[int, list[int]] = {}
        for position, (left, _, other, _) in enumerate(self.program.guards):
            last = max(left, other if isinstance(other, int) else -1)
            guards_at.setdefault(last, []).append(position)
        for position in [p for last in range(len(nodes)) for p in guards_at.get(last, [])]:
            self._check_guard(nodes, position)
        for instruction in self.program.instructions:
            nodes.append(apply(instruction.prim, [nodes[i] for i in instruction.operands]))
            for position in guards_at.get(instruction.target, []):
                self._check_guard(nodes, position)
        output = nodes[self.program.output]
        if not targets:
            return output.data, []
        return output.data, _gradients(output, grad, [nodes[t] for t in targets])

    def _check_guard(self, nodes: list[Value], position: int) -> None:
        left, op, other, outcome = self.program.guards[position]
        right = nodes[other].data if isinstance(other, int) else other
        if _COMPARE[op](nodes[left].data, right) != outcome:
            self._guard_failed(position)

    def _guard_failed(self, position: int) -> None:
        node, op, other, outcome = self.program.guards[position]
        if op == "/":
            traced = (
                "whose reciprocal is a normal float"
                if other == 1.0
                else f"scaled by {other!r} (its reciprocal is not a normal float)"
            )
            raise GraphChangedError(
                f"division changed: while tracing, the function divided by"
                f" {self.program.describe(node)}, {traced}; for these inputs the division"
                " scales that divisor differently, so the function would build a different"
                " graph. Compile again for these inputs."
            )
        right = self.program.describe(other) if isinstance(other, int) else repr(other)
        raise GraphChangedError(
            f"control flow changed: while tracing, the function compared"
            f" {self.program.describe(node)} {op} {right} and got {outcome}; for these"
            f" inputs it is {not outcome}, so the function would build a different graph."
            " Compile again for these inputs."
        )
