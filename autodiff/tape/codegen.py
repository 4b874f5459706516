"""Straight-line Python generated from a traced program: forward, then backward.

The source is made only from the program (primitive names, node numbers, constant
exponents and guard thresholds printed with ``repr``), never from user text. Node ``i``'s
value is the local ``v{i}``, its gradient ``g{i}`` (or the name of the gradient it equals:
a gradient handed on unchanged, as through ``+``, is not copied). Gradients are computed
only for nodes that lie on a path from a requested leaf to the output, and each
contribution is the rule's partial evaluated as an expression (see
:class:`~autodiff.tape.kernels.Symbol`).

The forward pass evaluates every operation in the order the traced function made them; the
backward pass visits nodes in the eager walk's order (:func:`~autodiff.tape.trace.walk_order`)
and adds each node's contributions in that order, so each gradient is the same sum, added in
the same order, as the eager engine's. With ``fold_layers`` (array dialect only) a network's
layers become matrix products instead (:mod:`autodiff.tape.folding`), which reorders sums.

Three kinds of function are generated:

- ``value(inputs)``: the output only;
- ``value_and_grad(inputs, seed)``: the output and seed·∂output/∂leaf for the targets (in
  the array dialect, its operations stacked: :mod:`autodiff.tape.stacking`);
- ``sum_over(rows, shared, seed, start)``: loops over rows of arguments inside the generated
  code, summing outputs and seed·gradients of the targets in locals that start at ``start``
  (the scalar dialect only).

The scalar dialect raises OverflowError where a number that is not finite could otherwise
vanish or be returned; the tape then asks the eager engine (see :mod:`autodiff.tape.tape`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from ..primitives import Primitive
from .folding import FoldedLayer, FoldPlan, plan_layers
from .kernels import Symbol
from .stacking import stack_lines
from .trace import Instruction, Program, walk_order

__all__ = ["forward_expression", "generate", "partial_expressions"]


def forward_expression(
    prim: Primitive, names: list[str], dialect: str, folding: bool = False
) -> str:
    """``prim`` applied to the variables ``names`` as an expression of ``dialect``."""
    kernel = prim.kernel
    template = kernel.scalar if dialect == "scalar" else kernel.array
    if folding and kernel.folded:
        template = kernel.folded
    # Sums start from 0.0 and add left to right, as the engine's sum and dot do.
    if template == "{+}":
        return " + ".join(["0.0", *names])
    if template == "{dot}":
        half = len(names) // 2
        products = [f"{w} * {x}" for w, x in zip(names[:half], names[half:])]
        return " + ".join(["0.0", *products])
    return template.format(*names, n=repr(prim.exponent))


def _forward_line(instruction: Instruction, dialect: str, folding: bool = False) -> str:
    names = [f"v{i}" for i in instruction.operands]
    expression = forward_expression(instruction.prim, names, dialect, folding)
    return f"v{instruction.target} = {expression}"


def _finite_check(name: str) -> str:
    # The eager engine raises on an overflowed + or *; here inf flows on, so it is caught
    # where it could vanish (a saturating op's operand, a guard, a result nothing uses) or
    # at the output.
    return f"if not -inf < {name} < inf: raise OverflowError({name!r})"


def _guards_at(program: Program, dialect: str) -> dict[int, list[str]]:
    """Each guard's check, keyed by the node after which both its sides are known."""
    guards_at: dict[int, list[str]] = {}
    for position, (node, op, other, outcome) in enumerate(program.guards):
        right = f"v{other}" if isinstance(other, int) else repr(other)
        test = f"v{node} {op} {right}"
        if op == "/":  # the path of a division by node: the same scale as traced
            test = f"reciprocal_scale(v{node}) == {right}"
        lines = []
        if dialect == "array":
            test = f"np.all({test})" if outcome else f"np.any({test})"
        else:
            sides = [node, other] if isinstance(other, int) else [node]
            lines += [_finite_check(f"v{side}") for side in sides]
        lines.append(f"if {'not ' if outcome else ''}{test}: guard_failed({position})")
        last = max(node, other if isinstance(other, int) else -1)
        guards_at.setdefault(last, []).extend(lines)
    return guards_at


def _layer_forward(layer: FoldedLayer, k: int) -> list[str]:
    weights = ", ".join("(" + ", ".join(f"v{w}" for w in row) + ",)" for row in layer.weights)
    lines = [
        f"X{k} = np.stack(({', '.join(f'v{x}' for x in layer.inputs)},))",
        f"W{k} = np.array(({weights},))",
        f"Z{k} = W{k} @ X{k}",
    ]
    if layer.biases:
        column = ", ".join(f"(v{rests[0]},)" for rests in layer.rests)
        lines.insert(-1, f"B{k} = np.array(({column},))")
        lines[-1] += f" + B{k}"
        return lines + [f"v{root} = Z{k}[{i}]" for i, root in enumerate(layer.roots)]
    for i, (root, rests) in enumerate(zip(layer.roots, layer.rests)):
        lines.append(f"v{root} = {' + '.join([f'Z{k}[{i}]', *(f'v{r}' for r in rests)])}")
    return lines


def _unused(program: Program) -> set[int]:
    """Operations whose result nothing uses: no operation, guard or the output."""
    used = Counter(i for ins in program.instructions for i in ins.operands)
    used.update(node for node, *_ in program.guards)
    return {ins.target for ins in program.instructions if not used[ins.target]} - {program.output}


def _forward(program: Program, dialect: str, plan: FoldPlan) -> list[str]:
    guards_at = _guards_at(program, dialect)
    unused = _unused(program) if dialect == "scalar" else set()
    lines = []
    for leaf in range(program.n_leaves):
        lines += guards_at.get(leaf, [])
    for instruction in program.instructions:
        target = instruction.target
        if target in plan.emit_at:
            layer = plan.emit_at[target]
            lines += _layer_forward(layer, plan.layers.index(layer))
            for root in layer.roots:
                lines += guards_at.get(root, [])
            continue
        if target in plan.folded or target in plan.roots:
            continue
        if dialect == "scalar" and instruction.prim.kernel.saturates:
            lines += [_finite_check(f"v{i}") for i in instruction.operands]
        lines.append(_forward_line(instruction, dialect, bool(plan.layers)))
        if target in unused:
            lines.append(_finite_check(f"v{target}"))
        lines += guards_at.get(target, [])
    if dialect == "scalar":
        lines.append(_finite_check(f"v{program.output}"))
    return lines


def _needs_grad(program: Program, targets: Iterable[int]) -> set[int]:
    needed = set(targets)
    for instruction in program.instructions:
        if any(i in needed for i in instruction.operands):
            needed.add(instruction.target)
    return needed


def partial_expressions(
    prim: Primitive, names: list[str], out: str, rule_result: str, dialect: str
) -> tuple[list[str], tuple[object, ...]]:
    """The lines to run first, and the partials of ``prim`` at operands ``names`` and result
    ``out`` as expressions (a :class:`Symbol`, or a constant number). A user-defined
    primitive's rule is called (all its partials at once, into ``rule_result``); every
    other rule is evaluated on symbols, which writes its partials out."""
    template = prim.kernel.partials[dialect == "array"]
    if template:
        call = template.format(*names, out=out)
        partials = [Symbol(f"{rule_result}[{k}]", dialect) for k in range(len(names))]
        return [f"{rule_result} = {call}"], tuple(partials)
    operands = [Symbol(name, dialect) for name in names]
    return [], tuple(prim.local_grads(*operands, Symbol(out, dialect)))


def _partials(instruction: Instruction, dialect: str) -> tuple[list[str], tuple[object, ...]]:
    target = instruction.target
    names = [f"v{i}" for i in instruction.operands]
    return partial_expressions(instruction.prim, names, f"v{target}", f"d{target}", dialect)


def _contribution(g: str, partial: object) -> str:
    if isinstance(partial, Symbol):
        return f"{g} * {partial.text}"
    constant = float(partial)  # type: ignore[arg-type]
    if constant == 1.0:
        return g
    # Also a zero partial: the engine multiplies it, and an overflowed g times 0.0 is nan.
    return f"{g} * {constant!r}"


class _Gradients:
    """The backward lines being written, and which gradients have a first term yet.

    A gradient whose first term is another gradient as it is (the partial is 1) is not
    copied into a variable of its own: ``name`` gives the variable that holds it. A
    one-example replay spends much of its time on such copies otherwise (every ``+``
    hands its gradient on unchanged), and a name stands for the very same float.

    With ``summed`` (the folded array code) a ``wrt`` leaf is one number shared by the whole
    batch, so its gradient is kept as the sum over the batch: terms are summed as they come.
    """

    def __init__(self, output: int, needed: set[int], summed: range) -> None:
        self.lines: list[str] = []
        self.names = {output: "seed"}
        self.needed = needed
        self.summed = summed

    def name(self, node: int) -> str:
        """The variable holding ``node``'s gradient (one that has its first term)."""
        return self.names[node]

    def add(self, node: int, term: str, *, already_summed: bool = False) -> None:
        if node not in self.needed:
            return
        if node in self.summed and not already_summed:
            term = f"({term}).sum()"
        if node not in self.names and term.isidentifier():
            self.names[node] = term  # the same float (or array) as that gradient
            return
        if node not in self.names:
            self.lines.append(f"g{node} = {term}")
        else:
            # Not +=: in the array dialect that would add in place into an array that
            # other gradients share (a name may stand for another gradient's array).
            self.lines.append(f"g{node} = {self.names[node]} + {term}")
        self.names[node] = f"g{node}"


def _layer_backward(layer: FoldedLayer, k: int, grads: _Gradients, zero: str) -> None:
    rows = [grads.name(r) if r in grads.names else zero for r in layer.roots]
    grads.lines.append(f"G{k} = np.stack(({', '.join(rows)},))")
    if any(x in grads.needed for x in layer.inputs):
        grads.lines.append(f"GX{k} = W{k}.T @ G{k}")
        for j, x in enumerate(layer.inputs):
            grads.add(x, f"GX{k}[{j}]")
    if any(w in grads.needed for row in layer.weights for w in row):
        # Weights are shared by the batch: one product gives every weight's batch sum.
        grads.lines.append(f"GW{k} = G{k} @ X{k}.T")
        for i, row in enumerate(layer.weights):
            for j, w in enumerate(row):
                grads.add(w, f"GW{k}[{i}, {j}]", already_summed=w in grads.summed)
    if layer.biases and any(rests[0] in grads.needed for rests in layer.rests):
        grads.lines.append(f"GB{k} = G{k}.sum(axis=1)")
        for i, rests in enumerate(layer.rests):
            grads.add(rests[0], f"GB{k}[{i}]", already_summed=rests[0] in grads.summed)
        return
    for root, rests in zip(layer.roots, layer.rests):
        if root in grads.names:
            for rest in rests:
                grads.add(rest, grads.name(root))


def _backward(
    program: Program, dialect: str, targets: list[int], plan: FoldPlan
) -> tuple[list[str], list[str]]:
    """The backward lines, and the variable that holds each target's gradient after them."""
    zero = "0.0" if dialect == "scalar" else "seed * 0.0"
    folding = bool(plan.layers)
    summed = range(program.n_args, program.n_args + len(program.wrt)) if folding else range(0)

    def zeros(nodes: Iterable[int]) -> list[str]:
        # No contribution: 0, of the batch's shape in the array dialect (unless summed).
        return [f"g{t} = {'0.0' if t in summed else zero}" for t in nodes]

    needed = _needs_grad(program, targets)
    if program.output not in needed:
        return zeros(targets), [f"g{t}" for t in targets]
    grads = _Gradients(program.output, needed, summed)
    by_target = {ins.target: ins for ins in program.instructions}
    order = (
        [ins.target for ins in reversed(program.instructions)] if folding else walk_order(program)
    )
    for target in order:
        instruction = by_target.get(target)
        if instruction is None:
            continue
        if target in plan.emit_at:
            layer = plan.emit_at[target]
            if any(root in grads.names for root in layer.roots):
                _layer_backward(layer, plan.layers.index(layer), grads, zero)
            continue
        if target not in grads.names or target in plan.folded or target in plan.roots:
            continue  # folded into a layer, or no path to the output (only a guard's)
        g = grads.name(target)
        first, partials = _partials(instruction, dialect)
        grads.lines += first
        for operand, partial in zip(instruction.operands, partials):
            grads.add(operand, _contribution(g, partial))
    lines = grads.lines + zeros(t for t in targets if t not in grads.names)
    return lines, [grads.names.get(t, f"g{t}") for t in targets]


def _unpack(names: list[str], source: str) -> str:
    if not names:
        return "pass"
    return f"{', '.join(names)}{',' if len(names) == 1 else ''} = {source}"


def _checked_arguments(program: Program) -> list[str]:
    # Each row's numbers become floats, and are refused, as Value() refuses them. A used
    # argument that is not finite needs no check of its own: like any such number it is
    # caught where it could vanish, and the eager engine then refuses it.
    used = {i for ins in program.instructions for i in ins.operands} | {program.output}
    for node, _, other, _ in program.guards:
        used.update([node, other] if isinstance(other, int) else [node])
    return [
        f"if type(v{i}) is not float: v{i} = argument(v{i}, {i})"
        if i in used
        else f"if not (type(v{i}) is float and -inf < v{i} < inf): v{i} = argument(v{i}, {i})"
        for i in range(program.n_args)
    ]


def _finite_sum_check(names: list[str]) -> list[str]:
    # A nan or ±inf among them makes the sum non-finite (so does an overflow of the sum
    # itself: then the tape just asks the eager engine, which gives the same numbers).
    if not names:
        return []
    return [f"if not -inf < {' + '.join(names)} < inf: raise OverflowError('gradient')"]


def generate(
    program: Program,
    dialect: str,
    targets: list[int],
    fold_layers: bool = False,
    stacked: bool = True,
) -> str:
    """The module source defining ``value``, ``value_and_grad`` and (scalar dialect)
    ``sum_over``.

    In the array dialect ``value_and_grad`` returns the value, the per-example gradients
    as the rows of a 2-D array and the batch sums as a 1-D array (with ``fold_layers`` the
    ``wrt`` gradients are summed in the generated code; else every gradient is a row), and
    its forward and backward lines are stacked (:mod:`autodiff.tape.stacking`) unless
    ``stacked`` is False (then each operation is one numpy call, as it is written, as it
    always is in ``value``).
    """
    leaves = [f"v{i}" for i in range(program.n_leaves)]
    plan = plan_layers(program) if dialect == "array" and fold_layers else FoldPlan()
    forward = _forward(program, dialect, plan)
    backward, grad_names = _backward(program, dialect, targets, plan)
    out = f"v{program.output}"
    checks = _finite_sum_check(grad_names) if dialect == "scalar" else []
    constants: list[str] = []
    value_lines, value_out = forward, out  # (a batch's replay needs value_and_grad only)
    grad_lines = forward + backward + checks
    grad_out = f"{out}, [{', '.join(grad_names)}]"
    # Per-example gradients; the rest are batch sums (the wrt's, with layers folded).
    n_rows = len(targets) - len(program.wrt) if plan.layers else len(targets)
    if dialect == "array" and not stacked:
        rows, numbers = grad_names[:n_rows], grad_names[n_rows:]
        grad_out = f"{out}, np.array([{', '.join(rows)}]), np.array([{', '.join(numbers)}])"
    if dialect == "array" and stacked:
        kinds = {leaf: "row" if i < program.n_args else "scalar" for i, leaf in enumerate(leaves)}
        kinds["seed"] = "row"
        code = stack_lines(forward + backward, kinds, [out, *grad_names], constants)
        grad_lines = code.lines
        grad_out = f"{code.outputs[0]}, {code.rows(1, n_rows + 1)}, {code.numbers(n_rows + 1)}"
    body = [*constants, ""] if constants else []
    body += ["def value(inputs):", f"    {_unpack(leaves, 'inputs')}"]
    body += [f"    {line}" for line in value_lines] + [f"    return {value_out}", ""]
    body += ["def value_and_grad(inputs, seed):", f"    {_unpack(leaves, 'inputs')}"]
    body += [f"    {line}" for line in grad_lines]
    body += [f"    return {grad_out}", ""]
    if dialect == "array":  # a batch is one call already: no loop over rows
        return "\n".join(body)
    args, shared = leaves[: program.n_args], leaves[program.n_args :]
    sums = [f"s{t}" for t in targets]
    body += ["def sum_over(rows, shared, seed, start):", f"    {_unpack(shared, 'shared')}"]
    body += ["    total = 0.0", f"    {_unpack(sums, 'start')}"]
    body += [f"    for {', '.join(args) or '_'}{',' if len(args) == 1 else ''} in rows:"]
    body += [f"        {line}" for line in _checked_arguments(program) + forward + backward]
    body += [f"        total += {out}"] + [f"        {s} += {g}" for s, g in zip(sums, grad_names)]
    body += [f"    {line}" for line in _finite_sum_check(["total", *sums])]
    body += [f"    return total, [{', '.join(sums)}]", ""]
    return "\n".join(body)
