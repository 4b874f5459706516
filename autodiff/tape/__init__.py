"""The compiled tape: trace a function of Values once, replay it for new numbers.

See :func:`compile_tape` (also importable as ``compile``, its first name). Modules:
``trace`` (recording the graph), ``observe`` (guards on what the traced code does with
``.data``), ``kernels`` (per-primitive code, one table), ``codegen`` (the generated source),
``interpreter`` (the replay of a program too big to compile quickly), ``tape`` (the
:class:`Tape`), ``batch`` (numpy replay).
"""

from .arguments import GraphChangedError
from .tape import Tape, compile_tape
from .trace import TraceError

compile = compile_tape
"""The first name of :func:`compile_tape` (imported, it shadows the builtin ``compile``)."""

__all__ = ["GraphChangedError", "Tape", "TraceError", "compile", "compile_tape"]
