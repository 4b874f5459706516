"""User-defined primitives for the tests, registered once (on import) under names no other
test uses: a smooth one, a kinked one, one of two operands, and one with its own numpy
forward for batches. Their forwards use ``math`` and plain arithmetic only, so a batch
replay (``np.vectorize`` of the very forward) gives the one-example floats."""

from __future__ import annotations

import math
from typing import Any

from autodiff import Value, primitive
from autodiff import functions as F

__all__ = [
    "SMOOTH",
    "USER_BINARY",
    "USER_UNARY",
    "VECTORIZED_UNARY",
    "float_softplus",
    "np_softplus",
]


def float_softplus(x: float) -> float:
    return math.log1p(math.exp(-abs(x))) + max(x, 0.0)


def _number(x: Any) -> float:
    return x.data if isinstance(x, Value) else x


def _clip(x: float) -> float:
    return min(max(x, -1.0), 1.0)


def _clip_partials(x: Any, out: Any) -> tuple[float]:
    # A constant on each side of the kinks: no graph flows through it.
    return (1.0 if -1.0 < _number(x) < 1.0 else 0.0,)


def _smoothmax(x: float, y: float) -> float:
    m = max(x, y)
    return m + math.log(math.exp(x - m) + math.exp(y - m))


def _smoothmax_partials(x: Any, y: Any, out: Any) -> tuple[Any, Any]:
    return (F.exp(x - out), F.exp(y - out))


def np_softplus(x: Any) -> Any:
    """softplus on numpy arrays, for ``batch_forward``."""
    import numpy as np

    return np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0.0)


t_softplus = primitive(
    "t_softplus",
    float_softplus,
    lambda x, out: (F.sigmoid(x),),
    formula="log(1 + e^{x})",
    partial_formulas=("sigmoid({x})",),
)
t_clip = primitive("t_clip", _clip, _clip_partials, formula="min(max({x}, -1), 1)")
t_smoothmax = primitive(
    "t_smoothmax", _smoothmax, _smoothmax_partials, formula="log(e^{x} + e^{y})"
)
t_softplus_np = primitive(
    "t_softplus_np",
    float_softplus,
    lambda x, out: (F.sigmoid(x),),
    batch_forward=np_softplus,
)

t_log1p = primitive(
    "t_log1p",
    math.log1p,
    lambda x, out: (1.0 / (1.0 + x),),
    arity=1,
    domain=lambda x: x > -0.9,  # kept away from the pole at -1
)

VECTORIZED_UNARY = {"t_softplus": t_softplus, "t_clip": t_clip}
"""Unary user primitives whose batch forward is ``forward`` itself, element by element."""
USER_UNARY = {**VECTORIZED_UNARY, "t_softplus_np": t_softplus_np}
USER_BINARY = {"t_smoothmax": t_smoothmax}
SMOOTH = ["t_softplus", "t_smoothmax", "t_log1p"]
"""Smooth where defined (their domain says where): for random expressions."""
