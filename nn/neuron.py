"""One neuron: a = act(z) with z = Σᵢ wᵢxᵢ + b, and the errors every module call shares.

A neuron's parameters are ``w.0 … w.{nin-1}`` and ``b``; a call labels its pre-activation
``<prefix>.z`` and its output ``<prefix>.a`` (``z`` and ``a`` for a neuron on its own).
:mod:`nn.layers` builds layers and MLPs from neurons.

Example:
    >>> neuron = Neuron(2, "tanh")
    >>> neuron.w, neuron.b = [0.5, -1.0], 0.5
    >>> a = neuron([1.0, 1.0])  # tanh(0.5·1 − 1·1 + 0.5) = tanh(0)
    >>> a.data, a.label, a.children[0].label
    (0.0, 'a', 'z')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from autodiff import Value, dot

from .activations import Activation, linear, resolve_activation
from .checks import positive_int
from .init import RandomSource, as_random, initial_values
from .matrices import Weights, WrongName, checked_number, checked_vector, looks_like_batch
from .module import Module, Scalar, join_name

__all__ = ["Neuron"]


def _weighted_sum(weights: Sequence[Value], inputs: Sequence[Scalar], bias: Value) -> Value:
    """Σᵢ wᵢxᵢ + b: the one place a neuron's z is built.

    The products are one fused ``dot`` node (every ∂/∂wᵢ = xᵢ and ∂/∂xᵢ = wᵢ still on its
    edges), a single node instead of a chain of 2n binary ones: that is what makes a training
    step several times faster. The bias is added as its own ``+`` node, so z reads as the
    course writes it, w·x + b. The caller has checked that ``inputs`` has one entry per weight.
    """
    return dot(weights, inputs) + bias


def not_a_sequence(owner: str, expected: int, x: object) -> TypeError:
    return TypeError(
        f"{owner} expects a sequence of {expected} inputs, got {type(x).__name__}: {x!r}"
    )


def length_error(owner: str, expected: int, x: Sequence[Any]) -> Exception:
    if looks_like_batch(x):
        return batch_error(owner, expected, x)
    return ValueError(f"{owner} expects {expected} inputs, got {len(x)}")


def batch_error(owner: str, expected: int, x: Sequence[Any]) -> ValueError:
    """A list of rows passed where one example goes: say so, and how to pass a batch."""
    how = {"Neuron": "call it on each example", "Layer": "for a batch, call layer.forward_batch(X)"}
    hint = how.get(owner, "for a batch, call model.forward_batch(X)")
    return ValueError(
        f"{owner} expects one example of {expected} inputs, got a batch of {len(x)} "
        f"example{'' if len(x) == 1 else 's'} (a list of rows): {hint}"
    )


def options_text(activation: str, init: str) -> str:
    return f"activation={activation!r}" + ("" if init == "uniform" else f", init={init!r}")


class Neuron(Module):
    """One neuron: ``act(Σᵢ wᵢxᵢ + b)``.

    Args:
        nin: how many inputs it reads (at least 1).
        activation: ``"sigmoid"`` (the default, as in the course), ``"tanh"``, ``"relu"``,
            ``"linear"``, or any callable Value -> Value.
        rng: an int seed or a ``random.Random`` (same seed, same parameters); None draws
            unseeded.
        init: ``"uniform"`` (the default: U(−1/√nin, 1/√nin) for weights and bias) or
            ``"course"`` (every weight and the bias standard normal divided by 2).

    Attributes:
        w: the nin weight Values, a read-only view: ``neuron.w = [...]`` sets every weight
            (nin numbers, checked whole first), ``neuron.w[j].data = ...`` one.
        b: the bias Value; ``neuron.b = 0.5`` sets its number (the Value stays, so every
            graph and optimizer that holds it sees the change).

    Raises:
        ValueError: an unknown activation or init name (listing the valid ones), or
            ``nin < 1``; when called, an input of the wrong length.
        TypeError: ``nin`` is not an int, ``activation`` neither a name nor a callable.

    Example:
        >>> neuron = Neuron(1, "tanh")  # the course's NOT neuron, from its starting point
        >>> neuron.w[0].data, neuron.b.data = 1.3, -0.1
        >>> a = neuron([0.0])
        >>> round(a.data, 4), a.label, a.children[0].label
        (-0.0997, 'a', 'z')
    """

    W = WrongName("a neuron's weights are the list neuron.w (neuron.w = [...])")

    def __init__(
        self,
        nin: int,
        activation: str | Activation = "sigmoid",
        *,
        rng: RandomSource = None,
        init: str = "uniform",
    ) -> None:
        self.nin = positive_int(nin, "Neuron: nin")
        self.activation, act = resolve_activation(activation)
        # None marks the identity, so that a linear neuron returns z without a call.
        self._act: Activation | None = None if act is linear else act
        self.init = init
        weights, bias = initial_values(nin, as_random(rng), init)
        self._w = Weights(Value(weight) for weight in weights)
        self._b = Value(bias)
        self.relabel()

    @property
    def w(self) -> Weights:
        """The weight Values, read-only; assign nin numbers to set them all.

        Raises (on assignment):
            TypeError: not a list of numbers (a Value counts as its ``.data``).
            ValueError: not nin entries, or one that is not finite; nothing changes then.

        Example:
            >>> neuron = Neuron(2, rng=0)
            >>> neuron.w = [0.5, -1.0]
            >>> [weight.data for weight in neuron.w]
            [0.5, -1.0]
            >>> neuron.w = [0.5]
            Traceback (most recent call last):
            ...
            ValueError: Neuron.w must have 2 entries (one per input), got 1
        """
        return self._w

    @w.setter
    def w(self, vector: Sequence[float]) -> None:
        numbers = checked_vector(vector, "Neuron.w", length=self.nin, per="input")
        for weight, number in zip(self._w, numbers):
            weight.data = number

    @property
    def b(self) -> Value:
        """The bias Value; assign a number to set it.

        Example:
            >>> neuron = Neuron(2, rng=0)
            >>> bias = neuron.b
            >>> neuron.b = -2.5
            >>> neuron.b is bias, bias.data
            (True, -2.5)
        """
        return self._b

    @b.setter
    def b(self, number: float) -> None:
        self._b.data = checked_number(number, "Neuron.b")

    def _own_parameters(self) -> list[tuple[str, Value]]:
        named = [(f"w.{i}", weight) for i, weight in enumerate(self._w)]
        named.append(("b", self._b))
        return named

    def relabel(self, prefix: str = "") -> None:
        """Label the parameters under ``prefix`` (:meth:`Module.relabel`), and the Values each
        call makes: ``prefix.z`` for w·x + b and ``prefix.a`` for its activation.

        Example:
            >>> neuron = Neuron(1, rng=0)
            >>> neuron.relabel("out")
            >>> a = neuron([1.0])
            >>> a.label, a.children[0].label, neuron.b.label
            ('out.a', 'out.z', 'out.b')
        """
        super().relabel(prefix)
        # Computed once here, not per call: a neuron call is the innermost loop of training.
        self._z_label = join_name(prefix, "z")
        self._a_label = self._z_label if self._act is None else join_name(prefix, "a")

    def __call__(self, x: Sequence[Scalar]) -> Value:
        return self.parts(x)[1]

    def parts(self, x: Sequence[Scalar]) -> tuple[Value, Value]:
        """``(z, a)`` for the inputs ``x``: the pre-activation and the output of one call.

        A call returns ``a`` alone; backpropagation by layers (:func:`nn.backprop_table`) also
        needs z, the node whose gradient is the course's δ. For a linear neuron ``a is z``.

        Example:
            >>> neuron = Neuron(1, "tanh")
            >>> neuron.w, neuron.b = [2.0], 0.0
            >>> z, a = neuron.parts([0.5])
            >>> z.data, a.children == (z,)
            (1.0, True)
        """
        try:
            given = len(x)
        except TypeError:
            raise not_a_sequence("Neuron", self.nin, x) from None
        if given != self.nin:
            raise length_error("Neuron", self.nin, x)
        try:
            z = _weighted_sum(self._w, x, self._b)
        except TypeError:
            if looks_like_batch(x):  # as many rows as inputs: the rows reached dot
                raise batch_error("Neuron", self.nin, x) from None
            raise
        z.label = self._z_label
        act = self._act
        if act is None:
            return z, z
        a = act(z)
        if a is not z:  # a callable that returns its input must not rename z
            a.label = self._a_label
        return z, a

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, {options_text(self.activation, self.init)})"
