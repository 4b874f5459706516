"""Finding a network's layers in a traced program, so that a batch replays them as matrices.

In the array dialect every scalar operation is one numpy call, and on small batches the
call, not the arithmetic, is the cost. A neuron's pre-activation ``b + w₁x₁ + … + wₙxₙ``
(a chain of ``+`` over ``*`` nodes, or a ``dot`` node) with scalar weights and per-example
inputs is an *affine form*; forms over the same inputs are a layer, ``Z = W X``, which one
matrix product computes. This module finds them; :mod:`autodiff.tape.codegen` emits them.

A ``+`` or ``*`` node is folded into a form only when nothing else uses it (not another
node, the output or a guard), so the folded nodes' values are never needed on their own.
Used only when a batch is replayed with ``fold_layers=True``: the summation order changes,
so results agree with the eager engine to rounding, not to the bit.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .trace import Program

__all__ = ["FoldPlan", "FoldedLayer", "plan_layers"]


@dataclass
class FoldedLayer:
    """Forms over shared ``inputs``: roots[i] = Σⱼ weights[i][j]·inputs[j] + Σ rests[i]."""

    inputs: tuple[int, ...]
    earliest: int = 1 << 62  # the position of its first root, where it is emitted
    latest_rest: int = -1  # the position of its last-computed rest term
    roots: list[int] = field(default_factory=list)
    weights: list[list[int]] = field(default_factory=list)
    rests: list[list[int]] = field(default_factory=list)
    folded: list[int] = field(default_factory=list)
    biases: bool = False  # every form's only rest is a scalar leaf: add them as one column

    def pays(self) -> bool:
        """Whether one matrix product beats the scalar operations it replaces (it does
        unless the layer is a single product)."""
        return len(self.roots) * len(self.inputs) > 1


@dataclass
class FoldPlan:
    """Which instructions the layers replace, and where each layer is emitted."""

    folded: set[int] = field(default_factory=set)
    layers: list[FoldedLayer] = field(default_factory=list)
    emit_at: dict[int, FoldedLayer] = field(default_factory=dict)
    roots: set[int] = field(default_factory=set)


def _uses(program: Program) -> Counter[int]:
    uses: Counter[int] = Counter()
    for instruction in program.instructions:
        uses.update(instruction.operands)
    uses[program.output] += 1
    for node, _, other, _ in program.guards:
        uses[node] += 1
        if isinstance(other, int):
            uses[other] += 1
    return uses


def _batched(program: Program) -> set[int]:
    """Nodes whose values are per-example arrays: arguments and what depends on them."""
    batched = set(range(program.n_args))
    for instruction in program.instructions:
        if any(i in batched for i in instruction.operands):
            batched.add(instruction.target)
    return batched


AffineForm = tuple[list[tuple[int, int]], list[int], list[int]]


def _form(program: Program, root: int, uses: Counter[int], batched: set[int]) -> AffineForm | None:
    """(terms, rests, folded) of the affine form rooted at ``root``, or None: terms are
    (weight, input) pairs, rests the other summands, folded the nodes the form replaces."""
    by_target = {ins.target: ins for ins in program.instructions}
    is_weight = range(program.n_args, program.n_leaves).__contains__
    terms: list[tuple[int, int]] = []
    rests: list[int] = []
    folded: list[int] = []
    pending = [root]
    while pending:
        node = pending.pop()
        ins = by_target.get(node)
        name = ins.prim.name if ins is not None and ins.prim.exponent is None else ""
        inner = node == root or uses[node] == 1
        if inner and name == "+" and ins is not None:
            pending += reversed(ins.operands)
        elif inner and name == "dot" and ins is not None:
            half = len(ins.operands) // 2
            pairs = list(zip(ins.operands[:half], ins.operands[half:]))
            if not all(is_weight(w) and x in batched for w, x in pairs):
                rests.append(node)
                continue
            terms += pairs
        elif inner and name == "*" and ins is not None and node != root:
            w, x = ins.operands
            if is_weight(x) and w in batched:
                w, x = x, w
            if not (is_weight(w) and x in batched):
                rests.append(node)
                continue
            terms.append((w, x))
        else:
            rests.append(node)
            continue
        if node != root:
            folded.append(node)
    if not terms:
        return None
    return terms, rests, folded


def plan_layers(program: Program) -> FoldPlan:
    """Find the affine forms of ``program`` and group those over the same inputs."""
    uses, batched = _uses(program), _batched(program)
    plan = FoldPlan()
    position = {ins.target: k for k, ins in enumerate(program.instructions)}
    open_layers: dict[tuple[int, ...], FoldedLayer] = {}
    for instruction in reversed(program.instructions):
        root = instruction.target
        if root in plan.folded or instruction.prim.name not in ("+", "dot"):
            continue
        form = _form(program, root, uses, batched)
        if form is None:
            continue
        terms, rests, folded = form
        plan.folded.update(folded)
        inputs = tuple(x for _, x in terms)
        layer = open_layers.get(inputs)
        latest_rest = max((position.get(r, -1) for r in rests), default=-1)
        # A layer is emitted at its earliest root: every form in it must be computable there.
        if layer is None or max(layer.latest_rest, latest_rest) >= min(
            layer.earliest, position[root]
        ):
            layer = open_layers[inputs] = FoldedLayer(inputs)
            plan.layers.append(layer)
        layer.earliest = min(layer.earliest, position[root])
        layer.latest_rest = max(layer.latest_rest, latest_rest)
        layer.roots.append(root)
        layer.weights.append([w for w, _ in terms])
        layer.rests.append(rests)
        layer.folded += folded
    for layer in plan.layers:
        layer.biases = all(
            len(rests) == 1 and program.n_args <= rests[0] < program.n_leaves
            for rests in layer.rests
        )
        if layer.pays():
            plan.emit_at[program.instructions[layer.earliest].target] = layer
            plan.roots.update(layer.roots)
        else:
            plan.folded.difference_update(layer.folded)
    plan.layers = [layer for layer in plan.layers if layer.pays()]
    for layer in plan.layers:  # found last first: rows in the order the program made them
        layer.roots.reverse()
        layer.weights.reverse()
        layer.rests.reverse()
    return plan
