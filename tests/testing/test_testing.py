"""The strategies of ``autodiff.testing`` generate what they promise."""

from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import Phase, find, given, settings

from autodiff import grad
from autodiff.testing import (
    BOUND,
    KINKED,
    MAX_SLOPE,
    OPERATIONS,
    Expression,
    Step,
    chains,
    expressions,
    nonzero_reals,
    points,
    reals,
)


@given(expressions())
def test_every_step_is_inside_its_domain_and_bounds(recipe: Expression) -> None:
    pool = recipe.nodes(*recipe.inputs)
    for k, step in enumerate(recipe.steps):
        operation = OPERATIONS[step.op]
        operands = [pool[i] for i in step.operands]
        assert all(i < len(recipe.inputs) + k for i in step.operands)  # earlier nodes only
        constant = () if step.constant is None else (step.constant,)
        assert operation.domain(*operands, *constant)
        if step.op in KINKED:
            assert abs(operands[0]) >= 0.1
    assert all(isinstance(v, float) and abs(v) <= BOUND for v in pool)


@given(chains(max_length=60))
def test_slopes_stay_moderate_even_in_deep_chains(recipe: Expression) -> None:
    # Values alone could stay bounded while slopes explode: 0 doubled 19 times, then exp.
    leaves = recipe.leaves()
    for node in recipe.nodes(*leaves):
        assert all(abs(d) <= 2 * MAX_SLOPE for d in grad(node, leaves))


@given(expressions())
def test_floats_and_values_evaluate_a_recipe_alike(recipe: Expression) -> None:
    floats = recipe.nodes(*recipe.inputs)
    values = recipe.nodes(*recipe.leaves())
    for plain, value in zip(floats, values):
        assert math.isclose(plain, value.data, rel_tol=1e-9, abs_tol=1e-9)


# Finding an example is the test; shrinking it would only cost time.
FIRST_FOUND = settings(phases=(Phase.generate,), database=None, max_examples=1000)


def test_generated_graphs_reuse_nodes() -> None:
    # A step with one node as both operands (a + a, x * x) ...
    find(
        expressions(),
        lambda e: any(len(set(s.operands)) < len(s.operands) for s in e.steps),
        settings=FIRST_FOUND,
    )

    # ... and one node feeding three later steps.
    def fan_out(recipe: Expression) -> int:
        uses = Counter(i for step in recipe.steps for i in set(step.operands))
        return max(uses.values(), default=0)

    find(expressions(), lambda e: fan_out(e) >= 3, settings=FIRST_FOUND)


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_every_operation_is_generated(name: str) -> None:
    find(expressions(), lambda e: any(step.op == name for step in e.steps), settings=FIRST_FOUND)


@given(chains(min_length=5, max_length=40))
def test_chains_are_as_deep_as_they_are_long(recipe: Expression) -> None:
    assert 5 <= len(recipe.steps) <= 40
    assert recipe.depth() == len(recipe.steps)


@given(nonzero_reals(0.5, 2.0), reals(-1.0, 1.0), points(3), points(2, reals(5.0, 6.0)))
def test_number_strategies_stay_in_range(
    x: float, y: float, point: tuple[float, ...], other: tuple[float, ...]
) -> None:
    assert 0.5 <= abs(x) <= 2.0
    assert -1.0 <= y <= 1.0 and math.isfinite(y)
    assert len(point) == 3 and all(-2.0 <= c <= 2.0 for c in point)
    assert len(other) == 2 and all(5.0 <= c <= 6.0 for c in other)


@given(expressions(operations=["sum_of", "dot", "tanh"]))
def test_fused_steps_take_two_to_six_operands_and_dot_pairs_them(recipe: Expression) -> None:
    leaves = recipe.leaves()
    for step, node in zip(recipe.steps, recipe.nodes(*leaves)[len(leaves) :]):
        if step.op == "tanh":
            continue
        assert 2 <= len(step.operands) <= 6 and node.op == {"sum_of": "sum", "dot": "dot"}[step.op]
        assert len(node.children) == len(step.operands)
        if step.op == "dot":
            assert len(step.operands) % 2 == 0


def test_is_smooth_near_sees_a_kink_within_the_step() -> None:
    recipe = Expression(inputs=(1.0,), steps=(Step("abs", (0,)),))
    assert recipe.is_smooth_near((1.0,), 1e-6)
    assert not recipe.is_smooth_near((1e-7,), 1e-6)
    logarithm = Expression(inputs=(1.0,), steps=(Step("log", (0,)),))
    assert not logarithm.is_smooth_near((1e-7,), 1e-6)  # log(-9e-7) does not exist


def test_recipes_print_as_programs_and_check_their_leaves() -> None:
    recipe = Expression(
        inputs=(1.0, 2.0),
        steps=(Step("rpow_const", (1,), constant=3.0), Step("div", (2, 0))),
    )
    assert str(recipe).splitlines() == [
        "v0 = 1.0  # input",
        "v1 = 2.0  # input",
        "v2 = 3.0 ** v1",
        "v3 = v2 / v0",
    ]
    assert recipe(1.0, 2.0) == 9.0
    with pytest.raises(TypeError, match="takes 2 leaves, got 1"):
        recipe(1.0)
    fused = Expression(
        inputs=(1.0, 2.0), steps=(Step("sum_of", (0, 1, 1)), Step("dot", (2, 0, 1, 1)))
    )
    assert str(fused).splitlines()[2:] == [
        "v2 = sum_of([v0, v1, v1])",
        "v3 = dot([v2, v0], [v1, v1])",
    ]
    assert fused(1.0, 2.0) == 5.0 * 2.0 + 1.0 * 2.0
    assert [leaf.label for leaf in fused.leaves()] == ["v0", "v1"]


def test_unknown_operations_are_refused() -> None:
    with pytest.raises(ValueError, match="names from OPERATIONS"):
        expressions(operations=["add", "matmul"])
    with pytest.raises(ValueError, match="names from OPERATIONS"):
        chains(operations=[])
