"""The chain rule as a ledger: ∂output/∂wrt as a sum, over paths, of products of local partials.

Every path from ``output`` down to ``wrt`` contributes the product of the local partial
derivatives on its edges; the derivative is the sum of these terms. :func:`explain` lists
the paths, the terms and their sum, and prints them the way the course writes them:
∂C/∂w = ∂C/∂a · ∂a/∂z · ∂z/∂w. The partials come from each primitive's own rule
(:func:`~autodiff.primitives.local_partials`), so nothing here knows any derivative.

When the paths are too many to list, the ledger falls back to the chain rule edge by
edge (each node's ∂output/∂node as the sum of its consumers' contributions), which is
linear in the size of the graph.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..collector import collector_paused
from ..functional import grad
from ..graph import local_partials, path_counts, primitive_of, topological_order
from ..primitives import VARIADIC
from ..value import Value
from .notation import Names, chain_symbol, factor, format_number

__all__ = ["LIST_PATHS", "Contribution", "Explanation", "Path", "explain"]

LIST_PATHS = 10
"""Up to this many paths the ledger lists each; past it, a graph with labelled nodes on the
paths gets the chain rule between them, label by label (``.paths`` still has them all up to
``max_paths``)."""

_Partials = dict[Value, tuple[float, ...]]
"""The local partials of the nodes on a path."""


@dataclass(frozen=True, eq=False)
class Path:
    """One path from the output down to ``wrt``.

    Attributes:
        nodes: the chain of nodes, the output first and ``wrt`` last.
        positions: for each edge, which operand of ``nodes[i]`` is ``nodes[i + 1]``
            (``x * x`` has two edges down to ``x``, at positions 0 and 1).
        partials: for each edge, the local partial ∂nodes[i]/∂nodes[i + 1].
    """

    nodes: tuple[Value, ...]
    positions: tuple[int, ...]
    partials: tuple[float, ...]

    @property
    def term(self) -> float:
        """The product of the partials along the path (1.0 for the empty path)."""
        product = 1.0
        for partial in self.partials:
            product *= partial
        return product


class Contribution(NamedTuple):
    """What one edge adds to ∂output/∂child: ∂output/∂parent · ∂parent/∂child.

    A named tuple rather than a dataclass: there is one per edge on a path, a million on a
    long chain, and a tuple is made in a third of the time of a frozen dataclass.
    """

    parent: Value
    child: Value
    position: int
    parent_grad: float
    partial: float

    @property
    def amount(self) -> float:
        """``parent_grad * partial``."""
        return self.parent_grad * self.partial


@dataclass(frozen=True, eq=False)
class Explanation:
    """∂output/∂wrt taken apart; ``str()`` gives the ledger.

    Attributes:
        output, wrt: the two ends.
        path_count: how many paths lead from output to wrt (at most ``max_paths + 1``).
        complete: every path is listed in ``paths`` (False past ``max_paths``: then
            ``paths`` is empty and ``contributions`` carries the account).
        paths: every path from output down to wrt, in operand order.
        contributions: edge by edge, each parent's contribution to each node on a path,
            parents in reverse topological order.
        total: ∂output/∂wrt exactly as :func:`~autodiff.grad` computes it. The sum of
            ``terms`` (and of the contributions reaching ``wrt``) equals it up to the
            rounding of a differently ordered floating-point sum.
    """

    output: Value
    wrt: Value
    path_count: int
    complete: bool
    paths: tuple[Path, ...]
    contributions: tuple[Contribution, ...]
    total: float
    digits: int = 4

    @property
    def terms(self) -> tuple[float, ...]:
        """Each path's product of local partials, in the order of ``paths``."""
        return tuple(path.term for path in self.paths)

    def _repr_html_(self) -> str:
        """Jupyter's display: the ledger as a table, one row per path (past ``max_paths``,
        one row per line of the ledger's account), every cell escaped."""
        return _ledger_html(self)

    def __repr__(self) -> str:
        paths = self.path_count if self.complete else f">{self.path_count - 1}"
        return f"Explanation(total={self.total!r}, paths={paths})"

    def __str__(self) -> str:
        with collector_paused():  # see autodiff/collector.py
            return "\n".join(_ledger_lines(self))


def explain(output: Value, wrt: Value, *, max_paths: int = 100, digits: int = 4) -> Explanation:
    """Take ∂output/∂wrt apart into its chain-rule paths and their products.

    Args:
        output: the Value to differentiate (a cost, say).
        wrt: the Value to differentiate with respect to (a leaf or an interior node).
        max_paths: list the paths one by one only up to this many; beyond, the ledger
            gives the edge-by-edge account. Paths are counted first, so this never hangs.
        digits: significant digits of the numbers in the ledger.

    Returns:
        An :class:`Explanation`; ``.total`` equals ``grad(output, [wrt])[0]``.

    Raises:
        TypeError: ``output`` or ``wrt`` is not a Value.
        ValueError: ``max_paths`` or ``digits`` is not a positive int, or a local partial
            is not finite at the current values.

    Example:
        >>> from autodiff import Value
        >>> w, x, b = Value(-3.0, label="w"), Value(2.0, label="x"), Value(6.88, label="b")
        >>> a = (w * x + b).tanh()
        >>> a.label = "a"
        >>> print(explain(a, w))
        ∂a/∂w = ∂a/∂(w·x + b) · ∂(w·x + b)/∂(w·x) · ∂(w·x)/∂w
              = (1 - a²) · 1 · x
              = 0.501 · 1 · 2
              = 1.002
    """
    for name, value in (("output", output), ("wrt", wrt)):
        if not isinstance(value, Value):
            raise TypeError(
                f"explain: {name} must be a Value, got {type(value).__name__}: {value!r}"
            )
    for name, number in (("max_paths", max_paths), ("digits", digits)):
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            raise ValueError(f"explain: {name} must be a positive int, got {number!r}")
    with collector_paused():  # see autodiff/collector.py
        order = topological_order(output)
        paths_from = path_counts(order, wrt, cap=max_paths + 1)  # 0: not on a path to wrt
        partials, contributions = _edge_account(order, wrt, paths_from)
        (total,) = grad(output, [wrt])
        count = paths_from[output]
        complete = count <= max_paths
        paths = _enumerate_paths(output, wrt, paths_from, partials) if complete else ()
    return Explanation(output, wrt, count, complete, paths, contributions, total, digits)


def _edge_account(
    order: Sequence[Value], wrt: Value, paths_from: dict[Value, int]
) -> tuple[_Partials, tuple[Contribution, ...]]:
    """Each parent's contribution to each node on a path, parents from the root down; and
    the local partials of those parents, which the paths read again."""
    grads = {order[-1]: 1.0}
    partials: _Partials = {}
    contributions: list[Contribution] = []
    for parent in reversed(order):
        if not paths_from[parent] or parent is wrt:
            continue
        parent_grad = grads[parent]
        local = partials[parent] = local_partials(parent)
        for position, (child, partial) in enumerate(zip(parent.children, local)):
            if paths_from[child]:
                contributions.append(Contribution(parent, child, position, parent_grad, partial))
                grads[child] = grads.get(child, 0.0) + parent_grad * partial
    return partials, tuple(contributions)


def _enumerate_paths(
    output: Value, wrt: Value, paths_from: dict[Value, int], partials: _Partials
) -> tuple[Path, ...]:
    """Every path from ``output`` down to ``wrt``, depth first in operand order.

    The path being explored is kept in three lists (its nodes, the operand position of each
    step, the partial of each step) and copied into a :class:`Path` at ``wrt``: the work is
    the length of the paths listed. Only nodes on a path to ``wrt`` are entered, so every
    branch ends at ``wrt``.
    """
    if not paths_from[output]:
        return ()
    paths: list[Path] = []
    nodes, positions, edge_partials = [output], [], []
    next_position = [0]  # for each node of the path, the operand to try next
    while nodes:
        node, position = nodes[-1], next_position[-1]
        children = node.children if node is not wrt else ()
        while position < len(children) and not paths_from[children[position]]:
            position += 1
        if position < len(children):  # one step down
            next_position[-1] = position + 1
            nodes.append(children[position])
            positions.append(position)
            edge_partials.append(partials[node][position])
            next_position.append(0)
            continue
        if node is wrt:
            paths.append(Path(tuple(nodes), tuple(positions), tuple(edge_partials)))
        nodes.pop()  # one step back up
        next_position.pop()
        if positions:
            positions.pop()
            edge_partials.pop()
    return tuple(paths)


# --- the ledger as text ------------------------------------------------------------------
def _ledger_lines(explanation: Explanation) -> list[str]:
    order = topological_order(explanation.output)
    names = Names(order, explanation.digits)
    out, wrt = names.atom(explanation.output), names.atom(explanation.wrt)
    head = f"∂{out}/∂{wrt}"
    if explanation.path_count == 0:
        return [f"{head} = 0 ({names.name(explanation.output)} does not depend on {wrt})"]
    summary = None
    if explanation.complete and len(explanation.paths) > LIST_PATHS:
        summary = _labelled_lines(explanation, names, out, order)
    if summary is not None:
        count = len(explanation.paths)
        lines = [f"{head}: {count} paths lead from {out} down to {wrt}, more than {LIST_PATHS}."]
        lines += summary
    elif not explanation.complete:
        lines = _edge_lines(explanation, names, head, order)
    elif len(explanation.paths) == 1:
        lines = _path_lines(explanation.paths[0], names, f"{head} = ")
    else:
        lines = [f"{head}, summed over {len(explanation.paths)} paths from {out} down to {wrt}:"]
        for number, path in enumerate(explanation.paths, start=1):
            lines += _path_lines(path, names, f"path {number} = ")
        sum_text = " + ".join(
            factor(format_number(term, names.digits)) for term in explanation.terms
        )
        lines.append(f"{head} = {sum_text} = {format_number(explanation.total, names.digits)}")
    return lines + names.definitions()


def _path_lines(path: Path, names: Names, lead: str) -> list[str]:
    """One path as aligned lines: symbols, formulas, numbers, product."""
    if not path.partials:
        return [f"{lead}1 (the output itself)"]
    symbols, formulas, numbers, product = _path_row(path, names)
    pad = " " * (len(lead) - 2) + "= "
    lines = [lead + symbols]
    for text in (formulas, numbers, product):
        if pad + text != lines[-1] and text != symbols:  # skip steps that change nothing
            lines.append(pad + text)
    return lines


def _path_row(path: Path, names: Names) -> tuple[str, str, str, str]:
    """One path's symbols, formulas, numbers and product, each as one text."""
    steps = _steps(path, names)
    symbols = " · ".join(symbol for symbol, _, _ in steps)
    formulas = " · ".join(factor(formula) for _, formula, _ in steps)
    numbers = " · ".join(factor(format_number(number, names.digits)) for _, _, number in steps)
    return symbols, formulas, numbers, format_number(path.term, names.digits)


# --- the ledger as HTML, for notebooks ------------------------------------------------------
def _ledger_html(explanation: Explanation) -> str:
    from html import escape  # here: only a notebook asks for it

    from ..notebook import html_table

    names = Names(topological_order(explanation.output), explanation.digits)
    head = f"∂{names.atom(explanation.output)}/∂{names.atom(explanation.wrt)}"
    caption = f"{head} = {format_number(explanation.total, names.digits)}"
    if explanation.path_count == 0:
        return html_table(["", "value"], [[head, "0"]], caption=_ledger_lines(explanation)[0])
    if not explanation.complete:
        return _account_html(explanation, caption)
    rows: list[list[str]] = []
    for number, path in enumerate(explanation.paths, start=1):
        lead = f"path {number}" if len(explanation.paths) > 1 else head
        if not path.partials:
            rows.append([lead, "1 (the output itself)", "", "", "1"])
        else:
            rows.append([lead, *_path_row(path, names)])
    if len(explanation.paths) > 1:
        terms = " + ".join(factor(format_number(t, names.digits)) for t in explanation.terms)
        rows.append([head, "sum over the paths", "", terms, caption.rpartition(" = ")[2]])
    header = ["", "chain rule", "local partials", "values", "product"]
    table = html_table(header, rows, caption=caption)
    return table + "".join(f"\n<p>{escape(line.strip())}</p>" for line in names.definitions())


def _account_html(explanation: Explanation, caption: str) -> str:
    """Past ``max_paths``: the ledger's own account, one row per ∂out/∂node line, its
    explanatory sentences above the table and its definitions below."""
    from html import escape

    from ..notebook import html_table

    before: list[str] = []
    rows: list[list[str]] = []
    after: list[str] = []
    for line in _ledger_lines(explanation):
        if line.startswith("∂") and " = " in line:
            rows.append(line.split(" = ", 1))
        else:
            (after if rows else before).append(f"<p>{escape(line.strip())}</p>")
    table = html_table(["derivative", "chain rule = values = sum"], rows, caption=caption)
    return "\n".join([*before, table, *after])


def _steps(path: Path, names: Names) -> list[tuple[str, str, float]]:
    """The factors of a path: (∂parent/∂child, formula, number).

    A run of edges whose local partial is the constant 1 (the chain of sums inside
    z = w·a + ... + b) is written as one factor, ∂z/∂(w·a) = 1, as the course writes it.
    """
    nodes, partials = path.nodes, path.partials
    formulas = [names.formula(parent, position) for parent, position in zip(nodes, path.positions)]
    steps: list[tuple[str, str, float]] = []
    start = 0
    while start < len(formulas):
        end = start  # the edges from start to end (included) make one factor
        if formulas[start] == "1":
            while end + 1 < len(formulas) and formulas[end + 1] == "1":
                end += 1
        number = math.prod(partials[start : end + 1])
        symbol = chain_symbol(names, nodes[start], nodes[end + 1])
        steps.append((symbol, formulas[start], number))
        start = end + 1
    return steps


def _edge_lines(
    explanation: Explanation, names: Names, head: str, order: Sequence[Value]
) -> list[str]:
    out = names.atom(explanation.output)
    lines = [
        f"{head}: more than {explanation.path_count - 1} paths lead from {out} down to "
        f"{names.atom(explanation.wrt)}, too many to list one by one.",
    ]
    summary = _labelled_lines(explanation, names, out, order)
    if summary is not None:
        return lines + summary
    lines.append(
        f"The chain rule edge by edge instead: ∂{out}/∂node is the sum, over the operations "
        f"that use the node, of ∂{out}/∂operation · local partial."
    )
    by_child: dict[int, list[Contribution]] = {}
    for contribution in explanation.contributions:
        by_child.setdefault(id(contribution.child), []).append(contribution)
    for contributions in by_child.values():
        child = contributions[0].child
        symbols = " + ".join(
            f"∂{out}/∂{names.atom(c.parent)} · {factor(names.formula(c.parent, c.position))}"
            for c in contributions
        )
        numbers = " + ".join(
            f"{factor(format_number(c.parent_grad, names.digits))}"
            f"·{factor(format_number(c.partial, names.digits))}"
            for c in contributions
        )
        total = format_number(math.fsum(c.amount for c in contributions), names.digits)
        lines.append(f"∂{out}/∂{names.atom(child)} = {symbols} = {numbers} = {total}")
    return lines


class _Step(NamedTuple):
    """∂user/∂node through unlabelled nodes only: a labelled node and a labelled user of it."""

    user: Value
    node: Value
    partial: float
    route: Any  # None for several routes, else links back: (earlier, (parent, position))


def _labelled_lines(
    explanation: Explanation, names: Names, out: str, order: Sequence[Value]
) -> list[str] | None:
    """The chain rule between labelled nodes, label by label: the summary of a big ledger.

    Unlabelled nodes (the sums, products and powers between a network's labelled z and a)
    are multiplied out into the step between the labelled nodes around them. Nodes sharing
    a label (one per example of a batch) make one line: the first node's account, then the
    sum over all of them. None when there is nothing labelled to summarise by.
    """
    output, wrt = explanation.output, explanation.wrt
    contributions = explanation.contributions
    if not any(c.child.label and c.child is not wrt for c in contributions):
        return None
    on_path: dict[Value, float] = {output: 1.0}  # ∂output/∂node for every node on a path
    for c in contributions:
        on_path[c.child] = on_path.get(c.child, 0.0) + c.amount
    position = {node: index for index, node in enumerate(order)}
    steps = _steps_between_labels(explanation, on_path, position)
    if steps is None:
        return None
    by_label: dict[object, list[Value]] = {}
    for node in sorted(steps, key=position.__getitem__):  # the first example first
        by_label.setdefault(node.label or id(node), []).append(node)
    level = _levels(steps, position)
    # from the output down, label by label; at one level, in graph order (neuron 0 first)
    groups = sorted(by_label.values(), key=lambda nodes: (level[nodes[0]], position[nodes[0]]))
    lines = [
        f"The chain rule between labelled nodes instead: ∂{out}/∂node is the sum, over the "
        f"labelled nodes that use it, of ∂{out}/∂user · ∂user/∂node, the steps through "
        "unlabelled nodes multiplied out. Nodes that share a label (one per example, say) "
        "make one line: the first one's account, then the sum over all of them."
    ]
    for nodes in groups:
        account = sorted(steps[nodes[0]], key=lambda step: position[step.user])
        lines.append(_account_line(explanation, names, out, on_path, account, nodes))
    return lines


def _levels(steps: dict[Value, list[_Step]], position: dict[Value, int]) -> dict[Value, int]:
    """How many labelled steps below the output each labelled node is (its nearest use)."""
    level: dict[Value, int] = {}
    for node in sorted(steps, key=lambda node: -position[node]):  # users before what they use
        level[node] = 1 + min(level.get(step.user, 0) for step in steps[node])
    return level


def _account_line(
    explanation: Explanation,
    names: Names,
    out: str,
    on_path: dict[Value, float],
    account: list[_Step],
    nodes: list[Value],
) -> str:
    """∂out/∂node for the first of ``nodes`` (which share a label), summed over them all."""
    digits, first = names.digits, nodes[0]
    terms: dict[object, list[_Step]] = {}  # users that share a label make one term
    for step in account:
        terms.setdefault(step.user.label or id(step.user), []).append(step)
    symbols, numbers = [], []
    for uses in terms.values():
        step = uses[0]
        formulas = {_step_formula(names, use) for use in uses}
        formula = formulas.pop() if len(formulas) == 1 else chain_symbol(names, step.user, first)
        if step.user is explanation.output:
            symbols.append(formula)
            numbers.append(format_number(math.fsum(s.partial for s in uses), digits))
            continue
        many = "" if len(uses) == 1 else f"Σ over {len(uses)} uses of "
        symbols.append(f"{many}∂{out}/∂{names.atom(step.user)} · {factor(formula)}")
        if len(uses) == 1:
            numbers.append(
                f"{factor(format_number(on_path[step.user], digits))}"
                f"·{factor(format_number(step.partial, digits))}"
            )
        else:
            amount = format_number(math.fsum(on_path[s.user] * s.partial for s in uses), digits)
            numbers.append(factor(amount) if len(terms) > 1 else amount)
    total = explanation.total if first is explanation.wrt else on_path[first]
    texts = [" + ".join(symbols), " + ".join(numbers), format_number(total, digits)]
    shown = [text for index, text in enumerate(texts) if text not in texts[:index]]
    line = f"∂{out}/∂{names.atom(first)} = {' = '.join(shown)}"
    if len(nodes) == 1:
        return line
    summed = math.fsum(on_path[node] for node in nodes)
    return (
        f"{line} for the first; summed over the {len(nodes)} nodes labelled "
        f"{names.name(first)}: {format_number(summed, digits)}"
    )


def _step_formula(names: Names, step: _Step) -> str:
    """∂user/∂node: the product of the local formulas along its one route (factors of 1
    left out), or the symbol when several routes add up."""
    edges: list[tuple[Value, int]] = []
    link = step.route
    while link:  # the route is kept as links back to the user: unwind it, user first
        link, edge = link
        edges.append(edge)
    edges.reverse()
    factors = [edge for edge in edges if not _is_one(*edge)]
    if step.route is None or len(factors) > ROUTE_FORMULA:
        return chain_symbol(names, step.user, step.node)
    kept = [factor(names.formula(parent, position)) for parent, position in factors]
    return " · ".join(kept) if kept else "1"


def _is_one(parent: Value, position: int) -> bool:
    """The local partial's formula is the constant 1 (a sum's, say), without writing it."""
    prim = primitive_of(parent)
    if prim is None:
        return False
    formulas = prim.local_formulas
    if prim.arity == VARIADIC and len(formulas) == 1:
        return formulas[0] == "1"
    return position < len(formulas) and formulas[position] == "1"


ROUTE_FORMULA = 12
"""A step with at most this many factors other than 1 is written as the product of their
formulas; a longer one as its symbol, ∂user/∂node."""


def _steps_between_labels(
    explanation: Explanation, on_path: dict[Value, float], position: dict[Value, int]
) -> dict[Value, list[_Step]] | None:
    """For each labelled node on a path (and ``wrt``), its steps up to the labelled nodes
    (or the output) that use it; None when that would take more than a few visits per node
    (many labelled users sharing one large unlabelled part of the graph).

    From each user, walk down through the unlabelled nodes on paths, multiplying local
    partials and adding over routes, until a labelled node or ``wrt``.
    """
    budget = 20 * len(on_path) + 10_000  # node visits: linear in the graph, whatever its shape
    output, wrt = explanation.output, explanation.wrt
    edges: dict[Value, list[tuple[Value, int, float]]] = {}
    for c in explanation.contributions:
        edges.setdefault(c.parent, []).append((c.child, c.position, c.partial))

    def stops(node: Value) -> bool:
        return bool(node.label) or node is wrt

    steps: dict[Value, list[_Step]] = {}
    for user in on_path:
        if user is not output and (not user.label or user is wrt):
            continue
        region, pending, seen = [], [user], {user}
        while pending:  # the unlabelled nodes below user, down to the labelled ones
            node = pending.pop()
            region.append(node)
            budget -= 1
            if budget < 0:
                return None
            for child, _, _ in edges.get(node, ()):
                if child not in seen and not stops(child):
                    seen.add(child)
                    pending.append(child)
        region.sort(key=lambda node: -position[node])  # users before what they use
        below: dict[Value, float] = {user: 1.0}
        route: dict[Value, Any] = {user: ()}  # one link per edge: no route is copied
        reached: dict[Value, float] = {}
        for node in region:
            for child, index, partial in edges.get(node, ()):
                amount = below[node] * partial
                here = route[node]
                path = None if here is None else (here, (node, index))
                target = reached if stops(child) else below
                route[child] = path if child not in target else None
                target[child] = target.get(child, 0.0) + amount
        for node, amount in reached.items():
            steps.setdefault(node, []).append(_Step(user, node, amount, route[node]))
    return steps
