"""Straight-line Python generated from a traced program: forward, then backward.

The source is made only from the program (primitive names, node numbers, constant
exponents and guard thresholds printed with ``repr``), never from user text. Node ``i``'s
value is the local ``v{i}``, its gradient ``g{i}``. Gradients are computed only for nodes
that lie on a path from a requested leaf to the output, and each contribution is the
rule's partial evaluated as an expression (see :class:`~autodiff.tape.kernels.Symbol`).

Three kinds of function are generated, in either dialect:

- ``value(inputs)``: the output only;
- ``value_and_grad(inputs, seed)``: the output and seed·∂output/∂leaf for the targets;
- ``sum_over(rows, shared, seed)``: loops over rows of arguments inside the generated
  code, summing outputs and seed·gradients of the targets in locals (the scalar dialect).
"""

from __future__ import annotations

from collections.abc import Iterable

from .kernels import KERNELS, Symbol
from .trace import Instruction, Program

__all__ = ["generate"]


def _kernel_name(instruction: Instruction) -> str:
    prim = instruction.prim
    if prim.exponent is not None:
        return "**int" if float(prim.exponent).is_integer() else "**n"
    return prim.name


def _forward_line(instruction: Instruction, dialect: str) -> str:
    names = [f"v{i}" for i in instruction.operands]
    kernel = KERNELS[_kernel_name(instruction)]
    template = kernel.scalar if dialect == "scalar" else kernel.array
    if template == "{+}":
        expression = " + ".join(names)
    elif template == "{dot}":
        half = len(names) // 2
        expression = " + ".join(f"{w} * {x}" for w, x in zip(names[:half], names[half:]))
    else:
        expression = template.format(*names, n=repr(instruction.prim.exponent))
    return f"v{instruction.target} = {expression}"


def _finite_check(name: str) -> str:
    # The eager engine raises on an overflowed + or *; here inf flows on, so it is caught
    # where it could vanish (a saturating op's operand) or at the output.
    return f"if not -inf < {name} < inf: raise OverflowError({name!r})"


def _forward(program: Program, dialect: str) -> list[str]:
    lines = []
    guards_at: dict[int, list[str]] = {}
    for position, (node, op, other, outcome) in enumerate(program.guards):
        right = f"v{other}" if isinstance(other, int) else repr(other)
        test = f"v{node} {op} {right}"
        if dialect == "array":
            test = f"np.all({test})" if outcome else f"np.any({test})"
        check = f"if {'not ' if outcome else ''}{test}: guard_failed({position})"
        last = max(node, other if isinstance(other, int) else -1)
        guards_at.setdefault(last, []).append(check)
    for leaf in range(program.n_leaves):
        lines += guards_at.get(leaf, [])
    for instruction in program.instructions:
        if dialect == "scalar" and KERNELS[_kernel_name(instruction)].saturates:
            lines += [_finite_check(f"v{i}") for i in instruction.operands]
        lines.append(_forward_line(instruction, dialect))
        lines += guards_at.get(instruction.target, [])
    if dialect == "scalar":
        lines.append(_finite_check(f"v{program.output}"))
    return lines


def _needs_grad(program: Program, targets: Iterable[int]) -> set[int]:
    needed = set(targets)
    for instruction in program.instructions:
        if any(i in needed for i in instruction.operands):
            needed.add(instruction.target)
    return needed


def _partials(instruction: Instruction, dialect: str) -> tuple[object, ...]:
    operands = [Symbol(f"v{i}", dialect) for i in instruction.operands]
    return tuple(instruction.prim.local_grads(*operands, Symbol(f"v{instruction.target}", dialect)))


def _contribution(g: str, partial: object) -> str | None:
    if isinstance(partial, Symbol):
        return f"{g} * {partial.text}"
    constant = float(partial)  # type: ignore[arg-type]
    if constant == 0.0:
        return None  # adds nothing (the eager engine adds an exact 0.0)
    if constant == 1.0:
        return g
    return f"{g} * {constant!r}"


def _backward(program: Program, dialect: str, targets: list[int]) -> list[str]:
    # A gradient that gets no contribution is 0, as an array of the seed's shape in the
    # array dialect (so that every gradient there has the batch's shape).
    zero = "0.0" if dialect == "scalar" else "seed * 0.0"
    needed = _needs_grad(program, targets)
    if program.output not in needed:
        return [f"g{t} = {zero}" for t in targets]
    started = {program.output}
    lines = [f"g{program.output} = seed"]
    for instruction in reversed(program.instructions):
        if instruction.target not in started:
            continue  # no path to the output (a node only a guard looks at)
        g = f"g{instruction.target}"
        for operand, partial in zip(instruction.operands, _partials(instruction, dialect)):
            term = _contribution(g, partial) if operand in needed else None
            if term is None:
                continue
            if operand not in started:
                lines.append(f"g{operand} = {term}")
            else:
                # Not +=: in the array dialect that would add in place into an array that
                # other gradients share (g1 = g0 binds the same array).
                lines.append(f"g{operand} = g{operand} + {term}")
            started.add(operand)
    lines += [f"g{t} = {zero}" for t in targets if t not in started]
    return lines


def _unpack(names: list[str], source: str) -> str:
    if not names:
        return "pass"
    return f"{', '.join(names)}{',' if len(names) == 1 else ''} = {source}"


def generate(program: Program, dialect: str, targets: list[int]) -> str:
    """The module source defining ``value``, ``value_and_grad`` and ``sum_over``."""
    leaves = [f"v{i}" for i in range(program.n_leaves)]
    forward = _forward(program, dialect)
    backward = _backward(program, dialect, targets)
    out = f"v{program.output}"
    grads = ", ".join(f"g{t}" for t in targets)
    body = ["def value(inputs):", f"    {_unpack(leaves, 'inputs')}"]
    body += [f"    {line}" for line in forward] + [f"    return {out}", ""]
    body += ["def value_and_grad(inputs, seed):", f"    {_unpack(leaves, 'inputs')}"]
    body += [f"    {line}" for line in forward + backward]
    body += [f"    return {out}, [{grads}]", ""]
    args, shared = leaves[: program.n_args], leaves[program.n_args :]
    sums = [f"s{t}" for t in targets]
    body += ["def sum_over(rows, shared, seed):", f"    {_unpack(shared, 'shared')}"]
    body += [f"    total = 0.0{''.join(f'; {s} = 0.0' for s in sums)}"]
    body += [f"    for {', '.join(args) or '_'}{',' if len(args) == 1 else ''} in rows:"]
    body += [f"        {line}" for line in forward + backward]
    body += [f"        total += {out}"] + [f"        {s} += g{t}" for s, t in zip(sums, targets)]
    body += [f"    return total, [{', '.join(sums)}]", ""]
    return "\n".join(body)
