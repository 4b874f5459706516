"""``autodiff explore``: a typed formula's interactive page (:func:`autodiff.explore`).

Example (from a shell):
    autodiff explore "tanh(w*x + b)" --at x=2 w=-3 b=6.88 -o neuron.html

The formula language, its safety and its errors are ``autodiff graph``'s (:mod:`.formula`):
bad input prints one line to stderr and exits with status 2, having written nothing. The
value and every partial derivative are printed; the page is written atomically, and
"wrote ..." goes to stderr.

Example:
    >>> from nn.app.cli import main
    >>> main(["explore", "x**2", "--at", "x=1", "-o", "x.svg"])  # the error line goes to stderr
    2
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from autodiff.show.render import GraphvizNotFound

from .formula import FUNCTIONS, FormulaError
from .graph_command import (
    UsageError,
    _is_dir,
    _report,
    add_formula_arguments,
    evaluated,
    parsed,
)

__all__ = ["add_parser", "run"]

DEFAULT_OUTPUT = "explore.html"


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Register the ``explore`` subcommand."""
    explore = commands.add_parser(
        "explore",
        help="write a formula's interactive page (click, step, change inputs)",
        description="Parse FORMULA safely (numbers, names, + - * / **, and "
        f"{', '.join(FUNCTIONS)}), evaluate it at the given values, run backward, print "
        "the value and every partial derivative, and write one self-contained HTML page "
        "in which the graph can be clicked, its backward pass stepped and its inputs changed.",
    )
    add_formula_arguments(explore)
    explore.add_argument(
        "-o", "--output", help=f"the page's file, .html (default {DEFAULT_OUTPUT}), - for stdout"
    )


def run(args: argparse.Namespace) -> int:
    """Carry out ``autodiff explore``; return the exit status."""
    try:
        formula, values = parsed(args)
        output = _destination(args.output)
        out, leaves, name = evaluated(formula, values, args.digits)
    except (FormulaError, UsageError) as error:
        return _fail(str(error), 2)
    report = sys.stderr if output is None else sys.stdout
    _report(formula, name, out, leaves, args.digits, report)
    from autodiff.page import explore  # graphviz's rendering, only when a page is made

    shown = "standard output" if output is None else str(output)
    try:
        page = explore(out, digits=args.digits, title=f"{name} = {formula.text.strip()}")
        if output is None:
            if sys.stdout is None:
                return _fail("cannot write standard output: it is closed", 1)
            sys.stdout.flush()
            sys.stdout.buffer.write(page.html.encode("utf-8"))
            sys.stdout.flush()
            return 0
        if sys.stdout is not None:
            sys.stdout.flush()
        page.write(output)
    except GraphvizNotFound as error:
        return _fail(str(error), 1)
    except OSError as error:
        return _fail(f"cannot write {shown}: {error.strerror or error}", 1)
    print(f"wrote {output}", file=sys.stderr)
    return 0


def _fail(message: str, status: int) -> int:
    print(f"autodiff explore: error: {message}", file=sys.stderr)
    return status


def _destination(output: str | None) -> Path | None:
    """The page's file (None: standard output), checked before any work."""
    if output is None:
        return Path(DEFAULT_OUTPUT)
    if output == "-":
        return None
    if not output or output.endswith(("/", "\\")) or _is_dir(output):
        raise UsageError(f"-o {output or repr(output)}: not a file name (for example -o page.html)")
    path = Path(output)
    if path.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"-o {output}: the page is HTML: name it .html (for example -o page.html)")
    return path
