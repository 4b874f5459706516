"""The fused reductions sum_of and dot: values, partials, errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autodiff import Value, dot, grad, gradcheck, hessian, sum_of

finite = st.floats(-3.0, 3.0)


@settings(max_examples=40, deadline=None)
@given(st.lists(finite, min_size=1, max_size=6))
def test_sum_of_matches_central_differences(xs: list[float]) -> None:
    assert gradcheck(lambda *v: sum_of(v).tanh(), xs)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 4).flatmap(lambda n: st.lists(finite, min_size=2 * n, max_size=2 * n)))
def test_dot_matches_central_differences_to_second_order(xs: list[float]) -> None:
    n = len(xs) // 2
    assert gradcheck(lambda *v: dot(v[:n], v[n:]).sin(), xs, order=2)


def test_dot_is_one_node_with_weights_then_inputs_as_children() -> None:
    w = [Value(2.0, label="w1"), Value(-1.0, label="w2")]
    x = [Value(3.0, label="x1"), Value(4.0, label="x2")]
    z = dot(w, x)
    assert (z.op, z.data, z.exponent) == ("dot", 2.0, None)
    assert z.children == (*w, *x)
    assert grad(z, [*w, *x]) == [3.0, 4.0, 2.0, -1.0]


def test_dot_with_a_shared_operand_accumulates_both_uses() -> None:
    x = Value(3.0)
    z = dot([x, x], [x, 2.0])  # x·x + 2x
    z.backward()
    assert x.grad == 2 * 3.0 + 2.0
    assert hessian(dot([x], [x]), [x]) == [[2.0]]


def test_sum_of_lifts_numbers_and_names_its_op() -> None:
    s = sum_of([Value(1.0), 2, 3.5])
    assert (s.op, s.data, len(s.children)) == ("sum", 6.5, 3)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: sum_of([]), ValueError, "needs at least one value"),
        (lambda: dot([Value(1.0)], [1.0, 2.0]), ValueError, "1 weights, 2 inputs"),
        (lambda: dot([], []), ValueError, "needs at least one weight"),
        (lambda: sum_of([Value(1.0), "2"]), TypeError, "unsupported operand for sum"),
        (lambda: dot([Value(1e200)], [1e200]), OverflowError, "dot: the result overflows"),
        (lambda: sum_of([Value(1e308), 1e308]), OverflowError, "sum: the result overflows"),
    ],
)
def test_bad_reductions_raise_clear_errors(call, error: type, words: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=words):
        call()
