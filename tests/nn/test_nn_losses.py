"""Losses against their closed forms, their derivatives, and their errors."""

from __future__ import annotations

import math

import pytest

from autodiff import Value
from nn import binary_cross_entropy, hinge, mean_squared_error, sum_squared_error


def values(*numbers: float) -> list[Value]:
    return [Value(x) for x in numbers]


# --- squared errors --------------------------------------------------------------------


def test_sum_squared_error_value_and_gradient() -> None:
    a = values(0.5, -1.0, 2.0)
    y = [1.0, 0.0, 2.5]
    loss = sum_squared_error(a, y)
    loss.backward()
    assert loss.data == pytest.approx(0.25 + 1.0 + 0.25, abs=1e-15)
    assert [ai.grad for ai in a] == pytest.approx([2 * (ai.data - yi) for ai, yi in zip(a, y)])


def test_sum_squared_error_of_scalars_and_value_targets() -> None:
    a, y = Value(3.0), Value(1.0)
    loss = sum_squared_error(a, y)
    loss.backward()
    assert (loss.data, a.grad, y.grad) == (4.0, 4.0, -4.0)
    assert sum_squared_error([Value(3.0)], 1.0).data == 4.0  # a one-output model vs a number


def test_course_cost_line_is_the_mean_of_per_example_costs() -> None:
    predictions = [values(0.5, 0.5), values(1.0, 0.0), values(0.0, 0.25)]
    targets = [[1.0, 0.0], [1.0, 1.0], [0.5, 0.25]]
    data = list(zip(predictions, targets))
    N = len(data)
    C = sum(sum_squared_error(a, y) for a, y in data) / N
    assert isinstance(C, Value)
    assert C.data == pytest.approx((0.5 + 1.0 + 0.25) / 3, abs=1e-15)


def test_mean_squared_error_is_the_mean_over_all_elements() -> None:
    predictions = [values(0.5, 0.5), values(1.0, 0.0), values(0.0, 0.25)]
    targets = [[1.0, 0.0], [1.0, 1.0], [0.5, 0.25]]
    mse = mean_squared_error(predictions, targets)
    assert mse.data == pytest.approx((0.5 + 1.0 + 0.25) / 6, abs=1e-15)
    mse.backward()
    assert predictions[1][1].grad == pytest.approx(2 * (0.0 - 1.0) / 6, abs=1e-15)


def test_mean_squared_error_of_one_example_and_of_one_output_rows() -> None:
    assert mean_squared_error(values(1.0, 3.0), [0.0, 0.0]).data == 5.0
    assert mean_squared_error(Value(3.0), 1.0).data == 4.0
    # A batch of one-output predictions against a flat list of targets.
    assert mean_squared_error([[Value(1.0)], [Value(3.0)]], [0.0, 0.0]).data == 5.0


@pytest.mark.parametrize("loss", [sum_squared_error, binary_cross_entropy, hinge])
def test_mismatched_lengths_name_both(loss: object) -> None:
    with pytest.raises(ValueError, match="prediction has 2 elements, target has 3"):
        loss(values(0.5, 0.5), [1.0, 1.0, 1.0])  # type: ignore[operator]


def test_mean_squared_error_mismatched_counts_name_both() -> None:
    with pytest.raises(
        ValueError, match="mean_squared_error: prediction has 4 elements, target has 3"
    ):
        mean_squared_error([values(1.0, 2.0), values(3.0, 4.0)], [[1.0, 2.0], [3.0]])


def test_empty_and_wrong_types_are_refused() -> None:
    with pytest.raises(ValueError, match="sum_squared_error: prediction and target are empty"):
        sum_squared_error([], [])
    with pytest.raises(TypeError, match="sum_squared_error: target must be a Value, a number"):
        sum_squared_error(Value(1.0), "1")  # type: ignore[arg-type]


# --- binary cross-entropy (from logits) ------------------------------------------------------


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


@pytest.mark.parametrize("z", [-30.0, -4.0, -0.5, 0.0, 0.5, 4.0, 30.0])
@pytest.mark.parametrize("y", [0.0, 0.3, 1.0])
def test_binary_cross_entropy_matches_closed_form_and_slope(z: float, y: float) -> None:
    logit = Value(z)
    loss = binary_cross_entropy(logit, y)
    loss.backward()
    p = sigmoid(z)
    # -[y log p + (1 - y) log(1 - p)], with log(1 - p) taken as log σ(-z) to stay exact.
    expected = -(y * math.log(p) + (1 - y) * math.log(sigmoid(-z)))
    assert loss.data == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert logit.grad == pytest.approx(p - y, rel=1e-12, abs=1e-15)


def test_binary_cross_entropy_slope_at_zero_is_exact() -> None:
    logit = Value(0.0)
    binary_cross_entropy(logit, 1.0).backward()
    assert logit.grad == -0.5  # σ(0) − 1, not the −1 that relu'(0) = abs'(0) = 0 would give


@pytest.mark.parametrize(
    ("z", "y", "loss", "slope"),
    [
        (1000.0, 1.0, 0.0, 0.0),
        (1000.0, 0.0, 1000.0, 1.0),
        (-1000.0, 1.0, 1000.0, -1.0),
        (-1000.0, 0.0, 0.0, 0.0),
    ],
)
def test_binary_cross_entropy_is_finite_at_extreme_logits(
    z: float, y: float, loss: float, slope: float
) -> None:
    logit = Value(z)
    result = binary_cross_entropy(logit, y)
    result.backward()
    assert math.isfinite(result.data) and math.isfinite(logit.grad)
    assert (result.data, logit.grad) == (loss, slope)


def test_binary_cross_entropy_sums_over_elements() -> None:
    logits = values(0.5, -2.0)
    total = binary_cross_entropy(logits, [1.0, 0.0]).data
    assert total == pytest.approx(
        binary_cross_entropy(logits[0], 1.0).data + binary_cross_entropy(logits[1], 0.0).data
    )


@pytest.mark.parametrize("y", [-0.1, 1.5])
def test_binary_cross_entropy_target_outside_unit_interval(y: float) -> None:
    with pytest.raises(
        ValueError, match=rf"binary_cross_entropy: targets must be in \[0, 1\], got {y}"
    ):
        binary_cross_entropy(Value(0.0), y)


@pytest.mark.torch
def test_binary_cross_entropy_matches_pytorch() -> None:
    torch = pytest.importorskip("torch")
    logits = [-50.0, -3.0, -0.1, 0.0, 0.7, 12.0, 700.0]
    targets = [0.0, 1.0, 0.2, 1.0, 0.0, 0.9, 0.5]
    z = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    reference = torch.nn.functional.binary_cross_entropy_with_logits(
        z, torch.tensor(targets, dtype=torch.float64), reduction="sum"
    )
    reference.backward()
    ours = values(*logits)
    loss = binary_cross_entropy(ours, targets)
    loss.backward()
    assert loss.data == pytest.approx(reference.item(), rel=1e-13)
    assert [v.grad for v in ours] == pytest.approx(z.grad.tolist(), rel=1e-13, abs=1e-15)


# --- hinge ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("s", [-2.0, -0.5, 0.0, 0.5, 0.999, 1.5])
@pytest.mark.parametrize("y", [-1.0, 1.0])
def test_hinge_matches_closed_form_and_slope(s: float, y: float) -> None:
    score = Value(s)
    loss = hinge(score, y)
    loss.backward()
    assert loss.data == pytest.approx(max(0.0, 1 - y * s), abs=1e-15)
    assert score.grad == (-y if 1 - y * s > 0 else 0.0)


def test_hinge_sums_over_elements_and_refuses_other_labels() -> None:
    assert hinge(values(0.5, -3.0), [1.0, 1.0]).data == pytest.approx(0.5 + 4.0)
    with pytest.raises(ValueError, match="hinge: targets must be -1 or \\+1, got 0"):
        hinge(Value(0.5), 0)
