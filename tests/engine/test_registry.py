"""One row per primitive: every table built on ``autodiff.PRIMITIVES`` knows every primitive.

A primitive is declared once, in ``autodiff/primitives.py`` (forward, local derivatives,
their formulas, the tape's kernel), and checked once, in the op-spec table. What else must
know it — a ``Value`` method, the tape, the formula language of ``autodiff graph``, the
random expressions of ``autodiff.testing`` — is checked here, so that a new primitive
cannot pass the tests and then fail in one of them.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import Phase, find, settings

from autodiff import PRIMITIVES, Value, compile_tape, grad, topological_order
from autodiff.primitives import BUILTIN, VARIADIC, Kernel, Primitive, power
from autodiff.testing import OPERATIONS
from nn.app.formula import FUNCTIONS, parse
from tests.helpers.op_specs import SPECS, OpSpec

UNARY = sorted(name for name in BUILTIN if PRIMITIVES[name].arity == 1)
OPERATORS = {"+": "__add__", "*": "__mul__", "**": "__pow__"}
BATCH_ULPS = 4
"""The bound docs/performance.md states for numpy's kernels against the engine's."""


def _point(spec: OpSpec) -> tuple[float, ...]:
    """A simple point of the op's smooth domain where no operand is a whole number (at 0 or
    1 many different functions agree)."""
    return find(
        spec.inputs,
        lambda point: all(x != round(x) for x in point),
        settings=settings(phases=[Phase.generate], database=None),
    )


def test_every_row_is_whole() -> None:
    rows = [*PRIMITIVES.values(), power(2.0), power(0.5)]
    for prim in rows:
        assert isinstance(prim, Primitive)
        assert isinstance(prim.kernel, Kernel) and prim.kernel.scalar and prim.kernel.array
        assert len(prim.local_formulas) == (1 if prim.arity == VARIADIC else prim.arity)
    assert power(2.0).kernel != power(0.5).kernel  # an integer power may be written inline


@pytest.mark.parametrize("name", sorted(BUILTIN))
def test_every_primitive_has_a_value_method_or_operator(name: str) -> None:
    prim = PRIMITIVES[name]
    x = Value(0.5)
    if prim.arity == 1:
        method = "__abs__" if name == "abs" else name
        node = getattr(x, method)()
    elif prim.arity == 2:
        node = getattr(x, OPERATORS[name])(Value(2.0))
    else:
        from autodiff import dot, sum_of

        node = sum_of([x, x]) if name == "sum" else dot([x], [x])
    assert node._prim is prim


@pytest.mark.parametrize("name", UNARY)
def test_the_formula_language_calls_every_function_of_one_operand(name: str) -> None:
    assert name in FUNCTIONS
    out, _ = parse(f"{name}(x)").evaluate({"x": 0.5})
    assert out.op == name
    assert out.data == PRIMITIVES[name].forward(0.5)


def test_random_expressions_reach_every_primitive_and_both_powers() -> None:
    ops, exponents = set(), set()
    for operation in OPERATIONS.values():
        count = 2 if operation.arity == VARIADIC else operation.arity
        operands = [Value(1.5) for _ in range(count)]
        constants = [2.0] if operation.constants is not None else []
        out = operation.apply(*operands, *constants)
        for node in topological_order(out):
            ops.add(node.op)
            if node.op == "**":
                exponents.add(node.exponent is None)
    assert ops >= BUILTIN
    assert exponents == {True, False}


@pytest.mark.parametrize("spec", SPECS, ids=[spec.name for spec in SPECS])
def test_the_tape_replays_every_op_as_the_engine_computes_it(spec: OpSpec) -> None:
    point = _point(spec)
    tape = compile_tape(spec.apply, point)
    leaves = [Value(x) for x in point]
    out = spec.apply(*leaves)
    value, grads = tape.value_and_grad(*point)
    assert (value, grads) == (out.data, grad(out, leaves))
    np = pytest.importorskip("numpy")
    values, columns = tape.batch_value_and_grad(*[np.array([x, x]) for x in point])
    for batched, eager in [(values, out.data), *zip(columns, grad(out, leaves))]:
        assert all(_ulps(b, eager) <= BATCH_ULPS for b in batched.tolist())


def _ulps(a: float, b: float) -> float:
    return abs(a - b) / math.ulp(b) if a != b else 0.0
