"""Hypothesis strategies for property tests of differentiable code: ``autodiff.testing``.

This package needs `hypothesis <https://hypothesis.readthedocs.io>`_: install it with the
``testing`` extra (``pip install "autodiff-course[testing]"``); the rest of ``autodiff`` runs
without it. Installed, the package also plugs into Hypothesis: ``st.from_type(Value)`` draws
leaf Values (:mod:`~autodiff.testing.plugin`), and :func:`load_profile` loads the settings
profiles ``dev``, ``ci`` and ``thorough``. :func:`assert_gradients_match` checks a function's
reverse-mode derivatives inside a property test.

The core is :func:`expressions`: random expression DAGs given as a backend-neutral recipe, an
:class:`Expression`. A recipe is a list of input values plus a list of :class:`Step` s, each
applying one operation to earlier nodes of a growing pool (inputs first, then one node per
step; the last node is the output). The same recipe evaluates on plain floats (for central
differences), on :class:`~autodiff.Value` leaves (:meth:`Expression.leaves` makes labelled
ones) and on float64 ``torch`` tensors, so one generated graph can be compared across all
three, at its own inputs or at other :func:`points`.

Generated graphs share subexpressions (``a + a``, ``x * x``, one node feeding many later
ones, fused ``sum_of``/``dot`` nodes over several), keep every operation inside its domain
with a margin (``log``/``sqrt`` only of values >= ``MARGIN``, ``**`` with a Value exponent
only on positive bases, division only by values >= ``MIN_DIVISOR`` in size), keep
``relu``/``abs`` operands away from their kink at 0, and keep every node's value within
``±BOUND`` and its slope with respect to every input below about ``MAX_SLOPE``, so that
central differences stay meaningful.

Example:
    A property test of the engine: reverse mode agrees with central differences.

    >>> from hypothesis import assume, given, settings
    >>> from autodiff import Value, grad
    >>> @settings(max_examples=20, deadline=None)
    ... @given(expressions(max_steps=6))
    ... def test_grad_matches_differences(recipe):
    ...     assume(recipe.is_smooth_near(recipe.inputs, 1e-6))
    ...     leaves = [Value(x) for x in recipe.inputs]
    ...     analytic = grad(recipe(*leaves), leaves)
    ...     numeric = central_differences(recipe, recipe.inputs)
    ...     assert all(abs(a - n) <= 1e-5 * (1 + abs(a)) for a, n in zip(analytic, numeric))
    >>> test_grad_matches_differences()
"""

try:
    import hypothesis  # noqa: F401
except ImportError as error:  # a message that says how to get it
    raise ImportError(
        "autodiff.testing needs hypothesis, which the 'testing' extra installs: "
        'pip install "autodiff-course[testing]"',
        name="hypothesis",
    ) from error

from ..gradcheck import GradcheckError, assert_gradients_match
from .plugin import PROFILES, load_profile, profile, register_strategies, values
from .primitive_checks import check_primitive
from .recipes import (
    BOUND,
    KINKED,
    MARGIN,
    MIN_DIVISOR,
    OPERATIONS,
    Expression,
    Operation,
    Step,
    central_differences,
    operation,
)
from .scalars import nonzero_reals, points, reals
from .strategies import MAX_SLOPE, chains, expressions

__all__ = [
    "BOUND",
    "KINKED",
    "MARGIN",
    "MAX_SLOPE",
    "MIN_DIVISOR",
    "OPERATIONS",
    "PROFILES",
    "Expression",
    "GradcheckError",
    "Operation",
    "Step",
    "assert_gradients_match",
    "central_differences",
    "chains",
    "check_primitive",
    "expressions",
    "load_profile",
    "nonzero_reals",
    "operation",
    "points",
    "profile",
    "reals",
    "register_strategies",
    "values",
]
