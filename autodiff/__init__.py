"""autodiff: a scalar reverse-mode automatic-differentiation engine that shows its work.

Example:
    >>> from autodiff import Value
    >>> w, x, b = Value(-3.0, label="w"), Value(2.0, label="x"), Value(6.88, label="b")
    >>> a = (w * x + b).tanh()
    >>> a.backward()
    >>> round(a.data, 4), round(w.grad, 4)
    (0.7064, 1.0019)

Beyond reverse mode: ``autodiff.primitive`` adds a primitive of your own (a row of
``PRIMITIVES``, like the built-ins), ``autodiff.functions`` are the engine's functions for
numbers and Values alike, and ``jvp``, ``jvp_fn``, ``hvp`` and ``jacobian(mode="forward")``
are forward mode.

``import autodiff`` loads the engine only. The drawings (which need graphviz) and the
compiled tape (which uses numpy when it is installed) load the first time one of their names
is used: ``autodiff.draw``, ``autodiff.explain``, ``autodiff.explore``,
``autodiff.compile_tape``...
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import functions
from .collector import collector_paused
from .extend import UserPrimitive, primitive, unregister
from .forward import hvp, jvp, jvp_fn
from .functional import grad, hessian, jacobian
from .fused import dot, sum_of
from .gradcheck import GradcheckError, gradcheck, numeric_grad
from .graph import topological_order
from .lazy import lazy_names
from .primitives import PRIMITIVES, Primitive
from .recording import is_recording, no_grad
from .value import Value

if TYPE_CHECKING:
    from .page import explore
    from .show.explain import explain
    from .show.render import draw
    from .tape import GraphChangedError, Tape, TraceError, compile, compile_tape

_LAZY = {
    "draw": "autodiff.show.render",
    "explain": "autodiff.show.explain",
    "explore": "autodiff.page",
    "GraphChangedError": "autodiff.tape",
    "Tape": "autodiff.tape",
    "TraceError": "autodiff.tape",
    "compile": "autodiff.tape",
    "compile_tape": "autodiff.tape",
}
"""Public names whose modules load on first use, and where they live."""


__getattr__, __dir__ = lazy_names(__name__, _LAZY, globals())


__all__ = [
    "PRIMITIVES",
    "GradcheckError",
    "GraphChangedError",
    "Primitive",
    "Tape",
    "TraceError",
    "UserPrimitive",
    "Value",
    "collector_paused",
    "compile",
    "compile_tape",
    "dot",
    "draw",
    "explain",
    "explore",
    "functions",
    "grad",
    "gradcheck",
    "hessian",
    "hvp",
    "is_recording",
    "jacobian",
    "jvp",
    "jvp_fn",
    "no_grad",
    "numeric_grad",
    "primitive",
    "sum_of",
    "topological_order",
    "unregister",
]

__version__ = "0.1.0"
