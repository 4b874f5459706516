"""The benchmarks' data and starting parameters, made deterministically from fixed seeds.

Every engine starts from the same numbers (plain floats here), so their losses and gradients
can be compared before anything is timed.
"""

from __future__ import annotations

import itertools
import math
import random

__all__ = ["COURSE_SIZES", "DEMO_SIZES", "course_params", "demo_params", "heart", "moons"]

DEMO_SIZES = (2, 16, 16, 1)
"""micrograd's demo network: 2 inputs, two hidden relu layers of 16, one linear output."""

COURSE_SIZES = (1, 6, 7, 2)
"""The course's network: 1 input, sigmoid layers of 6, 7 and 2."""

Layers = list[tuple[list[list[float]], list[float]]]
"""Per layer: the weight matrix (row i holds neuron i's weights) and the biases."""


def moons(n: int = 100, noise: float = 0.1, seed: int = 1) -> tuple[list[list[float]], list[float]]:
    """Two interleaved half circles with gaussian noise, labels -1 and +1 (as micrograd's demo,
    which takes them from scikit-learn's make_moons)."""
    rng = random.Random(seed)
    half = n // 2
    points: list[list[float]] = []
    labels: list[float] = []
    for i in range(n):
        outer = i < half
        count = half if outer else n - half
        t = math.pi * (i if outer else i - half) / (count - 1)
        x, y = (math.cos(t), math.sin(t)) if outer else (1 - math.cos(t), 0.5 - math.sin(t))
        points.append([x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)])
        labels.append(-1.0 if outer else 1.0)
    return points, labels


def heart(n: int = 100) -> tuple[list[float], list[list[float]]]:
    """The course's training data: x = 0, 1/n, …, and the heart curve mapped into (0, 1)."""
    xs = [i / n for i in range(n)]
    targets = []
    for x in xs:
        t = 2 * math.pi * x
        y1 = 16 * math.sin(t) ** 3
        y2 = 13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)
        targets.append([(y1 / 20 + 1) / 2, (y2 / 20 + 1) / 2])
    return xs, targets


def demo_params(seed: int = 1337) -> Layers:
    """micrograd's initialisation: weights uniform in [-1, 1], biases 0."""
    rng = random.Random(seed)
    return [
        ([[rng.uniform(-1.0, 1.0) for _ in range(nin)] for _ in range(nout)], [0.0] * nout)
        for nin, nout in itertools.pairwise(DEMO_SIZES)
    ]


def course_params(seed: int = 3) -> Layers:
    """The course's initialisation: every weight and bias standard normal, divided by 2."""
    rng = random.Random(seed)
    return [
        (
            [[rng.gauss(0.0, 1.0) / 2 for _ in range(nin)] for _ in range(nout)],
            [rng.gauss(0.0, 1.0) / 2 for _ in range(nout)],
        )
        for nin, nout in itertools.pairwise(COURSE_SIZES)
    ]
