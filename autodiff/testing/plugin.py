"""The Hypothesis plugin: ``st.from_type(Value)`` and the settings profiles this package ships.

Installing ``autodiff-course`` registers :func:`register_strategies` under Hypothesis's
``hypothesis`` entry point, so Hypothesis calls it when it is imported: from then on
``st.from_type(autodiff.Value)`` (and ``@given(x=...)`` with a ``Value`` annotation via
``st.builds``) draws :func:`values`. Profiles are loaded by name with :func:`load_profile`.

Example:
    >>> from hypothesis import find, strategies as st
    >>> from autodiff import Value
    >>> register_strategies()
    >>> x = find(st.from_type(Value), lambda v: v.data > 1.0)
    >>> x.data > 1.0, x.grad, x.op
    (True, 0.0, '')
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from ..value import Value
from .scalars import reals

__all__ = ["PROFILES", "load_profile", "profile", "register_strategies", "values"]


def values(min_value: float = -10.0, max_value: float = 10.0) -> st.SearchStrategy[Value]:
    """Leaf Values with finite data in [min_value, max_value] and a zero gradient.

    Example:
        >>> from hypothesis import find
        >>> find(values(1.0, 2.0), lambda v: True)
        Value(1.0, grad=0.0)
    """
    return st.builds(Value, reals(min_value, max_value))


def register_strategies() -> None:
    """Make ``st.from_type(Value)`` draw :func:`values`; Hypothesis calls it on import."""
    st.register_type_strategy(Value, values())


PROFILES: dict[str, dict[str, Any]] = {
    "dev": {"max_examples": 30, "deadline": None},
    "ci": {
        "max_examples": 100,
        "deadline": None,
        "derandomize": True,
        "database": None,
        "print_blob": True,
        "suppress_health_check": [HealthCheck.too_slow],
    },
    "thorough": {
        "max_examples": 2000,
        "deadline": None,
        "suppress_health_check": [HealthCheck.too_slow],
    },
}
"""Settings by profile name: ``dev`` quick while working; ``ci`` reproducible (the same
examples every run, failures printed with a blob to replay them); ``thorough`` for an
occasional long run. Gradient checks of deep graphs are slow, so none has a deadline."""


def _checked(name: object) -> str:
    if not isinstance(name, str) or name not in PROFILES:
        raise ValueError(f"no profile {name!r}; the profiles are {sorted(PROFILES)}")
    return name


def profile(name: str) -> settings:
    """The settings of the profile ``name`` of :data:`PROFILES`, for one test: a decorator.

    Raises:
        ValueError: ``name`` is not a profile of :data:`PROFILES` (the message lists them).

    Example:
        >>> from hypothesis import given, strategies as st
        >>> @profile("dev")
        ... @given(st.integers())
        ... def test_anything(n):
        ...     assert n == n
        >>> test_anything()
        >>> profile("thorough").max_examples
        2000
    """
    return settings(**PROFILES[_checked(name)])


def load_profile(name: str) -> settings:
    """Register the profile ``name`` of :data:`PROFILES` as ``autodiff-<name>`` and load it.

    Call it once, in a ``conftest.py`` say: ``load_profile(os.environ.get("PROFILE", "dev"))``.

    Raises:
        ValueError: ``name`` is not a profile of :data:`PROFILES` (the message lists them).

    Example:
        >>> from hypothesis import settings
        >>> before = settings()
        >>> load_profile("ci").max_examples, settings().derandomize
        (100, True)
        >>> settings.register_profile("before", before)
        >>> settings.load_profile("before")
    """
    settings.register_profile(f"autodiff-{name}", **PROFILES[_checked(name)])
    settings.load_profile(f"autodiff-{name}")
    return settings()
