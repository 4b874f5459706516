"""The backward walk's bookkeeping: scratch slots, deep graphs, accumulation, errors."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autodiff import Value, grad, hessian, jacobian, no_grad, sum_of
from autodiff.testing import Expression, expressions


def _scratch_is_clean(root: Value) -> bool:
    """No walk is under way: every use count is back to 0 (``_g`` is reset by each walk)."""
    from autodiff.graph import reachable

    return all(node._n == 0 for node in reachable(root))


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


# --- all or nothing -------------------------------------------------------------------------
def _failing_graphs() -> list[tuple[str, Callable[[], tuple[Value, Value]], type[Exception]]]:
    """Graphs whose backward fails after some nodes were already processed: (root, a leaf)."""

    def sqrt_at_zero() -> tuple[Value, Value]:
        x, w = Value(0.0), Value(3.0)
        return (w * 2.0).tanh() + x.sqrt() * w, w

    def product_overflows() -> tuple[Value, Value]:
        x = Value(3.0)
        return x * 2.0 + x * 0.0 * 1e300 * 1e300, x

    def local_derivative_overflows() -> tuple[Value, Value]:
        x = Value(1e-160)
        return x.tanh() + x**-1, x

    return [
        ("sqrt at 0", sqrt_at_zero, ValueError),
        ("inf * 0", product_overflows, OverflowError),
        ("x ** -1 at 1e-160", local_derivative_overflows, OverflowError),
    ]


@pytest.mark.parametrize(
    ("build", "error"),
    [(build, error) for _, build, error in _failing_graphs()],
    ids=[name for name, _, _ in _failing_graphs()],
)
def test_a_failed_backward_changes_no_grad(
    build: Callable[[], tuple[Value, Value]], error: type[Exception]
) -> None:
    from autodiff.graph import reachable

    root, leaf = build()
    nodes = reachable(root)
    for number, node in enumerate(nodes):
        node.grad = 0.25 * number  # earlier passes' gradients, to be kept as they are
    before = [node.grad for node in nodes]
    with pytest.raises(error):
        root.backward()
    assert [node.grad for node in nodes] == before
    assert _scratch_is_clean(root)
    with pytest.raises(error):  # and again: nothing was left half done
        root.backward()
    assert [node.grad for node in nodes] == before
    (leaf * 2.0).backward()  # the next walk through the same nodes is right
    assert leaf.grad == before[nodes.index(leaf)] + 2.0


@pytest.mark.parametrize(
    ("written", "error"),
    [(Decimal("0.5"), TypeError), (1j, TypeError), ("0.5", TypeError)],
    ids=["Decimal", "complex", "str"],
)
def test_a_grad_that_cannot_be_added_to_fails_the_walk_and_is_kept(
    written: object, error: type[Exception]
) -> None:
    from autodiff.graph import reachable

    x, w = Value(2.0, label="x"), Value(3.0, label="w")
    out = (x * w).tanh() + w
    nodes = reachable(out)
    for number, node in enumerate(nodes):
        node.grad = 0.25 * number
    x.grad = written  # type: ignore[assignment]  # by hand: not a float
    before = [node.grad for node in nodes]
    with pytest.raises(error):
        out.backward()
    assert [node.grad for node in nodes] == before
    assert x.grad is written
    assert _scratch_is_clean(out)


@pytest.mark.parametrize(
    ("build", "error"),
    [(build, error) for _, build, error in _failing_graphs()],
    ids=[name for name, _, _ in _failing_graphs()],
)
def test_a_failed_grad_jacobian_or_hessian_changes_nothing(
    build: Callable[[], tuple[Value, Value]], error: type[Exception]
) -> None:
    from autodiff.graph import reachable

    root, leaf = build()
    nodes = reachable(root)
    for number, node in enumerate(nodes):
        node.grad = 0.25 * number
    before = [node.grad for node in nodes]
    for attempt in (
        lambda: grad(root, [leaf]),
        lambda: jacobian([leaf * 1.0, root], [leaf]),
        lambda: hessian(root, [leaf]),
    ):
        with pytest.raises(error):
            attempt()
        assert [node.grad for node in nodes] == before
        assert _scratch_is_clean(root)
    assert grad(leaf * 2.0 + leaf, [leaf]) == [3.0]


# --- threads --------------------------------------------------------------------------------
@pytest.fixture
def frequent_thread_switches() -> Iterator[None]:
    """Let threads take turns every microsecond, so that walks really interleave."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


def _chain(x: Value, ops: int) -> Value:
    y = x
    for _ in range(ops // 2):
        y = y * 1.0001 + 0.1
    return y


def _in_threads(*works: Callable[[], object]) -> list[object]:
    """Each of ``works`` called in a thread of its own, all started together; their results."""
    start = threading.Barrier(len(works))
    results: list[object] = [None] * len(works)

    def run(index: int) -> None:
        start.wait()
        results[index] = works[index]()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(works))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.usefixtures("frequent_thread_switches")
def test_grad_and_jacobian_from_several_threads_on_one_graph() -> None:
    x = Value(0.5)
    y = _chain(x, 20_000)
    z = y * x
    alone = grad(y, [x])
    alone_jacobian = jacobian([y, z], [x])
    assert _in_threads(*[lambda: grad(y, [x])] * 4) == [alone] * 4
    assert _in_threads(*[lambda: jacobian([y, z], [x])] * 3) == [alone_jacobian] * 3
    assert x.grad == 0.0 and _scratch_is_clean(z)


@pytest.mark.usefixtures("frequent_thread_switches")
def test_backward_from_several_threads_on_one_graph_adds_up() -> None:
    x = Value(0.5)
    y = _chain(x, 20_000)
    (alone,) = grad(y, [x])
    _in_threads(*[y.backward] * 4)
    assert x.grad == pytest.approx(4 * alone, rel=1e-15)  # four passes, in some order
    assert y.grad == 4.0
    assert _scratch_is_clean(y)


@pytest.mark.usefixtures("frequent_thread_switches")
def test_backward_and_grad_at_once_in_two_threads() -> None:
    x = Value(0.5)
    y = _chain(x, 20_000)
    (alone,) = grad(y, [x])
    assert _in_threads(y.backward, lambda: grad(y, [x])) == [None, [alone]]
    assert x.grad == alone


@settings(max_examples=60, deadline=None)
@given(expressions(), st.lists(st.floats(-4.0, 4.0), min_size=1, max_size=40))
def test_a_failed_backward_on_random_graphs_changes_no_grad(
    recipe: Expression, earlier: list[float]
) -> None:
    from autodiff.graph import reachable

    leaves = recipe.leaves()
    pool = recipe.nodes(*leaves)
    # The overflowing branch is the first operand, so it is walked last: by the time its
    # gradient overflows, the rest of the graph has been processed.
    doomed = leaves[0] * 0.0 * 1e300 * 1e300
    out = doomed + sum_of(pool)
    nodes = reachable(out)
    for number, node in enumerate(nodes):
        node.grad = earlier[number % len(earlier)]
    before = [node.grad for node in nodes]
    with pytest.raises(OverflowError, match="overflows a float"):
        out.backward()
    assert [node.grad for node in nodes] == before
    assert _scratch_is_clean(out)
