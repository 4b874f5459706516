"""Cost against graph size: build, backward, compile and draw on chains of 10³ to 10⁶ ops.

The chain is the benchmark's y ← y·1.0000001 + 0.1 (``bench/chain.py``), two operations per
step, each with a constant leaf. For each size:

- *build*: making the chain of Values from x, with the cyclic garbage collector as it comes
  and, apart, paused (``autodiff.collector_paused``): its passes over the growing graph
  are most of the difference;
- *backward*: ``y.backward()``;
- *compile*: ``compile_tape`` of the function x ↦ chain(x) and its first
  ``value_and_grad`` (the tape generates its code on the first replay), checked against
  the eager value and gradient; only up to ``compile_max`` operations, and no larger size
  once one took more than ``COMPILE_LIMIT`` seconds;
- *draw*: ``autodiff.draw(y)`` after the backward pass, to its DOT source. Past
  ``max_nodes`` the drawing lumps the far end of the chain into one summary node, so Graphviz
  itself always lays out a few hundred nodes: its layout is not timed here.

Times are CPU seconds of this process, the median of a few repeats on the small sizes.

Usage: ``python -m bench.scaling [--quick] [--plot docs/figures/scaling.png]``.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .chain import _chain
from .report import table

__all__ = ["COMPILE_LIMIT", "COMPILE_MAX", "QUICK_COMPILE_MAX", "QUICK_SIZES", "SIZES"]
__all__ += ["ScalingPoint", "measure_scaling", "plot", "scaling_section"]

SIZES = (1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000)
"""Chain lengths in operations: 1-2-5 steps from a thousand to a million."""

QUICK_SIZES = tuple(n for n in SIZES if n <= 100_000)
"""``--quick``: up to 10⁵ operations."""

COMPILE_MAX, QUICK_COMPILE_MAX = 1_000_000, 20_000
"""The longest chain compiled (``--quick``: 2·10⁴; a million operations take seconds)."""

COMPILE_LIMIT = 20.0
"""Seconds: once compiling one size takes longer, larger sizes are not compiled."""

REPEAT_BELOW = 200_000
"""Sizes below this are measured three times (the median is kept); larger ones once."""


@dataclass
class ScalingPoint:
    """CPU seconds at one chain length (compile is None where it was not measured)."""

    ops: int
    build: float
    build_paused: float
    backward: float
    compile: float | None
    draw: float


def _seconds(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.process_time()
    result = action()
    return time.process_time() - start, result


def _eager(ops: int) -> tuple[float, float, float, float, tuple[float, float]]:
    from autodiff import Value, collector_paused, draw

    gc.collect()
    with collector_paused():
        paused, _ = _seconds(lambda: _chain(Value(0.5), ops))
    gc.collect()
    x = Value(0.5)
    build, y = _seconds(lambda: _chain(x, ops))
    backward, _ = _seconds(y.backward)
    drawing, _ = _seconds(lambda: draw(y).source)
    return build, paused, backward, drawing, (y.data, x.grad)


def _compile(ops: int, expected: tuple[float, float]) -> float:
    from autodiff import compile_tape

    gc.collect()

    def compile_and_replay() -> tuple[float, list[float]]:
        return compile_tape(lambda x: _chain(x, ops), [0.5]).value_and_grad(0.5)

    seconds, (value, (gradient,)) = _seconds(compile_and_replay)
    if (value, gradient) != expected:
        raise AssertionError(f"scaling: the tape of {ops:,} ops gives {(value, gradient)}")
    return seconds


def _point(ops: int, compiled: bool) -> ScalingPoint:
    repeats = 3 if ops < REPEAT_BELOW else 1
    builds, paused, backwards, drawings, results = zip(*(_eager(ops) for _ in range(repeats)))
    compile_seconds = None
    if compiled:
        compile_seconds = statistics.median(_compile(ops, results[0]) for _ in range(repeats))
    median = statistics.median
    return ScalingPoint(
        ops, median(builds), median(paused), median(backwards), compile_seconds, median(drawings)
    )


def measure_scaling(
    sizes: Sequence[int] = SIZES, compile_max: int = COMPILE_MAX, progress: bool = False
) -> list[ScalingPoint]:
    """Measure every size in increasing order, after one untimed chain of the largest size
    (the first large graph of a process costs more per node: its memory is new)."""
    _eager(max(sizes))
    points: list[ScalingPoint] = []
    for ops in sorted(sizes):
        slow = any(p.compile is not None and p.compile > COMPILE_LIMIT for p in points)
        points.append(_point(ops, ops <= compile_max and not slow))
        if progress:
            print(f"{ops:,} ops: {points[-1]}", flush=True)
    return points


def _cell(seconds: float | None, ops: int) -> str:
    if seconds is None:
        return "—"
    return f"{seconds:.3g} s ({seconds / ops * 1e9:,.0f} ns/op)"


def scaling_section(points: Sequence[ScalingPoint]) -> list[str]:
    """Markdown: the table of CPU seconds (and nanoseconds per operation) at each size."""
    header = ["operations", "build", "build, collector paused", "backward"]
    header += ["compile + first replay", "draw"]
    rows = [
        [f"{p.ops:,}"]
        + [_cell(s, p.ops) for s in (p.build, p.build_paused, p.backward, p.compile, p.draw)]
        for p in points
    ]
    lines = ["## Cost against graph size", ""]
    lines += ["The chain y ← y·1.0000001 + 0.1 at each length: CPU seconds (and per operation)"]
    lines += ["to build it (also with the cyclic garbage collector paused), back-propagate,"]
    lines += ["compile a tape of it and replay it once, and draw it (to DOT source; the drawing"]
    lines += ["lumps the far end of a long chain). Plot:"]
    lines += ["`python -m bench.scaling --plot docs/figures/scaling.png`.", ""]
    return [*lines, *table(header, rows), ""]


SERIES = (
    ("build", "build (Values)", "o"),
    ("build_paused", "build, collector paused", "v"),
    ("backward", "backward()", "s"),
    ("compile", "compile_tape + first value_and_grad", "^"),
    ("draw", "draw() to DOT source", "D"),
)


def plot(points: Sequence[ScalingPoint], path: str | Path) -> Path:
    """Write the log-log figure of ``points`` to ``path`` (PNG or SVG, by its suffix), with a
    dashed slope-1 line for reference (time proportional to size). Needs matplotlib."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from autodiff.files import write_atomically

    figure, axes = plt.subplots(figsize=(10, 5))
    for attribute, label, marker in SERIES:
        measured = [(p.ops, getattr(p, attribute)) for p in points]
        measured = [(ops, s) for ops, s in measured if s is not None]
        axes.plot(*zip(*measured), marker=marker, label=label)
    # The guide starts at half the cheapest measurement of the smallest chain: under every
    # curve, parallel to any that grows linearly.
    first, low, high = points[0], points[0].ops, points[-1].ops
    anchor = min(first.build_paused, first.backward) / 2 / low
    axes.plot([low, high], [anchor * low, anchor * high], "k--", lw=1, label="slope 1 (time ∝ ops)")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("operations in the chain (ops)")
    axes.set_ylabel("CPU time (seconds)")
    axes.set_title("Cost against graph size: the chain y ← y·1.0000001 + 0.1")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    figure.tight_layout()
    suffix = Path(path).suffix.lstrip(".").lower() or "png"
    # No timestamp or version in the file, so that the same numbers give the same bytes.
    metadata = {"Date": None} if suffix == "svg" else {"Software": None}

    def save(file: Any) -> None:
        figure.savefig(file, format=suffix, dpi=110, metadata=metadata)

    written = write_atomically(path, save)
    plt.close(figure)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bench.scaling``: print the table; ``--plot PATH`` also draws the figure."""
    parser = argparse.ArgumentParser(prog="python -m bench.scaling", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="up to 10⁵ ops, compile to 2·10⁴")
    parser.add_argument("--plot", metavar="PATH", help="write the figure (.png or .svg)")
    parser.add_argument("--compile-max", type=int, help="the longest chain compiled")
    args = parser.parse_args(argv)
    sizes = QUICK_SIZES if args.quick else SIZES
    compile_max = QUICK_COMPILE_MAX if args.quick else COMPILE_MAX
    if args.compile_max is not None:
        compile_max = args.compile_max
    points = measure_scaling(sizes, compile_max, progress=True)
    print("\n".join(scaling_section(points)))
    if args.plot:
        print(f"wrote {plot(points, args.plot)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
