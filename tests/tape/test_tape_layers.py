"""Batched replay of layer-shaped graphs with ``fold_layers=True``, which computes them as
matrix products: faster, and equal to the eager engine to rounding (sums are reordered)."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autodiff import Value, compile, dot, grad, sum_of
from autodiff.tape.folding import plan_layers

np = pytest.importorskip("numpy")


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-12 * max(1.0, abs(a), abs(b))


def _network(sizes: list[int], seed: int, reuse: bool):  # type: ignore[no-untyped-def]
    """An MLP over Values; with ``reuse``, partial sums and products also feed the output
    directly, so that they must stay nodes of their own."""
    rng = random.Random(seed)
    weights = [
        [[Value(rng.uniform(-1, 1)) for _ in range(nin)] for _ in range(nout)]
        for nin, nout in itertools.pairwise(sizes)
    ]
    biases = [[Value(rng.uniform(-1, 1)) for _ in range(nout)] for nout in sizes[1:]]
    params = [p for W in weights for row in W for p in row] + [b for bs in biases for b in bs]

    def f(*xs: Value) -> Value:
        a, extra = list(xs), []
        for k, (W, bs) in enumerate(zip(weights, biases)):
            z = []
            for row, b in zip(W, bs):
                first = row[0] * a[0]
                total = b + first
                for w, x in zip(row[1:], a[1:]):
                    total = total + w * x
                z.append(total)
                if reuse:
                    extra += [first.tanh(), (b + first).sin()]
            a = [zi.tanh() if k % 2 else zi.sigmoid() for zi in z]
        out = sum_of(a) + dot(weights[0][0][:1], a[:1])
        return out + sum_of(extra) if extra else out

    return f, params


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(1, 4), min_size=2, max_size=4),
    st.integers(0, 10**6),
    st.booleans(),
    st.integers(1, 4),
)
def test_layered_batches_equal_the_eager_engine(
    sizes: list[int], seed: int, reuse: bool, batch: int
) -> None:
    f, params = _network(sizes, seed, reuse)
    rng = random.Random(seed)
    rows = [[rng.uniform(-2, 2) for _ in range(sizes[0])] for _ in range(batch)]
    tape = compile(f, rows[0], wrt=params)
    values, grads = tape.batch_value_and_grad(*np.array(rows).T, fold_layers=True)
    sums = [0.0] * len(params)
    for k, row in enumerate(rows):
        inputs = [Value(x) for x in row]
        out = f(*inputs)
        expected = grad(out, inputs + params)
        assert _close(values[k], out.data)
        for g, e in zip(grads[: len(row)], expected):
            assert _close(g[k], e)
        sums = [s + e for s, e in zip(sums, expected[len(row) :])]
    assert all(_close(g, s) for g, s in zip(grads[sizes[0] :], sums))


def test_a_layer_is_found_and_reused_nodes_are_not_folded() -> None:
    f, params = _network([3, 4, 2], seed=1, reuse=False)
    plan = plan_layers(compile(f, [0.1, 0.2, 0.3], wrt=params).program)
    assert [len(layer.roots) for layer in plan.layers] == [2, 4]
    f, params = _network([3, 4, 2], seed=1, reuse=True)
    tape = compile(f, [0.1, 0.2, 0.3], wrt=params)
    plan = plan_layers(tape.program)
    uses = Counter(i for ins in tape.program.instructions for i in ins.operands)
    reused = {target for target, count in uses.items() if count > 1}
    assert plan.layers
    assert reused and not reused & plan.folded
