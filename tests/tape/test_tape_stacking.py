"""Stacked batch code (autodiff/tape/stacking.py): operations of one kind run as one numpy
operation on the rows of an array, and every float stays the one the code written one
numpy call per node gives (which is the eager engine's, for arithmetic).

The reference is the same program generated unstacked (``generate(..., stacked=False)``);
the stacked code must give the same bits, on networks where stacking applies and on graphs
where it must not (shared subexpressions, nodes used twice, mixed operations in a layer,
guards, primitives defined with ``autodiff.primitive``). With ``fold_layers`` the matrix
products may round otherwise when the rows are laid out otherwise: equal to rounding there."""

from __future__ import annotations

import itertools
import math
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autodiff import GraphChangedError, Value, compile, dot, grad, sum_of
from autodiff.tape.batch import _sums_in_order
from autodiff.tape.codegen import generate
from autodiff.tape.kernels import array_namespace
from autodiff.tape.stacking import stack_lines
from tests.helpers.user_primitives import USER_UNARY
from tests.tape.test_tape_layers import _network

np = pytest.importorskip("numpy")

ACTIVATIONS = ["sigmoid", "tanh", "relu", "exp", "sin", "identity", *sorted(USER_UNARY)]
ARITHMETIC = {"relu", "identity"}


def _codes(tape: Any, fold: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """The tape's batch code, stacked, and the same program one numpy call per node."""
    targets = tape._every
    plain = generate(tape.program, "array", targets, fold, stacked=False)
    return tape.array_code(True, fold), tape._load(plain, array_namespace())


def _bits(x: Any) -> Any:
    array = np.ascontiguousarray(np.asarray(x, dtype=np.float64))
    return np.where(np.isnan(array), np.nan, array).view(np.int64)  # any nan is one nan


def _assert_same_bits(tape: Any, columns: list[Any], fold: bool = False) -> None:
    stacked, plain = _codes(tape, fold)
    inputs = [*columns, *tape._shared()]
    seed = np.full(len(columns[0]), 0.75)
    with np.errstate(all="ignore"):  # the same floats, also where they are inf or nan
        got, want = stacked["value_and_grad"](inputs, seed), plain["value_and_grad"](inputs, seed)
        values = [stacked["value"](inputs), plain["value"](inputs)]
    same = _same_bits if not fold else _close  # matrix products round as their layout says
    assert same(values[0], values[1])
    for a, b in zip(got, want):
        assert np.shape(a) == np.shape(b)
        assert same(np.broadcast_to(a, np.shape(b)), b)


def _same_bits(a: Any, b: Any) -> bool:
    return bool(np.array_equal(_bits(a), _bits(b)))


def _close(a: Any, b: Any) -> bool:
    return bool(np.allclose(a, b, rtol=1e-12, atol=1e-14, equal_nan=True))


def _stacks(tape: Any) -> bool:
    """Whether the tape's batch code stacks anything."""
    return "S0 = " in generate(tape.program, "array", tape._every)


def _course(fused: bool, sizes: tuple[int, ...] = (1, 6, 7, 2)) -> tuple[Any, list[Value]]:
    rng = random.Random(3)
    layers = [
        ([[Value(rng.gauss(0, 0.5)) for _ in range(nin)] for _ in range(nout)],
         [Value(rng.gauss(0, 0.5)) for _ in range(nout)])
        for nin, nout in itertools.pairwise(sizes)
    ]  # fmt: skip
    params = [p for W, b in layers for p in [*itertools.chain(*W), *b]]

    def cost(x: Value, y1: Value, y2: Value) -> Value:
        a = [x]
        for W, b in layers:
            if fused:
                a = [(dot(row, a) + bias).sigmoid() for row, bias in zip(W, b)]
            else:
                a = [
                    sum((w * x for w, x in zip(row, a)), bias).sigmoid() for row, bias in zip(W, b)
                ]
        return (a[0] - y1) ** 2 + (a[1] - y2) ** 2

    return cost, params


def _columns(n_args: int, size: int, seed: int, low: float = -2.0, high: float = 2.0) -> list:
    rng = np.random.default_rng(seed)
    return [rng.uniform(low, high, size) for _ in range(n_args)]


@pytest.mark.parametrize("fused", [False, True])
@pytest.mark.parametrize("size", [1, 3, 17, 100])
def test_the_course_network_is_stacked_and_keeps_every_float(fused: bool, size: int) -> None:
    cost, params = _course(fused)
    tape = compile(cost, [0.5, 0.5, 0.5], wrt=params)
    assert _stacks(tape)
    _assert_same_bits(tape, _columns(3, size, seed=size))
    _assert_same_bits(tape, _columns(3, size, seed=size), fold=True)


def test_an_nn_mlp_is_stacked_and_keeps_every_float() -> None:
    nn = pytest.importorskip("nn")
    model = nn.MLP(2, [5, 4, 1], "tanh", "sigmoid")
    tape = compile(lambda x1, x2: model([x1, x2])[0], [0.1, 0.2], wrt=model.parameters())
    assert _stacks(tape)
    _assert_same_bits(tape, _columns(2, 50, seed=1))


@pytest.mark.parametrize("reuse", [False, True])
def test_layers_with_reused_partial_sums_keep_every_float(reuse: bool) -> None:
    f, params = _network([3, 4, 5, 2], seed=7, reuse=reuse)
    tape = compile(f, [0.1, 0.2, 0.3], wrt=params)
    assert _stacks(tape)
    _assert_same_bits(tape, _columns(3, 40, seed=2))


def _relu_network(seed: int) -> tuple[Any, list[Value]]:
    rng = random.Random(seed)
    W1 = [[Value(rng.uniform(-1, 1)) for _ in range(3)] for _ in range(5)]
    W2 = [Value(rng.uniform(-1, 1)) for _ in range(5)]
    params = [*itertools.chain(*W1), *W2]

    def f(a: Value, b: Value, c: Value) -> Value:
        hidden = [(w1 * a + w2 * b + w3 * c).relu() for w1, w2, w3 in W1]
        return sum_of(w * h for w, h in zip(W2, hidden)) * a

    return f, params


def test_an_arithmetic_network_batch_is_the_eager_engine_bit_for_bit() -> None:
    f, params = _relu_network(seed=4)
    columns = _columns(3, 30, seed=3)
    tape = compile(f, [0.1, 0.2, 0.3], wrt=params)
    assert _stacks(tape)
    for p in params:
        p.grad = 0.5
    values = tape.batch_backward(*columns)
    sums = [0.5] * len(params)
    for k, row in enumerate(zip(*columns)):
        out = f(*[Value(float(x)) for x in row])
        assert values[k] == out.data
        sums = [s + g for s, g in zip(sums, grad(out, params))]
    assert [p.grad for p in params] == sums


@st.composite
def mixed_layers(draw: st.DrawFn) -> tuple[Any, list[Value], int, bool]:
    """A random layered function: per neuron a chain of products, a dot, or a product of two
    per-example nodes, each with its own activation (also one defined with
    ``autodiff.primitive``); some neurons reuse an earlier node (shared subexpressions, a
    node used twice), and some read a branch on ``.data`` (a guard)."""
    n_args = draw(st.integers(1, 3))
    sizes = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    kinds = [draw(st.lists(st.sampled_from(["chain", "dot", "square", "reuse"]),
                           min_size=n, max_size=n)) for n in sizes]  # fmt: skip
    activations = [draw(st.lists(st.sampled_from(ACTIVATIONS), min_size=n, max_size=n))
                   for n in sizes]  # fmt: skip
    guard = draw(st.booleans())
    rng = random.Random(draw(st.integers(0, 10**6)))
    params: list[Value] = []

    def weight() -> Value:
        params.append(Value(rng.uniform(-1, 1)))
        return params[-1]

    plan = []
    width = n_args
    for layer_kinds in kinds:
        plan.append([([weight() for _ in range(width)], weight()) for _ in layer_kinds])
        width = len(layer_kinds)

    def activate(z: Value, name: str) -> Value:
        if name == "identity":
            return z
        if name in USER_UNARY:
            return USER_UNARY[name](z)
        return getattr(z, name)()

    def f(*xs: Value) -> Value:
        a, seen = list(xs), list(xs)
        for layer, layer_kinds, names in zip(plan, kinds, activations):
            z = []
            for (row, bias), kind in zip(layer, layer_kinds):
                if kind == "chain":
                    z.append(sum((w * x for w, x in zip(row, a)), bias))
                elif kind == "dot":
                    z.append(dot(row, a) + bias)
                elif kind == "square":  # a node used twice, a product of two per-example nodes
                    z.append(a[0] * a[-1] * row[0] + a[0] * a[0])
                else:  # an earlier node, shared with its first user
                    z.append(seen[len(seen) // 2] * row[0] + bias)
            if guard and z[0].data > -1e9:  # always true here: a guard, not a branch
                z[0] = z[0] * 1.0
            a = [activate(zi, name) for zi, name in zip(z, names)]
            seen += z + a
        return sum_of(a) * 0.5

    arithmetic = all(name in ARITHMETIC for names in activations for name in names)
    return f, params, n_args, arithmetic and not guard


@settings(max_examples=60, deadline=None)
@given(mixed_layers(), st.integers(1, 9), st.integers(0, 1000))
def test_mixed_graphs_keep_every_float(recipe: Any, size: int, seed: int) -> None:
    f, params, n_args, arithmetic = recipe
    tape = compile(f, [0.5] * n_args, wrt=params)
    columns = _columns(n_args, size, seed, low=-1.5, high=1.5)
    _assert_same_bits(tape, columns)
    if not arithmetic:
        return
    values, grads = tape.batch_value_and_grad(*columns)
    for k, row in enumerate(zip(*columns)):
        inputs = [Value(float(x)) for x in row]
        out = f(*inputs)
        assert values[k] == out.data
        assert [g[k] for g in grads[:n_args]] == grad(out, inputs)


# --- what must not move ------------------------------------------------------------------------
def test_nothing_moves_across_a_guard() -> None:
    lines = ["v3 = v0 * v1", "if np.any(v3 > 0.0): guard_failed(0)", "v4 = v0 * v2"]
    stacked = stack_lines(lines, {"v0": "row", "v1": "scalar", "v2": "scalar"}, ["v4"], [])
    assert stacked.lines == lines


def test_a_user_primitive_and_a_shape_changing_call_are_not_stacked() -> None:
    lines = ["v2 = u_soft(v0)", "v3 = u_soft(v1)", "v4 = v2.sum()", "v5 = v3.sum()"]
    stacked = stack_lines(lines, {"v0": "row", "v1": "row"}, ["v4"], [])
    assert stacked.lines == lines


def test_operations_of_one_kind_are_stacked_and_their_rows_picked() -> None:
    lines = [f"v{4 + k} = v0 * v{1 + k % 3}" for k in range(6)]  # six products of v0
    lines += ["v10 = v9 + v8", "v11 = v7 + v6", "v12 = v5 + v4"]  # rows taken backwards
    lines += ["v13 = np.tanh(v10)", "v14 = np.tanh(v12)"]
    inputs = {"v0": "row", "v1": "scalar", "v2": "scalar", "v3": "scalar"}
    constants: list[str] = []
    stacked = stack_lines(lines, inputs, ["v13", "v14"], constants)
    assert stacked.lines[:3] == [
        "_shared = np.array((v1, v2, v3,))",
        "S0 = v0 * _shared[_rows0]",
        "S1 = S0[5::-2] + S0[4::-2]",
    ]
    assert constants == ["_rows0 = np.array([[0], [1], [2], [0], [1], [2]])"]
    assert stacked.outputs == ["S2[0]", "S2[1]"]
    assert stacked.rows(0) == "S2"


def test_the_wrt_sums_add_the_examples_in_order() -> None:
    rng = np.random.default_rng(5)
    table = rng.standard_normal((4, 300)) * 10.0 ** rng.integers(-8, 17, (4, 300))
    start = [0.0, 1.5, -2.0, 1e16]
    expected = []
    for s, row in zip(start, table.tolist()):
        for g in row:
            s += g
        expected.append(s)
    assert _sums_in_order(start, table) == expected
    assert _sums_in_order(start, table) != [s + math.fsum(row) for s, row in zip(start, table)]


# --- errors: the eager engine's, example by example --------------------------------------------
def test_an_overflow_in_a_stacked_batch_falls_back_to_the_eager_engine() -> None:
    cost, params = _course(fused=False)
    tape = compile(cost, [0.5, 0.5, 0.5], wrt=params)
    before = [p.grad for p in params]
    with pytest.raises(OverflowError):
        tape.batch_backward([0.5, 0.25, 0.25], [0.1, 1e300, 0.3], [0.3, -1e300, 0.1])
    assert [p.grad for p in params] == before
    values, _ = tape.batch_value_and_grad([0.5, 0.25], [0.1, 0.2], [0.3, 0.2])
    assert values[1] == cost(Value(0.25), Value(0.2), Value(0.2)).data


def test_a_stacked_batch_off_the_traced_branch_is_refused() -> None:
    w = [Value(0.5), Value(-0.25)]

    def f(x: Value) -> Value:
        z = [(wi * x).tanh() for wi in w]
        return z[0] * 2 if z[0].data > 0 else z[1] * 3

    tape = compile(f, [1.0], wrt=w)
    with pytest.raises(GraphChangedError):
        tape.batch_value_and_grad(np.array([1.0, -1.0, 2.0]))


def test_a_big_tapes_interpreter_gives_the_batch_in_rows_too(monkeypatch: Any) -> None:
    from autodiff.tape import batch
    from autodiff.tape.tape import Tape

    cost, params = _course(fused=True)
    generated = compile(cost, [0.5, 0.5, 0.5], wrt=params)
    interpreted = Tape(generated.program, interpret_above=0)

    def refused(*args: Any) -> Any:
        raise AssertionError("the batch fell back to the eager engine")

    monkeypatch.setattr(batch, "_one_by_one", refused)
    columns = _columns(3, 20, seed=8)
    values, grads = interpreted.batch_value_and_grad(*columns)
    expected_values, expected = generated.batch_value_and_grad(*columns)
    assert _same_bits(values, expected_values)
    assert all(_same_bits(g, e) for g, e in zip(grads, expected))
