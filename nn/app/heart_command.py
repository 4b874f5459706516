"""The heart demo: the course's 1→6→7→2 sigmoid network learns to draw a heart.

``autodiff demo heart`` trains the network of the
course's backpropagation assignment on its heart data (N = 100), showing a progress bar and
the cost as it falls, then writes three files to the output folder (``out/`` by default):

- ``heart.png``: the network's curve against the target heart, at several stages of training,
  and the cost against the step;
- ``graph.svg``: the cost graph of one example, with every layer collapsed into one node;
- ``heart.html``: the same example's cost as an interactive page (:func:`autodiff.explore`):
  every node can be clicked, the backward pass stepped, any weight or the input changed.

The training itself is :mod:`nn.app.heart`, the pictures :mod:`nn.app.heart_pictures`.

Example:
    >>> args = build_parser().parse_args(["--steps", "50", "--seed", "3"])
    >>> args.steps, args.optimizer, args.seed, args.out
    (50, 'adam', 3, 'out')

``--optimizer sgd`` is the course's gradient descent, η = 7 unless ``--lr`` says otherwise,
with ``--noise`` its noise term (each Jacobian times 1 + noise·ε at every step).
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from .heart import DEFAULTS, LEARNING_RATES, OPTIMIZERS, train_heart
from .heart_pictures import draw_cost_graph, explore_cost, plot_heart
from .parsing import OneLineParser

__all__ = ["build_parser", "main"]


def _positive_int(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def _learning_rate(text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (math.isfinite(number) and number > 0):
        raise argparse.ArgumentTypeError(f"must be a positive finite number, got {text!r}")
    return number


def _noise(text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (math.isfinite(number) and number >= 0):
        raise argparse.ArgumentTypeError(f"must be a finite number ≥ 0, got {text!r}")
    return number


def build_parser() -> argparse.ArgumentParser:
    """The demo's options: ``--steps``, ``--optimizer``, ``--lr``, ``--noise``, ``--seed``,
    ``--out``."""
    parser = OneLineParser(
        prog="autodiff demo heart",
        description="Train the course's 1→6→7→2 sigmoid network on the heart data and draw it.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--steps",
        type=_positive_int,
        default=DEFAULTS["steps"],
        help="training steps (each one a full pass over the 100 examples)",
    )
    parser.add_argument(
        "--optimizer",
        choices=OPTIMIZERS,
        default="adam",
        help="adam, or sgd: the course's plain gradient descent P ← P − η J",
    )
    parser.add_argument(
        "--lr",
        type=_learning_rate,
        default=argparse.SUPPRESS,  # the optimizer's own, said in the help
        help=f"learning rate η (default: {LEARNING_RATES['adam']:g} for adam, "
        f"{LEARNING_RATES['sgd']:g} for sgd as in the course)",
    )
    parser.add_argument(
        "--noise",
        type=_noise,
        default=argparse.SUPPRESS,
        help="sgd only: the course's noise term, each Jacobian times 1 + noise·ε (default 0)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULTS["seed"],
        help="seed of the initial weights (and of the noise)",
    )
    parser.add_argument(
        "--out",
        default=DEFAULTS["out"],
        help="folder for heart.png and graph.svg (created if missing)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo with command-line arguments ``argv``; return the exit status.

    Ctrl-C stops it with one line and status 130 (128 + SIGINT, as shells report it); a
    picture being written is either whole or not there.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if hasattr(args, "noise") and args.optimizer != "sgd":
        parser.error("--noise: the noise term belongs to --optimizer sgd, not adam")
    args.noise = getattr(args, "noise", 0.0)
    args.lr = getattr(args, "lr", LEARNING_RATES[args.optimizer])
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("\nautodiff demo heart: interrupted", file=sys.stderr)
        return 130


def _run(args: argparse.Namespace) -> int:
    missing = _missing_tools()
    if missing:
        print(f"autodiff demo heart: {missing}", file=sys.stderr)
        return 1
    out = Path(args.out)
    if _blocked_by_a_file(out):
        print(f"autodiff demo heart: --out {args.out}: not a folder", file=sys.stderr)
        return 2
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return _cannot_write(error, out)
    print(
        f"Training the course's 1→6→7→2 sigmoid network on the heart (N = 100): "
        f"{args.steps} {_optimizer_name(args)} steps, lr {args.lr:g}, seed {args.seed}"
    )
    run = train_heart(
        args.steps,
        args.lr,
        args.seed,
        optimizer=args.optimizer,
        noise=args.noise,
        progress=True,
    )
    try:
        plot_heart(run, out / "heart.png", title=_title(args))
        draw_cost_graph(run, out / "graph.svg")
        explore_cost(run, out / "heart.html")
    except OSError as error:
        return _cannot_write(error, out)
    # On stderr, like the progress bar: stdout carries only the training log.
    print(
        f"wrote {out / 'heart.png'}, {out / 'graph.svg'} and {out / 'heart.html'}",
        file=sys.stderr,
    )
    return 0


def _blocked_by_a_file(out: Path) -> bool:
    """Whether ``out`` or a folder above it is something other than a folder."""
    for folder in (out, *out.parents):
        if folder.exists():
            return not folder.is_dir()
    return False


def _cannot_write(error: OSError, out: Path) -> int:
    where = error.filename if error.filename is not None else out
    print(f"autodiff demo heart: cannot write {where}: {error.strerror or error}", file=sys.stderr)
    return 1


def _optimizer_name(args: argparse.Namespace) -> str:
    if args.optimizer == "adam":
        return "Adam"
    return f"gradient descent (noise {args.noise:g})" if args.noise else "gradient descent"


def _title(args: argparse.Namespace) -> str:
    return f"1→6→7→2 sigmoid network, {_optimizer_name(args)}, lr {args.lr:g}, seed {args.seed}"


def _missing_tools() -> str:
    """What is missing to write the pictures ("" when nothing is), checked before training."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return (
            "heart.png is drawn with matplotlib, which is not installed: "
            "pip install 'autodiff-course[plot]' (or matplotlib)"
        )
    if shutil.which("dot") is None:
        return (
            "graph.svg is drawn by Graphviz's `dot` program, which is not on PATH: "
            "install the package 'graphviz' (e.g. sudo apt-get install graphviz)"
        )
    return ""
