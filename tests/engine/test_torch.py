"""The engine against PyTorch in float64: every op of the table and random DAGs, values,
gradients and second derivatives. Skipped when torch is not installed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from autodiff import Value, grad, hessian
from autodiff.testing import Expression, chains, expressions
from tests.helpers.op_specs import SPECS, OpSpec

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

SPEC_IDS = [spec.name for spec in SPECS]
# Edges where the derivative exists; where it does not, the engine raises and torch says inf.
SMOOTH_EDGES = [(spec, edge) for spec in SPECS for edge in spec.edges if edge.error is None]


def _tensors(point: Sequence[float]) -> list[Any]:
    return [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in point]


def _torch_grad(out: Any, leaves: Sequence[Any], *, create_graph: bool = False) -> list[Any]:
    """∂out/∂leaf for each leaf; a zero tensor where out does not depend on it."""
    if not out.requires_grad:
        return [torch.zeros((), dtype=torch.float64) for _ in leaves]
    # The graph is kept: the rows of a Hessian differentiate first derivatives that share it.
    grads = torch.autograd.grad(
        out, leaves, allow_unused=True, create_graph=create_graph, retain_graph=True
    )
    return [torch.zeros((), dtype=torch.float64) if g is None else g for g in grads]


def _torch_hessian(out: Any, leaves: Sequence[Any]) -> list[list[float]]:
    first = _torch_grad(out, leaves, create_graph=True)
    return [[g.item() for g in _torch_grad(d, leaves)] for d in first]


# PyTorch's derivative of x ** y with respect to x is masked to 0 where y == 0 exactly, and
# the mask drops that derivative's own dependence on y: torch's ∂²(x ** y)/∂x∂y at y = 0
# comes out 0 where it is 1/x. Second derivatives are compared away from that point.
def _pow_exponent_is_zero(recipe: Expression) -> bool:
    pool = recipe.nodes(*recipe.inputs)
    return any(s.op == "pow" and pool[s.operands[1]] == 0.0 for s in recipe.steps)


def _near(actual: float, expected: float, rtol: float) -> bool:
    return abs(actual - expected) <= rtol * max(1.0, abs(expected))


def _assert_rows_near(actual: Sequence[float], expected: Sequence[float], rtol: float) -> None:
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        assert _near(a, e, rtol), (actual, expected)


# --- the op table -------------------------------------------------------------------------
def _compare_op(spec: OpSpec, point: Sequence[float]) -> None:
    leaves = [Value(x) for x in point]
    out = spec.apply(*leaves)
    out.backward()
    tensors = _tensors(point)
    reference = spec.torch(torch, *tensors)
    assert _near(out.data, reference.item(), spec.rtol)
    expected = [g.item() for g in _torch_grad(reference, tensors)]
    for leaf, g in zip(leaves, expected, strict=True):
        assert abs(leaf.grad - g) <= spec.atol + spec.rtol * abs(g)


@pytest.mark.parametrize("spec", SPECS, ids=SPEC_IDS)
@given(data=st.data())
def test_op_matches_torch(spec: OpSpec, data: st.DataObject) -> None:
    _compare_op(spec, data.draw(spec.inputs, label="point"))


@pytest.mark.parametrize(
    ("spec", "edge"), SMOOTH_EDGES, ids=[f"{s.name} {e.name}" for s, e in SMOOTH_EDGES]
)
def test_op_edge_point_matches_torch(spec: OpSpec, edge: Any) -> None:
    _compare_op(spec, edge.point)


@pytest.mark.parametrize("spec", SPECS, ids=SPEC_IDS)
@given(data=st.data())
def test_op_second_derivatives_match_torch(spec: OpSpec, data: st.DataObject) -> None:
    point = data.draw(spec.inputs, label="point")
    assume(not (spec.name == "x ** y" and point[1] == 0.0))  # see _pow_exponent_is_zero
    leaves = [Value(x) for x in point]
    tensors = _tensors(point)
    expected = _torch_hessian(spec.torch(torch, *tensors), tensors)
    for row, expected_row in zip(hessian(spec.apply(*leaves), leaves), expected, strict=True):
        _assert_rows_near(row, expected_row, 1e-10)


# --- random graphs --------------------------------------------------------------------------
def _compare_graph(recipe: Expression) -> None:
    leaves = recipe.leaves()
    out = recipe(*leaves)
    tensors = _tensors(recipe.inputs)
    reference = recipe(*tensors)
    assert _near(out.data, reference.item(), 1e-10)
    _assert_rows_near(grad(out, leaves), [g.item() for g in _torch_grad(reference, tensors)], 1e-9)


@given(expressions())
def test_random_graphs_match_torch(recipe: Expression) -> None:
    _compare_graph(recipe)


@given(chains())
def test_deep_chains_match_torch(recipe: Expression) -> None:
    _compare_graph(recipe)


@given(expressions(max_inputs=3, max_steps=8))
def test_random_graph_hessians_match_torch(recipe: Expression) -> None:
    assume(not _pow_exponent_is_zero(recipe))
    leaves = recipe.leaves()
    tensors = _tensors(recipe.inputs)
    expected = _torch_hessian(recipe(*tensors), tensors)
    for row, expected_row in zip(hessian(recipe(*leaves), leaves), expected, strict=True):
        _assert_rows_near(row, expected_row, 1e-8)
