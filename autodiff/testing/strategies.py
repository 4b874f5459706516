"""Strategies for random expression DAGs (:func:`expressions`) and deep chains (:func:`chains`).

Generation evaluates each new node on floats as it goes, so that every step can pick
operands inside its operation's domain and keep every node within ``±BOUND``.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import reject
from hypothesis import strategies as st

from .recipes import BOUND, OPERATIONS, Expression, Operation, Step
from .scalars import reals

__all__ = ["chains", "expressions"]


def _accepts(op: Operation, operands: Sequence[float]) -> bool:
    if not op.domain(*operands):
        return False
    try:
        result = op.apply(*operands)
    except (ArithmeticError, ValueError):
        return False
    return isinstance(result, float) and abs(result) <= BOUND


def _attempt_step(
    draw: st.DrawFn, values: list[float], operations: Sequence[Operation], chain: bool
) -> Step | None:
    """One step over the pool ``values``, or None when the drawn op fits no operand."""
    op = draw(st.sampled_from(operations))
    constant = None if op.constants is None else draw(op.constants)
    extra = () if constant is None else (constant,)
    last = len(values) - 1
    if op.arity == 1:
        candidates = [last] if chain else range(len(values))
        fits = [i for i in candidates if _accepts(op, (values[i], *extra))]
        return Step(op.name, (draw(st.sampled_from(fits)),), constant) if fits else None
    first = last if chain else draw(st.integers(0, last))
    # Reusing one node for both operands (a + a, x * x) is its own case, not left to chance.
    if draw(st.integers(0, 3)) == 0 and _accepts(op, (values[first], values[first])):
        return Step(op.name, (first, first))
    fits = [j for j in range(len(values)) if _accepts(op, (values[first], values[j]))]
    return Step(op.name, (first, draw(st.sampled_from(fits)))) if fits else None


def _draw_step(
    draw: st.DrawFn, values: list[float], operations: Sequence[Operation], chain: bool
) -> Step:
    for _ in range(20):
        step = _attempt_step(draw, values, operations, chain)
        if step is not None:
            return step
    # Without this bound a restrictive set of operations could loop for ever.
    reject()


def _check_operations(names: Sequence[str] | None) -> list[Operation]:
    if names is None:
        return list(OPERATIONS.values())
    unknown = [name for name in names if name not in OPERATIONS]
    if unknown or not names:
        raise ValueError(f"operations must be names from OPERATIONS, got {list(names)!r}")
    return [OPERATIONS[name] for name in names]


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
    n_leaves = len(values)
    steps = []
    for _ in range(draw(st.integers(*n_steps))):
        step = _draw_step(draw, values, operations, chain)
        constant = () if step.constant is None else (step.constant,)
        operands = [values[i] for i in step.operands]
        values.append(OPERATIONS[step.op].apply(*operands, *constant))
        steps.append(step)
    return Expression(tuple(values[:n_leaves]), tuple(steps))


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
        operations: names from :data:`OPERATIONS` to use (default: all of them).

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
        >>> from hypothesis import find
        >>> recipe = find(chains(min_length=30, max_length=30), lambda e: True)
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
