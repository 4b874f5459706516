"""Public names whose modules load on first use: a package's ``__getattr__`` and ``__dir__``
(PEP 562), so that importing the package stays quick.

Example:
    >>> namespace: dict = {}
    >>> getattr_, dir_ = lazy_names("demo", {"sqrt": "math"}, namespace)
    >>> getattr_("sqrt")(9.0), "sqrt" in namespace, dir_()
    (3.0, True, ['sqrt'])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(
    package: str, table: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``, whose ``namespace`` (its globals) gets
    each name of ``table`` from the module ``table[name]`` the first time it is asked for."""

    def __getattr__(name: str) -> Any:
        if name not in table:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(table[name]), name)
        namespace[name] = value  # found directly from now on
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(table))

    return __getattr__, __dir__
