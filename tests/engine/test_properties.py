"""Properties of the engine on random expression DAGs (see ``autodiff.testing``)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from hypothesis import assume, given
from hypothesis import strategies as st

from autodiff import Value, grad, hessian, jacobian, no_grad, topological_order
from autodiff.testing import Expression, central_differences, chains, expressions

EPS = 1e-6


def _near(actual: float, expected: float, rtol: float) -> bool:
    """Equal up to ``rtol`` relative to the larger of 1 and |expected|."""
    return abs(actual - expected) <= rtol * max(1.0, abs(expected))


def _derivative(recipe: Expression, order: int, i: int) -> Callable[..., float]:
    """x ↦ the ``order``-th derivative of the recipe along input ``i``, by the engine."""

    def d(*xs: float) -> float:
        leaves = [Value(x) for x in xs]
        value = recipe(*leaves)
        for _ in range(order - 1):
            value = grad(value, leaves, create_graph=True)[i]
        return float(grad(value, leaves)[i])

    return d


def _check_against_differences(recipe: Expression) -> None:
    assume(recipe.is_smooth_near(recipe.inputs, EPS))
    leaves = recipe.leaves()
    pool = recipe.nodes(*leaves)
    out = pool[-1]
    functional = grad(out, pool)
    out.backward()
    assert [node.grad for node in pool] == functional
    numeric = central_differences(recipe, recipe.inputs, EPS)
    for analytic, estimate in zip(functional, numeric):
        assert _near(analytic, estimate, 1e-6)


# --- first and higher derivatives ---------------------------------------------------------
@given(expressions())
def test_backward_equals_grad_equals_central_differences(recipe: Expression) -> None:
    _check_against_differences(recipe)


@given(chains())
def test_deep_chains_backward_equals_grad_equals_central_differences(recipe: Expression) -> None:
    _check_against_differences(recipe)


@given(expressions(max_steps=8))
def test_second_derivatives_match_differences_of_first(recipe: Expression) -> None:
    eps = 1e-5
    assume(recipe.is_smooth_near(recipe.inputs, eps))
    leaves = recipe.leaves()
    second = hessian(recipe(*leaves), leaves)
    for i, row in enumerate(second):
        numeric = central_differences(_derivative(recipe, 1, i), recipe.inputs, eps)
        for analytic, estimate in zip(row, numeric):
            assert _near(analytic, estimate, 1e-4)


@given(expressions(max_inputs=2, max_steps=6))
def test_third_derivatives_match_differences_of_second(recipe: Expression) -> None:
    eps = 1e-4
    assume(recipe.is_smooth_near(recipe.inputs, eps))
    third = _derivative(recipe, 3, 0)(*recipe.inputs)
    (numeric, *_) = central_differences(_derivative(recipe, 2, 0), recipe.inputs, eps)
    assert _near(third, numeric, 1e-3)


@given(expressions())
def test_hessian_is_symmetric(recipe: Expression) -> None:
    leaves = recipe.leaves()
    matrix = hessian(recipe(*leaves), leaves)
    for i, row in enumerate(matrix):
        for j, entry in enumerate(row):
            assert _near(entry, matrix[j][i], 1e-9)


@given(expressions(), st.data())
def test_jacobian_rows_are_gradients(recipe: Expression, data: st.DataObject) -> None:
    leaves = recipe.leaves()
    pool = recipe.nodes(*leaves)
    outputs = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4), label="outputs")
    assert jacobian(outputs, leaves) == [grad(output, leaves) for output in outputs]


@given(expressions())
def test_grad_touches_no_dot_grad(recipe: Expression) -> None:
    leaves = recipe.leaves()
    pool = recipe.nodes(*leaves)
    grad(pool[-1], pool)
    hessian(pool[-1], leaves)
    assert all(node.grad == 0.0 for node in pool)


# --- accumulation -------------------------------------------------------------------------
@given(expressions())
def test_backward_twice_doubles_every_gradient(recipe: Expression) -> None:
    pool = recipe.nodes(*recipe.leaves())
    pool[-1].backward()
    once = [node.grad for node in pool]
    pool[-1].backward()
    assert [node.grad for node in pool] == [2 * g for g in once]


@given(expressions(), st.integers(-20, 20), st.floats(-100, 100))
def test_backward_seed_scales_every_gradient(recipe: Expression, k: int, seed: float) -> None:
    pool = recipe.nodes(*recipe.leaves())
    unit = grad(pool[-1], pool)
    # Scaling by a power of two is exact in floating point, so the results must be too.
    pool[-1].backward(2.0**k)
    assert [node.grad for node in pool] == [2.0**k * g for g in unit]
    pool[-1].zero_grad()
    pool[-1].backward(seed)
    scale = max(1.0, *(abs(g) for g in unit))
    for node, g in zip(pool, unit):
        assert abs(node.grad - seed * g) <= 1e-12 * abs(seed) * scale


@given(expressions(), st.data())
def test_interior_nodes_accumulate_from_several_roots(
    recipe: Expression, data: st.DataObject
) -> None:
    pool = recipe.nodes(*recipe.leaves())
    middle = data.draw(st.sampled_from(pool), label="middle")
    expected = [a + b for a, b in zip(grad(pool[-1], pool), grad(middle, pool))]
    pool[-1].backward()
    middle.backward()
    assert [node.grad for node in pool] == expected


@given(expressions())
def test_zero_grad_clears_every_node(recipe: Expression) -> None:
    out = recipe(*recipe.leaves())
    out.backward()
    out.backward()
    assert out.grad == 2.0
    out.zero_grad()
    assert all(node.grad == 0.0 for node in topological_order(out))


@given(expressions(), st.data())
def test_grad_is_zero_for_inputs_off_the_graph_after_backward(
    recipe: Expression, data: st.DataObject
) -> None:
    pool = recipe.nodes(*recipe.leaves())
    other = data.draw(st.sampled_from(pool), label="other")
    pool[-1].backward()
    reachable = {id(node) for node in topological_order(other)}
    for node, g in zip(pool, grad(other, pool)):
        if id(node) not in reachable:
            assert g == 0.0
    assert grad(Value(1.0) * 3.0, pool) == [0.0] * len(pool)


# --- recording --------------------------------------------------------------------------
@given(expressions())
def test_no_grad_makes_leaves_with_the_same_values(recipe: Expression) -> None:
    leaves = recipe.leaves()
    recorded = recipe.nodes(*leaves)
    with no_grad():
        unrecorded = recipe.nodes(*leaves)
    for node, plain in zip(recorded[len(leaves) :], unrecorded[len(leaves) :]):
        assert (plain.op, plain.children, plain.exponent) == ("", (), None)
        assert plain.data == node.data


@given(expressions(max_steps=8))
def test_create_graph_records_derivatives_even_inside_no_grad(recipe: Expression) -> None:
    leaves = recipe.leaves()
    out = recipe(*leaves)
    expected = hessian(out, leaves)
    with no_grad():
        assert hessian(out, leaves) == expected


# --- the graph walk -----------------------------------------------------------------------
def _structure(order: Sequence[Value], pool: Sequence[Value]) -> list[int]:
    position = {id(node): i for i, node in enumerate(pool)}
    return [position.get(id(node), -1) for node in order]


def _reachable(root: Value) -> set[int]:
    seen, frontier = {id(root)}, [root]
    while frontier:
        for child in frontier.pop().children:
            if id(child) not in seen:
                seen.add(id(child))
                frontier.append(child)
    return seen


@given(expressions())
def test_topological_order_is_valid_and_deterministic(recipe: Expression) -> None:
    pool = recipe.nodes(*recipe.leaves())
    order = topological_order(pool[-1])
    assert order[-1] is pool[-1]
    assert {id(node) for node in order} == _reachable(pool[-1])
    assert len(order) == len({id(node) for node in order})
    seen: set[int] = set()
    for node in order:
        assert all(id(child) in seen for child in node.children)
        seen.add(id(node))
    assert topological_order(pool[-1]) == order
    rebuilt = recipe.nodes(*recipe.leaves())
    assert _structure(topological_order(rebuilt[-1]), rebuilt) == _structure(order, pool)


def test_a_million_operation_chain_at_the_default_recursion_limit() -> None:
    n = 1_000_000
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)  # CPython's default
    try:
        x = Value(0.5)
        y = x
        for _ in range(n):
            y = y + x
        y.backward()
    finally:
        sys.setrecursionlimit(limit)
    # y = (n + 1)·x, built as a chain of n additions that each also use x.
    assert y.data == (n + 1) * 0.5
    assert x.grad == n + 1
    assert y.children[0].grad == 1.0
