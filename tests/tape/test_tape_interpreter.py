"""Big programs replay through the interpreter: the same floats as generated code and as
the eager engine, on small programs run with the threshold lowered (every other tape test
also runs both ways: see tests/tape/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest

import autodiff.tape.tape as tape_module
from autodiff import GraphChangedError, Value, compile_tape, dot, grad, sum_of
from autodiff.tape.tape import Tape
from tests.helpers.user_primitives import t_smoothmax, t_softplus

np = pytest.importorskip("numpy")

W = [Value(0.75, label="w0"), Value(-0.5, label="w1"), Value(1.25, label="w2")]


def mixed(x: Value, y: Value) -> Value:
    """Every kind of operation the interpreter meets: binary, unary, constant and Value
    exponents, a division by a Value, variadic sum and dot, user primitives, a guard."""
    a = (W[0] * x + W[1]).tanh() + (y * W[2]).sigmoid()
    b = (x * x + 1.0) ** 0.5 + abs(y) ** 3 + (x * y).relu() + sum_of([x, y, a])
    c = dot(W, [a, b, x]) / (b + 2.0) + (b.log() + x.sin() * y.cos()).exp() * 0.01
    d = t_smoothmax(t_softplus(W[0] * x), y.tanh()) + (a * a + 1.0) ** (y * 0.1 + 1.0)
    branch = c * 2.0 if x.data > y.data else c * 3.0  # a guard: x > y, as traced
    return branch + d


def _eager(args: list[float]) -> tuple[float, list[float]]:
    leaves = [Value(a) for a in args]
    out = mixed(*leaves)
    return out.data, grad(out, leaves + W)


def _both() -> tuple[Tape, Tape]:
    generated = compile_tape(mixed, [1.0, 0.5], wrt=W)
    interpreted = Tape(generated.program, interpret_above=0)
    assert not generated.interpreted and interpreted.interpreted
    return generated, interpreted


POINTS = [[1.0, 0.5], [2.5, -1.5], [0.25, 0.125], [30.0, -20.0]]


@pytest.mark.parametrize("point", POINTS)
def test_one_example_is_the_generated_code_and_eager_floats(point: list[float]) -> None:
    generated, interpreted = _both()
    assert interpreted.value_and_grad(*point) == generated.value_and_grad(*point)
    assert interpreted.value_and_grad(*point) == _eager(point)
    assert interpreted(*point) == generated(*point) == _eager(point)[0]
    seeded = interpreted.value_and_grad(*point, grad=0.375)
    assert seeded == generated.value_and_grad(*point, grad=0.375)


def test_backward_sum_adds_the_generated_codes_floats() -> None:
    generated, interpreted = _both()
    totals = []
    for tape in (generated, interpreted):
        for w in W:
            w.grad = 0.25
        totals.append((tape.backward_sum(POINTS, grad=0.5), [w.grad for w in W]))
    for w in W:
        w.grad = 0.0
    assert totals[0] == totals[1]


def test_a_batch_is_the_generated_array_codes_floats() -> None:
    generated, interpreted = _both()
    columns = np.array(POINTS).T
    expected_values, expected_grads = generated.batch_value_and_grad(*columns, grad=0.5)
    values, grads = interpreted.batch_value_and_grad(*columns, grad=0.5)
    assert np.array_equal(values, expected_values)
    assert len(grads) == len(expected_grads)
    assert all(np.array_equal(g, e) for g, e in zip(grads, expected_grads))


def test_a_changed_branch_is_refused() -> None:
    _, interpreted = _both()
    with pytest.raises(GraphChangedError, match="control flow changed"):
        interpreted.value_and_grad(0.5, 1.0)
    with pytest.raises(GraphChangedError, match="control flow changed"):
        interpreted.batch_value_and_grad(np.array([1.0, 0.5]), np.array([0.5, 1.0]))


def test_an_overflow_falls_back_to_the_eager_engines_error() -> None:
    f = lambda x: (x * 1e300 * 1e300).tanh()  # noqa: E731 - inf hidden by a saturating op
    tape = Tape(compile_tape(f, [1e-300]).program, interpret_above=0)
    with pytest.raises(OverflowError, match=r"\*: the result overflows a float"):
        tape.value_and_grad(1.0)
    with pytest.raises(OverflowError, match=r"\*: the result overflows a float"):
        tape.backward_sum([[1e-300], [1.0]])


def test_finite_numbers_whose_sum_overflows_need_no_fallback(monkeypatch: Any) -> None:
    # Each number is finite; only their sum, which the forward's check takes first, is not.
    f = lambda x: x * 1e300 + x * 1e300 * -1.0  # noqa: E731
    tape = Tape(compile_tape(f, [1.0]).program, interpret_above=0)
    monkeypatch.setattr(tape, "interpret", None)  # a fallback would fail: it is not called
    assert tape.value_and_grad(1.5e8) == (0.0, [0.0])


def test_a_long_chain_is_the_eager_floats() -> None:
    w, b = Value(0.999), Value(0.001)

    def chain(x: Value) -> Value:
        for _ in range(1000):
            x = x * w + b
        return x

    tape = Tape(compile_tape(chain, [0.5], wrt=[w, b]).program, interpret_above=0)
    x = Value(0.5)
    out = chain(x)
    assert tape.value_and_grad(0.5) == (out.data, grad(out, [x, w, b]))


def test_programs_above_the_threshold_are_interpreted(monkeypatch: Any) -> None:
    monkeypatch.setattr(tape_module, "INTERPRET_ABOVE", 3)
    three = compile_tape(lambda x: x * x * x + 1.0, [2.0])
    four = compile_tape(lambda x: x * x * x * x + 1.0, [2.0])
    assert not three.interpreted and four.interpreted
    assert compile_tape(lambda x: x * x + 1.0, [2.0], interpret_above=1).interpreted
    assert not compile_tape(lambda x: x * x * x * x, [2.0], interpret_above=4).interpreted
    assert four.value_and_grad(2.0) == Tape(four.program, interpret_above=4).value_and_grad(2.0)
    assert four.source.startswith("def value(inputs):")  # still there to read
