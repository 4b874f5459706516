"""Small data sets in pure Python: the course's heart, XOR, and micrograd's two moons.

Each returns ``(inputs, targets)``: two equally long lists, one entry per example. An input is
a list of floats (what a model takes); a target is a list of floats, or one number for a
single label (what a loss compares the model's output with).

Example:
    >>> inputs, targets = heart()
    >>> len(inputs), inputs[1], [round(y, 6) for y in targets[0]]
    (100, [0.01], [0.5, 0.625])
"""

from __future__ import annotations

import math

from .checks import positive_int
from .init import RandomSource, as_random

__all__ = ["heart", "two_moons", "xor"]


def _heart_point(x: float) -> list[float]:
    t = 2 * math.pi * x
    y1 = 16 * math.sin(t) ** 3
    y2 = 13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)
    # Scaled into (0, 1), the range of the course's sigmoid outputs.
    return [(y1 / 20 + 1) / 2, (y2 / 20 + 1) / 2]


def heart(n: int = 100) -> tuple[list[list[float]], list[list[float]]]:
    """The course's backpropagation data: x = 0, 1/n, …, (n−1)/n and a heart-shaped curve.

    With t = 2πx the targets are y1 = 16 sin³t and y2 = 13 cos t − 5 cos 2t − 2 cos 3t −
    cos 4t, both divided by 20 and mapped by y ← (y + 1)/2. The default n = 100 is the
    course's data set (x = 0, 0.01, …, 0.99).

    Returns:
        ``inputs`` as ``[[x], ...]`` (one input each) and ``targets`` as ``[[y1, y2], ...]``.

    Raises:
        ValueError: ``n`` < 1.

    Example:
        >>> inputs, targets = heart(4)
        >>> inputs
        [[0.0], [0.25], [0.5], [0.75]]
        >>> [round(y, 4) for y in targets[1]]  # t = π/2: y1 = 16/20, y2 = (5 − 1)/20
        [0.9, 0.6]
    """
    n = positive_int(n, "heart: n")
    xs = [i / n for i in range(n)]
    return [[x] for x in xs], [_heart_point(x) for x in xs]


def xor() -> tuple[list[list[float]], list[list[float]]]:
    """The four XOR examples: target 1 when exactly one input is 1.

    Example:
        >>> xor()
        ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [[0.0], [1.0], [1.0], [0.0]])
    """
    inputs = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    return inputs, [[float(a != b)] for a, b in inputs]


def _half_circle(count: int) -> list[float]:
    """``count`` angles evenly spaced over [0, π], ends included."""
    if count == 1:
        return [0.0]
    return [math.pi * i / (count - 1) for i in range(count)]


def two_moons(
    n: int = 100, noise: float = 0.1, rng: RandomSource = 0
) -> tuple[list[list[float]], list[float]]:
    """Two interleaving half circles (the data of micrograd's demo), shuffled, with noise.

    The upper moon is (cos θ, sin θ) with label −1, the lower (1 − cos θ, 1/2 − sin θ) with
    label +1 — the labels :func:`~nn.hinge` expects; ``(y + 1) / 2`` gives 0/1 labels.
    Gaussian noise of standard deviation ``noise`` is added to each coordinate.

    Args:
        n: examples in all (at least 2); the upper moon gets ``n // 2``.
        noise: the noise's standard deviation (>= 0).
        rng: an int seed or a ``random.Random``; the default seed 0 makes the data fixed.

    Returns:
        ``inputs`` as ``[[x1, x2], ...]`` and ``targets`` as a list of −1.0/+1.0.

    Example:
        >>> inputs, targets = two_moons(6, noise=0.0)
        >>> sorted(targets), two_moons(6, 0.1, rng=3) == two_moons(6, 0.1, rng=3)
        ([-1.0, -1.0, -1.0, 1.0, 1.0, 1.0], True)
    """
    if positive_int(n, "two_moons: n") < 2:
        raise ValueError(f"two_moons: n must be at least 2, got {n!r}")
    if isinstance(noise, bool) or not isinstance(noise, (int, float)):
        raise TypeError(f"two_moons: noise must be a number, got {type(noise).__name__}: {noise!r}")
    if not 0 <= noise < math.inf:
        raise ValueError(f"two_moons: noise must be a finite number >= 0, got {noise!r}")
    source = as_random(rng)
    upper = [([math.cos(t), math.sin(t)], -1.0) for t in _half_circle(n // 2)]
    lower = [([1 - math.cos(t), 0.5 - math.sin(t)], 1.0) for t in _half_circle(n - n // 2)]
    examples = upper + lower
    source.shuffle(examples)
    inputs = [
        [x + source.gauss(0.0, noise), y + source.gauss(0.0, noise)] for (x, y), _ in examples
    ]
    return inputs, [label for _, label in examples]
