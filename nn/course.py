"""The course's names for a model's parts: ``W2[1][3]`` for ``layers.1.neurons.0.w.2``.

The course numbers layers from 1 (layer 0 is the input) and writes W⁽ⁿ⁾, b⁽ⁿ⁾, z⁽ⁿ⁾, a⁽ⁿ⁾ for
layer n's weight matrix, biases, pre-activations and activations; its code calls them ``W1``,
``b1``, ``z1``, ``a1``. W⁽ⁿ⁾ has one row per neuron of layer n and one column per input (per
neuron of layer n − 1), and rows and columns count from 1, as in the course's formulas. So
for layer k, neuron i and input j as nn counts them (from 0):

- ``layers.{k}.neurons.{i}.w.{j}`` is ``W{k+1}[{i+1}][{j+1}]``;
- ``layers.{k}.neurons.{i}.b`` is ``b{k+1}[{i+1}]``; ``.z`` and ``.a`` are ``z…`` and ``a…``;
- the modules ``layers.{k}`` and ``layers.{k}.neurons.{i}`` are ``layer {k+1}`` and
  ``layer {k+1}, neuron {i+1}``.

A :class:`nn.Layer` on its own drops the layer number (``W[i][j]``, ``b[i]``, ``neuron i``),
and a :class:`nn.Neuron` on its own has ``w[j]`` and ``b``. The engine draws with any labels it
is given: :func:`course_labels` is the mapping for ``autodiff.draw(cost, labels=...)``.

Example:
    >>> course_name("layers.1.neurons.0.w.2"), library_name("W2[1][3]")
    ('W2[1][3]', 'layers.1.neurons.0.w.2')
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Protocol


class _Module(Protocol):
    """What :func:`course_labels` reads of a model: an :class:`nn.Module`. (Spelled out here
    because nn.module imports this module for ``Module.parameter``.)"""

    def named_parameters(self) -> Sequence[tuple[str, Any]]: ...

    def named_children(self) -> Sequence[tuple[str, Any]]: ...


__all__ = ["course_labels", "course_name", "library_name"]

# library name -> course name, one pattern per kind of part
_TO_COURSE = [
    (re.compile(r"layers\.(\d+)\.neurons\.(\d+)\.w\.(\d+)"), "W{0}[{1}][{2}]"),
    (re.compile(r"layers\.(\d+)\.neurons\.(\d+)\.([bza])"), "{v2}{0}[{1}]"),
    (re.compile(r"layers\.(\d+)\.neurons\.(\d+)"), "layer {0}, neuron {1}"),
    (re.compile(r"layers\.(\d+)"), "layer {0}"),
    (re.compile(r"neurons\.(\d+)\.w\.(\d+)"), "W[{0}][{1}]"),
    (re.compile(r"neurons\.(\d+)\.([bza])"), "{v1}[{0}]"),
    (re.compile(r"neurons\.(\d+)"), "neuron {0}"),
    (re.compile(r"w\.(\d+)"), "w[{0}]"),
    (re.compile(r"([bza])"), "{v0}"),
]

# course name -> library name
_TO_LIBRARY = [
    (re.compile(r"W(\d+)\[(\d+)\]\[(\d+)\]"), "layers.{0}.neurons.{1}.w.{2}"),
    (re.compile(r"([bza])(\d+)\[(\d+)\]"), "layers.{1}.neurons.{2}.{v0}"),
    (re.compile(r"W\[(\d+)\]\[(\d+)\]"), "neurons.{0}.w.{1}"),
    (re.compile(r"([bza])\[(\d+)\]"), "neurons.{1}.{v0}"),
    (re.compile(r"w\[(\d+)\]"), "w.{0}"),
    (re.compile(r"([bza])"), "{v0}"),
]


def _fill(template: str, groups: tuple[str, ...], shift: int) -> str:
    """The template with each numeric group moved by ``shift`` (1-based ↔ 0-based); a group
    ``{vK}`` is copied verbatim (the letter b, z or a)."""
    numbers = [str(int(g) + shift) if g.isdigit() else g for g in groups]
    return template.format(*numbers, **{f"v{k}": g for k, g in enumerate(groups)})


def course_name(name: str) -> str:
    """The course's name for one of nn's dotted names (a parameter, a z or a, a module).

    Raises:
        TypeError: ``name`` is not a str.
        ValueError: ``name`` is not a name nn gives.

    Example:
        >>> [course_name(n) for n in ("layers.0.neurons.2.b", "layers.2.neurons.1.a", "layers.0")]
        ['b1[3]', 'a3[2]', 'layer 1']
        >>> course_name("neurons.1.w.0"), course_name("w.0")
        ('W[2][1]', 'w[1]')
    """
    if not isinstance(name, str):
        raise TypeError(f"course_name: name must be a str, got {type(name).__name__}: {name!r}")
    for pattern, template in _TO_COURSE:
        if match := pattern.fullmatch(name):
            return _fill(template, match.groups(), +1)
    raise ValueError(
        f"course_name: {name!r} is not a name nn gives (such as 'layers.1.neurons.0.w.2')"
    )


def library_name(name: str) -> str:
    """nn's dotted name for a course name such as ``W2[1][3]``, ``b3[2]``, ``a1[4]`` or ``W[1][3]``.

    Layers, rows and columns count from 1, as in the course.

    Raises:
        TypeError: ``name`` is not a str.
        ValueError: ``name`` is not written as the course writes a part, or an index is 0.

    Example:
        >>> library_name("b3[2]"), library_name("W[1][3]")
        ('layers.2.neurons.1.b', 'neurons.0.w.2')
        >>> library_name("W2[0][3]")
        Traceback (most recent call last):
        ...
        ValueError: library_name: 'W2[0][3]' has an index 0: layers, rows and columns count from 1
    """
    if not isinstance(name, str):
        raise TypeError(f"library_name: name must be a str, got {type(name).__name__}: {name!r}")
    for pattern, template in _TO_LIBRARY:
        if match := pattern.fullmatch(name):
            if any(group.isdigit() and int(group) == 0 for group in match.groups()):
                raise ValueError(
                    f"library_name: {name!r} has an index 0: layers, rows and columns count from 1"
                )
            return _fill(template, match.groups(), -1)
    raise ValueError(
        f"library_name: {name!r} is not a course name such as 'W2[1][3]', 'b2[1]', 'a3[2]', "
        "'W[1][3]' (a layer alone) or 'w[1]' (a neuron alone)"
    )


def course_labels(model: _Module) -> dict[str, str]:
    """Every name in ``model``'s drawings -> its course name: for ``draw(..., labels=...)``.

    The names are the parameters', each neuron's ``z`` and ``a`` (what a call labels) and the
    modules' (the drawing's clusters), for a model built of nn's layers and neurons.

    Example:
        >>> import nn
        >>> labels = course_labels(nn.MLP(1, [6, 7, 2], rng=0))
        >>> labels["layers.1.neurons.0.w.2"], labels["layers.2.neurons.1.a"], labels["layers.0"]
        ('W2[1][3]', 'a3[2]', 'layer 1')

    Raises:
        TypeError: ``model`` is not an nn module.
    """
    if not hasattr(model, "named_parameters") or not hasattr(model, "named_children"):
        raise TypeError(
            f"course_labels: model must be an nn module (an MLP, a Layer or a Neuron), "
            f"got {type(model).__name__}: {model!r}"
        )
    names = [name for name, _ in model.named_parameters()]
    modules = _module_paths(model)
    neurons = [path for path in modules if re.fullmatch(r"(layers\.\d+\.)?neurons\.\d+", path)]
    if not modules:
        neurons.append("")  # a neuron on its own labels its z and a without a prefix
    names += [f"{path}.{part}" if path else part for path in neurons for part in ("z", "a")]
    names += modules
    return {name: course_name(name) for name in names}


def _module_paths(model: _Module) -> list[str]:
    """The dotted paths of every module below ``model``, outer first, without recursion."""
    paths: list[str] = []
    stack: list[tuple[str, _Module]] = [("", model)]
    while stack:
        prefix, module = stack.pop(0)
        for child_name, child in module.named_children():
            path = f"{prefix}.{child_name}" if prefix else child_name
            paths.append(path)
            stack.append((path, child))
    return paths
