"""``autodiff.testing.check_primitive``: passes a right rule, catches a wrong one at the
first or the second order, and keeps to the primitive's domain."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest

from autodiff import PRIMITIVES, Value, primitive, unregister
from autodiff import functions as F
from autodiff.testing import check_primitive
from tests.helpers.user_primitives import t_smoothmax, t_softplus


@pytest.fixture
def names() -> Iterator[list[str]]:
    made: list[str] = []
    yield made
    for name in made:
        if name in PRIMITIVES:
            unregister(name)


@pytest.mark.parametrize("prim", [t_softplus, t_smoothmax], ids=lambda p: p.name)
def test_right_rules_pass(prim: Any) -> None:
    check_primitive(prim)


def test_a_wrong_first_derivative_is_caught(names: list[str]) -> None:
    names.append("c_wrong")
    wrong = primitive("c_wrong", lambda x: x * x * x, lambda x, out: (2.0 * x,))
    with pytest.raises(AssertionError, match="c_wrong: the first derivatives disagree"):
        check_primitive(wrong)


def _frozen_square_partials(x: Any, out: Any) -> tuple[Any]:
    # Right on floats, but a constant on Values: no second derivative flows through it.
    return (2.0 * (x.data if isinstance(x, Value) else x),)


def test_a_wrong_second_derivative_is_caught(names: list[str]) -> None:
    names.append("c_frozen")
    frozen = primitive("c_frozen", lambda x: x * x, _frozen_square_partials)
    with pytest.raises(AssertionError, match="c_frozen: the second derivatives disagree"):
        check_primitive(frozen)


def test_points_come_from_the_domain(names: list[str]) -> None:
    names.append("c_log")
    log = primitive(
        "c_log",
        lambda x: math.log(x),
        lambda x, out: (1.0 / x,),
        domain=lambda x: x > 0.05,
    )
    check_primitive(log)
    names.append("c_asin")
    asin = primitive(
        "c_asin",
        math.asin,
        lambda x, out: (F.pow(1.0 - x * x, -0.5),),
        arity=1,
        domain=lambda x: abs(x) < 0.9,
    )
    check_primitive(asin)


def test_random_expressions_use_user_primitives_inside_their_domain() -> None:
    from hypothesis import given, settings

    from autodiff.testing import expressions
    from tests.helpers.user_primitives import SMOOTH

    seen: set[str] = set()

    @settings(max_examples=60, database=None)
    @given(expressions(operations=["add", "mul", *SMOOTH], min_steps=4))
    def check(recipe: Any) -> None:
        pool = recipe.nodes(*recipe.inputs)
        for k, step in enumerate(recipe.steps):
            seen.add(step.op)
            if step.op == "t_log1p":
                assert pool[step.operands[0]] > -0.9  # the domain held
            assert isinstance(pool[len(recipe.inputs) + k], float)
        leaves = recipe.leaves()
        assert {node.op for node in recipe.nodes(*leaves)[len(leaves) :]} <= {"+", "*", *SMOOTH}

    check()
    assert set(SMOOTH) <= seen


def test_unknown_operation_names_are_refused() -> None:
    from autodiff.testing import expressions

    with pytest.raises(ValueError, match="user-defined primitives"):
        expressions(operations=["no_such_op"])
