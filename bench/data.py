"""The benchmarks' data and starting parameters, made deterministically from fixed seeds.

Every engine starts from the same numbers (plain floats here), so their losses and gradients
can be compared before anything is timed.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Sequence
from typing import NamedTuple

__all__ = [
    "COURSE_SIZES",
    "DEMO_SIZES",
    "DIGITS",
    "Layers",
    "Trainer",
    "course_params",
    "demo_params",
    "digits",
    "heart",
    "moons",
]

DEMO_SIZES = (2, 16, 16, 1)
"""micrograd's demo network: 2 inputs, two hidden relu layers of 16, one linear output."""

COURSE_SIZES = (1, 6, 7, 2)
"""The course's network: 1 input, sigmoid layers of 6, 7 and 2."""

Layers = list[tuple[list[list[float]], list[float]]]
"""Per layer: the weight matrix (row i holds neuron i's weights) and the biases."""


class Trainer(NamedTuple):
    """One engine on a mini-batch workload: ``step(batch)`` takes one SGD step on the examples
    numbered ``batch`` and returns their mean loss before it; ``gradients()`` is the gradient of
    that step, one float per parameter in ``nn``'s order (neuron by neuron, weights then bias);
    ``matrices()`` the current parameters as :data:`Layers`."""

    step: Callable[[Sequence[int]], float]
    gradients: Callable[[], list[float]]
    matrices: Callable[[], Layers]


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


DIGITS = (
    (".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."),
    ("..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."),
    (".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"),
    ("####.", "....#", "....#", ".###.", "....#", "....#", "####."),
    ("...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."),
    ("#####", "#....", "####.", "....#", "....#", "#...#", ".###."),
    ("..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."),
    ("#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."),
    (".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."),
    (".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."),
)
"""The ten digits as 5×7 strokes (``#``), drawn into an 8×8 grid by :func:`digits`."""


def _digit_image(label: int, rng: random.Random, noise: float) -> list[float]:
    """One 8×8 image (row by row) of ``label``: its strokes shifted by up to 3 columns and 1
    row, each stroke pixel of random ink (one in ten dropped), gaussian noise on every pixel,
    clipped to [0, 1]."""
    dx, dy = rng.randrange(4), rng.randrange(2)
    image = [0.0] * 64
    for row, line in enumerate(DIGITS[label]):
        for column, mark in enumerate(line):
            if mark == "#" and rng.random() >= 0.1:
                image[(row + dy) * 8 + column + dx] = rng.uniform(0.5, 1.0)
    return [min(1.0, max(0.0, pixel + rng.gauss(0.0, noise))) for pixel in image]


def digits(n: int, seed: int = 0, noise: float = 0.15) -> tuple[list[list[float]], list[int]]:
    """``n`` generated 8×8 digit images (64 pixels in [0, 1]) and their labels 0–9, the labels
    cycling through 0–9 in a shuffled order; the same ``seed`` gives the same floats."""
    rng = random.Random(seed)
    labels = [k % 10 for k in range(n)]
    rng.shuffle(labels)
    return [_digit_image(label, rng, noise) for label in labels], labels
