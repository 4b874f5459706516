"""Where parameters start: random sources and the initialisation schemes.

Every random draw in ``nn`` goes through a :class:`random.Random` made by :func:`as_random`,
so an int seed reproduces a model (or a data set) exactly.

Example:
    >>> initial_values(3, as_random(0), "uniform") == initial_values(3, as_random(0), "uniform")
    True
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

__all__ = ["INIT_SCHEMES", "RandomSource", "as_random", "initial_values"]

RandomSource = int | random.Random | None
"""An int seed, a ``random.Random`` to draw from, or None for a fresh unseeded generator."""


def as_random(rng: RandomSource, what: str = "rng") -> random.Random:
    """``rng`` as a :class:`random.Random`: itself, seeded from an int, or unseeded for None.

    Raises:
        TypeError: ``rng`` is none of those (a bool or a float seed is refused, too).

    Example:
        >>> as_random(7).random() == as_random(7).random()
        True
    """
    if isinstance(rng, random.Random):
        return rng
    if rng is None:
        return random.Random()
    if isinstance(rng, int) and not isinstance(rng, bool):
        return random.Random(rng)
    raise TypeError(
        f"{what} must be an int seed, a random.Random or None, got {type(rng).__name__}: {rng!r}"
    )


def _uniform(nin: int, rng: random.Random) -> tuple[list[float], float]:
    # U(-1/sqrt(nin), 1/sqrt(nin)) for weights and bias, PyTorch's default for nn.Linear:
    # with inputs of size about 1, the pre-activation's spread stays about 1 however many
    # inputs a neuron has, so sigmoid and tanh start away from their flat tails.
    bound = 1.0 / math.sqrt(nin)
    weights = [rng.uniform(-bound, bound) for _ in range(nin)]
    return weights, rng.uniform(-bound, bound)


def _course(nin: int, rng: random.Random) -> tuple[list[float], float]:
    # The course's worksheet: every weight and bias standard normal divided by 2.
    weights = [rng.gauss(0.0, 1.0) / 2 for _ in range(nin)]
    return weights, rng.gauss(0.0, 1.0) / 2


INIT_SCHEMES: dict[str, Callable[[int, random.Random], tuple[list[float], float]]] = {
    "uniform": _uniform,
    "course": _course,
}
"""Initialisation schemes by name: ``(nin, rng) -> (weights, bias)`` for one neuron."""


def initial_values(nin: int, rng: random.Random, scheme: str) -> tuple[list[float], float]:
    """One neuron's starting weights and bias, drawn from ``rng`` (weights first, then bias).

    Raises:
        ValueError: ``scheme`` is not a key of :data:`INIT_SCHEMES`, listing the valid ones.

    Example:
        >>> weights, bias = initial_values(4, as_random(1), "uniform")
        >>> len(weights), all(abs(w) <= 0.5 for w in weights), abs(bias) <= 0.5
        (4, True, True)
    """
    try:
        draw = INIT_SCHEMES[scheme]
    except (KeyError, TypeError):
        valid = ", ".join(repr(name) for name in INIT_SCHEMES)
        raise ValueError(f"unknown init scheme {scheme!r}; valid: {valid}") from None
    return draw(nin, rng)
