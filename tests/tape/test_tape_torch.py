"""Tape.to_torch: the traced function as a torch module over a batch, against the engine.

Values equal the eager engine's example by example, and the module's parameter gradients
(torch's autograd) equal the tape's batch sums, to rounding; where the engine raises, the
module raises too instead of returning a number. Skipped without torch.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from autodiff import Value, compile_tape, grad
from autodiff.tape import GraphChangedError
from autodiff.testing import Expression, expressions, points

torch = pytest.importorskip("torch")

RELATIVE = 1e-12


def close(a: float, b: float, relative: float = RELATIVE) -> bool:
    return math.isclose(a, b, rel_tol=relative, abs_tol=1e-300)


def course_tape() -> tuple[Any, nn.MLP, list[list[float]]]:
    model = nn.MLP(1, [6, 7, 2], init="course", rng=0)

    def example_cost(x: Value, y1: Value, y2: Value) -> Value:
        return nn.sum_squared_error(model([x]), [y1, y2])

    inputs, targets = nn.heart()
    rows = [[x[0], *y] for x, y in zip(inputs, targets)]
    return compile_tape(example_cost, rows[0], wrt=model.parameters()), model, rows


def test_the_course_cost_over_a_batch_is_the_engines() -> None:
    tape, model, rows = course_tape()
    module = tape.to_torch()
    columns = [torch.tensor(column, dtype=torch.float64) for column in zip(*rows)]
    values = module(*columns)
    cost = values.sum()
    cost.backward()
    # the eager engine, example by example
    model.zero_grad()
    for row in rows:
        C = nn.sum_squared_error(model([row[0]]), row[1:])
        C.backward()
        assert close(values[rows.index(row)].item(), C.data)
    for parameter, (name, tensor) in zip(model.parameters(), module.named_parameters()):
        assert name == parameter.label.replace(".", "_")
        assert close(tensor.grad.item(), parameter.grad, 1e-10), name


def test_a_module_trains_in_torch_and_its_parameters_are_named() -> None:
    tape, _, rows = course_tape()
    module = tape.to_torch()
    columns = [torch.tensor(column, dtype=torch.float64) for column in zip(*rows)]
    optimizer = torch.optim.SGD(module.parameters(), lr=1.0)
    before = module(*columns).mean().item()
    for _ in range(20):
        optimizer.zero_grad()
        module(*columns).mean().backward()
        optimizer.step()
    assert module(*columns).mean().item() < before
    assert len(list(module.parameters())) == 77  # the wrt Values; constants are buffers


@pytest.mark.parametrize(
    ("f", "column", "words"),
    [
        (lambda x: (x * 1.0).log(), [1.0, -1.0], "log"),
        (lambda x: (x * 1e300 * 10.0).tanh(), [1.0, 1e10], "not finite"),
        (lambda x: (x * 1.0).sqrt() + 1.0, [4.0, -4.0], "sqrt"),
        (lambda x: (x * 1e300) * 10.0, [1.0, 1e10], "not finite"),
    ],
)
def test_where_the_engine_raises_the_module_raises(f: Any, column: list[float], words: str) -> None:
    module = compile_tape(f, [column[0]]).to_torch()
    with pytest.raises(ArithmeticError, match=words):
        module(torch.tensor(column, dtype=torch.float64))
    unchecked = compile_tape(f, [column[0]]).to_torch(checked=False)
    carried = unchecked(torch.tensor(column, dtype=torch.float64))  # torch carries on
    assert torch.isfinite(carried[0]) and carried.shape == (2,)


def test_dtype_device_and_arguments_are_checked() -> None:
    module = compile_tape(lambda x, y: x * y, [1.0, 2.0]).to_torch(dtype=torch.float32)
    assert module(torch.tensor([2.0]), torch.tensor([3.0])).dtype == torch.float32
    with pytest.raises(TypeError, match="the tape takes 2 arguments, got 1"):
        module(torch.tensor([2.0]))
    with pytest.raises(TypeError, match="dtype must be a floating-point torch dtype"):
        compile_tape(lambda x: x * x, [1.0]).to_torch(dtype=torch.int64)


@settings(max_examples=40, deadline=None)
@given(recipe=expressions(max_steps=8), data=st.data())
def test_random_programs_give_the_engines_values_or_its_refusal(
    recipe: Expression, data: st.DataObject
) -> None:
    tape = compile_tape(lambda *xs: recipe(*xs), list(recipe.inputs))
    module = tape.to_torch()
    batch = [recipe.inputs, *(data.draw(points(len(recipe.inputs))) for _ in range(3))]
    eager: list[float | None] = []
    for point in batch:
        try:
            eager.append(recipe(*(Value(x) for x in point)).data)
        except (ValueError, OverflowError):
            eager.append(None)
    columns = [torch.tensor(column, dtype=torch.float64) for column in zip(*batch)]
    try:
        values = module(*columns).tolist()
    except GraphChangedError:
        return  # a division takes another path at one of the points: the tape's own refusal
    except (ArithmeticError, ValueError):
        assert None in eager, "the module refused where the engine gives every number"
        return
    if not isinstance(values, list):
        values = [values] * len(batch)
    for value, expected in zip(values, eager):
        assert expected is not None, "the module gave a number where the engine raises"
        assert close(value, expected, 1e-9), (value, expected)


def test_gradients_of_arguments_through_torch_autograd() -> None:
    tape = compile_tape(lambda x, y: (x * y).tanh() + x.exp(), [0.5, 2.0])
    x = torch.tensor([0.5, -1.0], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([2.0, 0.25], dtype=torch.float64)
    tape.to_torch()(x, y).sum().backward()
    for k in range(2):
        xv, yv = Value(x[k].item()), Value(y[k].item())
        (dx,) = grad((xv * yv).tanh() + xv.exp(), [xv])
        assert close(x.grad[k].item(), dx)


def test_a_tape_with_a_primitive_of_your_own_is_refused() -> None:
    from autodiff import primitive, unregister

    cube = primitive("cube_t", forward=lambda x: x**3, partials=lambda x, out: (3 * x * x,))
    try:
        w = Value(0.5, label="w")
        tape = compile_tape(lambda x: cube(w * x), [1.0], wrt=[w])
        with pytest.raises(ValueError, match=r"primitives of your own \(cube_t\)"):
            tape.to_torch()
    finally:
        unregister("cube_t")
