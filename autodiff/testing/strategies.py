"""Strategies for random expression DAGs (:func:`expressions`) and deep chains (:func:`chains`).

Generation evaluates each new node on floats as it goes, at the inputs and a small step away
along each input, so that every step picks operands inside its operation's domain there,
and keeps every node within ``±BOUND`` and its slopes below ``MAX_SLOPE``.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import reject
from hypothesis import strategies as st

from ..extend import registered
from ..primitives import VARIADIC
from .recipes import BOUND, OPERATIONS, Expression, Operation, Step, operation
from .scalars import reals

__all__ = ["MAX_SLOPE", "chains", "expressions"]


MAX_SLOPE = 1000.0
"""A limit on how fast any generated node changes with any input (estimated with a small
step), so that derivatives stay moderate and central differences meaningful: bounded values
alone would allow x ↦ exp(2¹⁹·x) near x = 0."""

_PROBE = 1e-4
_MAX_OPERANDS = 6  # of a variadic step (sum_of, dot)

# A node during generation: its value at the inputs x, then at x + _PROBE·eᵢ for each input i.
Probes = tuple[float, ...]


def _input_probes(inputs: Sequence[float]) -> list[Probes]:
    probes = []
    for i, x in enumerate(inputs):
        moved = [x] * (len(inputs) + 1)
        moved[i + 1] = x + _PROBE
        probes.append(tuple(moved))
    return probes


def _result(op: Operation, operands: Sequence[Probes], extra: tuple[float, ...]) -> Probes | None:
    """The new node at every probe point; None if it leaves its domain, BOUND or MAX_SLOPE."""
    results = []
    for point in zip(*operands):
        if not op.domain(*point, *extra):
            return None
        try:
            result = op.apply(*point, *extra)
        except (ArithmeticError, ValueError):
            return None
        if not (isinstance(result, float) and abs(result) <= BOUND):
            return None
        results.append(result)
    if any(abs(r - results[0]) > MAX_SLOPE * _PROBE for r in results[1:]):
        return None
    return tuple(results)


def _attempt_step(
    draw: st.DrawFn, pool: list[Probes], operations: Sequence[Operation], chain: bool
) -> tuple[Step, Probes] | None:
    """One step over the pool, or None when the drawn op fits no operand."""
    op = draw(st.sampled_from(operations))
    constant = None if op.constants is None else draw(op.constants)
    extra = () if constant is None else (constant,)
    last = len(pool) - 1
    if op.arity == 1:
        candidates = [last] if chain else range(len(pool))
        fits = {i: r for i in candidates if (r := _result(op, [pool[i]], extra)) is not None}
        if not fits:
            return None
        i = draw(st.sampled_from(sorted(fits)))
        return Step(op.name, (i,), constant), fits[i]
    first = last if chain else draw(st.integers(0, last))
    if op.arity == VARIADIC:
        return _variadic_step(draw, pool, op, first)
    # Reusing one node for both operands (a + a, x * x) is its own case, not left to chance.
    if draw(st.integers(0, 3)) == 0:
        result = _result(op, [pool[first], pool[first]], ())
        if result is not None:
            return Step(op.name, (first, first)), result
    fits = {
        j: r for j in range(len(pool)) if (r := _result(op, [pool[first], pool[j]], ())) is not None
    }
    if not fits:
        return None
    j = draw(st.sampled_from(sorted(fits)))
    return Step(op.name, (first, j)), fits[j]


def _variadic_step(
    draw: st.DrawFn, pool: list[Probes], op: Operation, first: int
) -> tuple[Step, Probes] | None:
    """``first`` and up to five more operands from the whole pool, repeats allowed."""
    nodes = st.integers(0, len(pool) - 1)
    others = draw(st.lists(nodes, min_size=1, max_size=_MAX_OPERANDS - 1))
    operands = (first, *others)
    result = _result(op, [pool[i] for i in operands], ())
    return None if result is None else (Step(op.name, operands), result)


def _draw_step(
    draw: st.DrawFn, pool: list[Probes], operations: Sequence[Operation], chain: bool
) -> tuple[Step, Probes]:
    for _ in range(20):
        attempt = _attempt_step(draw, pool, operations, chain)
        if attempt is not None:
            return attempt
    # Without this bound a restrictive set of operations could loop for ever.
    reject()


def _check_operations(names: Sequence[str] | None) -> list[Operation]:
    if names is None:
        return list(OPERATIONS.values())
    unknown = [name for name in names if name not in OPERATIONS and registered(name) is None]
    if unknown or not names:
        raise ValueError(
            "operations must be names from OPERATIONS or of user-defined primitives,"
            f" got {list(names)!r}"
        )
    return [operation(name) for name in names]


@st.composite
def _expressions(
    draw: st.DrawFn,
    inputs: st.SearchStrategy[float],
    n_inputs: tuple[int, int],
    n_steps: tuple[int, int],
    operations: list[Operation],
    chain: bool,
) -> Expression:
    values = [draw(inputs) for _ in range(draw(st.integers(*n_inputs)))]
    pool = _input_probes(values)
    steps = []
    for _ in range(draw(st.integers(*n_steps))):
        step, result = _draw_step(draw, pool, operations, chain)
        steps.append(step)
        pool.append(result)
    return Expression(tuple(values), tuple(steps))


def expressions(
    *,
    inputs: st.SearchStrategy[float] | None = None,
    min_inputs: int = 1,
    max_inputs: int = 4,
    min_steps: int = 1,
    max_steps: int = 12,
    operations: Sequence[str] | None = None,
) -> st.SearchStrategy[Expression]:
    """Random expression DAGs with shared subexpressions, every node inside its domain.

    Each step picks an operation and operands from every earlier node, so nodes are reused
    (``a + a``, ``x * x``, one node feeding several later ones) and some inputs or nodes
    may not reach the output at all (their derivative is 0).

    Args:
        inputs: the strategy for input values (default: ``reals(-2, 2)``).
        min_inputs, max_inputs: how many inputs.
        min_steps, max_steps: how many operations.
        operations: names from :data:`OPERATIONS` to use (default: all of them), and of
            user-defined primitives (:func:`autodiff.primitive`), applied only where their
            ``domain`` holds.

    Example:
        Generated graphs reuse nodes: here the first input feeds both operands of a step.

        >>> from hypothesis import find
        >>> recipe = find(expressions(), lambda e: any(s.operands == (0, 0) for s in e.steps))
        >>> [str(step) for step in recipe.steps if step.operands == (0, 0)][0].count("v0")
        2
    """
    return _expressions(
        inputs if inputs is not None else reals(-2.0, 2.0),
        (min_inputs, max_inputs),
        (min_steps, max_steps),
        _check_operations(operations),
        chain=False,
    )


def chains(
    *,
    inputs: st.SearchStrategy[float] | None = None,
    min_inputs: int = 1,
    max_inputs: int = 3,
    min_length: int = 20,
    max_length: int = 100,
    operations: Sequence[str] | None = None,
) -> st.SearchStrategy[Expression]:
    """Deep expressions: every step takes the previous node as its first operand.

    The depth (steps from the first input to the output) equals the number of steps; a
    binary step's other operand is any earlier node, so inputs still feed the chain
    at many depths.

    Example:
        >>> from hypothesis import Phase, find, settings
        >>> first_found = settings(phases=[Phase.generate], database=None)
        >>> recipe = find(chains(min_length=30, max_length=30), bool, settings=first_found)
        >>> len(recipe.steps), recipe.depth()
        (30, 30)
    """
    return _expressions(
        inputs if inputs is not None else reals(-2.0, 2.0),
        (min_inputs, max_inputs),
        (min_length, max_length),
        _check_operations(operations),
        chain=True,
    )
