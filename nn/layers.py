"""Layers and multi-layer perceptrons, built from neurons (:mod:`nn.neuron`).

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

import re
from collections.abc import Mapping, Sequence
from typing import Any

from autodiff import Value

from .activations import Activation, resolve_activation
from .checks import positive_int
from .init import RandomSource, as_random
from .matrices import (
    Biases,
    ReadOnlyView,
    WeightRow,
    WeightRows,
    Weights,
    WrongName,
    checked_batch,
    checked_biases,
    checked_layers,
    checked_matrix,
    looks_like_batch,
)
from .module import Module, Scalar
from .neuron import Neuron, batch_error, length_error, not_a_sequence, options_text

__all__ = ["MLP", "Biases", "Layer", "Neuron", "ReadOnlyView", "WeightRow", "WeightRows", "Weights"]


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

    w = WrongName("a layer's weights are the matrix layer.W (layer.W = [[...], ...])")

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
        biases = checked_biases(b, "Layer.from_matrices: b", length=len(weights))
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
        self._assign(None, checked_biases(vector, "Layer.b", length=self.nout))

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
            raise not_a_sequence("Layer", self.nin, x) from None
        if given != self.nin:
            raise length_error("Layer", self.nin, x)
        try:
            return [neuron(x) for neuron in self.neurons]
        except ValueError:
            if looks_like_batch(x):  # say it as the layer, not as its first neuron
                raise batch_error("Layer", self.nin, x) from None
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
        return f"Layer({self.nin}, {self.nout}, {options_text(self.activation, self.init)})"


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

    _IN_LAYERS = (
        "an MLP's weights and biases are its layers': model.layers[n].W and .b, "
        "or model.parameter('W2[1][3]')"
    )
    W, w, b = WrongName(_IN_LAYERS), WrongName(_IN_LAYERS), WrongName(_IN_LAYERS)

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

    @classmethod
    def from_torch(cls, module: Any) -> MLP:
        """The :class:`~nn.MLP` that computes what a ``torch.nn.Sequential`` of Linear layers does.

        The module must be ``Linear`` layers (with a bias), each followed by at most one of
        ``Sigmoid``, ``Tanh``, ``ReLU`` or ``Identity`` (none or ``Identity`` read as
        ``"linear"``), all hidden layers with the same activation, as an MLP has. The weights
        become floats (exactly, from float32 or float64), each a labelled Value.

        Raises:
            TypeError: ``module`` is not a ``torch.nn.Sequential`` (a lone ``Linear`` is read
                as a Sequential of one).
            ValueError: a part that does not map (named with its position), a Linear without
                bias, widths that do not chain, or hidden layers with different activations.
            ModuleNotFoundError: torch is not installed.

        Example:
            >>> import torch
            >>> _ = torch.manual_seed(0)
            >>> module = torch.nn.Sequential(torch.nn.Linear(1, 6), torch.nn.Sigmoid(),
            ...                              torch.nn.Linear(6, 2), torch.nn.Sigmoid())
            >>> model = MLP.from_torch(module)
            >>> model
            MLP(1, [6, 2], activation='sigmoid')
            >>> model.parameter("W1[1][1]").data == module[0].weight[0, 0].item()
            True
            >>> MLP.from_torch(torch.nn.Sequential(torch.nn.Linear(1, 2), torch.nn.Dropout()))
            Traceback (most recent call last):
            ...
            ValueError: from_torch: part 1 of the Sequential is a Dropout; this library reads ...
        """
        from .pytorch import read_torch

        matrices, hidden, output = read_torch(module)
        return cls.from_matrices(matrices, hidden, output)

    def to_torch(self, dtype: Any = None) -> Any:
        """The ``torch.nn.Sequential`` that computes what this network computes, with its
        weights (float64 unless ``dtype`` says otherwise): :func:`nn.pytorch.to_torch`.

        Example:
            >>> import torch
            >>> model = MLP(1, [6, 7, 2], rng=0)
            >>> module = model.to_torch()
            >>> ours = [a.data for a in model([0.25])]
            >>> theirs = module(torch.tensor([0.25], dtype=torch.float64)).tolist()
            >>> max(abs(p - q) for p, q in zip(ours, theirs)) < 1e-15
            True
        """
        from .pytorch import to_torch

        return to_torch(self, dtype)

    def state_dict(self, naming: str = "nn") -> dict[str, Any]:
        """Every parameter's value by name: nn's dotted names (``"nn"``, the default: one
        float per scalar), or PyTorch's (``"torch"``: ``"0.weight"``, ``"0.bias"``, ... as
        nested lists, the names of :meth:`to_torch`'s ``Sequential``).

        Raises:
            ValueError: ``naming`` is neither ``"nn"`` nor ``"torch"``.

        Example:
            >>> model = MLP.from_matrices([([[1.0], [2.0]], [0.5, 0.0]), ([[3.0, 4.0]], [1.0])])
            >>> model.state_dict("torch")  # doctest: +NORMALIZE_WHITESPACE
            {'0.weight': [[1.0], [2.0]], '0.bias': [0.5, 0.0],
             '2.weight': [[3.0, 4.0]], '2.bias': [1.0]}
        """
        if naming == "nn":
            return super().state_dict()
        if naming != "torch":
            raise ValueError(f"state_dict: naming must be 'nn' or 'torch', got {naming!r}")
        return _torch_state(self.layers)

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Set every parameter from ``state``, checked whole first: nn's dotted names, or
        PyTorch's (``"0.weight"``, ``"0.bias"``, ...: a ``Sequential``'s ``state_dict()``,
        tensors or nested lists of numbers).

        Raises:
            TypeError, ValueError: as :meth:`Module.load_state_dict`, with nn's names.

        Example:
            >>> import torch
            >>> model = MLP(1, [2, 1], rng=0)
            >>> module = MLP(1, [2, 1], rng=1).to_torch()
            >>> model.load_state_dict(module.state_dict())
            >>> model.state_dict() == MLP(1, [2, 1], rng=1).state_dict()
            True
        """
        super().load_state_dict(_from_torch_names(state, self.layers))

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
            raise not_a_sequence("MLP", self.nin, x) from None
        if given != self.nin:
            raise length_error("MLP", self.nin, x)
        try:
            outputs = self.layers[0](x)
        except ValueError:
            if looks_like_batch(x):  # say it as the model, not as its first layer
                raise batch_error("MLP", self.nin, x) from None
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


_TORCH_NAME = re.compile(r"\d+\.(weight|bias)")


def _torch_state(layers: list[Layer]) -> dict[str, Any]:
    """The layers' weights and biases under PyTorch's names, as nested lists."""
    from .pytorch import torch_names

    state: dict[str, Any] = {}
    for layer, (weight, bias) in zip(layers, torch_names([layer.activation for layer in layers])):
        state[weight], state[bias] = layer.matrices()
    return state


def _from_torch_names(state: Mapping[str, Any], layers: list[Layer]) -> Mapping[str, Any]:
    """``state`` with PyTorch's names (every key like ``"0.weight"``) as nn's dotted names;
    any other state as it is (the checks then name what is wrong)."""
    if (
        not isinstance(state, Mapping)
        or not state
        or not all(isinstance(key, str) and _TORCH_NAME.fullmatch(key) for key in state)
    ):
        return state
    from .pytorch import torch_names

    converted: dict[str, Any] = {}
    names = torch_names([layer.activation for layer in layers])
    for k, (weight_name, bias_name) in enumerate(names):
        weights = _numbers(state.get(weight_name))
        biases = _numbers(state.get(bias_name))
        # every entry given gets its nn name: a shape that does not fit shows up as
        # missing and unexpected names in the checks
        for i, row in enumerate(weights if isinstance(weights, list) else []):
            for j, number in enumerate(row if isinstance(row, list) else [row]):
                converted[f"layers.{k}.neurons.{i}.w.{j}"] = number
        for i, number in enumerate(biases if isinstance(biases, list) else []):
            converted[f"layers.{k}.neurons.{i}.b"] = number
    unknown = set(state) - {name for pair in names for name in pair}
    for name in unknown:
        converted[name] = state[name]  # reported as unexpected by the checks
    return converted


def _numbers(entry: Any) -> Any:
    """A tensor or an array as nested lists of floats (``tolist``); lists as they are."""
    if entry is None:
        return None
    return entry.tolist() if hasattr(entry, "tolist") else entry
