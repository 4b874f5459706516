"""User-defined primitives (``autodiff.primitive``): rows of the engine's own table, with
everything a built-in gets, and the engine's clear errors for a rule that misbehaves."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

from autodiff import (
    PRIMITIVES,
    GradcheckError,
    Value,
    draw,
    explain,
    grad,
    gradcheck,
    hessian,
    no_grad,
    primitive,
    unregister,
)
from autodiff import functions as F
from autodiff.extend import CHECK_VARIABLE
from autodiff.graph import local_partials
from autodiff.primitives import BUILTIN
from nn.app.formula import FUNCTIONS
from tests.helpers.user_primitives import float_softplus, t_clip, t_smoothmax, t_softplus


def _softplus_reference(x: float) -> float:
    # Written apart from the helper's forward: log(1 + e^x), fine for moderate x.
    return math.log(1.0 + math.exp(x))


def _sigmoid_reference(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


@pytest.fixture
def scratch() -> Iterator[list[str]]:
    """Names registered by a test, unregistered after it."""
    names: list[str] = []
    yield names
    for name in names:
        if name in PRIMITIVES:
            unregister(name)


def _define(names: list[str], name: str, forward: object, partials: object, **options: object):
    names.append(name)
    return primitive(name, forward, partials, **options)  # type: ignore[arg-type]


# --- a row like any other -------------------------------------------------------------------
def test_a_user_primitive_is_a_row_of_the_engine_table() -> None:
    row = PRIMITIVES["t_softplus"]
    assert t_softplus.row is row and "t_softplus" not in BUILTIN
    x = Value(0.5, label="x")
    y = t_softplus(x)
    assert y.op == "t_softplus" and y.children == (x,) and y._prim is row


@pytest.mark.parametrize("x", [-3.0, -0.5, 0.0, 0.25, 2.0])
def test_value_gradient_and_second_derivative_of_softplus(x: float) -> None:
    leaf = Value(x)
    y = t_softplus(leaf)
    assert math.isclose(y.data, _softplus_reference(x), rel_tol=1e-14)
    y.backward()
    assert math.isclose(leaf.grad, _sigmoid_reference(x), rel_tol=1e-14)
    s = _sigmoid_reference(x)
    assert math.isclose(hessian(y, [leaf])[0][0], s * (1.0 - s), rel_tol=1e-12)


def test_a_softplus_network_passes_gradcheck_to_second_order() -> None:
    def network(w: Value, x: Value, b: Value) -> Value:
        return t_softplus(w * x + b) * t_smoothmax(w, x) + t_clip(0.3 * b)

    assert gradcheck(network, [0.7, -1.2, 0.4], order=2)


def test_numbers_give_the_forward_float_and_mixed_operands_a_value() -> None:
    assert t_softplus(0.5) == PRIMITIVES["t_softplus"].forward(0.5)
    assert t_softplus(2) == t_softplus(2.0)
    mixed = t_smoothmax(Value(1.0), 2.0)
    assert mixed.op == "t_smoothmax" and mixed.children[1].data == 2.0


def test_no_grad_makes_a_leaf() -> None:
    with no_grad():
        y = t_softplus(Value(1.0))
    assert y.op == "" and y.children == () and y.data == t_softplus(1.0)


def test_drawings_show_the_formula_and_ledgers_the_partial_formulas() -> None:
    x = Value(0.5, label="x")
    y = t_softplus(x)
    y.label = "y"
    assert "t_softplus(x) = log(1 + e^x)" in draw(y).source
    ledger = str(explain(y, x))
    assert "sigmoid(x)" in ledger
    assert local_partials(y) == tuple(grad(y, [x]))


def test_the_formula_language_never_calls_user_code() -> None:
    assert set(FUNCTIONS) <= BUILTIN


# --- registration -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(BUILTIN))
def test_a_built_in_name_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="built-in primitive"):
        primitive(name, lambda x: x, lambda x, out: (1.0,))
    with pytest.raises(ValueError, match="built-in"):
        unregister(name)


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"name": "two words"}, ValueError, "identifier"),
        ({"name": 3}, TypeError, "name must be a str"),
        ({"forward": 1.0}, TypeError, "forward must be callable"),
        ({"partials": lambda x: (1.0,)}, TypeError, "partials must take"),
        ({"arity": 3}, ValueError, "arity must be 1 or 2"),
        ({"domain": 2}, TypeError, "domain must be callable"),
        ({"partial_formulas": ("a", "b")}, ValueError, "partial_formulas"),
    ],
)
def test_bad_definitions_are_refused(options: dict, error: type, match: str) -> None:
    arguments = {"name": "u_bad", "forward": lambda x: x, "partials": lambda x, out: (1.0,)}
    arguments |= options
    with pytest.raises(error, match=match):
        primitive(**arguments)
    assert "u_bad" not in PRIMITIVES


def test_arity_comes_from_forward(scratch: list[str]) -> None:
    hyp = _define(scratch, "u_hyp", math.hypot, lambda x, y, out: (x / out, y / out), arity=2)
    mul = _define(scratch, "u_mul", lambda x, y: x * y, lambda x, y, out: (y, x))
    assert (hyp.arity, mul.arity) == (2, 2)
    with pytest.raises(TypeError, match="takes 2 operand"):
        mul(Value(1.0))


def test_registering_a_name_again_replaces_it_for_new_nodes(scratch: list[str]) -> None:
    old = _define(scratch, "u_again", lambda x: 2.0 * x, lambda x, out: (2.0,))
    before = old(Value(1.0))
    new = _define(scratch, "u_again", lambda x: 3.0 * x, lambda x, out: (3.0,))
    assert PRIMITIVES["u_again"] is new.row
    assert grad(before, [before.children[0]]) == [2.0]


# --- errors of a rule from outside ------------------------------------------------------------
@pytest.mark.parametrize(
    ("partials", "error", "match"),
    [
        (lambda x, out: (1.0, 2.0), TypeError, r"u_rule: partials must return 1 partial"),
        (lambda x, out: 1.0, TypeError, r"u_rule: partials must return a tuple"),
        (lambda x, out: ("one",), TypeError, r"u_rule: partials must return numbers"),
        (lambda x, out: (math.inf,), ValueError, r"u_rule: the derivative is not finite"),
        (lambda x, out: (math.nan,), ValueError, r"u_rule: the derivative is not finite"),
        (lambda x, out: (1.0 / (x - x),), ValueError, r"u_rule: the derivative is not finite"),
        (lambda x, out: (Value(1.0),), TypeError, r"u_rule: partials returned a Value"),
    ],
)
def test_a_bad_partials_rule_gets_an_error_naming_the_primitive(
    scratch: list[str], partials: object, error: type, match: str
) -> None:
    bad = _define(scratch, "u_rule", lambda x: 2.0 * x, partials)
    x = Value(0.5)
    x.grad = 0.25
    y = bad(x) * 3.0
    with pytest.raises(error, match=match):
        y.backward()
    assert x.grad == 0.25  # all or nothing, as for built-ins
    with pytest.raises(error, match=match):
        grad(y, [x])


@pytest.mark.parametrize(
    ("forward", "error", "match"),
    [
        (lambda x: "2", TypeError, r"u_fwd: forward must return a float, got str"),
        (lambda x: Value(x), TypeError, r"u_fwd: forward must return a float, got Value"),
        (lambda x: True, TypeError, r"u_fwd: forward must return a float, got bool"),
        (lambda x: math.nan, ValueError, r"u_fwd: forward returned nan at input \(0.5\)"),
        (lambda x: math.inf, OverflowError, r"u_fwd: the result overflows a float"),
        (lambda x: math.exp(1e4 * x), OverflowError, r"u_fwd: the result overflows a float"),
        (lambda x: math.log(-x), ValueError, r"u_fwd: forward failed at input \(0.5\)"),
    ],
)
def test_a_bad_forward_gets_an_error_naming_the_primitive(
    scratch: list[str], forward: object, error: type, match: str
) -> None:
    bad = _define(scratch, "u_fwd", forward, lambda x, out: (1.0,))
    with pytest.raises(error, match=match):
        bad(Value(0.5))
    with pytest.raises(error, match=match):
        bad(0.5)


def test_an_integer_result_becomes_a_float(scratch: list[str]) -> None:
    floor = _define(scratch, "u_floor", math.floor, lambda x, out: (0.0,), arity=1)
    y = floor(Value(2.5))
    assert type(y.data) is float and y.data == 2.0


# --- the debug mode -------------------------------------------------------------------------
def _wrong_softplus_partials(x: object, out: object) -> tuple[object]:
    return (F.tanh(x),)  # not softplus' derivative


def test_check_refuses_a_wrong_rule_and_leaves_the_table_as_it_was(scratch: list[str]) -> None:
    scratch.append("u_checked")
    with pytest.raises(GradcheckError, match="primitive 'u_checked'"):
        primitive("u_checked", float_softplus, _wrong_softplus_partials, check=True)
    assert "u_checked" not in PRIMITIVES
    right = primitive("u_checked", float_softplus, lambda x, out: (F.sigmoid(x),), check=True)
    assert PRIMITIVES["u_checked"] is right.row


def test_the_environment_variable_turns_the_check_on(
    scratch: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch.append("u_env")
    primitive("u_env", float_softplus, _wrong_softplus_partials)  # no check by default
    monkeypatch.setenv(CHECK_VARIABLE, "1")
    with pytest.raises(GradcheckError, match="u_env"):
        primitive("u_env", float_softplus, _wrong_softplus_partials)


def test_the_check_uses_only_points_of_the_domain(scratch: list[str]) -> None:
    scratch.append("u_log2")
    log2 = primitive(
        "u_log2",
        lambda x: math.log2(x),
        lambda x, out: (1.0 / (x * math.log(2.0)),),
        domain=lambda x: x > 0.0,
        check=True,
    )
    assert log2(8.0) == 3.0
    with pytest.raises(ValueError, match="none of the check points"):
        primitive(
            "u_log2",
            math.log2,
            lambda x, out: (1.0,),
            arity=1,
            domain=lambda x: x > 9.0,
            check=True,
        )
