"""The ``autodiff`` command line: one subcommand per job.

Example:
    >>> main(["demo", "engine"])  # doctest: +ELLIPSIS
    a = tanh(w*x + b) = 0.7064...
    0
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

__all__ = ["main"]


def _engine_demo(options: Sequence[str]) -> int:
    from .value import Value

    argparse.ArgumentParser(
        prog="autodiff demo engine", description="One tanh neuron and its gradients."
    ).parse_args(options)  # no options: this answers --help and rejects anything else
    w, x, b = Value(-3.0, label="w"), Value(2.0, label="x"), Value(6.88, label="b")
    a = (w * x + b).tanh()
    a.backward()
    print(f"a = tanh(w*x + b) = {a.data:.6f}")
    for leaf in (w, x, b):
        print(f"  ∂a/∂{leaf.label} = {leaf.grad:+.6f}")
    return 0


def _heart_demo(options: Sequence[str]) -> int:
    # Imported when asked for: the engine itself does not depend on nn (nor on matplotlib).
    from nn.heart_demo import main as heart_main

    return heart_main(options)


DEMOS: dict[str, Callable[[Sequence[str]], int]] = {
    "engine": _engine_demo,
    "heart": _heart_demo,
}
"""Demos by name: each takes the options after its name and returns the exit status."""


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autodiff", description="Scalar automatic differentiation that shows its work."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run a demonstration")
    demo.add_argument("name", nargs="?", default="engine", choices=sorted(DEMOS))
    demo.add_argument(
        "options", nargs=argparse.REMAINDER, help="the demo's own options (e.g. heart --help)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    args = _build_parser().parse_args(argv)
    if args.command == "demo":
        return DEMOS[args.name](args.options)
    return 2
