"""The compiled tape against the eager engine: values, gradients, errors and refusals."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autodiff import (
    GraphChangedError,
    TraceError,
    Value,
    compile,
    dot,
    grad,
    no_grad,
    sum_of,
    topological_order,
)
from autodiff.primitives import BUILTIN
from autodiff.testing import Expression, chains, expressions, points

pytestmark = pytest.mark.usefixtures("both_replays")  # see tests/tape/conftest.py

TOL = 1e-12


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= TOL * max(1.0, abs(a), abs(b))


def _eager(f, xs: list[float]) -> tuple[float, list[float]]:  # type: ignore[no-untyped-def]
    inputs = [Value(x) for x in xs]
    out = f(*inputs)
    return out.data, grad(out, inputs)


# --- fixed networks --------------------------------------------------------------------------
def _layers(sizes: list[int], seed: int) -> list[tuple[list[list[Value]], list[Value]]]:
    rng = random.Random(seed)
    return [
        (
            [[Value(rng.gauss(0, 1) / 2) for _ in range(nin)] for _ in range(nout)],
            [Value(rng.gauss(0, 1) / 2) for _ in range(nout)],
        )
        for nin, nout in itertools.pairwise(sizes)
    ]


def _params(layers) -> list[Value]:  # type: ignore[no-untyped-def]
    return [p for W, b in layers for p in [*[w for row in W for w in row], *b]]


def _course_cost(layers, fused: bool):  # type: ignore[no-untyped-def]
    def cost(x: Value, y1: Value, y2: Value) -> Value:
        a = [x]
        for W, b in layers:
            if fused:
                z = [dot(row, a) + bias for row, bias in zip(W, b)]
            else:
                z = [sum((w * v for w, v in zip(row, a)), bias) for row, bias in zip(W, b)]
            a = [zi.sigmoid() for zi in z]
        return (a[0] - y1) ** 2 + (a[1] - y2) ** 2

    return cost


def _hinge(layers):  # type: ignore[no-untyped-def]
    def loss(x1: Value, x2: Value, y: Value) -> Value:
        a = [x1, x2]
        for k, (W, b) in enumerate(layers):
            z = [sum((w * v for w, v in zip(row, a)), bias) for row, bias in zip(W, b)]
            a = z if k == len(layers) - 1 else [zi.relu() for zi in z]
        return (1 + -y * a[0]).relu()

    return loss


NETWORKS = {
    "course": (lambda: _layers([1, 6, 7, 2], 3), lambda L: _course_cost(L, False)),
    "course fused": (lambda: _layers([1, 6, 7, 2], 3), lambda L: _course_cost(L, True)),
    "micrograd demo": (lambda: _layers([2, 16, 16, 1], 1), _hinge),
}


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_network_values_and_gradients_equal_the_eager_engine(name: str) -> None:
    make_layers, make_cost = NETWORKS[name]
    layers = make_layers()
    params = _params(layers)
    cost = make_cost(layers)
    tape = compile(cost, [0.5, 0.5, 1.0], wrt=params)
    rng = random.Random(7)
    for _ in range(5):
        row = [rng.uniform(-1, 1), rng.uniform(0, 1), rng.choice([-1.0, 1.0])]
        value, grads = tape.value_and_grad(*row)
        inputs = [Value(v) for v in row]
        out = cost(*inputs)
        expected = grad(out, inputs + params)
        assert _close(value, out.data)
        assert all(_close(a, b) for a, b in zip(grads, expected))


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_backward_sum_and_batch_accumulate_like_eager_backward(name: str) -> None:
    np = pytest.importorskip("numpy")
    make_layers, make_cost = NETWORKS[name]
    layers = make_layers()
    params = _params(layers)
    cost = make_cost(layers)
    rows = [[i / 10, (i % 3) / 3, 1.0 if i % 2 else -1.0] for i in range(10)]
    total = sum(cost(*[Value(v) for v in row]) for row in rows) * 0.1
    total.backward()
    expected = [p.grad for p in params]
    tape = compile(cost, rows[0], wrt=params)
    for run in (
        lambda: tape.backward_sum(rows, grad=0.1) * 0.1,
        lambda: float(tape.batch_backward(*np.array(rows).T, grad=0.1).sum()) * 0.1,
    ):
        for p in params:
            p.grad = 0.0
        assert _close(run(), total.data)
        assert all(_close(p.grad, e) for p, e in zip(params, expected))


def test_replays_read_wrt_and_captured_values_afresh() -> None:
    w, c = Value(2.0), Value(3.0)
    tape = compile(lambda x: w * x + c, [1.0], wrt=[w])
    w.data, c.data = 5.0, -1.0
    assert tape.value_and_grad(2.0) == (9.0, [5.0, 2.0])


def test_backward_adds_into_grad_as_eager_backward_does() -> None:
    w = Value(1.5)
    tape = compile(lambda x: (w * x).tanh(), [1.0], wrt=[w])
    tape.backward(2.0)
    tape.backward(2.0)
    assert _close(w.grad, 2 * 2.0 * (1 - math.tanh(3.0) ** 2))


# --- random graphs ---------------------------------------------------------------------------
# Traced at the recipe's own inputs (where every operation is inside its domain and every
# relu/abs operand away from its kink), replayed anywhere: across kinks, and out of domains.
def _every_step(recipe: Expression) -> Callable[..., Value]:
    """The recipe with the sum of all its steps as the output. A tape keeps only what its
    output needs, so a step that fed nothing could fail on replay in the eager engine alone.
    """

    def f(*leaves: Value) -> Value:
        return sum_of(recipe.nodes(*leaves)[len(leaves) :])

    return f


@settings(max_examples=75, deadline=None)  # about one in six replays is out of a domain
@given(st.one_of(expressions(), chains(max_length=40)), st.data())
def test_random_graphs_replay_like_the_eager_engine(
    recipe: Expression, data: st.DataObject
) -> None:
    f, replay_at = _every_step(recipe), list(data.draw(points(len(recipe.inputs))))
    tape = compile(f, recipe.inputs)
    try:
        expected = _eager(f, replay_at)
    except (ArithmeticError, ValueError) as error:
        with pytest.raises(type(error)):
            tape.value_and_grad(*replay_at)
        return
    value, grads = tape.value_and_grad(*replay_at)
    assert _close(value, expected[0])
    assert all(_close(a, b) for a, b in zip(grads, expected[1]))
    assert _close(tape(*replay_at), expected[0])


@settings(max_examples=40, deadline=None)
@given(expressions(), st.data())
def test_random_graphs_batched_match_each_example(recipe: Expression, data: st.DataObject) -> None:
    np = pytest.importorskip("numpy")
    f, rows, expected = _every_step(recipe), [], []
    for row in [recipe.inputs, *(data.draw(points(len(recipe.inputs))) for _ in range(3))]:
        try:
            expected.append(_eager(f, list(row)))
        except (ArithmeticError, ValueError):
            continue  # outside the eager engine's domain: replays of such points are above
        rows.append(row)
    tape = compile(f, recipe.inputs)
    values, grads = tape.batch_value_and_grad(*np.array(rows).T)
    for k, (value, example_grads) in enumerate(expected):
        assert _close(values[k], value)
        assert all(_close(g[k], e) for g, e in zip(grads, example_grads))


# --- branches, refusals and errors -------------------------------------------------------------
def _branchy(x: Value) -> Value:
    y = x.tanh()
    if y.data > 0.2:
        return y * 2
    return y * 3


def test_a_branch_on_data_is_guarded_and_a_changed_branch_refused() -> None:
    tape = compile(_branchy, [1.0])
    assert len(tape.program.guards) == 1
    assert _close(tape(2.0), _branchy(Value(2.0)).data)
    with pytest.raises(GraphChangedError, match="control flow changed"):
        tape(-1.0)
    with pytest.raises(GraphChangedError, match=r"compared node #2 \(tanh\) > 0\.2 and got True"):
        tape.value_and_grad(0.0)


def test_a_batch_with_a_changed_branch_is_refused() -> None:
    np = pytest.importorskip("numpy")
    tape = compile(_branchy, [1.0])
    with pytest.raises(GraphChangedError, match="control flow changed"):
        tape.batch_value_and_grad(np.array([1.0, -1.0]))


def test_relu_and_abs_are_replayed_on_either_side_of_their_kinks() -> None:
    def f(x: Value) -> Value:
        return (x * 2).relu() + abs(x - 1)

    tape = compile(f, [3.0])
    assert not tape.program.guards
    for x in (-2.0, 0.0, 0.5, 3.0):
        value, grads = tape.value_and_grad(x)
        assert (value, grads) == _eager(f, [x])


@pytest.mark.parametrize(
    ("f", "words"),
    [
        (lambda x: x * x.data, "computes with the number of a Value"),
        (lambda x: x * round(x.data), "computes with the number of a Value"),
        (lambda x: 3.0, "must return a Value"),
    ],
)
def test_untraceable_functions_are_refused(f, words: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TraceError, match=words):
        compile(f, [1.0])


def test_no_grad_inside_the_traced_function_is_refused() -> None:
    def f(x: Value) -> Value:
        with no_grad():
            c = x * 2
        return x * c

    with pytest.raises(TraceError, match="no_grad"):
        compile(f, [1.0])


def test_wrt_must_be_leaves() -> None:
    w = Value(1.0)
    with pytest.raises(TraceError, match=r"wrt\[0\] must be a leaf Value"):
        compile(lambda x: x * w, [1.0], wrt=[w * 2])


def test_tracing_restores_the_data_attribute_even_when_f_raises() -> None:
    def boom(x: Value) -> Value:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        compile(boom, [1.0])
    assert type(Value.__dict__["data"]).__name__ == "member_descriptor"
    assert type(Value(2.0).data) is float


def test_domain_errors_are_the_eager_engines_own() -> None:
    tape = compile(lambda x: x.log(), [1.0])
    with pytest.raises(ValueError, match=r"log: input must be > 0, got -1.0"):
        tape(-1.0)


def test_an_overflow_hidden_by_a_saturating_op_still_raises() -> None:
    tape = compile(lambda x: (x * 1e300 * 1e300).tanh(), [1e-300])
    with pytest.raises(OverflowError, match=r"\*: the result overflows a float"):
        tape.value_and_grad(1.0)


def test_an_inline_failure_falls_back_to_the_exact_eager_result() -> None:
    # exp(800) overflows in the inline sigmoid; the engine's sigmoid is finite there.
    tape = compile(lambda x: (x * 1.0).sigmoid(), [0.0])
    assert tape.value_and_grad(-800.0) == _eager(lambda x: (x * 1.0).sigmoid(), [-800.0])


def test_wrong_argument_count_is_a_type_error() -> None:
    tape = compile(lambda x, y: x * y, [1.0, 2.0])
    with pytest.raises(TypeError, match="takes 2 arguments, got 1"):
        tape(1.0)


# --- issue: never a silently wrong number ---------------------------------------------------
def _eager_exact(f, xs: list[float], wrt: list[Value]) -> tuple[float, list[float]]:  # type: ignore[no-untyped-def]
    inputs = [Value(x) for x in xs]
    out = f(*inputs)
    return out.data, grad(out, inputs + wrt)


def test_one_example_replays_are_the_eager_floats_on_a_sigmoid_network() -> None:
    # Not to rounding: the same floats (same kernels, same order of the sums).
    layers = _layers([1, 6, 7, 2], 3)
    params, cost = _params(layers), _course_cost(layers, False)
    tape = compile(cost, [0.5, 0.5, 1.0], wrt=params)
    rng = random.Random(11)
    for _ in range(20):
        row = [rng.uniform(-30, 30), rng.uniform(0, 1), rng.uniform(0, 1)]
        assert tape.value_and_grad(*row) == _eager_exact(cost, row, params)


def test_backward_sum_adds_row_by_row_into_grad_as_eager_backward_does() -> None:
    layers = _layers([2, 16, 16, 1], 1)
    params, loss = _params(layers), _hinge(layers)
    rng = random.Random(5)
    rows = [[rng.uniform(-2, 2), rng.uniform(-2, 2), rng.choice([-1.0, 1.0])] for _ in range(30)]
    for p in params:
        p.grad = 0.125  # already holding something: the rows are added onto it in order
    for row in rows:
        loss(*[Value(v) for v in row]).backward(0.1)
    expected = [p.grad for p in params]
    for p in params:
        p.grad = 0.125
    tape = compile(loss, rows[0], wrt=params)
    tape.backward_sum(rows, grad=0.1)
    assert [p.grad for p in params] == expected


def test_compiling_under_no_grad_still_records_the_graph() -> None:
    w = Value(3.0)
    with no_grad():
        tape = compile(lambda x: x * 2.0 * w, [1.0], wrt=[w])
    assert tape.value_and_grad(5.0) == (30.0, [6.0, 10.0])


def test_a_value_listed_twice_in_wrt_is_refused() -> None:
    w, b = Value(1.0), Value(2.0)
    with pytest.raises(TraceError, match=r"wrt\[2\] is wrt\[0\] again"):
        compile(lambda x: w * x + b, [1.0], wrt=[w, b, w])


@pytest.mark.parametrize(
    ("f", "x"),
    [
        (lambda x: x * 0.0 * 1e300 * 1e300, 1.0),  # the gradient overflows, then meets a 0.0
        (lambda x: x.log(), 1e-320),  # 1/x overflows
        (lambda x: (x**0.0) * 0.0 * 1e300 * 1e300, 2.0),  # inf times a constant 0 partial
    ],
)
def test_a_gradient_that_overflows_raises_as_grad_does(f, x: float) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(OverflowError):
        _eager(f, [x])
    tape = compile(f, [1.0])
    with pytest.raises(OverflowError, match="overflows a float"):
        tape.value_and_grad(x)


def test_a_seed_that_is_not_a_finite_number_is_refused() -> None:
    tape = compile(lambda x: x * x, [1.0])
    with pytest.raises(ValueError, match="grad must be finite, got nan"):
        tape.value_and_grad(2.0, grad=math.nan)
    with pytest.raises(TypeError, match="grad must be a real number"):
        tape.backward(2.0, grad=True)


def test_a_failed_backward_changes_no_grad() -> None:
    np = pytest.importorskip("numpy")
    w, v = Value(1.0), Value(2.0)
    # At x = 1e10, v's gradient is 0.0 * inf: not a number (w's is fine).
    tape = compile(lambda x: w * x + v * 0.0 * x * 1e300, [1.0], wrt=[w, v])
    for run in (
        lambda: tape.backward(1e10),
        lambda: tape.backward_sum([[1.0], [1e10]]),
        lambda: tape.batch_backward(np.array([1.0, 1e10])),
    ):
        w.grad, v.grad = 0.5, 0.25
        with pytest.raises(OverflowError):
            run()
        assert (w.grad, v.grad) == (0.5, 0.25)


def test_the_sum_of_gradients_overflowing_into_grad_changes_no_grad() -> None:
    w, v = Value(0.5), Value(1e300)
    tape = compile(lambda x: w * x + v, [1.0], wrt=[w, v])
    w.grad, v.grad = 1.0, 1.7e308
    with pytest.raises(OverflowError, match=r"no \.grad was changed"):
        tape.backward(1e-10, grad=1.7e308)  # v's total would be 3.4e308
    assert (w.grad, v.grad) == (1.0, 1.7e308)


def test_numpy_float32_arguments_are_computed_in_double_precision() -> None:
    np = pytest.importorskip("numpy")
    f = lambda x: (x * x).sigmoid() * x  # noqa: E731
    tape = compile(f, [1.0])
    value, grads = tape.value_and_grad(np.float32(0.1))
    assert (value, grads) == _eager(f, [np.float32(0.1)])
    assert type(value) is float and type(grads[0]) is float
    w = Value(0.5)
    rows = tape_rows = [[np.float32(0.1)], [np.float16(0.3)]]
    total = compile(lambda x: w * x, [1.0], wrt=[w]).backward_sum(tape_rows)
    assert type(total) is float and type(w.grad) is float
    assert total == 0.5 * float(rows[0][0]) + 0.5 * float(rows[1][0])


@pytest.mark.parametrize(
    ("x", "error"), [(10**200, OverflowError), (10**400, OverflowError), (True, TypeError)]
)
def test_int_and_bool_arguments_are_taken_as_value_takes_them(x: object, error: type) -> None:
    tape = compile(lambda x: x * x, [1.0])
    with pytest.raises(error):
        Value(x) * Value(x)  # type: ignore[arg-type]
    with pytest.raises(error):
        tape(x)  # type: ignore[arg-type]
    assert tape(3) == 9.0 and type(tape(3)) is float


def test_non_finite_arguments_are_refused_as_value_refuses_them() -> None:
    np = pytest.importorskip("numpy")

    def guarded(x: Value, y: Value) -> Value:
        return y * 2.0 if x.data < 5.0 else y * 3.0  # x is read only by the guard

    cases = [(lambda x: (2 * x).tanh(), [math.inf]), (lambda x: 2 * x + 1, [math.inf])]
    cases += [(guarded, [math.nan, 1.0]), (lambda x, y: y * 2.0, [math.nan, 1.0])]
    for f, args in cases:
        tape = compile(f, [1.0] * len(args))
        with pytest.raises(ValueError, match="must be finite"):
            tape(*args)
        with pytest.raises(ValueError, match="must be finite"):
            tape.backward_sum([[1.0] * len(args), args])
        with pytest.raises(ValueError, match="must be finite"):
            tape.value_and_grad(*args)
        with pytest.raises(ValueError, match=r"argument 0, example 1: .* must be finite"):
            tape.batch_value_and_grad(*[np.array([1.0, a]) for a in args])


def test_batches_keep_the_order_of_operations() -> None:
    np = pytest.importorskip("numpy")
    f = lambda x, y: x - x - y + y  # noqa: E731
    tape = compile(f, [1.0, 1.0])
    values, grads = tape.batch_value_and_grad(np.array([1e16]), np.array([1.0]))
    value, expected = _eager(f, [1e16, 1.0])
    assert values.tolist() == [value] == [0.0]
    assert [g.tolist() for g in grads] == [[e] for e in expected]


def _compare_with(threshold: object, op: str):  # type: ignore[no-untyped-def]
    def f(x: Value) -> Value:
        y = x * 1.0
        passed = {"<": y.data < threshold, "==": y.data == threshold, "!=": y.data != threshold}
        return y * 2.0 if passed[op] else y * 3.0

    return f


@pytest.mark.parametrize(
    ("threshold", "op", "at"),
    [
        (math.inf, "<", 2.0),
        (-math.inf, "<", 2.0),
        (math.nan, "<", 2.0),
        (math.nan, "!=", 2.0),
        (2**53 + 1, "<", 2.0**53),
        (2**53 + 1, "==", 2.0**53),
        (10**400, "<", 1e300),
    ],
)
def test_guards_on_special_and_huge_numbers_replay_exactly(
    threshold: object, op: str, at: float
) -> None:
    np = pytest.importorskip("numpy")
    f = _compare_with(threshold, op)
    tape = compile(f, [at])
    value, grads = _eager(f, [at])
    assert tape.value_and_grad(at) == (value, grads)
    values, batch_grads = tape.batch_value_and_grad(np.array([at, 1.0]))
    assert values[0] == value and batch_grads[0][0] == grads[0]


def test_a_guard_between_two_ints_floats_cannot_tell_apart_is_exact() -> None:
    f = _compare_with(2**53 + 1, "<")
    tape = compile(f, [1.0])
    # 2**53 + 2 is above 2**53 + 1: the traced branch (below) no longer holds.
    with pytest.raises(GraphChangedError):
        tape(2.0**53 + 2)
    assert tape(2.0**53) == f(Value(2.0**53)).data


def test_truthiness_of_data_is_a_guard() -> None:
    def f(x: Value) -> Value:
        y = x - 1.0
        return y * 2.0 if y.data else x * 5.0

    tape = compile(f, [3.0])
    ((node, *comparison),) = tape.program.guards
    assert comparison == ["!=", 0.0, True] and tape.program.describe(node).endswith("(+)")
    assert tape(4.0) == 6.0
    with pytest.raises(GraphChangedError):
        tape(1.0)


def test_an_unused_result_is_evaluated_and_fails_as_in_eager() -> None:
    def f(x: Value, y: Value) -> Value:
        x / y  # computed, then not used
        return x * 2.0

    tape = compile(f, [1.0, 1.0])
    with pytest.raises(ValueError) as eager:
        f(Value(1.0), Value(0.0))
    with pytest.raises(type(eager.value)):
        tape(1.0, 0.0)
    np = pytest.importorskip("numpy")
    with pytest.raises(type(eager.value)):
        tape.batch_value_and_grad(np.array([1.0, 1.0]), np.array([1.0, 0.0]))
    assert tape(1.0, 4.0) == 2.0


def test_a_result_computed_before_tracing_is_a_constant_as_in_eager() -> None:
    p = Value(1.0)
    h = (p * 3).tanh()
    f = lambda x: h * x  # noqa: E731
    tape = compile(f, [1.0])
    p.data = 0.0  # h keeps its number; so does every eager use of it
    assert tape.value_and_grad(2.0) == _eager(f, [2.0])


def test_a_result_computed_before_tracing_from_a_wrt_value_is_refused() -> None:
    p = Value(1.0)
    h = (p * 3).tanh()
    with pytest.raises(TraceError, match=r"computed before compile\(\) from wrt\[0\]"):
        compile(lambda x: h * x, [1.0], wrt=[p])


def test_compile_inside_a_traced_function_is_refused_not_a_deadlock() -> None:
    import threading

    outcome: list[BaseException] = []

    def outer(x: Value) -> Value:
        compile(lambda y: y * 2.0, [1.0])
        return x

    def attempt() -> None:
        try:
            compile(outer, [1.0])
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(10.0)
    assert not thread.is_alive(), "compile() inside a traced function hangs"
    assert len(outcome) == 1 and isinstance(outcome[0], TraceError)
    assert "inside a function being traced" in str(outcome[0])
    assert compile(lambda y: y * 2.0, [1.0])(3.0) == 6.0  # and tracing works afterwards


def test_a_write_into_data_while_tracing_is_refused() -> None:
    w = Value(1.0)

    def f(x: Value) -> Value:
        w.data = 2.0
        return x * w

    with pytest.raises(TraceError, match=r"a write into \.data"):
        compile(f, [1.0])


def test_other_threads_compute_and_make_nodes_correctly_while_a_trace_runs() -> None:
    import threading

    inside, done = threading.Event(), threading.Event()
    results: list[tuple[float, list[float]]] = []
    numbers: list[object] = []

    def slow(x: Value) -> Value:
        inside.set()
        done.wait(10.0)  # the other thread works while this trace is open
        return x * 2.0

    def other() -> None:
        inside.wait(10.0)
        results.append(_eager(lambda a: (a * a).tanh() + a, [0.5]))
        # What would be escapes in the traced function is ordinary use here.
        w = Value(1.0)
        w.data = 3.0
        with no_grad():
            numbers.extend([w.data, (w * 2.0).data, float(w.data) + 1])
        done.set()

    worker = threading.Thread(target=other)
    worker.start()
    tape = compile(slow, [1.0])
    worker.join(10.0)
    assert results == [_eager(lambda a: (a * a).tanh() + a, [0.5])]
    assert numbers == [3.0, 6.0, 4.0] and all(type(n) is float for n in numbers)
    # None of the other thread's nodes entered the trace.
    assert len(tape.program.instructions) == 1 and tape(3.0) == 6.0


def test_the_engines_own_work_never_goes_through_the_public_data_attribute() -> None:
    # While a trace runs, .data is a watching property for every thread; other threads'
    # eager work keeps its speed because the engine reads and writes the slot as _data.
    calls = []
    slot = Value.__dict__["data"]

    def read(node: Value) -> float:
        calls.append("read")
        return slot.__get__(node, Value)  # type: ignore[no-any-return]

    def write(node: Value, number: float) -> None:
        calls.append("write")
        slot.__set__(node, number)

    x, y = Value(0.5, label="x"), Value(2.0, label="y")
    Value.data = property(read, write)  # type: ignore[misc,assignment]
    try:
        unary = [x.exp(), x.log(), x.sqrt(), x.sin(), x.cos(), x.tanh(), x.sigmoid(), x.relu()]
        terms = [*unary, abs(x - y), x**3, x**y, x / y, 2.0 / y, -x]
        out = sum_of(terms) * dot([x, y], [y, 3.0]) + 1
        out.backward()
        grad(out, [x, y])
        ops = {node.op for node in topological_order(out)}
    finally:
        Value.data = slot  # type: ignore[misc]
    assert ops - {""} == BUILTIN  # every primitive was made and differentiated
    assert calls == []


def test_a_derivative_taken_inside_the_traced_function_is_replayed() -> None:
    # grad(create_graph=True) records its graph under recording(True): those operations
    # must be traced too, not frozen as constants of the first input.
    def f(x: Value) -> Value:
        (dy,) = grad(x**3 * x.sin(), [x], create_graph=True)
        return dy * x

    tape = compile(f, [1.0])
    for x in (-0.5, 2.0):
        value, grads = tape.value_and_grad(x)
        expected = _eager(f, [x])
        assert _close(value, expected[0]) and _close(grads[0], expected[1][0])


def test_the_eager_fallback_reads_zero_for_an_input_the_walk_does_not_reach() -> None:
    # After backward() a leaf's scratch slot holds its previous .grad until the next walk
    # reaches it; a walk that does not reach it must not read that number as a gradient.
    from autodiff.tape.tape import _gradients

    w, u = Value(1.0), Value(2.0)
    (u * 3.0).backward()
    (u * 3.0).backward()
    assert _gradients(w * 2.0, 1.0, [w, u]) == [2.0, 0.0]


# --- division: eager scales a divisor whose reciprocal leaves the normal floats ----------------
def _quotient(x: Value, y: Value) -> Value:
    return x / y


# A huge divisor: its reciprocal is subnormal, so eager scales it; the derivatives fit.
HUGE = [(3e300, 1.7e308), (-1e299, 1.1e308)]


def test_a_division_where_eager_would_scale_the_divisor_is_refused() -> None:
    tape = compile(_quotient, [1.0, 2.0])
    assert tape.program.guards == ((1, "/", 1.0, True),)
    assert _quotient(Value(1e-300), Value(1e-310)).data > 1e9  # eager computes it
    for args in [(1e-300, 1e-310), *HUGE]:
        with pytest.raises(GraphChangedError, match=r"divided by argument 1, whose reciprocal"):
            tape(*args)
        with pytest.raises(GraphChangedError, match="division changed"):
            tape.value_and_grad(*args)
    assert tape.value_and_grad(1.0, 3.0) == _eager(_quotient, [1.0, 3.0])


def test_a_division_traced_with_a_scaled_divisor_replays_exactly_at_the_same_scale() -> None:
    huge = compile(_quotient, list(HUGE[0]))
    for args in HUGE:
        assert huge.value_and_grad(*args) == _eager(_quotient, list(args))
    small = compile(_quotient, [1e-300, 1e-310])
    for args in [(1e-300, 1e-310), (-2e-300, 1.1e-310)]:
        assert small(*args) == _quotient(Value(args[0]), Value(args[1])).data
    # Another scale, or none: eager would build another graph (its floats differ).
    for tape, args in [(huge, (1.0, 3.0)), (small, (1.0, 3.0)), (small, (1e-300, 1e-320))]:
        with pytest.raises(GraphChangedError, match=r"argument 1, scaled by"):
            tape.value_and_grad(*args)


def test_a_wrt_divisor_that_leaves_the_traced_path_is_refused_and_changes_no_grad() -> None:
    np = pytest.importorskip("numpy")
    w = Value(2.0)
    tape = compile(lambda x: x / w, [1.0], wrt=[w])
    w.data, w.grad = 1.7e308, 0.5
    replays = [
        lambda: tape.value_and_grad(3e300),
        lambda: tape.backward(3e300),
        lambda: tape.backward_sum([[3e300]]),
        lambda: tape.batch_backward(np.array([3e300])),
    ]
    for replay in replays:
        with pytest.raises(GraphChangedError, match="divided by wrt 0"):
            replay()
    assert w.grad == 0.5


def test_a_batch_refuses_an_example_whose_division_would_scale_another_way() -> None:
    np = pytest.importorskip("numpy")
    ordinary, scaled = compile(_quotient, [1.0, 2.0]), compile(_quotient, list(HUGE[0]))
    xs, ys = np.array([x for x, _ in HUGE]), np.array([y for _, y in HUGE])
    for tape, column in [(ordinary, ys), (scaled, np.array([ys[0], 3.0]))]:
        with pytest.raises(GraphChangedError, match="division changed"):
            tape.batch_value_and_grad(xs, column)
    values, _ = scaled.batch_value_and_grad(xs, ys)
    for value, args in zip(values.tolist(), HUGE):
        assert math.isclose(value, _quotient(*map(Value, args)).data, rel_tol=1e-15)
