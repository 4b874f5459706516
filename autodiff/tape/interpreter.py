"""A big tape's replay: a loop over the program instead of code generated per operation.

Generated code (:mod:`autodiff.tape.codegen`) replays fastest, but CPython takes about ten
microseconds to compile each of its lines, two or three per operation, so a program of a
million operations would wait most of a minute for its first replay. Above a size (see
:data:`~autodiff.tape.tape.INTERPRET_ABOVE`) the tape runs this interpreter instead: it is
built in one pass over the program and replays a few times slower per operation.

It computes the same floats as the generated code, from the same expressions: each
primitive's forward and partials are the very expressions :mod:`~autodiff.tape.codegen`
writes, compiled once per primitive (not per operation) into a small function of its
operands. The forward evaluates the operations in the traced order; the backward visits
nodes in the eager walk's order (:func:`~autodiff.tape.trace.walk_order`), each gradient
starting from its first term and adding the others in that order, exactly as the generated
lines do. The scalar dialect checks that every number it computed is finite (before each
guard and at the end), and raises OverflowError otherwise, so that the tape asks the eager
engine instead; the array dialect leaves that to numpy's error state, as the generated
array code does.

Example:
    >>> from autodiff import Value, compile_tape
    >>> from autodiff.tape.tape import Tape
    >>> w = Value(3.0)
    >>> generated = compile_tape(lambda x: (w * x).tanh(), [1.0], wrt=[w])
    >>> interpreted = Tape(generated.program, interpret_above=0)  # however small it is
    >>> interpreted.value_and_grad(0.5) == generated.value_and_grad(0.5)
    True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ..collector import collector_paused
from ..primitives import Primitive
from .arguments import argument
from .codegen import forward_expression, partial_expressions
from .kernels import Symbol
from .trace import COMPARISONS, Instruction, Program, walk_order

__all__ = ["Interpreter"]

_INF = math.inf


class _Kernels:
    """One compiled forward and partials function per primitive (and operand count), made
    from the expressions the generated code would write, in ``namespace``."""

    def __init__(self, dialect: str, namespace: dict[str, Any]) -> None:
        self.dialect = dialect
        self.namespace = namespace
        self._forward: dict[tuple[int, int], Callable[..., Any]] = {}
        self._partials: dict[
            tuple[int, int], tuple[Callable[..., Any] | None, tuple[Any, ...]]
        ] = {}

    def _compile(self, name: str, parameters: list[str], body: list[str]) -> Any:
        source = f"def {name}({', '.join(parameters)}):\n" + "".join(
            f"    {line}\n" for line in body
        )
        scope: dict[str, Any] = {}
        exec(compile(source, f"<autodiff tape {name}>", "exec"), self.namespace, scope)
        return scope[name]

    def forward(self, prim: Primitive, arity: int) -> Callable[..., Any]:
        key = (id(prim), arity)
        if key not in self._forward:
            names = [f"x{k}" for k in range(arity)]
            expression = forward_expression(prim, names, self.dialect)
            self._forward[key] = self._compile("forward", names, [f"return {expression}"])
        return self._forward[key]

    def partials(
        self, prim: Primitive, arity: int
    ) -> tuple[Callable[..., Any] | None, tuple[Any, ...]]:
        """A function of (operands, out) giving every partial, or None and the partials when
        they are all constant (then there is nothing to compute)."""
        key = (id(prim), arity)
        if key not in self._partials:
            names = [f"x{k}" for k in range(arity)]
            first, partials = partial_expressions(prim, names, "out", "d", self.dialect)
            if not first and not any(isinstance(p, Symbol) for p in partials):
                self._partials[key] = None, tuple(float(p) for p in partials)  # type: ignore[arg-type]
            else:
                texts = [p.text if isinstance(p, Symbol) else repr(float(p)) for p in partials]  # type: ignore[arg-type]
                body = [*first, f"return ({', '.join(texts)}{',' if len(texts) == 1 else ''})"]
                self._partials[key] = self._compile("partials", [*names, "out"], body), ()
        return self._partials[key]


def _segments(program: Program) -> tuple[list[int], list[tuple[int, list[int]]]]:
    """The guards to check before any operation, and for each node after which guards are
    checked, that node and its guards (in node order)."""
    guards_at: dict[int, list[int]] = {}
    for position, (node, _, other, _) in enumerate(program.guards):
        last = max(node, other if isinstance(other, int) else -1)
        guards_at.setdefault(last, []).append(position)
    before = [p for leaf in range(program.n_leaves) for p in guards_at.get(leaf, [])]
    stops = sorted(
        (node, positions) for node, positions in guards_at.items() if node >= program.n_leaves
    )
    return before, stops


class Interpreter:
    """A program's ``value``, ``value_and_grad`` and ``sum_over`` (see
    :func:`~autodiff.tape.codegen.generate` for what each takes and returns), run by a loop
    over compact per-operation tuples.

    Args:
        program: the traced program.
        dialect: ``"scalar"`` or ``"array"`` (not folded).
        targets: the nodes whose gradients ``value_and_grad`` returns.
        namespace: the names the dialect's expressions use (with those of user primitives).
        guard_failed: called with a guard's position when it does not hold (it raises).

    Example:
        >>> from autodiff.tape.kernels import scalar_namespace
        >>> from autodiff.tape.trace import trace
        >>> program = trace(lambda x, y: x * y + x, [1.0, 1.0], [])
        >>> Interpreter(program, "scalar", [0, 1], scalar_namespace(), print).value([2.0, 3.0])
        8.0
    """

    def __init__(
        self,
        program: Program,
        dialect: str,
        targets: list[int],
        namespace: dict[str, Any],
        guard_failed: Callable[[int], None],
    ) -> None:
        self.program = program
        self.dialect = dialect
        self.targets = targets
        self._guard_failed = guard_failed
        with collector_paused():  # a bulk build of small tuples: see autodiff/collector.py
            self._build(program, dialect, targets, namespace)

    def _build(
        self, program: Program, dialect: str, targets: list[int], namespace: dict[str, Any]
    ) -> None:
        kernels = _Kernels(dialect, namespace)
        instructions = program.instructions
        self._code = _forward_steps(kernels, instructions)
        self._before, stops = _segments(program)
        self._stops = [(node - program.n_leaves + 1, positions) for node, positions in stops]
        self._tests = [
            _guard_test(op, outcome, dialect, namespace) for _, op, _, outcome in program.guards
        ]
        self._backward, self._zero_targets = _backward_steps(program, kernels, targets)

    # --- the forward --------------------------------------------------------------------
    def _forward(self, inputs: Sequence[Any]) -> list[Any]:
        values = list(inputs)
        append = values.append
        code = self._code
        scalar = self.dialect == "scalar"
        self._check_guards(values, self._before)
        done = 0
        for end, positions in self._stops:
            _run(code, done, end, values, append)
            if scalar:
                _check_finite(values, self.program.n_leaves + done)
            done = end
            self._check_guards(values, positions)
        _run(code, done, len(code), values, append)
        if scalar:
            _check_finite(values, self.program.n_leaves + done)
        return values

    def _check_guards(self, values: list[Any], positions: list[int]) -> None:
        # Both sides are finite here in the scalar dialect: the leaves are (the tape checks
        # them), and every number computed so far was checked before the guards.
        guards = self.program.guards
        for position in positions:
            node, _, other, _ = guards[position]
            right = values[other] if isinstance(other, int) else other
            if self._tests[position](values[node], right):
                self._guard_failed(position)

    # --- the backward -------------------------------------------------------------------
    def _gradients(self, values: list[Any], seed: Any) -> list[Any]:
        grads: list[Any] = [None] * len(values)
        grads[self.program.output] = seed
        for target, a, b, partials, constants, contributions in self._backward:
            g = grads[target]
            if partials is None:
                pass
            elif b is None:
                constants = partials(*[values[i] for i in a], values[target])
            elif b < 0:
                constants = partials(values[a], values[target])
            else:
                constants = partials(values[a], values[b], values[target])
            for k, node, first in contributions:
                if first:
                    grads[node] = g * constants[k]
                else:
                    grads[node] = grads[node] + g * constants[k]
        zero = 0.0 if self.dialect == "scalar" else seed * 0.0
        return [zero if t in self._zero_targets else grads[t] for t in self.targets]

    # --- what the tape calls ------------------------------------------------------------
    def value(self, inputs: Sequence[Any]) -> Any:
        """The output at ``inputs`` (the leaves' numbers, in node order)."""
        return self._forward(inputs)[self.program.output]

    def value_and_grad(self, inputs: Sequence[Any], seed: Any) -> tuple[Any, list[Any]]:
        """The output and seed·∂output/∂target for each target."""
        values = self._forward(inputs)
        grads = self._gradients(values, seed)
        if self.dialect == "scalar" and grads and not -_INF < sum(grads) < _INF:
            raise OverflowError("gradient")
        return values[self.program.output], grads

    def sum_over(
        self, rows: Iterable[Sequence[Any]], shared: list[float], seed: float, start: list[float]
    ) -> tuple[float, list[float]]:
        """The sum of the outputs over ``rows`` of arguments, and ``start`` plus the sum of
        each target's seed·gradient, added in row order."""
        n_args = self.program.n_args
        total, sums = 0.0, list(start)
        for row in rows:
            if len(row) != n_args:
                raise ValueError(f"a row of {len(row)} arguments, the tape takes {n_args}")
            arguments = [
                x if type(x) is float and -_INF < x < _INF else argument(x, position)
                for position, x in enumerate(row)
            ]
            values = self._forward([*arguments, *shared])
            total += values[self.program.output]
            sums = [s + g for s, g in zip(sums, self._gradients(values, seed))]
        if not -_INF < sum([total, *sums]) < _INF:
            raise OverflowError("gradient")
        return total, sums

    def __getitem__(self, name: str) -> Callable[..., Any]:
        if name not in ("value", "value_and_grad", "sum_over"):
            raise KeyError(name)
        function: Callable[..., Any] = getattr(self, name)
        return function


def _forward_steps(kernels: _Kernels, instructions: Sequence[Instruction]) -> list[Any]:
    """Per operation: (forward, first operand, second operand), with -1 as the second of a
    unary one, and (forward, every operand, None) for a variadic one."""
    steps: list[tuple[Any, Any, Any]] = []
    append = steps.append
    for instruction in instructions:
        operands = instruction.operands
        forward = kernels.forward(instruction.prim, len(operands))
        arity = instruction.prim.arity
        if arity == 2:
            append((forward, operands[0], operands[1]))
        elif arity == 1:
            append((forward, operands[0], -1))
        else:
            append((forward, operands, None))
    return steps


def _run(
    code: list[tuple[Any, Any, Any]], start: int, end: int, values: list[Any], append: Any
) -> None:
    for forward, a, b in code[start:end]:
        if b is None:
            append(forward(*[values[i] for i in a]))
        elif b < 0:
            append(forward(values[a]))
        else:
            append(forward(values[a], values[b]))


def _check_finite(values: list[Any], start: int) -> None:
    # A nan or ±inf anywhere makes the sum not finite; so may an overflow of the sum of
    # finite numbers, which is told apart by looking at each.
    if -_INF < sum(values[start:]) < _INF:
        return
    for index in range(start, len(values)):
        if not -_INF < values[index] < _INF:
            raise OverflowError(f"v{index}")


def _guard_test(
    op: str, outcome: bool, dialect: str, namespace: dict[str, Any]
) -> Callable[[Any, Any], bool]:
    """Whether a guard fails: ``test(node, other) != outcome``, for every example of a batch."""
    compare: Callable[[Any, Any], Any]
    if op == "/":
        reciprocal_scale = namespace["reciprocal_scale"]
        compare = lambda y, scale: reciprocal_scale(y) == scale  # noqa: E731
    else:
        compare = COMPARISONS[op]
    if dialect == "scalar":
        return lambda left, right: compare(left, right) != outcome
    np = namespace["np"]
    if outcome:
        return lambda left, right: not np.all(compare(left, right))
    return lambda left, right: bool(np.any(compare(left, right)))


def _backward_steps(
    program: Program, kernels: _Kernels, targets: list[int]
) -> tuple[list[Any], set[int]]:
    """Per node with a gradient, in the eager walk's order: (node, operands as in
    :func:`_forward_steps`, partials function or None, constant partials, contributions as
    (operand position, operand, first term?)).
    And the targets that get no gradient (their gradient is zero)."""
    instructions = program.instructions
    n_leaves = program.n_leaves
    needed = [False] * (n_leaves + len(instructions))
    for target in targets:
        needed[target] = True
    for k, instruction in enumerate(instructions):
        for operand in instruction.operands:
            if needed[operand]:
                needed[n_leaves + k] = True
                break
    if not needed[program.output]:
        return [], set(targets)
    has = [False] * len(needed)
    has[program.output] = True
    steps: list[tuple[Any, ...]] = []
    for node in walk_order(program):
        if node < n_leaves or not has[node]:
            continue
        instruction = instructions[node - n_leaves]
        operands = instruction.operands
        contributions = []
        for k, operand in enumerate(operands):
            if needed[operand]:
                contributions.append((k, operand, not has[operand]))
                has[operand] = True
        partials, constants = kernels.partials(instruction.prim, len(operands))
        arity = instruction.prim.arity
        if arity == 2:
            steps.append((node, operands[0], operands[1], partials, constants, contributions))
        elif arity == 1:
            steps.append((node, operands[0], -1, partials, constants, contributions))
        else:
            steps.append((node, operands, None, partials, constants, contributions))
    return steps, {t for t in targets if not has[t]}
