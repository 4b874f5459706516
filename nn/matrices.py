"""The matrix side of a layer: read-only views of its Values, and checks of the course's matrices.

A layer computes a = act(W a_prev + b). :attr:`nn.Layer.W` and :attr:`nn.Layer.b` read as
read-only matrices of the parameter Values (the views below); assigning whole matrices of
numbers to them, or building a model with ``from_matrices``, goes through the checks below,
which read a matrix, a vector or a batch of examples into plain floats or rows, or say
exactly what is wrong with it (which row, which entry, which shape was expected).

Example:
    >>> checked_matrix([[1, 2, 3], [4, 5, 6]], "W", rows=2, columns=3)
    [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    >>> checked_matrix([[1, 2], [3]], "W")
    Traceback (most recent call last):
    ...
    ValueError: W: row 1 has 1 numbers, row 0 has 2: a matrix's rows have one length
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from numbers import Real
from typing import Any, Generic, TypeVar

from autodiff import Value

__all__ = [
    "Biases",
    "ReadOnlyView",
    "WeightRow",
    "WeightRows",
    "Weights",
    "WrongName",
    "checked_batch",
    "checked_biases",
    "checked_layers",
    "checked_matrix",
    "checked_number",
    "checked_vector",
    "is_list_like",
    "looks_like_batch",
]

_Item = TypeVar("_Item")


class ReadOnlyView(tuple[_Item, ...], Generic[_Item]):
    """A tuple of a module's parameters whose item assignment says how to set a parameter.

    ``layer.W[0][0] = 5.0`` on a fresh list would change nothing and say nothing; a parameter
    is set through its Value's ``.data``, or a whole matrix at once, which the message spells out.
    """

    __slots__ = ()
    how_to_set = "set a parameter through its .data"

    def __setitem__(self, index: object, value: object) -> None:
        raise TypeError(f"{type(self).__name__} is read-only: {self.how_to_set}")

    def __delitem__(self, index: object) -> None:
        raise TypeError(f"{type(self).__name__} is read-only: {self.how_to_set}")


class Weights(ReadOnlyView[Value]):
    """:attr:`nn.Neuron.w`: a neuron's weights.

    Example:
        >>> from nn import Neuron
        >>> neuron = Neuron(2, rng=0)
        >>> neuron.w[0] = 5.0
        Traceback (most recent call last):
        ...
        TypeError: Weights is read-only: set a weight with neuron.w[j].data = value
    """

    __slots__ = ()
    how_to_set = "set a weight with neuron.w[j].data = value"


class WeightRow(ReadOnlyView[Value]):
    """One row of :attr:`nn.Layer.W`: one neuron's weights.

    Example:
        >>> from nn import Layer
        >>> layer = Layer(2, 1, rng=0)
        >>> layer.W[0][1] = 5.0  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        TypeError: WeightRow is read-only: set a weight with layer.W[i][j].data = value, or ...
    """

    __slots__ = ()
    how_to_set = (
        "set a weight with layer.W[i][j].data = value, "
        "or the whole matrix with layer.W = [[...], ...]"
    )


class WeightRows(ReadOnlyView[WeightRow]):
    """:attr:`nn.Layer.W`: the rows of weights.

    Example:
        >>> from nn import Layer
        >>> layer = Layer(2, 1, rng=0)
        >>> layer.W[0] = [1.0, 2.0]  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        TypeError: WeightRows is read-only: set a weight with layer.W[i][j].data = value, or ...
    """

    __slots__ = ()
    how_to_set = WeightRow.how_to_set


class Biases(ReadOnlyView[Value]):
    """:attr:`nn.Layer.b`: the biases, one per neuron.

    Example:
        >>> from nn import Layer
        >>> layer = Layer(2, 1, rng=0)
        >>> layer.b[0] = 5.0  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        TypeError: Biases is read-only: set a bias with layer.b[i].data = value, or all of them ...
    """

    __slots__ = ()
    how_to_set = "set a bias with layer.b[i].data = value, or all of them with layer.b = [...]"


def is_list_like(x: object) -> bool:
    """A sequence of items (a list, a tuple, a numpy array), not a string or a mapping."""
    return (
        hasattr(x, "__len__")
        and hasattr(x, "__getitem__")
        and not isinstance(x, (str, bytes, Mapping))
    )


class WrongName:
    """A name users reach for on the wrong kind of module (``layer.w`` for ``layer.W``,
    ``neuron.W`` for ``neuron.w``): reading or assigning it says where the numbers are,
    instead of an assignment silently making a new attribute that nothing reads.

    Example:
        >>> from nn import Layer
        >>> Layer(3, 2).w = [[1, 2, 3], [4, 5, 6]]  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        AttributeError: Layer has no 'w': a layer's weights are the matrix layer.W (...)
    """

    def __init__(self, hint: str) -> None:
        self.hint = hint
        self.owner = self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.owner, self.name = owner.__name__, name

    def _error(self) -> AttributeError:
        return AttributeError(f"{self.owner} has no {self.name!r}: {self.hint}")

    def __get__(self, instance: object, owner: type | None = None) -> WrongName:
        if instance is None:
            return self
        raise self._error()

    def __set__(self, instance: object, value: object) -> None:
        raise self._error()


def looks_like_batch(x: object) -> bool:
    """``x`` is a list of rows (a batch of examples) rather than one example of numbers.

    Example:
        >>> looks_like_batch([[0.3, 0.4], [1.0, 0.0]]), looks_like_batch([0.3, 0.4])
        (True, False)
    """
    if not is_list_like(x):
        return False
    rows: Sequence[object] = x  # type: ignore[assignment]
    return len(rows) > 0 and all(is_list_like(row) for row in rows)


def checked_number(entry: object, where: str) -> float:
    """A finite float from a real number or a Value (its ``.data``).

    Example:
        >>> checked_number(2, "b")
        2.0
        >>> checked_number(True, "b")
        Traceback (most recent call last):
        ...
        TypeError: b must be a real number, got bool: True
    """
    if isinstance(entry, Value):
        entry = entry.data
    if isinstance(entry, bool) or not isinstance(entry, Real):
        raise TypeError(f"{where} must be a real number, got {type(entry).__name__}: {entry!r}")
    try:
        number = float(entry)
    except OverflowError:
        digits = str(entry)
        shown = digits if len(digits) <= 24 else f"{digits[:20]}… ({len(digits)} digits)"
        raise ValueError(f"{where} must be finite, got {shown}: too large for a float") from None
    if not math.isfinite(number):
        raise ValueError(f"{where} must be finite, got {entry!r}")
    return number


def checked_biases(vector: object, what: str, length: int) -> list[float]:
    """A layer's biases as floats: a list of numbers, or the course's column of them
    (``length`` rows of one number each, as numpy's ``b`` of shape (n, 1)).

    Example:
        >>> checked_biases([[0.1], [-2.5]], "b", length=2)
        [0.1, -2.5]
    """
    if is_list_like(vector):
        rows = list(vector)  # type: ignore[call-overload]
        if rows and all(is_list_like(row) and len(row) == 1 for row in rows):
            vector = [row[0] for row in rows]  # a column
    return checked_vector(vector, what, length)


def checked_vector(
    vector: object, what: str, length: int | None = None, per: str = "neuron"
) -> list[float]:
    """``vector`` as a list of finite floats, checked entry by entry (and its length, if given).

    Raises:
        TypeError: not a list of numbers (a Value counts as its ``.data``).
        ValueError: the wrong length, no entries, or an entry that is not finite.

    Example:
        >>> checked_vector([0.1, -2.5], "b", length=3)
        Traceback (most recent call last):
        ...
        ValueError: b must have 3 entries (one per neuron), got 2
    """
    if not is_list_like(vector):
        raise TypeError(
            f"{what} must be a list of numbers, got {type(vector).__name__}: {vector!r}"
        )
    items = list(vector)  # type: ignore[call-overload]
    if length is not None and len(items) != length:
        entries = "1 entry" if length == 1 else f"{length} entries"
        raise ValueError(f"{what} must have {entries} (one per {per}), got {len(items)}")
    if not items:
        raise ValueError(f"{what} must have at least one entry, got none")
    return [checked_number(entry, f"{what}[{i}]") for i, entry in enumerate(items)]


def checked_matrix(
    matrix: object, what: str, rows: int | None = None, columns: int | None = None
) -> list[list[float]]:
    """``matrix`` as rows of finite floats: a list of equally long lists of numbers.

    ``rows`` and ``columns``, when given, are the shape it must have (the messages say why:
    one row per neuron, one column per input).

    Raises:
        TypeError: not a list of lists of numbers (a Value counts as its ``.data``).
        ValueError: the wrong shape, ragged or empty rows, or an entry that is not finite.

    Example:
        >>> checked_matrix([[1, 2, 3]], "Layer.W", rows=2, columns=3)
        Traceback (most recent call last):
        ...
        ValueError: Layer.W must be 2×3 (one row per neuron, one column per input), got 1 rows
    """
    if not is_list_like(matrix) or (len(matrix) and not is_list_like(matrix[0])):  # type: ignore[arg-type, index]
        raise TypeError(
            f"{what} must be a matrix: a list of rows, each a list of numbers, "
            f"got {type(matrix).__name__}: {matrix!r}"
        )
    given = list(matrix)  # type: ignore[call-overload]
    if rows is not None and len(given) != rows:
        raise ValueError(
            f"{what} must be {rows}×{columns} (one row per neuron, one column per input), "
            f"got {len(given)} rows"
        )
    if not given:
        raise ValueError(f"{what} must have at least one row, got none")
    width = columns
    checked = []
    for i, row in enumerate(given):
        if not is_list_like(row):
            raise TypeError(
                f"{what}[{i}] must be a row of numbers, got {type(row).__name__}: {row!r}"
            )
        entries = list(row)
        if width is None:
            width = len(entries)
        elif len(entries) != width:
            if columns is None:
                raise ValueError(
                    f"{what}: row {i} has {len(entries)} numbers, row 0 has {width}: "
                    "a matrix's rows have one length"
                )
            raise ValueError(
                f"{what}[{i}] has {len(entries)} numbers, expected {width} (one per input)"
            )
        if not entries:
            raise ValueError(f"{what}[{i}] must have at least one number, got none")
        where = f"{what}[{i}]"
        checked.append([checked_number(entry, f"{where}[{j}]") for j, entry in enumerate(entries)])
    return checked


def checked_batch(X: object, nin: int, owner: str) -> list[Any]:
    """The examples of a batch ``X`` (N rows of ``nin`` inputs each), as a list of rows.

    The rows themselves are passed on as they are (numbers or Values), so that a batch of
    Values keeps its graph.

    Raises:
        TypeError: ``X`` is not a list of rows; in particular one example of numbers.
        ValueError: a row has the wrong number of inputs.

    Example:
        >>> checked_batch([0.3, 0.4, 0.1], 3, "Layer")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        TypeError: Layer.forward_batch expects a batch...; got one example of 3 numbers: ...
    """
    if not is_list_like(X):
        raise TypeError(
            f"{owner}.forward_batch expects a batch: a list of examples, each a list of "
            f"{_inputs(nin)}; got {type(X).__name__}: {X!r}"
        )
    examples = list(X)  # type: ignore[call-overload]
    for k, example in enumerate(examples):
        if not is_list_like(example):
            if all(not is_list_like(entry) for entry in examples):
                if nin == 1:  # N numbers for a one-input model: N examples, written flat
                    hint = f"for {len(examples)} examples of one input, pass [[x] for x in xs]"
                else:
                    hint = "call the model on it directly"
                raise TypeError(
                    f"{owner}.forward_batch expects a batch: a list of examples, each a list of "
                    f"{_inputs(nin)}; got one example of {len(examples)} numbers: {hint}"
                )
            raise TypeError(
                f"{owner}.forward_batch: example {k} must be a list of {_inputs(nin)}, "
                f"got {type(example).__name__}: {example!r}"
            )
        if len(example) != nin:
            columns = len(examples) == nin and all(len(row) != nin for row in examples)
            hint = " (examples as columns? pass the transpose, X.T: one row per example)"
            raise ValueError(
                f"{owner}.forward_batch: example {k} has {len(example)} inputs, expected {nin}"
                + (hint if columns else "")
            )
    return examples


def _inputs(count: int) -> str:
    return "1 input" if count == 1 else f"{count} inputs"


def checked_layers(matrices: object, owner: str) -> list[tuple[list[list[float]], list[float]]]:
    """A network's ``[(W1, b1), (W2, b2), ...]`` as floats, each W(n) fitting W(n − 1).

    W(n) must have as many columns as W(n − 1) has rows (the neurons of layer n − 1), and
    b(n) one entry per row of W(n). Layers are numbered from 1 in the messages, as in the
    course.

    Raises:
        TypeError: not a list of (W, b) pairs, or an entry is not a number.
        ValueError: no layers, shapes that do not chain, or an entry that is not finite.

    Example:
        >>> checked_layers([([[1.0], [-1.0]], [0.0, 0.5]), ([[2.0]], [0.0])], "net")
        Traceback (most recent call last):
        ...
        ValueError: net: W2 has 1 columns, but layer 1 has 2 neurons
    """
    if isinstance(matrices, (str, bytes)) or not isinstance(matrices, Sequence):
        raise TypeError(
            f"{owner}: matrices must be a list of (W, b) pairs, "
            f"got {type(matrices).__name__}: {matrices!r}"
        )
    if not matrices:
        raise ValueError(f"{owner}: matrices must hold at least one (W, b), got []")
    checked: list[tuple[list[list[float]], list[float]]] = []
    for n, pair in enumerate(matrices, start=1):
        if isinstance(pair, (str, bytes)) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise TypeError(f"{owner}: layer {n} must be a pair (W{n}, b{n}), got {pair!r}")
        weights = checked_matrix(pair[0], f"{owner}: W{n}")
        biases = checked_biases(pair[1], f"{owner}: b{n}", length=len(weights))
        if checked and len(weights[0]) != len(checked[-1][0]):
            raise ValueError(
                f"{owner}: W{n} has {len(weights[0])} columns, "
                f"but layer {n - 1} has {len(checked[-1][0])} neurons"
            )
        checked.append((weights, biases))
    return checked
