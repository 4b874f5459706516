"""Every public name of ``autodiff`` and ``nn`` has a docstring with a runnable example.

Public names are those of each package's ``__all__``, and the public methods and properties
that their public classes define. The examples (``>>>``) run as doctests with the test suite
(``--doctest-modules`` in pyproject.toml), so a docstring's example is also checked to work.
Constants (``PRIMITIVES``, ``ACTIVATIONS``, ...) are documented by the string under their
assignment, which Python does not keep: the API reference site shows it.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from types import ModuleType

import pytest

import autodiff
import nn


def _documented(obj: object) -> object | None:
    """What carries the docstring of a class member, or None for plain data."""
    if isinstance(obj, (staticmethod, classmethod)):
        return obj.__func__
    if isinstance(obj, property):
        return obj.fget
    if inspect.isroutine(obj) or inspect.isclass(obj) or inspect.ismodule(obj):
        return obj
    return None


def public_names(package: ModuleType) -> Iterator[tuple[str, object]]:
    """(dotted name, object) for each documented public name of ``package``."""
    for name in package.__all__:
        obj = getattr(package, name)
        if _documented(obj) is None:
            continue  # a constant
        yield f"{package.__name__}.{name}", obj
        if not inspect.isclass(obj):
            continue
        for attribute, member in vars(obj).items():
            target = _documented(member)
            if not attribute.startswith("_") and target is not None:
                yield f"{package.__name__}.{name}.{attribute}", target


NAMES = dict(name for package in (autodiff, nn) for name in public_names(package))


def lacks_example(obj: object) -> bool:
    docstring = getattr(obj, "__doc__", None)  # its own: inspect.getdoc would inherit one
    return docstring is None or ">>>" not in docstring


def test_the_walk_sees_methods_and_properties() -> None:
    assert "autodiff.Value.backward" in NAMES
    assert "autodiff.Value.op" in NAMES  # a property
    assert "nn.Layer.weight_grad" in NAMES
    assert "nn.losses" in NAMES  # a module
    assert "autodiff.PRIMITIVES" not in NAMES  # a constant


def test_the_check_fails_without_an_example() -> None:
    def summary_only() -> None:
        """Only a summary."""

    def with_example() -> None:
        """A summary.

        >>> 1 + 1
        2
        """

    assert lacks_example(summary_only) and lacks_example(lambda: None)
    assert not lacks_example(with_example)


@pytest.mark.parametrize("name", sorted(NAMES))
def test_public_name_has_a_docstring_with_an_example(name: str) -> None:
    assert not lacks_example(NAMES[name]), f"{name} has no docstring with a >>> example"
