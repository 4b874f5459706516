"""The compiled tape with user-defined primitives: it calls their own forward and partials
(one example: the eager floats), element by element or through ``batch_forward`` for a
batch, and a rule that misbehaves gets the eager engine's error naming the primitive."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest

from autodiff import PRIMITIVES, Value, compile_tape, grad, primitive, unregister
from autodiff import functions as F
from tests.helpers.user_primitives import float_softplus, np_softplus, t_smoothmax, t_softplus

pytestmark = pytest.mark.usefixtures("both_replays")  # see tests/tape/conftest.py

np = pytest.importorskip("numpy")


@pytest.fixture
def names() -> Iterator[list[str]]:
    made: list[str] = []
    yield made
    for name in made:
        if name in PRIMITIVES:
            unregister(name)


def _eager(f: Any, args: list[float], wrt: list[Value]) -> tuple[float, list[float]]:
    leaves = [Value(a) for a in args]
    out = f(*leaves)
    return out.data, grad(out, leaves + wrt)


W = Value(0.75, label="w")


def model(x: Value, y: Value) -> Value:
    return t_smoothmax(t_softplus(W * x), y.tanh()) * x


@pytest.mark.parametrize("point", [[0.5, -1.0], [-3.0, 2.0], [40.0, -40.0], [1e-8, 0.0]])
def test_one_example_is_the_eager_floats(point: list[float]) -> None:
    tape = compile_tape(model, [0.5, -1.0], wrt=[W])
    assert tape.value_and_grad(*point) == _eager(model, point, [W])
    assert "t_softplus" not in tape.source and "t_smoothmax" not in tape.source


def test_a_batch_applies_forward_and_partials_element_by_element() -> None:
    tape = compile_tape(model, [0.5, -1.0], wrt=[W])
    rows = [[0.5, -1.0], [-3.0, 2.0], [2.5, 0.25]]
    values, grads = tape.batch_value_and_grad(*np.array(rows).T)
    for k, row in enumerate(rows):
        value, expected = _eager(model, row, [W])
        assert values[k] == value and [grads[0][k], grads[1][k]] == expected[:2]


def test_batch_forward_is_used_for_batches(names: list[str]) -> None:
    calls: list[int] = []

    def batch(x: Any) -> Any:
        calls.append(len(x))
        return np_softplus(x)

    names.append("u_batch")
    softplus = primitive(
        "u_batch", float_softplus, lambda x, out: (F.sigmoid(x),), batch_forward=batch
    )
    tape = compile_tape(lambda x: softplus(x * 2.0), [0.5])
    values, _ = tape.batch_value_and_grad(np.array([0.5, -1.0, 3.0]))
    assert calls == [3]
    expected = [softplus(2.0 * x) for x in (0.5, -1.0, 3.0)]
    # numpy's exp and log1p may differ from math's in the last bits (docs/performance.md).
    assert all(math.isclose(v, e, rel_tol=1e-12) for v, e in zip(values, expected))


def test_a_bad_batch_forward_falls_back_to_the_eager_engine(names: list[str]) -> None:
    names.append("u_bad_batch")
    softplus = primitive(
        "u_bad_batch", float_softplus, lambda x, out: (F.sigmoid(x),), batch_forward=lambda x: 1.0
    )
    tape = compile_tape(lambda x: softplus(x), [0.5])
    values, grads = tape.batch_value_and_grad(np.array([0.5, -1.0]))
    assert values.tolist() == [softplus(0.5), softplus(-1.0)]
    assert grads[0].tolist() == [F.sigmoid(0.5), F.sigmoid(-1.0)]


@pytest.mark.parametrize(
    ("partials", "error", "match"),
    [
        (lambda x, out: (1.0, 1.0), TypeError, "u_rule: partials must return 1 partial"),
        (lambda x, out: (math.inf,), ValueError, "u_rule: the derivative is not finite"),
    ],
)
def test_a_bad_rule_gets_the_eager_error(
    names: list[str], partials: Any, error: type, match: str
) -> None:
    names.append("u_rule")
    bad = primitive("u_rule", lambda x: 2.0 * x, partials)
    tape = compile_tape(lambda x: bad(x) * x, [0.5])
    assert tape(0.5) == 0.5  # the value needs no partials
    with pytest.raises(error, match=match):
        tape.value_and_grad(0.5)
    with pytest.raises(error, match=match):
        tape.batch_value_and_grad(np.array([0.5, 1.0]))
