"""The backward walk's bookkeeping: scratch slots, deep graphs, accumulation, errors."""

from __future__ import annotations

import sys

import pytest

from autodiff import Value, grad, no_grad


def _scratch_is_clean(root: Value) -> bool:
    from autodiff.backward import reachable

    return all(node._g == 0.0 and node._n == 0 for node in reachable(root))


def test_a_deep_chain_backpropagates_at_the_default_recursion_limit() -> None:
    assert sys.getrecursionlimit() <= 10_000
    x = Value(0.5)
    y = x
    for _ in range(100_000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0
    assert _scratch_is_clean(y)


def test_interior_nodes_accumulate_and_each_pass_propagates_only_itself() -> None:
    x = Value(2.0)
    h = x * x
    y = h * 3.0
    y.backward()
    y.backward()
    assert (h.grad, x.grad, y.grad) == (6.0, 24.0, 2.0)
    assert _scratch_is_clean(y)


def test_a_failed_backward_leaves_the_graph_ready_for_the_next() -> None:
    x = Value(0.0)
    y = x.sqrt()  # sqrt'(0) is infinite
    z = y + x
    with pytest.raises(ValueError, match=r"sqrt: the derivative is not finite at input \(0.0\)"):
        z.backward()
    assert _scratch_is_clean(z)
    w = Value(4.0)
    (w.sqrt() + w).backward()
    assert w.grad == 1.25


def test_shared_subgraphs_get_the_sum_of_all_paths() -> None:
    a = Value(1.5)
    b = a * a  # used three times below
    out = b * b + b.tanh() + b
    (da,) = grad(out, [a])
    t = a.data**2
    expected = (2 * t + (1 - __import__("math").tanh(t) ** 2) + 1) * 2 * a.data
    assert abs(da - expected) < 1e-12
    assert _scratch_is_clean(out)


def test_results_under_no_grad_keep_no_operands_alive() -> None:
    x = Value(3.0)
    with no_grad():
        y = x.tanh() * 2 + 1
    assert (y.op, y.children) == ("", ())
    assert not hasattr(y, "_a")
