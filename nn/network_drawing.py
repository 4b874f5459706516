r"""The architecture drawing every course shows: neurons as circles in columns, weights as edges.

:func:`draw_network` draws an :class:`~nn.layers.MLP` (or one :class:`~nn.layers.Layer`) with
Graphviz: the inputs in the first column, then one column per layer; an edge from input j to
neuron i of a layer is the weight W[i][j], and each neuron shows its bias. Edges and circles
are coloured by sign and drawn thicker the larger the number they stand for — the weights and
biases themselves, or their gradients ∂C/∂w (``show="grads"``), so the parameters a cost is
most sensitive to stand out. It returns the :class:`autodiff.show.render.Drawing` that
:func:`autodiff.draw` returns (``.write(path)``, SVG in Jupyter).

Example:
    >>> import re
    >>> import nn
    >>> source = draw_network(nn.MLP(2, [3, 1], rng=0)).source
    >>> source.count(" -> "), len(re.findall(r"^\s*n\d+_\d+ \[", source, re.M))
    (9, 6)

    (2·3 + 3·1 weights as edges; 2 inputs, 3 + 1 neurons as circles.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from autodiff import Value, no_grad
from autodiff.show.render import Drawing

from .layers import MLP, Layer

__all__ = ["NEGATIVE", "POSITIVE", "SHOWS", "draw_network"]

POSITIVE = "#2b6cb0"
"""Colour of a positive weight or bias (or gradient): blue."""

NEGATIVE = "#c53030"
"""Colour of a negative one: red."""

SHOWS = ("weights", "grads")
"""What the edges and circles can stand for: the parameters' values, or their gradients."""

THINNEST, THICKEST = 0.3, 6.0  # Graphviz pen widths for 0 and for the largest |number|

# Every node is pinned where the course draws it (neato keeps pinned positions, in inches):
# columns left to right, neuron 1 at the top of its column, edges straight.
COLUMN_GAP, ROW_GAP, CIRCLE = 2.8, 1.35, 1.2
GRAPH = {"fontname": "Helvetica", "fontsize": "11", "outputorder": "edgesfirst"}
NODE = {
    "shape": "circle",
    "fixedsize": "true",
    "width": f"{CIRCLE}",
    "fontname": "Helvetica",
    "fontsize": "9",
    "style": "filled",
}
EDGE = {"arrowhead": "none"}


@dataclass(frozen=True)
class _Parameter:
    """One weight or bias: its course name (1-indexed) and the number drawn for it."""

    name: str
    number: float


def draw_network(
    model: MLP | Layer,
    x: Sequence[float] | None = None,
    *,
    show: str = "weights",
    digits: int = 3,
) -> Drawing:
    """Draw ``model`` as columns of neurons joined by its weights, with its biases.

    Args:
        model: an :class:`~nn.layers.MLP`, or a :class:`~nn.layers.Layer` (one layer).
        x: an input; when given, every neuron also shows its activation a for it.
        show: ``"weights"`` — edges and circles stand for w and b — or ``"grads"``: for
            ∂C/∂w and ∂C/∂b, read from ``.grad`` (call ``C.backward()`` first).
        digits: significant digits of the numbers written in the circles and the legend.

    Returns:
        A :class:`autodiff.show.render.Drawing`. Blue is positive, red negative; an edge's
        width grows with |number| (the largest drawn as thick as it gets) and a neuron's
        border with its bias's. The legend names the weight with the largest |number|, in the
        course's notation ``W(n)[i][j]`` (layer n from 1, row i = neuron, column j = input, both
        from 1).

    Raises:
        TypeError: ``model`` is not an MLP or a Layer, or ``x`` not a sequence of numbers.
        ValueError: ``show`` is not one of :data:`SHOWS`, ``x`` has the wrong length,
            ``digits`` is not a positive int, a number to draw is not finite, or
            ``show="grads"`` finds every gradient 0.

    Example:
        >>> import nn
        >>> model = nn.MLP(1, [2, 1], rng=0)
        >>> cost = nn.sum_squared_error(model([0.5]), [1.0])
        >>> cost.backward()
        >>> drawing = draw_network(model, x=[0.5], show="grads")
        >>> "largest |∂C/∂w|" in drawing.source and "a = " in drawing.source
        True
    """
    layers = _layers_of(model)
    if show not in SHOWS:
        raise ValueError(f"draw_network: show must be 'weights' or 'grads', got {show!r}")
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 1:
        raise ValueError(f"draw_network: digits must be a positive int, got {digits!r}")
    activations = _activations(layers, x)
    weights, biases = _parameters(layers, show)
    every = [edge.parameter for edge in weights] + biases
    for parameter in every:
        if not math.isfinite(parameter.number):
            what = "∂C/∂" if show == "grads" else ""
            raise ValueError(f"draw_network: {what}{parameter.name} is {parameter.number!r}")
    largest = max(abs(parameter.number) for parameter in every)
    if show == "grads" and largest == 0.0:
        raise ValueError(
            "draw_network: show='grads' but every gradient is 0: compute a cost and call "
            "its backward() first"
        )
    drawing = Drawing(
        name="network", engine="neato", graph_attr=GRAPH, node_attr=NODE, edge_attr=EDGE
    )
    _draw_columns(drawing, layers, biases, activations, largest, show, digits)
    for weight in weights:
        tail, head = weight.nodes
        drawing.edge(tail, head, **_stroke(weight.parameter.number, largest, weight.tooltip))
    drawing.attr(label=_legend(layers, show, weights, digits), labelloc="b")
    return drawing


def _layers_of(model: object) -> list[Layer]:
    if isinstance(model, MLP):
        return list(model.layers)
    if isinstance(model, Layer):
        return [model]
    raise TypeError(f"draw_network: model must be an nn.MLP or an nn.Layer, got {model!r}")


def _activations(layers: list[Layer], x: Sequence[float] | None) -> list[list[float]] | None:
    """The inputs and every layer's outputs for ``x`` (no graph kept), or None."""
    if x is None:
        return None
    if isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
        raise TypeError(f"draw_network: x must be a sequence of numbers, got {x!r}")
    if len(x) != layers[0].nin:
        raise ValueError(f"draw_network: x must hold {layers[0].nin} inputs, got {len(x)}")
    if not all(isinstance(n, (int, float)) and not isinstance(n, bool) for n in x):
        raise TypeError(f"draw_network: x must be a sequence of numbers, got {x!r}")
    columns = [[float(number) for number in x]]
    with no_grad():
        for layer in layers:
            columns.append([a.data for a in layer(columns[-1])])
    return columns


@dataclass(frozen=True)
class _Edge:
    parameter: _Parameter
    nodes: tuple[str, str]  # input j of layer n - 1, neuron i of layer n
    tooltip: str


def _parameters(layers: list[Layer], show: str) -> tuple[list[_Edge], list[_Parameter]]:
    def number(value: Value) -> float:
        return value.grad if show == "grads" else value.data

    weights, biases = [], []
    for n, layer in enumerate(layers, start=1):
        for i, neuron in enumerate(layer.neurons, start=1):
            for j, weight in enumerate(neuron.w, start=1):
                parameter = _Parameter(f"W{n}[{i}][{j}]", number(weight))
                tooltip = f"{parameter.name} ({weight.label}): {parameter.number!r}"
                weights.append(_Edge(parameter, (_node(n - 1, j), _node(n, i)), tooltip))
            biases.append(_Parameter(f"b{n}[{i}]", number(neuron.b)))
    return weights, biases


def _node(column: int, row: int) -> str:
    return f"n{column}_{row}"


def _stroke(number: float, largest: float, tooltip: str) -> dict[str, str]:
    """Colour by sign, pen width from 0 (thinnest) to the largest |number| (thickest)."""
    share = abs(number) / largest if largest > 0 else 0.0
    return {
        "color": POSITIVE if number >= 0 else NEGATIVE,
        "penwidth": f"{THINNEST + (THICKEST - THINNEST) * share:.3f}",
        "tooltip": tooltip,
    }


def _draw_columns(
    drawing: Drawing,
    layers: list[Layer],
    biases: list[_Parameter],
    activations: list[list[float]] | None,
    largest: float,
    show: str,
    digits: int,
) -> None:
    """A column of circles for the inputs and for each layer, neuron 1 at the top."""
    bias_name = "∂C/∂b" if show == "grads" else "b"
    bias_of = iter(biases)
    sizes = [layers[0].nin, *(layer.nout for layer in layers)]
    top = (max(sizes) - 1) * ROW_GAP / 2
    for column, size in enumerate(sizes):
        x = column * COLUMN_GAP
        first = (size - 1) * ROW_GAP / 2  # each column centred on the others
        title = _column_title(column, layers)
        drawing.node(f"title{column}", label=title, shape="plaintext", fixedsize="false",
                     style="", fontsize="10", pos=f"{x:.3f},{top + ROW_GAP:.3f}!")  # fmt: skip
        for row in range(1, size + 1):
            lines = [f"x{row}" if column == 0 else f"{row}"]
            attributes = {"fillcolor": "#eeeeee" if column == 0 else "#ffffff"}
            if column > 0:
                bias = next(bias_of)
                lines.append(f"{bias_name} = {bias.number:.{digits}g}")
                attributes |= _stroke(bias.number, largest, f"{bias.name}: {bias.number!r}")
            if activations is not None:
                lines.append(f"a = {activations[column][row - 1]:.{digits}g}")
            attributes["label"] = "\\n".join(lines)
            attributes["pos"] = f"{x:.3f},{first - (row - 1) * ROW_GAP:.3f}!"
            drawing.node(_node(column, row), **attributes)


def _column_title(column: int, layers: list[Layer]) -> str:
    if column == 0:
        return "inputs a(0)"
    kind = "output" if column == len(layers) else "hidden"
    return f"layer {column} ({kind}): a({column})\\n{layers[column - 1].activation}"


def _legend(layers: list[Layer], show: str, weights: list[_Edge], digits: int) -> str:
    what = "∂C/∂w (edges) and ∂C/∂b (circles)" if show == "grads" else "w (edges) and b (circles)"
    top = max((edge.parameter for edge in weights), key=lambda p: abs(p.number))
    symbol = "|∂C/∂w|" if show == "grads" else "|w|"
    sizes = "→".join(str(size) for size in [layers[0].nin, *(layer.nout for layer in layers)])
    return (
        f"{sizes} network: {what}; blue positive, red negative, thicker = larger |number|\\n"
        f"the edge from j to neuron i of layer n is W(n)[i][j]; "
        f"largest {symbol}: {top.name} = {top.number:.{digits}g}"
    )
