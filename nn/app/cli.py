"""The ``autodiff`` command line: one subcommand per job.

Example:
    >>> main(["demo", "engine"])  # doctest: +ELLIPSIS
    a = tanh(w*x + b) = 0.7064...
    0
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Callable, Sequence
from importlib import metadata

from autodiff import Value

from . import explore_command, graph_command
from .parsing import OneLineParser

__all__ = ["main"]


class _Parser(OneLineParser):
    """The command's parser: a formula taken for an option gets a hint (subcommands' parsers
    are of this class too)."""

    def hint(self, message: str) -> str:
        unrecognized = message.partition("unrecognized arguments: ")[2].split()
        if any(word.startswith("-") and not word.startswith("--") for word in unrecognized):
            message += (  # most likely a formula such as -x**2, taken for an option
                '; a formula that starts with - goes after --: autodiff graph --at x=1 -- "-x**2"'
            )
        return message


def _no_options(name: str, description: str, options: Sequence[str]) -> None:
    """Parse a demo's options when it takes none: answers --help, rejects anything else."""
    _Parser(prog=f"autodiff demo {name}", description=description).parse_args(options)


def _engine_demo(options: Sequence[str]) -> int:
    _no_options("engine", "One tanh neuron and its gradients.", options)
    w, x, b = Value(-3.0, label="w"), Value(2.0, label="x"), Value(6.88, label="b")
    a = (w * x + b).tanh()
    a.backward()
    print(f"a = tanh(w*x + b) = {a.data:.6f}")
    for leaf in (w, x, b):
        print(f"  ∂a/∂{leaf.label} = {leaf.grad:+.6f}")
    return 0


def _nn_demo(options: Sequence[str]) -> int:
    from .xor_demo import xor_demo

    _no_options("nn", "A small MLP learns XOR.", options)
    return xor_demo()


def _heart_demo(options: Sequence[str]) -> int:
    # Imported when asked for: matplotlib and tqdm load only for this demo.
    from .heart_command import main as heart_main

    return heart_main(options)


DEMOS: dict[str, Callable[[Sequence[str]], int]] = {
    "engine": _engine_demo,
    "heart": _heart_demo,
    "nn": _nn_demo,
}
"""Demos by name: each takes the options after its name and returns the exit status."""


def _version() -> str:
    """The installed package's version (its metadata), else the source tree's."""
    try:
        return metadata.version("autodiff-course")
    except metadata.PackageNotFoundError:
        from autodiff import __version__

        return __version__


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="autodiff", description="Scalar automatic differentiation that shows its work."
    )
    parser.add_argument("--version", action="version", version=f"autodiff {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run a demonstration")
    demo.add_argument("name", nargs="?", default="engine", choices=sorted(DEMOS))
    demo.add_argument(
        "options", nargs=argparse.REMAINDER, help="the demo's own options (e.g. heart --help)"
    )
    graph_command.add_parser(commands)
    explore_command.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    Ctrl-C prints one line and returns 130 (128 + SIGINT, as shells report it); a standard
    output whose reader has gone (``autodiff graph ... | true``) prints one line and returns
    1. Neither shows a traceback.
    """
    _escape_what_cannot_be_printed()
    args = _build_parser().parse_args(argv)
    try:
        if args.command == "demo":
            return DEMOS[args.name](args.options)
        if args.command == "explore":
            return explore_command.run(args)
        return graph_command.run(args)
    except KeyboardInterrupt:
        print("autodiff: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        _silence_stdout()
        print("autodiff: error: cannot write standard output: Broken pipe", file=sys.stderr)
        return 1


def _escape_what_cannot_be_printed() -> None:
    """On a standard stream whose encoding lacks the symbols we print (∂, names such as é),
    print them as escapes (``\\u2202``) rather than fail: a legacy terminal, PYTHONIOENCODING."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            try:
                "∂é→".encode(stream.encoding)
            except (UnicodeEncodeError, LookupError):
                stream.reconfigure(errors="backslashreplace")


def _silence_stdout() -> None:
    """Point the standard output's descriptor at the null device: Python flushes stdout on
    the way out, and a second broken pipe there would print "Exception ignored ..."."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # None, or replaced (pytest's capture)
        return
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, descriptor)
    os.close(null)
