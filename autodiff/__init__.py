"""autodiff: a scalar reverse-mode automatic-differentiation engine that shows its work.

Example:
    >>> from autodiff import Value
    >>> w, x, b = Value(-3.0, label="w"), Value(2.0, label="x"), Value(6.88, label="b")
    >>> a = (w * x + b).tanh()
    >>> a.backward()
    >>> round(a.data, 4), round(w.grad, 4)
    (0.7064, 1.0019)
"""

from .backward import topological_order
from .explain import explain
from .functional import grad, hessian, jacobian
from .fused import dot, sum_of
from .gradcheck import GradcheckError, gradcheck, numeric_grad
from .primitives import PRIMITIVES, Primitive
from .recording import is_recording, no_grad
from .render import draw
from .tape import GraphChangedError, Tape, TraceError, compile
from .value import Value

__all__ = [
    "PRIMITIVES",
    "GradcheckError",
    "GraphChangedError",
    "Primitive",
    "Tape",
    "TraceError",
    "Value",
    "compile",
    "dot",
    "draw",
    "explain",
    "grad",
    "gradcheck",
    "hessian",
    "is_recording",
    "jacobian",
    "no_grad",
    "numeric_grad",
    "sum_of",
    "topological_order",
]

__version__ = "0.1.0"
