"""The ``autodiff`` command line: one subcommand per job.

Example:
    >>> main(["demo", "engine"])  # doctest: +ELLIPSIS
    a = tanh(w*x + b) = 0.7064...
    0
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from . import graph_command

__all__ = ["main"]


def _engine_demo() -> int:
    from .value import Value

    w, x, b = Value(-3.0, label="w"), Value(2.0, label="x"), Value(6.88, label="b")
    a = (w * x + b).tanh()
    a.backward()
    print(f"a = tanh(w*x + b) = {a.data:.6f}")
    for leaf in (w, x, b):
        print(f"  ∂a/∂{leaf.label} = {leaf.grad:+.6f}")
    return 0


def _nn_demo() -> int:
    # Imported here, not at the top: the engine must not depend on the nn package.
    from nn.demos import xor_demo

    return xor_demo()


DEMOS = {"engine": _engine_demo, "nn": _nn_demo}


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autodiff", description="Scalar automatic differentiation that shows its work."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run a demonstration")
    demo.add_argument("name", nargs="?", default="engine", choices=sorted(DEMOS))
    graph_command.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    args = _build_parser().parse_args(argv)
    if args.command == "demo":
        return DEMOS[args.name]()
    if args.command == "graph":
        return graph_command.run(args)
    return 2
