"""The course app: the ``autodiff`` command line, its demos and their pictures.

It sits above both libraries: it imports :mod:`autodiff` and :mod:`nn`, and neither imports
it. :mod:`nn.app.cli` is the command (``autodiff graph``, ``autodiff demo ...``),
:mod:`nn.app.graph_command` draws a typed formula (parsed safely by :mod:`nn.app.formula`),
and the demos are :mod:`nn.app.xor_demo` and the heart (:mod:`nn.app.heart`, its command and
its pictures).
"""
