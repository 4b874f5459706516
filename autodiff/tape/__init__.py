"""The compiled tape: trace a function of Values once, replay it for new numbers.

See :func:`compile`. Modules: ``trace`` (recording the graph), ``observe`` (guards on what
the traced code does with ``.data``), ``kernels`` (per-primitive code, one table),
``codegen`` (the generated source), ``tape`` (the :class:`Tape`), ``batch`` (numpy replay).
"""

from .tape import GraphChangedError, Tape, compile
from .trace import TraceError

__all__ = ["GraphChangedError", "Tape", "TraceError", "compile"]
