"""``autodiff.functions``: the engine's functions on numbers (its own floats) and on Values."""

from __future__ import annotations

import math

import pytest
from hypothesis import given

from autodiff import PRIMITIVES, Value, grad
from autodiff import functions as F
from autodiff.primitives import BUILTIN
from autodiff.testing import reals

UNARY = ["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "abs"]


def test_every_built_in_function_of_one_operand_is_there() -> None:
    assert {name for name in BUILTIN if PRIMITIVES[name].arity == 1} == set(UNARY)


@pytest.mark.parametrize("name", UNARY)
@given(x=reals(0.1, 5.0))
def test_numbers_give_the_engines_float_and_values_a_node(name: str, x: float) -> None:
    for point in (x, -x):
        if name in ("log", "sqrt") and point < 0:
            continue
        out = getattr(F, name)(point)
        assert type(out) is float and out == PRIMITIVES[name].forward(point)
        node = getattr(F, name)(Value(point))
        assert node.op == name and node.data == out


def test_pow_follows_the_operators() -> None:
    x = Value(2.0)
    assert F.pow(x, 3).exponent == 3.0 and F.pow(x, 3).data == 8.0
    assert F.pow(3.0, x).op == "**" and F.pow(3.0, x).children[1] is x
    assert F.pow(-2.0, 3) == -8.0 and F.pow(4, 0.5) == 2.0
    with pytest.raises(ValueError, match=r"\*\*: negative base"):
        F.pow(-2.0, 0.5)


def test_one_rule_serves_first_and_second_derivatives() -> None:
    def rule(x: object) -> object:
        return F.sigmoid(x) * F.log(F.pow(x, 2) + 1.0)

    x = Value(0.8)
    (first,) = grad(rule(x), [x], create_graph=True)
    (second,) = grad(first, [x])
    h = 1e-5
    d = (rule(0.8 + h) - rule(0.8 - h)) / (2 * h)
    assert math.isclose(first.data, d, rel_tol=1e-8)
    d2 = (rule(0.8 + h) - 2 * rule(0.8) + rule(0.8 - h)) / h**2
    assert math.isclose(second, d2, rel_tol=1e-4)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: F.log(-1.0), ValueError, "log: input must be > 0"),
        (lambda: F.sqrt(-1.0), ValueError, "sqrt: input must be >= 0"),
        (lambda: F.exp(1000.0), OverflowError, "exp"),
        (lambda: F.tanh("1"), TypeError, "tanh operand must be a real number"),
        (lambda: F.tanh(True), TypeError, "tanh operand must be a real number"),
        (lambda: F.tanh(math.nan), ValueError, "tanh operand must be finite"),
        (lambda: F.pow(1e200, 2), OverflowError, r"\*\*"),
    ],
)
def test_numbers_get_the_engines_errors(call: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call()  # type: ignore[operator]
