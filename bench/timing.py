"""Interleaved timing: every contender runs once per round, rounds repeat, medians are kept.

Before each sample the cyclic garbage collector runs (untimed), so that garbage one
contender leaves behind (micrograd's graphs are reference cycles) is not collected on
another's time; collections that a contender's own allocations trigger stay in its time.

A sample lasts ``target`` seconds (0.4 s for the training steps, several steps of the slowest
engine): a loop's collections depend on what earlier steps left behind (the oldest
generation is collected only after enough objects have been promoted into it), so a single
step timed right after ``gc.collect()`` would leave out costs every real training loop pays.

Times are CPU time of this process (``time.process_time``), not wall-clock time: on a
shared machine, other processes then slow a measurement only through caches, not by
taking the CPU away. Each sample repeats a call enough times to last about ``target``
seconds, so short calls are not lost in the clock's resolution.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Timings", "interleaved"]


@dataclass
class Timings:
    """Seconds per call, per contender (every sample, and their median)."""

    samples: dict[str, list[float]] = field(default_factory=dict)

    def median(self, name: str) -> float:
        return statistics.median(self.samples[name])


def _calls_per_sample(call: Callable[[], object], target: float) -> int:
    call()  # untimed: a first call may do one-time work (a tape generates its code)
    start = time.process_time()
    call()
    once = max(time.process_time() - start, 1e-6)
    return max(1, int(target / once))


def interleaved(
    contenders: dict[str, Callable[[], object]], rounds: int, target: float = 0.4
) -> Timings:
    """Time every contender once per round for ``rounds`` rounds, in a fixed order."""
    counts = {name: _calls_per_sample(call, target) for name, call in contenders.items()}
    timings = Timings({name: [] for name in contenders})
    for _ in range(rounds):
        for name, call in contenders.items():
            number = counts[name]
            gc.collect()
            start = time.process_time()
            for _ in range(number):
                call()
            timings.samples[name].append((time.process_time() - start) / number)
    return timings
