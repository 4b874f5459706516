"""Activation functions by name: what a neuron applies to its pre-activation z.

Each entry maps a Value to a Value. ``"sigmoid"`` is the default everywhere, as in the course;
``"linear"`` is the identity (a neuron with it returns z itself).

Example:
    >>> from autodiff import Value
    >>> name, act = resolve_activation("tanh")
    >>> name, act(Value(0.0)).data
    ('tanh', 0.0)
"""

from __future__ import annotations

from collections.abc import Callable

from autodiff import Value

__all__ = ["ACTIVATIONS", "Activation", "linear", "resolve_activation"]

Activation = Callable[[Value], Value]
"""A function Value -> Value applied to a neuron's pre-activation."""


def linear(z: Value) -> Value:
    """The identity: a linear neuron's output is its pre-activation z."""
    return z


# The Value methods themselves, not wrappers around them: a neuron call is on the hot path.
ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "relu": Value.relu,
    "linear": linear,
}
"""The activations a neuron accepts by name."""


def resolve_activation(activation: str | Activation) -> tuple[str, Activation]:
    """The display name and the function for ``activation`` (a name or a callable).

    Raises:
        ValueError: an unknown name, listing the valid ones.
        TypeError: neither a str nor a callable.

    Example:
        >>> resolve_activation("swish")
        Traceback (most recent call last):
        ...
        ValueError: unknown activation 'swish'; valid: 'sigmoid', 'tanh', 'relu', 'linear'
    """
    if isinstance(activation, str):
        if activation not in ACTIVATIONS:
            valid = ", ".join(repr(name) for name in ACTIVATIONS)
            raise ValueError(f"unknown activation {activation!r}; valid: {valid}")
        return activation, ACTIVATIONS[activation]
    if callable(activation):
        return getattr(activation, "__name__", repr(activation)), activation
    raise TypeError(
        "activation must be a name or a callable Value -> Value, "
        f"got {type(activation).__name__}: {activation!r}"
    )
