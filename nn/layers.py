"""Neurons, layers and multi-layer perceptrons, built from Values.

A neuron computes a = act(z) with z = Σᵢ wᵢxᵢ + b; a layer is a list of neurons reading the
same inputs, i.e. a = act(W x + b) with row i of W holding neuron i's weights (the course's
convention); an MLP is a chain of layers.

Names and labels: a neuron's parameters are ``w.0 … w.{nin-1}`` and ``b``; a layer's are
``neurons.{i}.`` followed by those, an MLP's ``layers.{j}.`` followed by a layer's. Each
parameter's ``.label`` is that full name, and a neuron call labels its pre-activation
``<prefix>.z`` and its output ``<prefix>.a`` (``z`` and ``a`` for a neuron on its own).

Example:
    >>> model = MLP(1, [6, 7, 2], rng=0)  # the course's 1→6→7→2 sigmoid network
    >>> out = model([0.5])
    >>> len(out), out[1].label, len(model.parameters())
    (2, 'layers.2.neurons.1.a', 77)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from autodiff import Value, dot

from .activations import Activation, linear, resolve_activation
from .checks import positive_int
from .init import RandomSource, as_random, initial_values
from .module import Module, Scalar, join_name

__all__ = ["MLP", "Biases", "Layer", "Neuron", "ReadOnlyView", "WeightRow", "WeightRows", "Weights"]


def _weighted_sum(weights: Sequence[Value], inputs: Sequence[Scalar], bias: Value) -> Value:
    """Σᵢ wᵢxᵢ + b: the one place a neuron's z is built.

    The products are one fused ``dot`` node (every ∂/∂wᵢ = xᵢ and ∂/∂xᵢ = wᵢ still on its
    edges), a single node instead of a chain of 2n binary ones: that is what makes a training
    step several times faster. The bias is added as its own ``+`` node, so z reads as the
    course writes it, w·x + b. The caller has checked that ``inputs`` has one entry per weight.
    """
    return dot(weights, inputs) + bias


def _not_a_sequence(owner: str, expected: int, x: object) -> TypeError:
    return TypeError(
        f"{owner} expects a sequence of {expected} inputs, got {type(x).__name__}: {x!r}"
    )


def _length_error(owner: str, expected: int, given: int) -> ValueError:
    return ValueError(f"{owner} expects {expected} inputs, got {given}")


_Item = TypeVar("_Item")


class ReadOnlyView(tuple[_Item, ...], Generic[_Item]):
    """A tuple of a module's parameters whose item assignment says how to set a parameter.

    ``layer.W[0][0] = 5.0`` on a fresh list would change nothing and say nothing; a parameter
    is set through its Value's ``.data``, which the message spells out.
    """

    __slots__ = ()
    how_to_set = "set a parameter through its .data"

    def __setitem__(self, index: object, value: object) -> None:
        raise TypeError(f"{type(self).__name__} is read-only: {self.how_to_set}")

    def __delitem__(self, index: object) -> None:
        raise TypeError(f"{type(self).__name__} is read-only: {self.how_to_set}")


class Weights(ReadOnlyView[Value]):
    """:attr:`Neuron.w`: a neuron's weights.

    Example:
        >>> neuron = Neuron(2, rng=0)
        >>> neuron.w[0] = 5.0
        Traceback (most recent call last):
        ...
        TypeError: Weights is read-only: set a weight with neuron.w[j].data = value
    """

    __slots__ = ()
    how_to_set = "set a weight with neuron.w[j].data = value"


class WeightRow(ReadOnlyView[Value]):
    """One row of :attr:`Layer.W`: one neuron's weights.

    Example:
        >>> layer = Layer(2, 1, rng=0)
        >>> layer.W[0][1] = 5.0
        Traceback (most recent call last):
        ...
        TypeError: WeightRow is read-only: set a weight with layer.W[i][j].data = value
    """

    __slots__ = ()
    how_to_set = "set a weight with layer.W[i][j].data = value"


class WeightRows(ReadOnlyView[WeightRow]):
    """:attr:`Layer.W`: the rows of weights.

    Example:
        >>> layer = Layer(2, 1, rng=0)
        >>> layer.W[0] = [1.0, 2.0]
        Traceback (most recent call last):
        ...
        TypeError: WeightRows is read-only: set a weight with layer.W[i][j].data = value
    """

    __slots__ = ()
    how_to_set = WeightRow.how_to_set


class Biases(ReadOnlyView[Value]):
    """:attr:`Layer.b`: the biases, one per neuron.

    Example:
        >>> layer = Layer(2, 1, rng=0)
        >>> layer.b[0] = 5.0
        Traceback (most recent call last):
        ...
        TypeError: Biases is read-only: set a bias with layer.b[i].data = value
    """

    __slots__ = ()
    how_to_set = "set a bias with layer.b[i].data = value"


def _options(activation: str, init: str) -> str:
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
        w: the nin weight Values, read-only: ``neuron.w[j].data = ...`` sets a weight.
        b: the bias Value.

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
        self.w = Weights(Value(weight) for weight in weights)
        self.b = Value(bias)
        self.relabel()

    def _own_parameters(self) -> list[tuple[str, Value]]:
        named = [(f"w.{i}", weight) for i, weight in enumerate(self.w)]
        named.append(("b", self.b))
        return named

    def relabel(self, prefix: str = "") -> None:
        super().relabel(prefix)
        # Computed once here, not per call: a neuron call is the innermost loop of training.
        self._z_label = join_name(prefix, "z")
        self._a_label = self._z_label if self._act is None else join_name(prefix, "a")

    def __call__(self, x: Sequence[Scalar]) -> Value:
        try:
            given = len(x)
        except TypeError:
            raise _not_a_sequence("Neuron", self.nin, x) from None
        if given != self.nin:
            raise _length_error("Neuron", self.nin, given)
        z = _weighted_sum(self.w, x, self.b)
        z.label = self._z_label
        act = self._act
        if act is None:
            return z
        a = act(z)
        if a is not z:  # a callable that returns its input must not rename z
            a.label = self._a_label
        return a

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, {_options(self.activation, self.init)})"


class Layer(Module):
    """``nout`` neurons reading the same ``nin`` inputs: a = act(W x + b).

    Args:
        nin, nout: inputs and outputs (neurons), each at least 1.
        activation, rng, init: as for :class:`Neuron`; one random source is shared by the
            neurons, drawn neuron by neuron (weights, then bias).

    Attributes:
        neurons: the neurons, neuron i computing output i.
        W: nout rows × nin columns of weight Values (row i is neuron i's weights), a
            read-only view: ``layer.W[i][j].data = ...`` sets a weight.
        b: the nout bias Values, read-only too: ``layer.b[i].data = ...`` sets a bias.

    Example:
        >>> layer = Layer(3, 2, "tanh")  # the course's quiz layer
        >>> for row, numbers in zip(layer.W, [[-2, 4, -1], [6, 0, -3]]):
        ...     for weight, number in zip(row, numbers):
        ...         weight.data = number
        >>> layer.b[0].data, layer.b[1].data = 0.1, -2.5
        >>> [round(a.data, 4) for a in layer([0.3, 0.4, 0.1])]
        [0.7616, -0.7616]
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str | Activation = "sigmoid",
        *,
        rng: RandomSource = None,
        init: str = "uniform",
    ) -> None:
        self.nin = positive_int(nin, "Layer: nin")
        self.nout = positive_int(nout, "Layer: nout")
        source = as_random(rng)
        self.neurons = [Neuron(nin, activation, rng=source, init=init) for _ in range(nout)]
        self.activation = self.neurons[0].activation
        self.init = init
        self.relabel()

    def named_children(self) -> list[tuple[str, Module]]:
        return [(f"neurons.{i}", neuron) for i, neuron in enumerate(self.neurons)]

    @property
    def W(self) -> WeightRows:  # capital W: the course writes the matrix so
        """The weight Values as a read-only matrix: nout rows × nin columns.

        Set a weight through its Value: ``layer.W[i][j].data = 0.5``.
        """
        return WeightRows(WeightRow(neuron.w) for neuron in self.neurons)

    @property
    def b(self) -> Biases:
        """The bias Values, one per neuron, read-only: set one with ``layer.b[i].data = 0.5``."""
        return Biases(neuron.b for neuron in self.neurons)

    def weight_grad(self) -> list[list[float]]:
        """∂C/∂W read from ``.grad``: nout × nin floats (the course's J_W)."""
        return [[weight.grad for weight in neuron.w] for neuron in self.neurons]

    def bias_grad(self) -> list[float]:
        """∂C/∂b read from ``.grad``: nout floats (the course's J_b)."""
        return [neuron.b.grad for neuron in self.neurons]

    def __call__(self, x: Sequence[Scalar]) -> list[Value]:
        try:
            given = len(x)
        except TypeError:
            raise _not_a_sequence("Layer", self.nin, x) from None
        if given != self.nin:
            raise _length_error("Layer", self.nin, given)
        return [neuron(x) for neuron in self.neurons]

    def __repr__(self) -> str:
        return f"Layer({self.nin}, {self.nout}, {_options(self.activation, self.init)})"


class MLP(Module):
    """A multi-layer perceptron: layers of sizes ``nouts`` after ``nin`` inputs.

    Args:
        nin: inputs (at least 1).
        nouts: the width of each layer in turn, the last being the output size.
        activation: the hidden layers' activation (``"sigmoid"`` by default, as in the course).
        output_activation: the last layer's; None means the same as ``activation``
            (use ``"linear"`` for unbounded scores, as in micrograd's demo).
        rng, init: as for :class:`Neuron`; one random source is shared by every layer.

    Returns (when called): the list of output Values, also for a single output.

    Example:
        >>> model = MLP(2, [4, 1], "relu", output_activation="linear", rng=0)
        >>> model
        MLP(2, [4, 1], activation='relu', output_activation='linear')
        >>> [layer.nout for layer in model.layers], len(model([1.0, -1.0]))
        ([4, 1], 1)
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str | Activation = "sigmoid",
        output_activation: str | Activation | None = None,
        *,
        rng: RandomSource = None,
        init: str = "uniform",
    ) -> None:
        self.nin = positive_int(nin, "MLP: nin")
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence):
            raise TypeError(f"MLP: nouts must be a list of layer widths, got {nouts!r}")
        if not nouts:
            raise ValueError("MLP: nouts must name at least one layer width, got []")
        sizes = [self.nin] + [positive_int(n, "MLP: each of nouts") for n in nouts]
        last = output_activation if output_activation is not None else activation
        source = as_random(rng)
        self.layers = []
        for i in range(len(nouts)):
            layer_activation = activation if i < len(nouts) - 1 else last
            self.layers.append(
                Layer(sizes[i], sizes[i + 1], layer_activation, rng=source, init=init)
            )
        self.activation = resolve_activation(activation)[0]
        self.output_activation = self.layers[-1].activation
        self.init = init
        self.relabel()

    def named_children(self) -> list[tuple[str, Module]]:
        return [(f"layers.{i}", layer) for i, layer in enumerate(self.layers)]

    def __call__(self, x: Sequence[Scalar]) -> list[Value]:
        try:
            given = len(x)
        except TypeError:
            raise _not_a_sequence("MLP", self.nin, x) from None
        if given != self.nin:
            raise _length_error("MLP", self.nin, given)
        inputs: Sequence[Scalar] = x
        outputs: list[Value] = []
        for layer in self.layers:
            outputs = layer(inputs)
            inputs = outputs
        return outputs

    def __repr__(self) -> str:
        widths = [layer.nout for layer in self.layers]
        text = f"MLP({self.nin}, {widths}, activation={self.activation!r}"
        if self.output_activation != self.activation:
            text += f", output_activation={self.output_activation!r}"
        if self.init != "uniform":
            text += f", init={self.init!r}"
        return text + ")"
