"""nn: neurons, layers and multi-layer perceptrons on :mod:`autodiff`, with losses,
optimizers, a training loop, persistence and the course's data sets.

Every parameter is a leaf :class:`autodiff.Value` labelled with its dotted name, so each
partial derivative of a cost can be read by name, or as the course's Jacobian matrices.

Example:
    >>> import nn
    >>> model = nn.MLP(1, [6, 7, 2], rng=0)  # the course's 1→6→7→2 sigmoid network
    >>> inputs, targets = nn.heart()
    >>> data = list(zip(inputs, targets))
    >>> C = sum(nn.sum_squared_error(model(x), y) for x, y in data) / len(data)
    >>> C.backward()
    >>> [len(row) for row in model.layers[2].weight_grad()]  # J_W3 is 2×7
    [7, 7]
"""

from autodiff.lazy import lazy_names

from . import losses, plot
from .activations import ACTIVATIONS
from .backprop import BackpropTable, backprop_table
from .course import course_labels, course_name, library_name
from .datasets import heart, two_moons, xor
from .init import INIT_SCHEMES
from .layers import MLP, Layer, Neuron
from .losses import binary_cross_entropy, hinge, mean_squared_error, sum_squared_error
from .module import Module
from .optim import SGD, Adam, Optimizer
from .persistence import load, save
from .pytorch import to_torch
from .training import fit

from_torch = MLP.from_torch
"""``nn.from_torch(module)``: :meth:`MLP.from_torch`, beside :func:`to_torch`."""

__all__ = [
    "ACTIVATIONS",
    "INIT_SCHEMES",
    "MLP",
    "SGD",
    "Adam",
    "BackpropTable",
    "Layer",
    "Module",
    "Neuron",
    "Optimizer",
    "backprop_table",
    "binary_cross_entropy",
    "course_labels",
    "course_name",
    "draw_network",
    "fit",
    "from_torch",
    "heart",
    "hinge",
    "library_name",
    "load",
    "losses",
    "mean_squared_error",
    "plot",
    "save",
    "sum_squared_error",
    "to_torch",
    "two_moons",
    "xor",
]

_LAZY = {"draw_network": "nn.network_drawing"}
"""Public names whose modules load on first use (drawing needs graphviz), and where they live."""


__getattr__, __dir__ = lazy_names(__name__, _LAZY, globals())
