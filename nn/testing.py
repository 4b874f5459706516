"""Hypothesis strategies for networks: random MLPs for property tests of code that uses them.

Like :mod:`autodiff.testing`, this module needs hypothesis (the ``testing`` extra:
``pip install "autodiff-course[testing]"``); ``import nn`` does not load it.

Example:
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, deadline=None)
    ... @given(models(nin=2, nout=1))
    ... def test_one_output(model):
    ...     assert len(model([0.5, -0.5])) == 1
    >>> test_one_output()
"""

from __future__ import annotations

from collections.abc import Sequence

try:
    from hypothesis import strategies as st
except ImportError as error:  # a message that says how to get it
    raise ImportError(
        "nn.testing needs hypothesis, which the 'testing' extra installs: "
        'pip install "autodiff-course[testing]"',
        name="hypothesis",
    ) from error

from .activations import ACTIVATIONS
from .checks import positive_int
from .layers import MLP

__all__ = ["SMOOTH", "models"]

SMOOTH = ("sigmoid", "tanh", "linear")
"""The activations :func:`models` uses by default: smooth everywhere, so that central
differences agree with reverse mode at every point (``relu`` has a kink at 0)."""


def _widths(name: str, low: int | None, high: int) -> st.SearchStrategy[int]:
    if low is not None:
        return st.just(positive_int(low, f"models: {name}"))
    return st.integers(1, high)


def models(
    *,
    nin: int | None = None,
    nout: int | None = None,
    max_layers: int = 3,
    max_width: int = 4,
    activations: Sequence[str] = SMOOTH,
) -> st.SearchStrategy[MLP]:
    """Random MLPs: 1 to ``max_layers`` layers of 1 to ``max_width`` neurons, random weights.

    Each model draws its hidden activation and its output activation from ``activations``
    and its weights from a drawn seed, so a failing model shrinks to a small one and
    prints as ``MLP(...)``.

    Args:
        nin, nout: the numbers of inputs and outputs; None draws them (1 to ``max_width``).
        max_layers: the most layers, the output layer included.
        max_width: the most neurons in a hidden layer.
        activations: names from ``nn.ACTIVATIONS``.

    Raises:
        TypeError, ValueError: a size is not a positive int, or ``activations`` is empty or
            names an unknown activation.

    Example:
        >>> from hypothesis import find
        >>> find(models(nin=3, activations=["tanh"]), lambda model: len(model.layers) == 2)
        MLP(3, [1, 1], activation='tanh')
    """
    positive_int(max_layers, "models: max_layers")
    positive_int(max_width, "models: max_width")
    if isinstance(activations, str) or not activations or set(activations) - set(ACTIVATIONS):
        raise ValueError(
            f"models: activations must be names from {sorted(ACTIVATIONS)}, got {activations!r}"
        )
    names = st.sampled_from(list(activations))
    return st.builds(
        _model,
        _widths("nin", nin, max_width),
        st.lists(st.integers(1, max_width), max_size=max_layers - 1),
        _widths("nout", nout, max_width),
        names,
        names,
        st.integers(0, 2**32 - 1),
    )


def _model(nin: int, hidden: list[int], nout: int, activation: str, output: str, seed: int) -> MLP:
    return MLP(nin, [*hidden, nout], activation, output_activation=output, rng=seed)
