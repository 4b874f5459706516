"""The bridge to PyTorch: a model of this library as a ``torch.nn.Sequential``, and back.

A scalar engine is for seeing every number; training large models happens in PyTorch.
The layers build on this module (``model.to_torch()``, ``MLP.from_torch``), never the
other way round.
:func:`to_torch` writes an :class:`~nn.MLP` (or one :class:`~nn.Layer`) as the equivalent
``torch.nn.Sequential`` of ``Linear`` layers, each followed by its activation module
(``Sigmoid``, ``Tanh``, ``ReLU``; none for ``"linear"``), with the same weights in float64.
``nn.from_torch`` (:meth:`nn.MLP.from_torch`) reads such a ``Sequential`` back into an
``MLP``, whose every parameter is again a labelled Value, to inspect by name (``explain``,
``draw``, the course's names).

torch is optional: it is imported when one of these functions is called, never by
``import nn``.

Example:
    >>> import torch
    >>> import nn
    >>> model = nn.MLP(2, [3, 1], "tanh", output_activation="linear", rng=0)
    >>> module = nn.to_torch(model)
    >>> module
    Sequential(
      (0): Linear(in_features=2, out_features=3, bias=True)
      (1): Tanh()
      (2): Linear(in_features=3, out_features=1, bias=True)
    )
    >>> ours = model([0.5, -1.0])[0].data
    >>> theirs = module(torch.tensor([0.5, -1.0], dtype=torch.float64)).item()
    >>> abs(ours - theirs) < 1e-12
    True
    >>> nn.from_torch(module)
    MLP(2, [3, 1], activation='tanh', output_activation='linear')
"""

from __future__ import annotations

from typing import Any

from .matrices import checked_layers

__all__ = ["TORCH_ACTIVATIONS", "read_torch", "to_torch", "torch_names"]

TORCH_ACTIVATIONS = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "ReLU"}
"""This library's activation names and the ``torch.nn`` modules that compute the same
function; ``"linear"`` has none (``Identity`` reads back as ``"linear"`` too)."""

_ACCEPTS = "Linear layers, each followed by at most one of Sigmoid, Tanh, ReLU or Identity"


def _torch(caller: str) -> Any:
    try:
        import torch
    except ImportError:
        raise ModuleNotFoundError(
            f"{caller} needs PyTorch, which is not installed (pip install torch)"
        ) from None
    return torch


def to_torch(model: Any, dtype: Any = None) -> Any:
    """The ``torch.nn.Sequential`` that computes what ``model`` computes, with its weights.

    Args:
        model: an :class:`~nn.MLP`, or a :class:`~nn.Layer` (a network of one layer).
        dtype: the torch dtype of the parameters; None means ``torch.float64``, in which
            outputs and gradients agree with this library's to about 1e-15.

    Returns:
        ``Sequential(Linear, activation, Linear, activation, ...)``, without an activation
        module after a ``"linear"`` layer. Its input is a tensor of ``nin`` numbers (or a
        batch of them, one row per example); its output has ``nout`` numbers.

    Raises:
        TypeError: ``model`` is not an MLP or a Layer, or ``dtype`` not a floating-point
            torch dtype.
        ValueError: a layer's activation is a function of your own, which torch does not
            know (the message names it).
        ModuleNotFoundError: torch is not installed.

    Example:
        >>> import torch
        >>> import nn
        >>> layer = nn.Layer.from_matrices([[1.0, 2.0]], [0.5], "sigmoid")
        >>> module = to_torch(layer)
        >>> module[0].weight.tolist(), module[0].bias.tolist(), module[1]
        ([[1.0, 2.0]], [0.5], Sigmoid())
        >>> to_torch(layer, dtype=torch.float32)[0].weight.dtype
        torch.float32
    """
    layers = _layers_of(model, "to_torch")
    unknown = [layer.activation for layer in layers if layer.activation not in _ACTIVATION_NAMES]
    if unknown:
        raise ValueError(
            f"to_torch: torch has no module for the activation {unknown[0]!r}; the bridge "
            f"maps {', '.join(repr(name) for name in _ACTIVATION_NAMES)}"
        )
    torch = _torch("to_torch")
    dtype = torch.float64 if dtype is None else dtype
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(
            "to_torch: dtype must be a floating-point torch dtype such as torch.float32, "
            f"got {type(dtype).__name__}: {dtype!r}"
        )
    modules = []
    for layer in layers:
        linear = torch.nn.Linear(layer.nin, layer.nout, dtype=dtype)
        with torch.no_grad():
            weights = [[weight.data for weight in row] for row in layer.W]
            linear.weight.copy_(torch.tensor(weights, dtype=torch.float64))
            linear.bias.copy_(torch.tensor([bias.data for bias in layer.b], dtype=torch.float64))
        modules.append(linear)
        if layer.activation in TORCH_ACTIVATIONS:
            modules.append(getattr(torch.nn, TORCH_ACTIVATIONS[layer.activation])())
    return torch.nn.Sequential(*modules)


_ACTIVATION_NAMES = (*TORCH_ACTIVATIONS, "linear")


def read_torch(module: Any) -> tuple[list[tuple[list[list[float]], list[float]]], str, str]:
    """What :meth:`nn.MLP.from_torch` builds a model from: the ``Sequential``'s matrices
    ``[(W1, b1), ...]`` as floats, its hidden activation and its output activation.

    Raises:
        As :meth:`nn.MLP.from_torch`.

    Example:
        >>> import torch
        >>> module = torch.nn.Sequential(torch.nn.Linear(1, 2), torch.nn.Tanh())
        >>> with torch.no_grad():
        ...     _ = module[0].weight.fill_(0.5), module[0].bias.fill_(0.0)
        >>> read_torch(module)
        ([([[0.5], [0.5]], [0.0, 0.0])], 'tanh', 'tanh')
    """
    torch = _torch("from_torch")
    if isinstance(module, torch.nn.Linear):
        module = torch.nn.Sequential(module)
    if not isinstance(module, torch.nn.Sequential):
        raise TypeError(
            f"from_torch: module must be a torch.nn.Sequential, got {type(module).__name__}"
        )
    layers = _read_layers(torch, list(module))
    activations = [activation for _, _, activation in layers]
    hidden = set(activations[:-1])
    if len(hidden) > 1:
        raise ValueError(
            f"from_torch: an MLP has one activation for its hidden layers, got {activations[:-1]}"
        )
    matrices = checked_layers([(weights, biases) for weights, biases, _ in layers], "from_torch")
    output = activations[-1]
    return matrices, hidden.pop() if hidden else output, output


def _layers_of(model: Any, caller: str) -> list[Any]:
    """The layers of an MLP, or a Layer alone as a network of one."""
    if hasattr(model, "layers") and hasattr(model, "matrices"):
        return list(model.layers)
    if hasattr(model, "neurons") and hasattr(model, "matrices"):
        return [model]
    raise TypeError(f"{caller}: model must be an MLP or a Layer, got {type(model).__name__}")


def torch_names(activations: list[str]) -> list[tuple[str, str]]:
    """For each layer, the names PyTorch gives its weight and bias in the ``Sequential`` of
    :func:`to_torch`: ``("0.weight", "0.bias")`` for the first Linear, and each Linear one
    position after the last one's activation module (``"linear"`` layers have none).

    Example:
        >>> torch_names(["sigmoid", "sigmoid", "linear"])
        [('0.weight', '0.bias'), ('2.weight', '2.bias'), ('4.weight', '4.bias')]
        >>> torch_names(["linear", "tanh"])
        [('0.weight', '0.bias'), ('1.weight', '1.bias')]
    """
    names, position = [], 0
    for activation in activations:
        names.append((f"{position}.weight", f"{position}.bias"))
        position += 1 if activation == "linear" else 2
    return names


def _read_layers(torch: Any, parts: list[Any]) -> list[tuple[Any, Any, str]]:
    """(W, b, activation name) for each Linear of ``parts``, checked as from_torch says."""
    names = {getattr(torch.nn, module): name for name, module in TORCH_ACTIVATIONS.items()}
    names[torch.nn.Identity] = "linear"
    layers: list[tuple[Any, Any, str]] = []
    follows_linear = False
    for position, part in enumerate(parts):
        if isinstance(part, torch.nn.Linear):
            if part.bias is None:
                raise ValueError(f"from_torch: the Linear at part {position} has no bias")
            weights = part.weight.detach().to(torch.float64).tolist()
            layers.append((weights, part.bias.detach().to(torch.float64).tolist(), "linear"))
            follows_linear = True
        elif type(part) in names and follows_linear:
            layers[-1] = (*layers[-1][:2], names[type(part)])
            follows_linear = False
        else:
            raise ValueError(
                f"from_torch: part {position} of the Sequential is a {type(part).__name__}; "
                f"this library reads {_ACCEPTS}"
            )
    if not layers:
        raise ValueError(f"from_torch: the Sequential is empty; this library reads {_ACCEPTS}")
    return layers
