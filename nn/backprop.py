"""Backpropagation the way the course derives it: per layer n, z⁽ⁿ⁾, a⁽ⁿ⁾, δ⁽ⁿ⁾, J_W⁽ⁿ⁾, J_b⁽ⁿ⁾.

The course writes layer n as z⁽ⁿ⁾ = W⁽ⁿ⁾a⁽ⁿ⁻¹⁾ + b⁽ⁿ⁾, a⁽ⁿ⁾ = σ(z⁽ⁿ⁾) and derives the
gradient of the cost C through δ⁽ⁿ⁾ = ∂C/∂z⁽ⁿ⁾:

    δ⁽ᴸ⁾ = ∂C/∂a⁽ᴸ⁾ ⊙ σ'(z⁽ᴸ⁾),   δ⁽ⁿ⁾ = (W⁽ⁿ⁺¹⁾ᵀ δ⁽ⁿ⁺¹⁾) ⊙ σ'(z⁽ⁿ⁾),
    J_W⁽ⁿ⁾ = Σₖ δ⁽ⁿ⁾ₖ a⁽ⁿ⁻¹⁾ₖᵀ,   J_b⁽ⁿ⁾ = Σₖ δ⁽ⁿ⁾ₖ   (k over the examples).

:func:`backprop_table` does not evaluate these formulas: it builds the cost graph and reads
every number from the engine (δ is the gradient of each z node, J_W and J_b those of the
parameters), so the table shows what ``backward()`` computes, arranged as the course arranges
it. The tests check the formulas against it.

Example:
    >>> import nn
    >>> layer = nn.Layer.from_matrices([[-2, 4, -1], [6, 0, -3]], [0.1, -2.5], "tanh")
    >>> table = nn.backprop_table(layer, [0.3, 0.4, 0.1], [1.0, -1.0])
    >>> [round(a, 4) for a in table.layers[0].a[0]], table.layers[0].J_b == table.layers[0].delta[0]
    ([0.7616, -0.7616], True)
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from autodiff import Value, grad

from .layers import MLP, Layer
from .losses import sum_squared_error
from .matrices import checked_vector, is_list_like, looks_like_batch

__all__ = ["BackpropTable", "LayerTerms", "backprop_table"]

Rows = tuple[tuple[float, ...], ...]
"""A matrix of numbers as rows."""

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")

_DERIVATIVE = {"sigmoid": "σ'", "tanh": "tanh'", "relu": "relu'"}
"""How the course writes the activation's derivative, by activation name."""


def _sup(n: int) -> str:
    """``⁽ⁿ⁾``: the course's layer superscript."""
    return f"⁽{str(n).translate(_SUPERSCRIPT)}⁾"


@dataclass(frozen=True)
class LayerTerms:
    """Layer n's share of backpropagation, every number read from the engine.

    Attributes:
        n: the layer's number, counted from 1 as in the course (layer 0 is the input).
        activation: the layer's activation's name.
        z, a, delta: one row per example: ``z[k]`` is example k's z⁽ⁿ⁾ (one entry per neuron),
            ``a[k]`` its a⁽ⁿ⁾, ``delta[k]`` its δ⁽ⁿ⁾ = ∂C/∂z⁽ⁿ⁾.
        J_W: ∂C/∂W⁽ⁿ⁾, the shape of W⁽ⁿ⁾ (one row per neuron, one column per input).
        J_b: ∂C/∂b⁽ⁿ⁾, one entry per neuron.
    """

    n: int
    activation: str
    z: Rows
    a: Rows
    delta: Rows
    J_W: Rows
    J_b: tuple[float, ...]


@dataclass(frozen=True)
class BackpropTable:
    """The course's backpropagation of one cost, layer by layer; ``str()`` writes it out.

    Attributes:
        model: the model's ``repr``.
        cost: C, the mean over the examples of the loss.
        inputs: a⁽⁰⁾, one row per example.
        targets: y, one row per example.
        dC_da: ∂C/∂a⁽ᴸ⁾ for the last layer L, one row per example.
        layers: layer 1 first.
        digits: significant digits when written out.

    Example:
        >>> import nn
        >>> model = nn.MLP(1, [2, 1], rng=0)
        >>> table = nn.backprop_table(model, [[0.0], [1.0]], [[0.5], [1.0]])
        >>> [terms.n for terms in table.layers], len(table.layers[0].delta)
        ([1, 2], 2)
        >>> str(table).splitlines()[0] == f"{model!r}, 2 examples: C = {table.cost:.4g}"
        True
    """

    model: str
    cost: float
    inputs: Rows
    targets: Rows
    dC_da: Rows
    layers: tuple[LayerTerms, ...]
    digits: int = 4

    def __str__(self) -> str:
        return "\n".join(self._lines())

    def _lines(self) -> list[str]:
        examples = len(self.inputs)
        count = "one example" if examples == 1 else f"{examples} examples"
        last = len(self.layers)
        lines = [f"{self.model}, {count}: C = {self._number(self.cost)}"]
        shown = _shown_examples(examples)
        if examples > 1:
            lines.append(
                f"(z, a and δ have one column per example, {len(shown)} of {examples} shown; "
                f"C is the mean over the examples, so each δ = ∂C/∂z is the example's own "
                f"δ divided by {examples})"
            )
        for terms in reversed(self.layers):
            n, sup = terms.n, _sup(terms.n)
            symbol = _activation_symbol(terms.activation)
            lines.append(
                f"layer {n}{' (output)' if n == last else ''}: "
                f"z{sup} = W{sup} a{_sup(n - 1)} + b{sup},  a{sup} = {symbol}(z{sup})"
            )
            lines += self._rows(f"z{sup}", terms.z, shown)
            lines += self._rows(f"a{sup}", terms.a, shown)
            if n == last:
                lines += self._rows(f"∂C/∂a{sup}", self.dC_da, shown)
            lines += self._rows(f"δ{sup} = {_rule(terms, last)}", terms.delta, shown)
            total = "Σₖ " if examples > 1 else ""
            lines += self._matrix(f"J_W{sup} = {total}δ{sup} a{_sup(n - 1)}ᵀ", terms.J_W)
            lines.append(f"  J_b{sup} = {total}δ{sup} = {self._vector(terms.J_b)}")
        return lines

    def _number(self, x: float) -> str:
        text = f"{x:.{self.digits}g}"
        return "0" if text == "-0" else text

    def _vector(self, numbers: Sequence[float]) -> str:
        return "[" + ", ".join(self._number(x) for x in numbers) + "]"

    def _rows(self, name: str, rows: Rows, shown: Sequence[int]) -> list[str]:
        """Per-example vectors as the course's columns: one line per neuron."""
        if len(rows) == 1:
            return [f"  {name} = {self._vector(rows[0])}"]
        columns = [[self._number(rows[k][i]) for i in range(len(rows[k]))] for k in shown]
        width = max(len(text) for column in columns for text in column)
        more = len(rows) > len(shown)
        lines = [
            f"  {name} =    (examples {', '.join(str(k) for k in shown)}{', …' if more else ''})"
        ]
        for i in range(len(rows[0])):
            cells = "  ".join(column[i].rjust(width) for column in columns)
            lines.append(f"      [{cells}{'  …' if more else ''}]")
        return lines

    def _matrix(self, name: str, rows: Rows) -> list[str]:
        if len(rows) == 1:
            return [f"  {name} = [{self._vector(rows[0])}]"]
        return [f"  {name} ="] + [f"      {self._vector(row)}" for row in rows]

    def _repr_html_(self) -> str:
        """The table for Jupyter: per layer its formulas, then z, a and δ by neuron (one
        column per example shown) and the Jacobians."""
        examples = len(self.inputs)
        shown = _shown_examples(examples)
        cell = "<td style='text-align:right;font-family:monospace'>{}</td>"
        count = "one example" if examples == 1 else f"{examples} examples, {len(shown)} shown"
        parts = [
            "<div class='autodiff-backprop'>",
            f"<p><code>{html.escape(self.model)}</code>, {count}: "
            f"C = {self._number(self.cost)}</p>",
        ]
        last = len(self.layers)
        for terms in reversed(self.layers):
            n, sup = terms.n, _sup(terms.n)
            symbol, rule = _activation_symbol(terms.activation), _rule(terms, last)
            parts.append(
                f"<h4>layer {n}{' (output)' if n == last else ''}: "
                f"z{sup} = W{sup} a{_sup(n - 1)} + b{sup}, a{sup} = {html.escape(symbol)}(z{sup}),"
                f" δ{sup} = {html.escape(rule)}</h4>"
            )
            rows = [(f"z{sup}", terms.z), (f"a{sup}", terms.a)]
            if n == last:
                rows.append((f"∂C/∂a{sup}", self.dC_da))
            rows.append((f"δ{sup}", terms.delta))
            parts.append("<table><tr><th></th>")
            parts += [f"<th>example {k}</th>" for k in shown]
            parts.append("</tr>")
            for name, matrix in rows:
                for i in range(len(matrix[0])):
                    cells = "".join(cell.format(self._number(matrix[k][i])) for k in shown)
                    parts.append(f"<tr><th>{html.escape(name)}<sub>{i + 1}</sub></th>{cells}</tr>")
            parts.append("</table>")
            total = "Σₖ " if examples > 1 else ""
            parts.append(f"<p>J_W{sup} = {total}δ{sup} a{_sup(n - 1)}ᵀ:</p><table>")
            for row in terms.J_W:
                parts.append("<tr>" + "".join(cell.format(self._number(x)) for x in row) + "</tr>")
            parts.append(f"</table><p>J_b{sup} = {total}δ{sup} = {self._vector(terms.J_b)}</p>")
        parts.append("</div>")
        return "".join(parts)


def _shown_examples(count: int, most: int = 4) -> list[int]:
    """Which examples a written table shows: all of a few, else the first ``most``."""
    return list(range(min(count, most)))


def _where(name: str, k: int, batch: bool) -> str:
    return f"backprop_table: {name}[{k}]" if batch else f"backprop_table: {name}"


def _activation_symbol(activation: str) -> str:
    return "σ" if activation == "sigmoid" else activation


def _rule(terms: LayerTerms, last: int) -> str:
    """How δ⁽ⁿ⁾ is formed, as the course writes it (a linear layer has no σ' factor)."""
    n, sup = terms.n, _sup(terms.n)
    incoming = f"∂C/∂a{sup}" if n == last else f"(W{_sup(n + 1)}ᵀ δ{_sup(n + 1)})"
    if terms.activation == "linear":
        return f"{incoming}  (linear: a{sup} = z{sup})"
    derivative = _DERIVATIVE.get(terms.activation, f"{terms.activation}'")
    return f"{incoming} ⊙ {derivative}(z{sup})"


def backprop_table(
    model: MLP | Layer,
    x: Sequence[float] | Sequence[Sequence[float]],
    y: Sequence[float] | Sequence[Sequence[float]],
    *,
    loss: Callable[[list[Value], Sequence[float]], Value] = sum_squared_error,
    digits: int = 4,
) -> BackpropTable:
    """Backpropagate C through ``model`` and arrange every number the course's way, by layer.

    C is ``loss(model(x), y)`` for one example, and the mean of the losses for a batch (the
    course's C = (1/N) Σₖ |a⁽ᴸ⁾ₖ − yₖ|² with the default loss). Nothing is written into any
    ``.grad``: the numbers come from :func:`autodiff.grad` on a graph built for the table.

    Args:
        model: an :class:`nn.MLP` or a single :class:`nn.Layer`.
        x: one example (nin numbers), or a batch (a list of such rows).
        y: its target (nout numbers), or one target row per example.
        loss: ``loss(outputs, target) -> Value``, as for :func:`nn.fit`.
        digits: significant digits when the table is written out.

    Returns:
        A :class:`BackpropTable`: ``str()`` writes it out; in Jupyter it shows as HTML.

    Raises:
        TypeError: ``model`` is not an MLP or a Layer, or ``x``/``y`` are not numbers.
        ValueError: rows of the wrong length, or as many targets as examples they are not.

    Example:
        >>> import nn
        >>> model = nn.MLP.from_matrices([([[1.0], [-1.0]], [0.0, 0.5]), ([[2.0, 3.0]], [0.0])])
        >>> table = nn.backprop_table(model, [0.5], [1.0])
        >>> layer1, layer2 = table.layers
        >>> layer2.J_W == (tuple(layer2.delta[0][0] * a for a in layer1.a[0]),)
        True
    """
    if isinstance(model, MLP):
        layers = list(model.layers)
    elif isinstance(model, Layer):
        layers = [model]
    else:
        raise TypeError(
            f"backprop_table: model must be an nn.MLP or an nn.Layer, got {type(model).__name__}"
        )
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 1:
        raise ValueError(f"backprop_table: digits must be a positive int, got {digits!r}")
    batch = looks_like_batch(x)
    nin, nout = layers[0].nin, layers[-1].nout
    inputs = [
        checked_vector(row, _where("x", k, batch), nin, "input")
        for k, row in enumerate(x if batch else [x])
    ]
    if not callable(loss):
        raise TypeError(
            f"backprop_table: loss must be a function (outputs, target) -> Value, such as "
            f"nn.sum_squared_error; got {type(loss).__name__}: {loss!r}"
        )
    target_rows = list(y) if batch and is_list_like(y) else [y]
    if nout == 1:  # one output: a target may be a number
        target_rows = [row if is_list_like(row) else [row] for row in target_rows]
    if len(target_rows) != len(inputs):
        raise ValueError(
            f"backprop_table: y must have one target per example, {len(inputs)} of them; "
            f"got {len(target_rows)}: {y!r}"
        )
    targets = [
        checked_vector(row, _where("y", k, batch), nout, "output")
        for k, row in enumerate(target_rows)
    ]

    # The graph: every example through every layer, keeping each neuron's z and a.
    zs: list[list[list[Value]]] = [[] for _ in layers]  # zs[layer][example][neuron]
    as_: list[list[list[Value]]] = [[] for _ in layers]
    losses = []
    for example, target in zip(inputs, targets):
        activations: Sequence[float | Value] = example
        for index, layer in enumerate(layers):
            parts = [neuron.parts(activations) for neuron in layer.neurons]
            zs[index].append([z for z, _ in parts])
            as_[index].append([a for _, a in parts])
            activations = as_[index][-1]
        losses.append(loss(as_[-1][-1], target))
    cost: Value = losses[0] if len(losses) == 1 else sum(losses) / len(losses)  # type: ignore[assignment]

    parameters = [p for layer in layers for neuron in layer.neurons for p in (*neuron.w, neuron.b)]
    z_nodes = [z for layer_zs in zs for row in layer_zs for z in row]
    output_nodes = [a for row in as_[-1] for a in row]
    found = iter(grad(cost, parameters + z_nodes + output_nodes))

    def take(count: int) -> tuple[float, ...]:
        return tuple(next(found) for _ in range(count))

    parameter_grads = [[take(layer.nin + 1) for _ in layer.neurons] for layer in layers]
    deltas = [tuple(take(layer.nout) for _ in inputs) for layer in layers]
    dC_da = tuple(take(nout) for _ in inputs)
    terms = tuple(
        LayerTerms(
            n=index + 1,
            activation=layer.activation,
            z=tuple(tuple(z.data for z in row) for row in zs[index]),
            a=tuple(tuple(a.data for a in row) for row in as_[index]),
            delta=deltas[index],
            J_W=tuple(neuron_grads[:-1] for neuron_grads in parameter_grads[index]),
            J_b=tuple(neuron_grads[-1] for neuron_grads in parameter_grads[index]),
        )
        for index, layer in enumerate(layers)
    )
    return BackpropTable(
        model=repr(model),
        cost=cost.data,
        inputs=tuple(tuple(row) for row in inputs),
        targets=tuple(tuple(row) for row in targets),
        dC_da=dC_da,
        layers=terms,
        digits=digits,
    )
