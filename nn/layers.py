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
from typing import Any

from autodiff import Value, dot

from .activations import Activation, linear, resolve_activation
from .checks import positive_int
from .init import RandomSource, as_random, initial_values
from .matrices import (
    Biases,
    ReadOnlyView,
    WeightRow,
    WeightRows,
    Weights,
    checked_batch,
    checked_layers,
    checked_matrix,
    checked_vector,
    looks_like_batch,
)
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


def _length_error(owner: str, expected: int, x: Sequence[Any]) -> Exception:
    if looks_like_batch(x):
        return _batch_error(owner, expected, x)
    return ValueError(f"{owner} expects {expected} inputs, got {len(x)}")


def _batch_error(owner: str, expected: int, x: Sequence[Any]) -> ValueError:
    """A list of rows passed where one example goes: say so, and how to pass a batch."""
    how = {"Neuron": "call it on each example", "Layer": "for a batch, call layer.forward_batch(X)"}
    hint = how.get(owner, "for a batch, call model.forward_batch(X)")
    return ValueError(
        f"{owner} expects one example of {expected} inputs, got a batch of {len(x)} "
        f"example{'' if len(x) == 1 else 's'} (a list of rows): {hint}"
    )


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
        try:
            given = len(x)
        except TypeError:
            raise _not_a_sequence("Neuron", self.nin, x) from None
        if given != self.nin:
            raise _length_error("Neuron", self.nin, x)
        try:
            z = _weighted_sum(self.w, x, self.b)
        except TypeError:
            if looks_like_batch(x):  # as many rows as inputs: the rows reached dot
                raise _batch_error("Neuron", self.nin, x) from None
            raise
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
            read-only view; ``layer.W = [[...], ...]`` sets the whole matrix,
            ``layer.W[i][j].data = ...`` one weight.
        b: the nout bias Values, read-only too; ``layer.b = [...]`` sets them all,
            ``layer.b[i].data = ...`` one.

    Example:
        >>> layer = Layer(3, 2, "tanh")  # the course's quiz layer
        >>> layer.W = [[-2, 4, -1], [6, 0, -3]]
        >>> layer.b = [0.1, -2.5]
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
        """The neurons, named ``neurons.0``, ``neurons.1``, ... in order.

        Example:
            >>> [name for name, _ in Layer(3, 2, rng=0).named_children()]
            ['neurons.0', 'neurons.1']
        """
        return [(f"neurons.{i}", neuron) for i, neuron in enumerate(self.neurons)]

    @classmethod
    def from_matrices(
        cls,
        W: Sequence[Sequence[float]],
        b: Sequence[float],
        activation: str | Activation = "sigmoid",
    ) -> Layer:
        """The layer act(W x + b) with the course's matrices: its shape is W's.

        Args:
            W: nout rows of nin numbers (row i is neuron i's weights).
            b: nout numbers.
            activation: as for :class:`Neuron`.

        Raises:
            TypeError, ValueError: as for assigning ``layer.W`` and ``layer.b``.

        Example:
            >>> layer = Layer.from_matrices([[-2, 4, -1], [6, 0, -3]], [0.1, -2.5], "tanh")
            >>> layer, [round(a.data, 8) for a in layer([0.3, 0.4, 0.1])]
            (Layer(3, 2, activation='tanh'), [0.76159416, -0.76159416])
        """
        weights = checked_matrix(W, "Layer.from_matrices: W")
        biases = checked_vector(b, "Layer.from_matrices: b", length=len(weights))
        layer = cls(len(weights[0]), len(weights), activation, rng=0)
        layer._assign(weights, biases)
        return layer

    @property
    def W(self) -> WeightRows:  # capital W: the course writes the matrix so
        """The weight Values as a read-only matrix: nout rows × nin columns.

        Assign a matrix of numbers (nout lists of nin) to set every weight at once; it is
        checked whole first, so a bad one changes nothing. ``layer.W[i][j].data = 0.5`` sets
        one weight.

        Raises (on assignment):
            TypeError: not a list of lists of numbers (a Value counts as its ``.data``).
            ValueError: not nout × nin, or a number that is not finite.

        Example:
            >>> layer = Layer(2, 1, rng=0)
            >>> layer.W = [[0.5, -1.0]]
            >>> [[weight.data for weight in row] for row in layer.W]
            [[0.5, -1.0]]
            >>> layer.W = [[0.5], [-1.0]]
            Traceback (most recent call last):
            ...
            ValueError: Layer.W must be 1×2 (one row per neuron, one column per input), got 2 rows
        """
        return WeightRows(WeightRow(neuron.w) for neuron in self.neurons)

    @W.setter
    def W(self, matrix: Sequence[Sequence[float]]) -> None:
        weights = checked_matrix(matrix, "Layer.W", rows=self.nout, columns=self.nin)
        self._assign(weights, None)

    @property
    def b(self) -> Biases:
        """The bias Values, one per neuron, read-only.

        Assign nout numbers to set every bias at once (checked whole first);
        ``layer.b[i].data = 0.5`` sets one.

        Example:
            >>> layer = Layer(2, 2, rng=0)
            >>> layer.b = [0.1, -2.5]
            >>> [bias.data for bias in layer.b]
            [0.1, -2.5]
        """
        return Biases(neuron.b for neuron in self.neurons)

    @b.setter
    def b(self, vector: Sequence[float]) -> None:
        self._assign(None, checked_vector(vector, "Layer.b", length=self.nout))

    def _assign(self, weights: list[list[float]] | None, biases: list[float] | None) -> None:
        """Set checked numbers: every check is done before the first parameter changes."""
        for i, neuron in enumerate(self.neurons):
            if weights is not None:
                for weight, number in zip(neuron.w, weights[i]):
                    weight.data = number
            if biases is not None:
                neuron.b.data = biases[i]

    def matrices(self) -> tuple[list[list[float]], list[float]]:
        """``(W, b)`` as numbers: the weights' and biases' ``.data``, nout × nin and nout.

        The inverse of :meth:`from_matrices`, and what numpy takes (``np.array(W)``).

        Example:
            >>> Layer.from_matrices([[-2, 4, -1], [6, 0, -3]], [0.1, -2.5]).matrices()
            ([[-2.0, 4.0, -1.0], [6.0, 0.0, -3.0]], [0.1, -2.5])
        """
        W = [[weight.data for weight in neuron.w] for neuron in self.neurons]
        return W, [neuron.b.data for neuron in self.neurons]

    def weight_grad(self) -> list[list[float]]:
        """∂C/∂W read from ``.grad``: nout × nin floats (the course's J_W).

        Example:
            >>> layer = Layer.from_matrices([[1.0, 2.0]], [0.0], activation="linear")
            >>> sum(layer([3.0, 4.0])).backward()  # C = w₁·3 + w₂·4 + b
            >>> layer.weight_grad()
            [[3.0, 4.0]]
        """
        return [[weight.grad for weight in neuron.w] for neuron in self.neurons]

    def bias_grad(self) -> list[float]:
        """∂C/∂b read from ``.grad``: nout floats (the course's J_b).

        Example:
            >>> layer = Layer.from_matrices([[1.0], [2.0]], [0.0, 0.0], activation="linear")
            >>> a0, a1 = layer([3.0])
            >>> (a0 + 5 * a1).backward()  # C = a₀ + 5a₁, ∂C/∂b = (1, 5)
            >>> layer.bias_grad()
            [1.0, 5.0]
        """
        return [neuron.b.grad for neuron in self.neurons]

    def __call__(self, x: Sequence[Scalar]) -> list[Value]:
        try:
            given = len(x)
        except TypeError:
            raise _not_a_sequence("Layer", self.nin, x) from None
        if given != self.nin:
            raise _length_error("Layer", self.nin, x)
        try:
            return [neuron(x) for neuron in self.neurons]
        except ValueError:
            if looks_like_batch(x):  # say it as the layer, not as its first neuron
                raise _batch_error("Layer", self.nin, x) from None
            raise

    def forward_batch(self, X: Sequence[Sequence[Scalar]]) -> list[list[Value]]:
        """The layer on N examples at once: N rows of nin inputs in, N rows of nout Values out.

        Row k of the result is ``layer(X[k])``: the course's ``(W @ x.T + b.T).T`` with the
        examples as rows, computed on Values so that every gradient is there.

        Raises:
            TypeError: ``X`` is not a list of rows (one example alone, for instance).
            ValueError: a row has the wrong number of inputs.

        Example:
            >>> layer = Layer.from_matrices([[-2, 4, -1], [6, 0, -3]], [0.1, -2.5], "tanh")
            >>> rows = layer.forward_batch([[0.3, 0.4, 0.1], [1.0, 0.0, 0.0]])
            >>> [[round(a.data, 4) for a in row] for row in rows]
            [[0.7616, -0.7616], [-0.9562, 0.9982]]
        """
        return [self(example) for example in checked_batch(X, self.nin, "Layer")]

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

    @classmethod
    def from_matrices(
        cls,
        matrices: Sequence[tuple[Sequence[Sequence[float]], Sequence[float]]],
        activation: str | Activation = "sigmoid",
        output_activation: str | Activation | None = None,
    ) -> MLP:
        """The network of the course's matrices ``[(W1, b1), (W2, b2), ...]``, layer 1 first.

        W(n) has one row per neuron of layer n and one column per output of layer n − 1, so
        the widths follow from the matrices, and each W(n) must have as many columns as
        W(n − 1) has rows.

        Raises:
            TypeError: ``matrices`` is not a list of (W, b) pairs, or as for ``layer.W``.
            ValueError: no layers, shapes that do not chain, or as for ``layer.W``.

        Example:
            >>> model = MLP.from_matrices([([[1.0], [-1.0]], [0.0, 0.5]), ([[2.0, 3.0]], [0.0])])
            >>> model
            MLP(1, [2, 1], activation='sigmoid')
            >>> MLP.from_matrices([([[1.0], [-1.0]], [0.0, 0.5]), ([[2.0]], [0.0])])
            Traceback (most recent call last):
            ...
            ValueError: MLP.from_matrices: W2 has 1 columns, but layer 1 has 2 neurons
        """
        checked = checked_layers(matrices, "MLP.from_matrices")
        widths = [len(weights) for weights, _ in checked]
        model = cls(len(checked[0][0][0]), widths, activation, output_activation, rng=0)
        for layer, (weights, biases) in zip(model.layers, checked):
            layer._assign(weights, biases)
        return model

    def named_children(self) -> list[tuple[str, Module]]:
        """The layers, named ``layers.0``, ``layers.1``, ... in order.

        Example:
            >>> model = MLP(1, [6, 2], rng=0)
            >>> [(name, len(layer.neurons)) for name, layer in model.named_children()]
            [('layers.0', 6), ('layers.1', 2)]
        """
        return [(f"layers.{i}", layer) for i, layer in enumerate(self.layers)]

    def __call__(self, x: Sequence[Scalar]) -> list[Value]:
        try:
            given = len(x)
        except TypeError:
            raise _not_a_sequence("MLP", self.nin, x) from None
        if given != self.nin:
            raise _length_error("MLP", self.nin, x)
        try:
            outputs = self.layers[0](x)
        except ValueError:
            if looks_like_batch(x):  # say it as the model, not as its first layer
                raise _batch_error("MLP", self.nin, x) from None
            raise
        for layer in self.layers[1:]:
            outputs = layer(outputs)
        return outputs

    def matrices(self) -> list[tuple[list[list[float]], list[float]]]:
        """``[(W1, b1), (W2, b2), ...]`` as numbers, layer 1 first: the inverse of
        :meth:`from_matrices`.

        Example:
            >>> model = MLP(1, [6, 7, 2], rng=0)
            >>> [(len(W), len(W[0]), len(b)) for W, b in model.matrices()]
            [(6, 1, 6), (7, 6, 7), (2, 7, 2)]
            >>> MLP.from_matrices(model.matrices()).state_dict() == model.state_dict()
            True
        """
        return [layer.matrices() for layer in self.layers]

    def forward_batch(self, X: Sequence[Sequence[Scalar]]) -> list[list[Value]]:
        """The network on N examples at once: N rows of nin inputs in, N rows of outputs out.

        Row k of the result is ``model(X[k])``; layer by layer it is the course's
        ``(W @ x.T + b.T).T`` with the examples as rows.

        Raises:
            TypeError: ``X`` is not a list of rows (one example alone, for instance).
            ValueError: a row has the wrong number of inputs.

        Example:
            >>> model = MLP(1, [6, 7, 2], rng=0)
            >>> rows = model.forward_batch([[0.0], [0.5], [0.99]])
            >>> len(rows), len(rows[0]), rows[1][0].data == model([0.5])[0].data
            (3, 2, True)
        """
        return [self(example) for example in checked_batch(X, self.nin, "MLP")]

    def __repr__(self) -> str:
        widths = [layer.nout for layer in self.layers]
        text = f"MLP({self.nin}, {widths}, activation={self.activation!r}"
        if self.output_activation != self.activation:
            text += f", output_activation={self.output_activation!r}"
        if self.init != "uniform":
            text += f", init={self.init!r}"
        return text + ")"
