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

__all__ = ["Module", "Scalar", "join_name"]

Scalar = float | Value
"""A number or a Value: what layers and losses accept as an input or a target."""


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

    def named_children(self) -> list[tuple[str, Module]]:
        """The child modules with their local names (``neurons.0``, ...), in order."""
        return []

    def _own_parameters(self) -> list[tuple[str, Value]]:
        """This module's own parameters with their local names (``w.0``, ``b``), in order."""
        return []

    def named_parameters(self) -> list[tuple[str, Value]]:
        """(dotted name, parameter) pairs: own parameters first, then each child's, in order."""
        named = self._own_parameters()
        for child_name, child in self.named_children():
            named.extend(
                (join_name(child_name, name), value) for name, value in child.named_parameters()
            )
        return named

    def parameters(self) -> list[Value]:
        """Every parameter, in the order of :meth:`named_parameters`."""
        return [value for _, value in self.named_parameters()]

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
        """Set ``.grad`` of every parameter to 0.0."""
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
