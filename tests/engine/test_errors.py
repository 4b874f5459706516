"""Every bad input: the exact exception type and the important words of its message."""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest

from autodiff import GradcheckError, Value, dot, grad, gradcheck, hessian, jacobian, sum_of


def _raises(kind: type[Exception], *words: str) -> Any:
    """``pytest.raises`` for ``kind`` whose message contains every one of ``words``."""
    pattern = "".join(f"(?=[\\s\\S]*{re.escape(word)})" for word in words)
    return pytest.raises(kind, match=pattern)


# --- construction -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "type_name"),
    [
        (True, "bool"),
        ("1.0", "str"),
        (None, "NoneType"),
        (1 + 2j, "complex"),
        ([1.0], "list"),
        (Value(1.0), "Value"),
    ],
)
def test_value_rejects_non_real_data(data: object, type_name: str) -> None:
    with _raises(TypeError, "Value data", "real number", type_name):
        Value(data)  # type: ignore[arg-type]


@pytest.mark.parametrize("data", [math.nan, math.inf, -math.inf])
def test_value_rejects_non_finite_data(data: float) -> None:
    with _raises(ValueError, "Value data", "finite", repr(data)):
        Value(data)


@pytest.mark.parametrize(
    "data", [10**400, -(10**400), Fraction(10**400, 3)], ids=["10**400", "-10**400", "Fraction"]
)
def test_value_rejects_numbers_beyond_float_range(data: object) -> None:
    with _raises(OverflowError, "Value data", "too large for a float"):
        Value(data)  # type: ignore[arg-type]


def test_value_label_must_be_a_string() -> None:
    with _raises(TypeError, "label", "str", "int", "3"):
        Value(1.0, label=3)  # type: ignore[arg-type]


def test_value_accepts_numpy_scalars_as_floats() -> None:
    np = pytest.importorskip("numpy")
    for scalar in (np.float64(0.5), np.float32(0.5), np.int64(3)):
        assert type(Value(scalar).data) is float
    with _raises(TypeError, "Value data", "bool"):
        Value(np.bool_(True))


# --- domains of the primitives ----------------------------------------------------------
@pytest.mark.parametrize("x", [0.0, -1.0])
def test_log_of_non_positive(x: float) -> None:
    with _raises(ValueError, "log", "> 0", repr(x)):
        Value(x).log()


def test_sqrt_of_negative() -> None:
    with _raises(ValueError, "sqrt", ">= 0", "-1.0"):
        Value(-1.0).sqrt()


@pytest.mark.parametrize("n", [-1, -0.5, -2.0])
def test_zero_to_a_negative_power(n: float) -> None:
    with _raises(ValueError, "**", "0.0", "negative power", repr(float(n))):
        Value(0.0) ** n


def test_negative_base_to_a_non_integer_power() -> None:
    with _raises(ValueError, "**", "negative base", "-8.0", "non-integer", "0.5"):
        Value(-8.0) ** 0.5


@pytest.mark.parametrize(
    ("power", "base"),
    [
        (lambda: Value(-2.0) ** Value(2.0), "-2.0"),
        (lambda: Value(0.0) ** Value(2.0), "0.0"),
        (lambda: (-2.0) ** Value(2.0), "-2.0"),
        (lambda: 0 ** Value(2.0), "0.0"),
    ],
    ids=["Value ** Value", "zero base", "number ** Value", "0 ** Value"],
)
def test_value_exponent_needs_a_positive_base(power: Callable[[], Value], base: str) -> None:
    with _raises(ValueError, "**", "a Value exponent needs a positive base", base):
        power()


@pytest.mark.parametrize(
    ("overflow", "op"),
    [
        (lambda: Value(710.0).exp(), "exp"),
        (lambda: Value(1e308) + 1e308, "+"),
        (lambda: Value(-1e308) - 1e308, "+"),
        (lambda: Value(1e200) * 1e200, "*"),
        (lambda: 1e200 * Value(-1e200), "*"),
        (lambda: Value(10.0) ** 400, "**"),
        (lambda: Value(10.0) ** Value(400.0), "**"),
        (lambda: 10 ** Value(400.0), "**"),
    ],
    ids=["exp", "+", "-", "*", "reflected *", "** number", "** Value", "number **"],
)
def test_overflow(overflow: Callable[[], Value], op: str) -> None:
    with _raises(OverflowError, op, "overflows a float"):
        overflow()


@pytest.mark.parametrize(
    "division",
    [
        lambda: Value(2.0) / 0,
        lambda: Value(2.0) / 0.0,
        lambda: Value(2.0) / Value(0.0),
        lambda: Value(2.0) / Value(-0.0),
        lambda: 2.0 / Value(0.0),
    ],
    ids=["Value / 0", "Value / 0.0", "Value / Value", "Value / -0.0", "number / Value"],
)
def test_division_by_zero(division: Callable[[], Value]) -> None:
    with _raises(ValueError, "/: division of 2.0 by zero"):
        division()


@pytest.mark.parametrize(
    ("x", "y"),
    [
        (1e-300, 1e-320),  # 1e20: fits, although 1 / 1e-320 does not
        (0.0, 1e-320),
        (-1e-300, 5e-324),
        (3.0, 1e-300),
        (1e300, 1.5e308),  # 1 / 1.5e308 would be a subnormal, short of digits
        (-2.5e-300, 2.0**1023),
    ],
)
def test_division_by_tiny_or_huge_divisors_computes_what_fits(x: float, y: float) -> None:
    quotient = x / y
    for divided in (Value(x) / y, Value(x) / Value(y), x / Value(y)):
        # Division through a reciprocal rounds once more than x / y itself: 1 ulp at most.
        assert abs(divided.data - quotient) <= math.ulp(quotient)


@pytest.mark.parametrize(
    ("division", "shown"),
    [
        (lambda: Value(1.0) / 1e-320, "(1.0, 1e-320)"),
        (lambda: Value(1e300) / 1e-10, "(1e+300, 1e-10)"),
        (lambda: Value(1e300) / Value(1e-10), "(1e+300, 1e-10)"),
        (lambda: 1e300 / Value(1e-300), "(1e+300, 1e-300)"),
        (lambda: Value(-1e-10) / Value(5e-324), "(-1e-10, 5e-324)"),
    ],
)
def test_a_quotient_beyond_float_range_blames_the_division(
    division: Callable[[], Value], shown: str
) -> None:
    with _raises(OverflowError, f"/: the result overflows a float for input {shown}"):
        division()


def test_derivatives_of_a_division_by_a_tiny_or_huge_divisor() -> None:
    x = Value(1e-300)
    y = x / 1e-320  # fits, but dy/dx = 1e320 does not
    with _raises(OverflowError, "overflows a float"):
        y.backward()
    assert x.grad == 0.0
    u, v = Value(3.0), Value(2.0**1023)
    assert grad(u / v, [u]) == [2.0**-1023]  # powers of two all the way: exact


def test_a_local_derivative_beyond_float_range_is_named_plainly() -> None:
    x = Value(1e-160)
    y = x**-1  # 1e160 fits; its derivative -1e320 does not
    for attempt in (y.backward, lambda: grad(y, [x]), lambda: grad(y, [x], create_graph=True)):
        with pytest.raises(OverflowError) as error:
            attempt()
        assert str(error.value) == "**: the derivative at input (1e-160) overflows a float"


# --- numbers written into .data by hand ---------------------------------------------------
_USES: list[tuple[str, Callable[[Value], object]]] = [
    ("+", lambda v: v + 1.0),
    ("*", lambda v: 2.0 * v),
    ("+", lambda v: v - Value(1.0)),
    ("/", lambda v: v / 3.0),
    ("/", lambda v: 3.0 / v),
    ("tanh", lambda v: v.tanh()),
    ("sigmoid", lambda v: v.sigmoid()),
    ("exp", lambda v: v.exp()),
    ("relu", lambda v: v.relu()),
    ("**", lambda v: v**-1),
    ("**", lambda v: 0.5**v),
    ("sum", lambda v: sum_of([v, 1.0])),
    ("dot", lambda v: dot([v], [0.0])),
]


@pytest.mark.parametrize("written", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize(
    ("op", "use"), _USES, ids=[f"{op}-{number}" for number, (op, _) in enumerate(_USES)]
)
def test_a_number_written_into_data_is_checked_when_next_used(
    op: str, use: Callable[[Value], object], written: float
) -> None:
    v = Value(1.0, label="v")
    v.data = written
    with _raises(ValueError, f"{op}: Value({written!r}", "label='v'", "holds", "in .data"):
        use(v)


@pytest.mark.parametrize("written", [math.nan, math.inf])
def test_a_number_written_into_data_after_the_graph_was_built(written: float) -> None:
    w = Value(0.5, label="w")
    h = (w * 3.0).tanh()
    out = h * h + w
    h.data = written
    with _raises(ValueError, "backward: Value(", "holds", "in .data"):
        out.backward()
    assert w.grad == 0.0 and out.grad == 0.0
    with _raises(ValueError, "grad: Value(", "holds", "in .data"):
        grad(out, [w])


def test_a_number_written_into_grad_is_named() -> None:
    w = Value(0.5, label="w")
    out = w * w
    w.grad = math.nan
    with _raises(ValueError, "backward:", "label='w'", "holds nan in .grad", "zero it"):
        out.backward()
    assert out.grad == 0.0


# --- operand types ------------------------------------------------------------------------
_BAD_OPERANDS = ["1.0", None, [1.0], 1j, True]
_BINARY: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("+", lambda x, y: x + y),
    ("-", lambda x, y: x - y),
    ("*", lambda x, y: x * y),
    ("/", lambda x, y: x / y),
    ("**", lambda x, y: x**y),
]


@pytest.mark.parametrize("bad", _BAD_OPERANDS, ids=lambda bad: type(bad).__name__)
@pytest.mark.parametrize(("op", "apply"), _BINARY, ids=[op for op, _ in _BINARY])
@pytest.mark.parametrize("reflected", [False, True], ids=["Value op bad", "bad op Value"])
def test_unsupported_operand_types(
    op: str, apply: Callable[[Any, Any], Any], bad: object, reflected: bool
) -> None:
    with _raises(TypeError, f"unsupported operand for {op}", type(bad).__name__):
        if reflected:
            apply(bad, Value(2.0))
        else:
            apply(Value(2.0), bad)


@pytest.mark.parametrize(("op", "apply"), _BINARY, ids=[op for op, _ in _BINARY])
def test_non_finite_number_operands(op: str, apply: Callable[[Any, Any], Any]) -> None:
    with _raises(ValueError, f"{op} operand", "finite", "nan"):
        apply(Value(2.0), math.nan)


# --- numbers out of a Value: only through .data ------------------------------------------
_CONVERSIONS: list[tuple[str, Callable[[Value], object]]] = [
    ("float(v)", float),
    ("int(v)", int),
    ("round(v)", round),
    ("round(v, 2)", lambda v: round(v, 2)),
    ("math.exp(v)", math.exp),
    ("math.tanh(v)", math.tanh),
    ("math.isfinite(v)", math.isfinite),
    ("math.floor(v)", math.floor),
    ("math.ceil(v)", math.ceil),
    ("math.trunc(v)", math.trunc),
    ("operator.index(v)", operator.index),
    ("complex(v)", complex),
    ("'%f' % v", lambda v: "%f" % v),  # noqa: UP031 (the %-format is what is tested)
    ("[0][v]", lambda v: [0.0][v]),
]


@pytest.mark.parametrize(
    "convert", [convert for _, convert in _CONVERSIONS], ids=[name for name, _ in _CONVERSIONS]
)
def test_a_value_is_never_turned_into_a_number_implicitly(
    convert: Callable[[Value], object],
) -> None:
    v = Value(0.0, label="v")
    with _raises(TypeError, "label='v'", "use v.data for the number", "v.exp()"):
        convert(v)


def test_math_on_a_value_is_refused_instead_of_giving_a_wrong_gradient() -> None:
    # x * math.exp(x) would treat exp(x) as a constant: 1.6487 at 0.5 instead of 2.4731.
    x = Value(0.5)
    with _raises(TypeError, "math.exp", "v.data", "keep the derivative"):
        x * math.exp(x)  # type: ignore[arg-type]
    (derivative,) = grad(x * x.exp(), [x])
    assert derivative == math.exp(0.5) * 1.5


def test_format_specs_format_the_number() -> None:
    v = Value(2.0 / 3.0, label="v")
    assert f"{v:.3f}" == "0.667" and format(v, "+.2e") == "+6.67e-01"
    assert f"{v:>8.2f}|" == "    0.67|"
    assert f"{v}" == str(v) == format(v, "") == repr(v)


def test_numpy_scalars_refuse_a_value_too() -> None:
    np = pytest.importorskip("numpy")
    with _raises(TypeError, "v.data"):
        np.float64(Value(1.0))


# --- derivatives that do not exist --------------------------------------------------------
@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize(
    ("function", "op"),
    [(lambda x: x.sqrt(), "sqrt"), (lambda x: x**0.5, "**"), (lambda x: x**0.25, "**")],
    ids=["sqrt", "** 0.5", "** 0.25"],
)
def test_infinite_derivative_at_zero_is_an_error(
    function: Callable[[Value], Value], op: str, create_graph: bool
) -> None:
    x = Value(0.0)
    y = function(x)
    assert y.data == 0.0  # the value itself exists
    with _raises(ValueError, f"{op}: the derivative is not finite at input (0.0)"):
        grad(y, [x], create_graph=create_graph)
    with _raises(ValueError, f"{op}: the derivative is not finite at input (0.0)"):
        y.backward()


def test_a_gradient_beyond_float_range_is_an_error_not_inf() -> None:
    x = Value(1e-10)
    y = x.log() * 1e300  # finite, but dy/dx = 1e310
    with _raises(OverflowError, "a product of derivatives overflows a float"):
        y.backward()
    with _raises(OverflowError, "grad", "inputs[0]", "inf", "overflows a float"):
        grad(y, [x])


def test_a_refused_gradient_leaves_no_trace_in_later_walks() -> None:
    x = Value(1e-10)
    with _raises(OverflowError, "grad", "inputs[0]"):
        grad(x.log() * 1e300, [x])
    twice = x * 2.0
    twice.backward()
    assert x.grad == 2.0
    assert grad(twice, [x]) == [2.0]


def test_a_gradient_is_never_silently_nan() -> None:
    # dy/dx = 0, but the float chain rule computes (1e300 · 1e300) · 0 = inf · 0 = nan.
    x = Value(3.0)
    y = x * 0.0 * 1e300 * 1e300
    # backward() stops at the first gradient that overflows (inf, above the nan).
    with _raises(OverflowError, "overflows a float"):
        y.backward()
    assert x.grad == 0.0
    with _raises(OverflowError, "grad", "nan"):
        grad(y, [x])


def test_accumulating_past_float_range_is_an_error() -> None:
    x = Value(1.0)
    y = x * 1e308
    y.backward()
    with _raises(OverflowError, "inf", "overflows a float"):
        y.backward()


@pytest.mark.parametrize(("seed", "kind"), [("1", TypeError), (math.nan, ValueError)])
def test_backward_seed_must_be_a_finite_number(seed: object, kind: type[Exception]) -> None:
    with _raises(kind, "backward grad"):
        Value(1.0).backward(seed)  # type: ignore[arg-type]


# --- the functional API ---------------------------------------------------------------------
def test_grad_needs_values() -> None:
    x = Value(1.0)
    with _raises(TypeError, "grad: output must be a Value", "float", "2.0"):
        grad(2.0, [x])  # type: ignore[arg-type]
    with _raises(TypeError, "grad: inputs[1] must be a Value", "float", "3.0"):
        grad(x * x, [x, 3.0])  # type: ignore[list-item]
    with _raises(TypeError, "jacobian: outputs[0] must be a Value", "int"):
        jacobian([1, x], [x])  # type: ignore[list-item]
    with _raises(TypeError, "hessian: inputs[0] must be a Value", "str"):
        hessian(x, ["x"])  # type: ignore[list-item]


# --- gradcheck --------------------------------------------------------------------------
def _table(error: pytest.ExceptionInfo[GradcheckError]) -> dict[str, list[str]]:
    """The rows of a GradcheckError's table, by input name."""
    lines = str(error.value).splitlines()
    assert lines[0] == "gradients do not match central differences"
    assert lines[1].split() == ["input", "analytic", "numeric", "difference"]
    assert lines[-1].startswith("(allowed: |analytic - numeric| <=")
    return {line.split()[0]: line.split()[1:] for line in lines[2:-1]}


def test_gradcheck_failure_table_flags_the_wrong_partial() -> None:
    # Reading y.data turns y into a constant for the chain rule, but not for differences:
    # ∂f/∂x = y is right, ∂f/∂y comes out 0 where the numeric value is x.
    def detached(x: Value, y: Value) -> Value:
        return x * y.data

    with pytest.raises(GradcheckError) as error:
        gradcheck(detached, [2.0, 3.0])
    rows = _table(error)
    assert set(rows) == {"x[0]", "x[1]"}
    analytic, numeric, difference = (float(cell) for cell in rows["x[0]"])
    assert (analytic, round(numeric, 6), difference < 1e-6) == (3.0, 3.0, True)
    analytic, numeric, difference, *flag = rows["x[1]"]
    assert (float(analytic), round(float(numeric), 6)) == (0.0, 2.0)
    assert round(float(difference), 6) == 2.0
    assert flag == ["<--", "mismatch"]


def test_gradcheck_at_a_kink_fails_honestly() -> None:
    # relu'(0) = 0 by convention; central differences see the average slope 1/2.
    with pytest.raises(GradcheckError) as error:
        gradcheck(lambda x: x.relu(), [0.0])
    analytic, numeric, _, *flag = _table(error)["x[0]"]
    assert (float(analytic), round(float(numeric), 6), flag) == (0.0, 0.5, ["<--", "mismatch"])


def test_gradcheck_order_two_flags_a_second_derivative() -> None:
    # relu(x)² has a continuous first derivative 2·relu(x) but a jump in the second at 0.
    def squared_relu(x: Value) -> Value:
        return x.relu() ** 2

    assert gradcheck(squared_relu, [0.0])
    with pytest.raises(GradcheckError) as error:
        gradcheck(squared_relu, [0.0], order=2)
    analytic, numeric, _, *flag = _table(error)["dx[0],x[0]"]
    assert (float(analytic), round(float(numeric), 6), flag) == (0.0, 1.0, ["<--", "mismatch"])


@pytest.mark.parametrize("order", [0, 3, "2", True, 1.5])
def test_gradcheck_order_must_be_one_or_two(order: object) -> None:
    with _raises(ValueError, "gradcheck: order must be 1 or 2", repr(order)):
        gradcheck(lambda x: x * x, [1.0], order=order)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "value", "kind", "words"),
    [
        ("eps", 0.0, ValueError, "positive"),
        ("eps", -1e-6, ValueError, "positive"),
        ("eps", math.nan, ValueError, "finite"),
        ("eps", "1e-6", TypeError, "number"),
        ("atol", -1.0, ValueError, "non-negative"),
        ("rtol", math.inf, ValueError, "finite"),
        ("rtol", None, TypeError, "number"),
    ],
)
def test_gradcheck_tolerances_are_validated(
    name: str, value: object, kind: type[Exception], words: str
) -> None:
    with _raises(kind, f"gradcheck: {name} must be", words, repr(value)):
        gradcheck(lambda x: x * x, [1.0], **{name: value})  # type: ignore[arg-type]


def test_gradcheck_f_must_return_a_value() -> None:
    with _raises(TypeError, "gradcheck: f must return a Value", "float"):
        gradcheck(lambda x: x.data * 2, [1.0])  # type: ignore[arg-type, return-value]
