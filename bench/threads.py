"""Eager work in one thread while another traces a function for the compiled tape.

While a trace runs, ``Value.data`` is a watching property for every thread (see
``autodiff/tape/observe.py``); the engine's own work reads and writes the same slot under an
internal name, so only a thread's explicit ``.data`` uses go through the property. What is
timed is the working thread's own CPU time per step (``time.thread_time``): under the GIL its
wall-clock time doubles beside any thread that computes, traced or not.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from autodiff import Value, collector_paused, compile

from . import engine_autodiff
from .data import course_params, demo_params, heart
from .engine_autodiff import _chained, _forward, _values

__all__ = ["ThreadsResult", "run_beside_trace"]

Other = Callable[[threading.Event, threading.Event], None]
"""A second thread's work: set the first event once it is under way, stop at the second."""


@dataclass
class ThreadsResult:
    """CPU seconds per course step (eager) of the working thread, by what the other does."""

    seconds_per_step: dict[str, float]

    def ratio(self, condition: str) -> float:
        return self.seconds_per_step[condition] / self.seconds_per_step["alone"]


def _hinge() -> tuple[Callable[..., Value], list[Value]]:
    """micrograd's demo network's loss on one example, and its parameters (to be traced)."""
    model, params = _values(demo_params())

    def loss(x1: Value, x2: Value, y: Value) -> Value:
        score = _forward(model, [x1, x2], _chained, "relu", "linear")[0]
        return (1 + -y * score).relu()

    return loss, params


def _open_trace(started: threading.Event, stop: threading.Event) -> None:
    def held_open(x: Value) -> Value:
        started.set()
        stop.wait()
        return x * 2.0

    compile(held_open, [1.0])


def _compiling(started: threading.Event, stop: threading.Event) -> None:
    loss, params = _hinge()
    started.set()
    while not stop.is_set():
        compile(loss, [0.5, 0.5, 1.0], wrt=params)


def _eager(started: threading.Event, stop: threading.Event) -> None:
    loss, _ = _hinge()
    started.set()
    while not stop.is_set():
        loss(Value(0.5), Value(0.5), Value(1.0)).backward()


def _cpu_per_step(step: Callable[[], object], seconds: float, samples: int = 5) -> float:
    """The median over ``samples`` of this thread's CPU seconds per call of ``step``."""
    per_step = []
    for _ in range(samples):
        start = time.thread_time()
        calls = 0
        while time.thread_time() - start < seconds / samples:
            step()
            calls += 1
        per_step.append((time.thread_time() - start) / calls)
    return statistics.median(per_step)


def _beside(other: Other | None, step: Callable[[], object], seconds: float) -> float:
    if other is None:
        return _cpu_per_step(step, seconds)
    started, stop = threading.Event(), threading.Event()
    thread = threading.Thread(target=other, args=(started, stop))
    thread.start()
    try:
        if not started.wait(60.0):
            raise RuntimeError(f"{other.__name__} did not start within a minute")
        return _cpu_per_step(step, seconds)
    finally:
        stop.set()
        thread.join()


def run_beside_trace(seconds: float) -> ThreadsResult:
    """The course's eager step, timed for ``seconds`` of its own CPU time per condition."""
    xs, targets = heart()
    course_step = engine_autodiff.course(course_params(), xs, targets, 0.05)

    def step() -> None:
        # Paused as nn.fit runs a step. Tracing and compiling pause the collector for the
        # whole process, so a step with the collector on would run faster beside them.
        with collector_paused():
            course_step()

    others: dict[str, Other | None] = {
        "alone": None,
        "beside eager steps": _eager,
        "beside an open trace": _open_trace,
        "beside compile() in a loop": _compiling,
    }
    return ThreadsResult({name: _beside(other, step, seconds) for name, other in others.items()})
