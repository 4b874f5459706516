"""The data sets: the course's heart exactly, XOR, and deterministic two moons."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nn import heart, two_moons, xor


def test_heart_is_the_course_data() -> None:
    inputs, targets = heart()
    x = np.array(inputs)[:, 0]
    np.testing.assert_allclose(x, np.arange(0, 1, 0.01), rtol=0, atol=1e-15)
    assert len(inputs) == len(targets) == 100
    t = 2 * np.pi * x
    y1 = 16 * np.sin(t) ** 3 / 20
    y2 = (13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t)) / 20
    expected = np.stack([(y1 + 1) / 2, (y2 + 1) / 2], axis=1)
    np.testing.assert_allclose(targets, expected, rtol=0, atol=1e-15)
    assert all(0 < y < 1 for pair in targets for y in pair)


def test_heart_with_other_sizes() -> None:
    inputs, targets = heart(8)
    assert [x for (x,) in inputs] == [i / 8 for i in range(8)]
    assert targets[2] == pytest.approx(
        [(16 / 20 + 1) / 2, ((0 + 5 - 0 - 1) / 20 + 1) / 2]
    )  # t = π/2
    with pytest.raises(ValueError, match="heart: n must be at least 1, got 0"):
        heart(0)


@pytest.mark.parametrize("n", [1.5, True, "4", None])
def test_heart_refuses_a_size_that_is_not_an_int(n: object) -> None:
    with pytest.raises(TypeError, match="heart: n must be an int"):
        heart(n)  # type: ignore[arg-type]


def test_xor() -> None:
    inputs, targets = xor()
    assert [(a, b, y) for (a, b), (y,) in zip(inputs, targets)] == [
        (0.0, 0.0, 0.0),
        (0.0, 1.0, 1.0),
        (1.0, 0.0, 1.0),
        (1.0, 1.0, 0.0),
    ]


def test_two_moons_is_deterministic_and_seeded() -> None:
    assert two_moons(50, 0.1, rng=1) == two_moons(50, 0.1, rng=1)
    assert two_moons(50, 0.1) == two_moons(50, 0.1)  # the default seed is fixed
    assert two_moons(50, 0.1, rng=1) != two_moons(50, 0.1, rng=2)


@pytest.mark.parametrize("n", [2, 7, 100])
def test_two_moons_without_noise_lies_on_the_half_circles(n: int) -> None:
    inputs, targets = two_moons(n, noise=0.0)
    assert len(inputs) == len(targets) == n
    assert targets.count(-1.0) == n // 2 and targets.count(1.0) == n - n // 2
    for (x1, x2), label in zip(inputs, targets):
        cx, cy = (0.0, 0.0) if label == -1.0 else (1.0, 0.5)
        assert math.hypot(x1 - cx, x2 - cy) == pytest.approx(1.0, abs=1e-12)
        assert (x2 >= -1e-12) if label == -1.0 else (x2 <= 0.5 + 1e-12)


def test_two_moons_noise_spreads_the_points() -> None:
    inputs, targets = two_moons(400, noise=0.1, rng=0)
    radii = [
        math.hypot(x1 - (label == 1.0), x2 - 0.5 * (label == 1.0)) - 1
        for (x1, x2), label in zip(inputs, targets)
    ]
    spread = float(np.std(radii))
    assert 0.05 < spread < 0.2


@pytest.mark.parametrize(
    ("n", "noise", "words"),
    [
        (1, 0.1, "n must be at least 2"),
        (10, -0.1, "noise must be a finite number >= 0"),
        (10, math.inf, "noise must be a finite number >= 0"),
    ],
)
def test_two_moons_errors(n: int, noise: float, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        two_moons(n, noise)


@pytest.mark.parametrize(
    ("n", "noise", "words"),
    [
        (2.5, 0.1, "n must be an int"),
        (True, 0.1, "n must be an int"),
        (10, "0.1", "noise must be a number"),
    ],
)
def test_two_moons_refuses_arguments_of_the_wrong_type(
    n: object, noise: object, words: str
) -> None:
    with pytest.raises(TypeError, match=words):
        two_moons(n, noise)  # type: ignore[arg-type]
