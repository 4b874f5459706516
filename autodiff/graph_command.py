"""``autodiff graph``: draw a typed formula's graph with every gradient, and print them.

Example (``python -m autodiff graph ...`` from a shell):
    autodiff graph "tanh(w*x + b)" --at x=2 w=-3 b=6.88 -o graph.svg --explain w

Hostile or bad input (an unknown function, attribute access, a name without a value, ...)
prints one line naming the offending piece to stderr and exits with status 2 before
anything is computed. The drawing is written atomically.

Example:
    >>> from autodiff.cli import main
    >>> main(["graph", "x.__class__", "--at", "x=1"])  # the error line goes to stderr
    2
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from .explain import explain
from .formula import FUNCTIONS, Formula, FormulaError, parse
from .render import GraphvizNotFound, draw
from .value import Value

__all__ = ["add_parser", "run"]

FORMATS = ("svg", "png", "pdf", "dot")


class UsageError(Exception):
    """Bad input on the command line: reported in one line, exit status 2."""


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the ``graph`` subcommand."""
    graph = commands.add_parser(
        "graph",
        help="draw a formula's computation graph with its gradients",
        description="Parse FORMULA safely (numbers, names, + - * / **, and "
        f"{', '.join(FUNCTIONS)}), evaluate it at the given values, run backward, "
        "print the value and every partial derivative, and draw the graph.",
    )
    graph.add_argument("formula", help='for example "tanh(w*x + b)"')
    graph.add_argument(
        "--at", nargs="*", default=[], metavar="NAME=VALUE", help="a value for every name"
    )
    graph.add_argument("-o", "--output", help="the drawing's file (default graph.FORMAT)")
    graph.add_argument("--format", choices=FORMATS, help="default: from -o's suffix, else svg")
    graph.add_argument("--explain", metavar="NAME", help="print the chain-rule ledger of ∂f/∂NAME")
    graph.add_argument("--show-local", action="store_true", help="label edges with local partials")
    graph.add_argument("--digits", type=int, default=4, help="significant digits (default 4)")


def run(args: argparse.Namespace) -> int:
    """Carry out ``autodiff graph``; return the exit status."""
    try:
        formula = parse(args.formula)
        values = _values(args.at, formula)
        if args.explain is not None and args.explain not in formula.names:
            raise UsageError(f"--explain {args.explain}: the formula has no name {args.explain!r}")
        output, fmt = _destination(args.output, args.format)
        if not 1 <= args.digits <= 17:
            raise UsageError(f"--digits must be between 1 and 17, got {args.digits}")
        out, leaves = formula.evaluate(values)
    except (FormulaError, UsageError) as error:
        return _fail(str(error), 2)
    if out.children:
        out.label = "f"
    out.backward()
    _report(formula, out, leaves, args.digits)
    if args.explain is not None:
        print(explain(out, leaves[args.explain], digits=args.digits))
    target = leaves[args.explain] if args.explain is not None else None
    drawing = draw(out, show_local=args.show_local, highlight=target, digits=args.digits)
    try:
        drawing.write(output, fmt)
    except GraphvizNotFound as error:
        return _fail(str(error), 1)
    except OSError as error:
        return _fail(f"cannot write {output}: {error.strerror or error}", 1)
    print(f"wrote {output}")
    return 0


def _fail(message: str, status: int) -> int:
    print(f"autodiff graph: error: {message}", file=sys.stderr)
    return status


def _values(assignments: list[str], formula: Formula) -> dict[str, float]:
    values: dict[str, float] = {}
    for assignment in assignments:
        name, equals, text = assignment.partition("=")
        name = name.strip()
        if not equals or not name.isidentifier():
            raise UsageError(f"--at expects NAME=VALUE, got {assignment!r}")
        if name in values:
            raise UsageError(f"--at gives {name!r} twice")
        if name not in formula.names:
            raise UsageError(f"--at {name}: the formula has no name {name!r}")
        try:
            value = float(text)
        except ValueError:
            raise UsageError(f"--at {name}: {text!r} is not a number") from None
        if not math.isfinite(value):
            raise UsageError(f"--at {name}: the value must be finite, got {text!r}")
        values[name] = value
    for name in formula.names:
        if name not in values:
            raise UsageError(f"no value for {name!r}: give one with --at {name}=VALUE")
    return values


def _destination(output: str | None, fmt: str | None) -> tuple[Path, str]:
    if output is None:
        fmt = fmt or "svg"
        return Path(f"graph.{fmt}"), fmt
    path = Path(output)
    suffix = path.suffix.lstrip(".").lower()
    if fmt is None:
        fmt = "dot" if suffix == "gv" else suffix or "svg"
        if fmt not in FORMATS:
            raise UsageError(f"-o {output}: unknown format {suffix!r} (use --format)")
    return path, fmt


def _report(formula: Formula, out: Value, leaves: dict[str, Value], digits: int) -> None:
    precision = max(digits, 6)
    print(f"f = {formula.text.strip()} = {out.data:.{precision}g}")
    for name in formula.names:
        print(f"∂f/∂{name} = {leaves[name].grad:.{precision}g}")
