"""``autodiff graph``: draw a typed formula's graph with every gradient, and print them.

Example (from a shell):
    autodiff graph "tanh(w*x + b)" --at x=2 w=-3 b=6.88 -o graph.svg --explain w

Hostile or bad input (an unknown function, attribute access, a name without a value, a
value where the formula or its derivative is undefined, ...) prints one line naming the
offending piece to stderr and exits with status 2, having written nothing. The drawing is
written by :func:`autodiff.files.write_atomically` (``-o -``: to standard output, and then
the numbers go to stderr); "wrote ..." goes to stderr, so stdout carries only the numbers.

Example:
    >>> from nn.app.cli import main
    >>> main(["graph", "x.__class__", "--at", "x=1"])  # the error line goes to stderr
    2
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import unicodedata
from pathlib import Path
from typing import Any, TextIO

from autodiff import Value, explain
from autodiff.show.render import Drawing, GraphvizNotFound, draw

from .formula import FUNCTIONS, Formula, FormulaError, load_primitives, parse

__all__ = ["add_parser", "run"]

FORMATS = ("svg", "png", "pdf", "dot")
# Suffixes of formats we do not write: one of ours under such a name would be mislabelled.
OTHER_FORMATS = ("jpg", "jpeg", "gif", "bmp", "tif", "tiff", "webp", "ps", "eps", "json", "html")


class UsageError(Exception):
    """Bad input on the command line: reported in one line, exit status 2."""


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Register the ``graph`` subcommand."""
    graph = commands.add_parser(
        "graph",
        help="draw a formula's computation graph with its gradients",
        description="Parse FORMULA safely (numbers, names, + - * / **, and "
        f"{', '.join(FUNCTIONS)}), evaluate it at the given values, run backward, "
        "print the value and every partial derivative, and draw the graph.",
    )
    add_formula_arguments(graph)
    graph.add_argument(
        "-o", "--output", help="the drawing's file, - for standard output (default graph.FORMAT)"
    )
    graph.add_argument("--format", choices=FORMATS, help="default: from -o's suffix, else svg")
    graph.add_argument("--explain", metavar="NAME", help="print the chain-rule ledger of ∂f/∂NAME")
    graph.add_argument("--show-local", action="store_true", help="label edges with local partials")


def add_formula_arguments(parser: argparse.ArgumentParser) -> None:
    """The formula, its values and how numbers are written: what ``graph`` and ``explore``
    (:mod:`nn.app.explore_command`) both take."""
    parser.add_argument("formula", nargs="?", help='for example "tanh(w*x + b)"')
    parser.add_argument(
        "--at",
        nargs="*",
        action="extend",
        default=[],
        metavar="NAME=VALUE",
        help="a value for every name (the formula may come before or after)",
    )
    parser.add_argument("--digits", type=int, default=4, help="significant digits (default 4)")
    parser.add_argument(
        "--primitives",
        action="append",
        default=[],
        metavar="MODULE",
        help="import MODULE (runs its code) and let the formula call the primitives it "
        "defines with autodiff.primitive(...); never done without this option",
    )


def parsed(args: argparse.Namespace) -> tuple[Formula, dict[str, float]]:
    """The checked formula of ``args`` and a number for each of its names.

    Raises:
        FormulaError, UsageError: one line each, for the command to print.
    """
    load_primitives(args.primitives)
    text, assignments = _formula_and_assignments(args.formula, args.at)
    formula = parse(text)
    return formula, _values(assignments, formula)


def evaluated(
    formula: Formula, values: dict[str, float], digits: int
) -> tuple[Value, dict[str, Value], str]:
    """The formula's graph at ``values``, differentiated: its output (labelled with the
    output's name), its leaves by name, and that name.

    Raises:
        FormulaError, UsageError: as :func:`parsed`, or ``digits`` out of range.
    """
    if not 1 <= digits <= 17:
        raise UsageError(f"--digits must be between 1 and 17, got {digits}")
    out, leaves = formula.evaluate(values)
    name = _output_name(formula)
    if out.children:
        out.label = name
    _differentiate(formula, out)
    return out, leaves, name


def run(args: argparse.Namespace) -> int:
    """Carry out ``autodiff graph``; return the exit status."""
    try:
        formula, values = parsed(args)
        if args.explain is not None:
            _check_name("--explain", args.explain, formula)
        output, fmt = _destination(args.output, args.format)
        out, leaves, name = evaluated(formula, values, args.digits)
        ledger = _ledger(formula, out, leaves, args.explain, args.digits)
    except (FormulaError, UsageError) as error:
        return _fail(str(error), 2)
    # With the drawing on standard output, the numbers go to stderr: stdout is the drawing.
    report = sys.stderr if output is None else sys.stdout
    _report(formula, name, out, leaves, args.digits, report)
    if ledger:
        print(ledger, file=report)
    target = leaves[args.explain] if args.explain is not None else None
    drawing = draw(out, show_local=args.show_local, highlight=target, digits=args.digits)
    return _write(drawing, output, fmt)


def _fail(message: str, status: int) -> int:
    print(f"autodiff graph: error: {message}", file=sys.stderr)
    return status


def _formula_and_assignments(formula: str | None, at: list[str]) -> tuple[str, list[str]]:
    """The formula and the NAME=VALUE items: ``--at`` takes every word that follows it,
    so a formula typed after ``--at x=1 y=2`` arrives among them (it has no ``=``)."""
    assignments = list(at)
    if formula is None:
        for index, item in enumerate(assignments):
            if "=" not in item:
                return assignments.pop(index), assignments
        raise UsageError('no formula given: for example autodiff graph "x**2" --at x=3')
    return formula, assignments


def _values(assignments: list[str], formula: Formula) -> dict[str, float]:
    values: dict[str, float] = {}
    for assignment in assignments:
        name, equals, text = assignment.partition("=")
        name = name.strip()
        if not equals or not name.isidentifier():
            raise UsageError(f"--at expects NAME=VALUE, got {assignment!r}")
        if name in values:
            raise UsageError(f"--at gives {name!r} twice")
        _check_name("--at", name, formula)
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


def _check_name(option: str, name: str, formula: Formula) -> None:
    if name in formula.names:
        return
    normal = unicodedata.normalize("NFKC", name)
    if normal != name and normal in formula.names:
        raise UsageError(
            f"{option} {name}: Python reads the formula's {name!r} as {normal!r} "
            f"(names are NFKC-normalised), so write {normal!r} here"
        )
    raise UsageError(f"{option} {name}: the formula has no name {name!r}")


def _output_name(formula: Formula) -> str:
    """What the output is called: ``f``, unless the formula has a variable of that name."""
    for name in ("f", "g", "h"):
        if name not in formula.names:
            return name
    return next(f"f{k}" for k in range(1, len(formula.names) + 2) if f"f{k}" not in formula.names)


def _destination(output: str | None, fmt: str | None) -> tuple[Path | None, str]:
    """The drawing's file (None: standard output) and its format, checked before any work."""
    if output is None:
        fmt = fmt or "svg"
        return Path(f"graph.{fmt}"), fmt
    if output == "-":
        return None, fmt or "svg"
    if not output or output.endswith(("/", os.sep)) or _is_dir(output):
        raise UsageError(f"-o {output or repr(output)}: not a file name (for example -o graph.svg)")
    path = Path(output)
    suffix = path.suffix.lstrip(".").lower()
    implied = "dot" if suffix == "gv" else suffix
    if implied in FORMATS:
        if fmt is not None and fmt != implied:
            raise UsageError(
                f"-o {output} --format {fmt}: the suffix .{suffix} says {implied}; "
                "drop --format or change the suffix"
            )
        return path, implied
    if suffix in OTHER_FORMATS:
        raise UsageError(
            f"-o {output}: {suffix} is not a format this command writes; the formats are "
            f"{', '.join(FORMATS)} (as the suffix of -o, or with --format)"
        )
    if suffix and fmt is None:
        raise UsageError(
            f"-o {output}: the suffix .{suffix} names no format; use .svg, .png, .pdf or "
            ".dot, or give --format"
        )
    return path, fmt or "svg"


def _is_dir(output: str) -> bool:
    try:
        return os.path.isdir(output) or Path(output).is_dir()
    except OSError as error:  # a name too long for the system, a loop of links, ...
        raise UsageError(f"-o {output}: {error.strerror or error}") from None


def _differentiate(formula: Formula, out: Value) -> None:
    try:
        out.backward()
    except (ValueError, OverflowError, ZeroDivisionError) as error:
        raise FormulaError(f"cannot differentiate {formula.text.strip()!r}: {error}") from None


def _ledger(
    formula: Formula, out: Value, leaves: dict[str, Value], name: str | None, digits: int
) -> str:
    if name is None:
        return ""
    try:
        return str(explain(out, leaves[name], digits=digits))
    except (ValueError, OverflowError, ZeroDivisionError) as error:
        raise FormulaError(
            f"cannot explain ∂/∂{name} of {formula.text.strip()!r}: {error}"
        ) from None


def _report(
    formula: Formula,
    name: str,
    out: Value,
    leaves: dict[str, Value],
    digits: int,
    stream: TextIO,
) -> None:
    precision = max(digits, 6)
    print(f"{name} = {formula.text.strip()} = {out.data:.{precision}g}", file=stream)
    for variable in formula.names:
        print(f"∂{name}/∂{variable} = {leaves[variable].grad:.{precision}g}", file=stream)


def _write(drawing: Drawing, output: Path | None, fmt: str) -> int:
    """Write the drawing; "wrote ..." goes to stderr, so stdout carries only the numbers."""
    shown = "standard output" if output is None else str(output)
    try:
        if output is None:
            data = drawing.source.encode() if fmt == "dot" else drawing.pipe(format=fmt)
            if sys.stdout is None:  # started with standard output closed (>&-)
                return _fail("cannot write standard output: it is closed", 1)
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
            return 0
        if sys.stdout is not None:
            sys.stdout.flush()  # what was printed comes first, should -o name standard output
        drawing.write(output, fmt)
    except GraphvizNotFound as error:
        return _fail(str(error), 1)
    except OSError as error:
        return _fail(f"cannot write {shown}: {error.strerror or error}", 1)
    print(f"wrote {output}", file=sys.stderr)
    return 0
