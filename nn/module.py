"""`Module`: what every neuron, layer and network shares — named parameters and their state.

A module owns some parameters (leaf Values) and some child modules. Every parameter has a
stable dotted name, the path to it through the children, e.g. ``layers.0.neurons.1.w.6``;
the name is also the parameter's ``.label``, so drawings and ledgers show where it lives.

Example:
    >>> from nn import MLP
    >>> model = MLP(1, [2, 1], rng=0)
    >>> [name for name, _ in model.named_parameters()][:3]
    ['layers.0.neurons.0.w.0', 'layers.0.neurons.0.b', 'layers.0.neurons.1.w.0']
    >>> model.parameters()[1].label
    'layers.0.neurons.0.b'
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from numbers import Real
from typing import Any

from autodiff import Value

from .course import course_name, library_name

__all__ = ["Module", "Scalar", "join_name"]

Scalar = float | Value
"""A number or a Value: what layers and losses accept as an input or a target."""


HTML_ROWS = 200
"""How many parameters a notebook's table of a module lists (``Module._repr_html_``)."""


def join_name(prefix: str, name: str) -> str:
    """``prefix.name``, or ``name`` alone for an empty prefix.

    Example:
        >>> join_name("layers.0", "neurons.1"), join_name("", "b")
        ('layers.0.neurons.1', 'b')
    """
    return f"{prefix}.{name}" if prefix else name


def _listing(names: Iterable[str], limit: int = 10) -> str:
    names = sorted(names)
    shown = ", ".join(repr(name) for name in names[:limit])
    more = len(names) - limit
    return f"{shown}, ... and {more} more" if more > 0 else shown


class Module:
    """Base class of every model: parameters by name, zeroing, and state as a plain dict.

    Subclasses say what they hold by overriding :meth:`named_children` (the child modules,
    in order) and :meth:`_own_parameters` (their own parameters, in order), and implement
    ``__call__``; everything else follows.

    Example:
        >>> from nn import Neuron
        >>> neuron = Neuron(2, rng=0)
        >>> sorted(neuron.state_dict())
        ['b', 'w.0', 'w.1']
    """

    def __call__(self, x: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define __call__")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.parameters())} parameters)"

    def _repr_html_(self) -> str:
        """Jupyter's display: the parameters as a table, by nn's name and the course's, with
        value and gradient (the first ``HTML_ROWS`` of them), under the module's repr."""
        from autodiff.notebook import html_table  # here: only a notebook asks for it

        named = self.named_parameters()
        rows: list[list[object]] = []
        for name, value in named[:HTML_ROWS]:
            try:
                course = course_name(name)
            except ValueError:  # a module of one's own: its names are not the course's
                course = ""
            rows.append([name, course, value.data, value.grad])
        if len(named) > HTML_ROWS:
            rows.append([f"… and {len(named) - HTML_ROWS} more", "", "", ""])
        header = ["parameter", "course name", "value", "grad"]
        return html_table(header, rows, caption=repr(self))

    def named_children(self) -> list[tuple[str, Module]]:
        """The child modules with their local names (``neurons.0``, ...), in order.

        Example:
            >>> from nn import Layer
            >>> [name for name, _ in Layer(2, 3, rng=0).named_children()]
            ['neurons.0', 'neurons.1', 'neurons.2']
        """
        return []

    def _own_parameters(self) -> list[tuple[str, Value]]:
        """This module's own parameters with their local names (``w.0``, ``b``), in order."""
        return []

    def named_parameters(self) -> list[tuple[str, Value]]:
        """(dotted name, parameter) pairs: own parameters first, then each child's, in order.

        Example:
            >>> from nn import Layer
            >>> [name for name, _ in Layer(1, 2, rng=0).named_parameters()]
            ['neurons.0.w.0', 'neurons.0.b', 'neurons.1.w.0', 'neurons.1.b']
        """
        named = self._own_parameters()
        for child_name, child in self.named_children():
            named.extend(
                (join_name(child_name, name), value) for name, value in child.named_parameters()
            )
        return named

    def parameters(self) -> list[Value]:
        """Every parameter, in the order of :meth:`named_parameters`.

        Example:
            >>> from nn import MLP
            >>> model = MLP(3, [4, 2], rng=0)
            >>> len(model.parameters())  # (3 + 1)·4 + (4 + 1)·2
            26
            >>> model.parameters() == [value for _, value in model.named_parameters()]
            True
        """
        return [value for _, value in self.named_parameters()]

    def parameter(self, name: str) -> Value:
        """The parameter called ``name``: nn's dotted name, or the course's (``W2[1][3]``).

        Course names count layers, rows and columns from 1: ``W2[1][3]`` is the weight of
        layer 2's first neuron on its third input, ``layers.1.neurons.0.w.2`` (see
        :mod:`nn.course`).

        Raises:
            TypeError: ``name`` is not a str.
            ValueError: no parameter of this module has that name (the message says which
                names there are).

        Example:
            >>> from nn import MLP
            >>> model = MLP(1, [6, 7, 2], rng=0)
            >>> model.parameter("W2[1][3]") is model.layers[1].W[0][2]
            True
            >>> model.parameter("b3[2]").label
            'layers.2.neurons.1.b'
        """
        if not isinstance(name, str):
            raise TypeError(f"parameter: name must be a str, got {type(name).__name__}: {name!r}")
        named = dict(self.named_parameters())
        if name in named:
            return named[name]
        library, why = None, ""
        try:
            library = library_name(name)
        except ValueError as error:
            if "count from 1" in str(error):  # W2[0][1]: the course's name, counted from 0
                why = ": layers, rows and columns count from 1"
        if library in named:
            return named[library]
        raise ValueError(self._no_parameter(name, library, why, list(named)))

    def _no_parameter(self, name: str, library: str | None, why: str, names: list[str]) -> str:
        owner = type(self).__name__
        if not names:
            return f"{owner} has no parameter {name!r}: it has no parameters"
        first, last = names[0], names[-1]
        try:
            span = f"{course_name(first)} … {course_name(last)} ({first} … {last})"
        except ValueError:  # a container of one's own: its names are not the course's
            span = f"{first} … {last}"
        known = f" ({library} in nn's names)" if library is not None else ""
        return f"{owner} has no parameter {name!r}{known}{why}; its parameters run {span}"

    def relabel(self, prefix: str = "") -> None:
        """Set each parameter's ``.label`` to its dotted name under ``prefix``.

        Parents call it on the children they build (``Layer`` on its neurons, ``MLP`` on its
        layers), so labels always carry the full path. Call it at the end of your own
        container's ``__init__`` to label the modules it holds.

        Example:
            >>> from nn import Neuron
            >>> neuron = Neuron(1, rng=0)
            >>> neuron.relabel("out")
            >>> [p.label for p in neuron.parameters()]
            ['out.w.0', 'out.b']
        """
        for name, value in self._own_parameters():
            value.label = join_name(prefix, name)
        for child_name, child in self.named_children():
            child.relabel(join_name(prefix, child_name))

    def zero_grad(self) -> None:
        """Set ``.grad`` of every parameter to 0.0.

        Example:
            >>> from nn import Neuron
            >>> neuron = Neuron(2, rng=0)
            >>> neuron([1.0, 2.0]).backward()
            >>> any(p.grad != 0.0 for p in neuron.parameters())
            True
            >>> neuron.zero_grad()
            >>> [p.grad for p in neuron.parameters()]
            [0.0, 0.0, 0.0]
        """
        for value in self.parameters():
            value.grad = 0.0

    def state_dict(self) -> dict[str, float]:
        """Every parameter's value keyed by its dotted name: a plain, JSON-ready dict.

        Example:
            >>> from nn import Neuron
            >>> neuron = Neuron(1, rng=0)
            >>> neuron.load_state_dict({"w.0": 2.0, "b": -1.0})
            >>> neuron.state_dict()
            {'w.0': 2.0, 'b': -1.0}
        """
        return {name: value.data for name, value in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, float]) -> None:
        """Set every parameter from ``state``; check it whole first, so a bad one changes nothing.

        Raises:
            TypeError: ``state`` is not a mapping, or a value is not a real number.
            ValueError: names are missing or unexpected (named in the message, with the
                counts), or a value is not finite.

        Example:
            >>> from nn import Neuron
            >>> Neuron(1, rng=0).load_state_dict({"w.0": 1.0})
            Traceback (most recent call last):
            ...
            ValueError: Neuron: state has 1 entries, the model has 2 parameters; missing: 'b'
        """
        named = dict(self.named_parameters())
        numbers = self._checked_state(state, named.keys())
        for name, number in numbers.items():
            named[name].data = number

    def _checked_state(self, state: Mapping[str, Any], expected: Iterable[str]) -> dict[str, float]:
        owner = type(self).__name__
        if not isinstance(state, Mapping):
            raise TypeError(f"{owner}: state must be a mapping, got {type(state).__name__}")
        expected = list(expected)
        missing = set(expected) - set(state)
        unexpected = set(state) - set(expected)
        if missing or unexpected:
            problems = [f"missing: {_listing(missing)}"] if missing else []
            problems += [f"unexpected: {_listing(unexpected)}"] if unexpected else []
            raise ValueError(
                f"{owner}: state has {len(state)} entries, the model has {len(expected)} "
                f"parameters; {'; '.join(problems)}"
            )
        return {name: _checked_number(name, state[name], owner) for name in expected}


def _checked_number(name: str, number: object, owner: str) -> float:
    if isinstance(number, bool) or not isinstance(number, Real):
        raise TypeError(
            f"{owner}: state[{name!r}] must be a real number, "
            f"got {type(number).__name__}: {number!r}"
        )
    if not math.isfinite(number):
        raise ValueError(f"{owner}: state[{name!r}] must be finite, got {number!r}")
    return float(number)
