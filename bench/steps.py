"""The two training-step workloads: every available engine, checked, then timed."""

from __future__ import annotations

import copy
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import engine_autodiff, engine_micrograd, engine_nn, engine_numpy, engine_torch, floats
from .data import Layers, course_params, demo_params, heart, moons
from .timing import Timings, interleaved

__all__ = ["StepResult", "run_course", "run_demo"]

Factory = Callable[[Layers, Any, Any, float], Callable[..., Any]]
TOLERANCE = 1e-9
CHECKED_LR = 0.05
"""The step size of the step each engine's loss and gradients are checked on."""
DRIFT = 1e-4
"""How far a timed engine's loss and gradients may move from the starting step's (an
example crossing the hinge or a relu kink would move them by about 1/100)."""
TIMED_LR = 1e-12
"""The step size of the timed steps: so small that a step's work stays that of the starting
parameters. Every engine then times the same step, whatever number of steps its samples
take. (Trained at 0.05, the float step, which skips the backward pass of every example the
hinge loss is satisfied with, would take thousands of steps in the time eager takes a
hundred, and be timed at parameters where it skips all of them: 1.7 ms instead of 4.2.)"""


def _have(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


@dataclass
class StepResult:
    """Per contender: seconds per step (median), and its largest deviation from floats."""

    title: str
    timings: Timings
    deviations: dict[str, float]


def _float_step(step: Callable[..., Any]) -> Factory:
    def factory(layers: Layers, a: Any, b: Any, lr: float) -> Callable[..., Any]:
        return lambda collect=False: step(layers, a, b, lr)

    return factory


def _deviation(reference: tuple[float, list[float]], result: tuple[float, list[float]]) -> float:
    loss, grads = result
    if len(grads) != len(reference[1]):
        raise AssertionError(f"{len(grads)} gradients, expected {len(reference[1])}")
    scale = max(1.0, max(abs(g) for g in reference[1]))
    worst = max(abs(a - b) for a, b in zip(reference[1], grads)) / scale
    return max(worst, abs(loss - reference[0]))


def _run(
    title: str, contenders: dict[str, Factory], layers: Layers, a: Any, b: Any, rounds: int
) -> StepResult:
    reference = contenders["floats"](copy.deepcopy(layers), a, b, CHECKED_LR)(True)
    deviations = {}
    steps = {}
    for name, factory in contenders.items():
        result = factory(copy.deepcopy(layers), a, b, CHECKED_LR)(True)
        deviation = _deviation(reference, result)
        if deviation > TOLERANCE:
            raise AssertionError(f"{title}: {name} differs from floats by {deviation:.3g}")
        deviations[name] = deviation
        steps[name] = factory(copy.deepcopy(layers), a, b, TIMED_LR)
    timings = interleaved(steps, rounds)
    for name, step in steps.items():  # each still times the starting parameters' step
        drift = _deviation(reference, step(True))
        if drift > DRIFT:
            raise AssertionError(f"{title}: {name} drifted from the starting step by {drift:.3g}")
    return StepResult(title, timings, deviations)


def _with(option: str, value: object, factory: Callable[..., Any]) -> Factory:
    return lambda layers, a, b, lr: factory(layers, a, b, lr, **{option: value})


def _paused(factory: Factory) -> Factory:
    """A step run with the cyclic collector paused, as ``nn.fit`` runs each of its steps."""

    def paused_factory(layers: Layers, a: Any, b: Any, lr: float) -> Callable[..., Any]:
        from autodiff import collector_paused

        step = factory(layers, a, b, lr)

        def paused_step(collect: bool = False) -> Any:
            with collector_paused():
                return step(collect)

        return paused_step

    return paused_factory


def _eager(contenders: dict[str, Factory], name: str, factory: Factory) -> None:
    """``name``: the step paused as nn.fit runs it; ``name, collector on``: as it comes."""
    contenders[name] = _paused(factory)
    contenders[f"{name}, collector on"] = factory


def _folded(factory: Callable[..., Any]) -> Factory:
    """The batched tape with ``fold_layers=True``: layers as matrix products (sums reordered)."""
    return lambda layers, a, b, lr: factory(layers, a, b, lr, batched=True, fold=True)


def run_demo(rounds: int) -> StepResult:
    """micrograd's demo step: MLP 2→16→16→1 (relu), 100 two-moons points, hinge loss, SGD."""
    contenders: dict[str, Factory] = {"floats": _float_step(floats.demo_step)}
    _eager(contenders, "autodiff eager", engine_autodiff.demo)
    contenders["autodiff eager, fused dot"] = _paused(_with("fused", True, engine_autodiff.demo))
    contenders["autodiff tape"] = engine_autodiff.demo_tape
    _eager(contenders, "nn.MLP eager", engine_nn.demo)
    contenders["nn.MLP tape"] = _with("tape", True, engine_nn.demo)
    if _have("numpy"):
        contenders["autodiff tape, batched"] = _with("batched", True, engine_autodiff.demo_tape)
        contenders["autodiff tape, batched, folded"] = _folded(engine_autodiff.demo_tape)
    if _have("micrograd"):
        contenders["micrograd"] = engine_micrograd.demo
    if _have("torch"):
        contenders["torch 0-d tensors"] = engine_torch.demo_scalar
        contenders["torch matrices"] = engine_torch.demo_matrix
    points, labels = moons()
    return _run("micrograd demo step", contenders, demo_params(), points, labels, rounds)


def run_course(rounds: int) -> StepResult:
    """The course's step: 1→6→7→2 sigmoid network, heart data (N = 100), C = (1/N) Σ|a3 − y|²."""
    contenders: dict[str, Factory] = {"floats": _float_step(floats.course_step)}
    _eager(contenders, "autodiff eager", engine_autodiff.course)
    contenders["autodiff eager, fused dot"] = _paused(_with("fused", True, engine_autodiff.course))
    contenders["autodiff tape"] = engine_autodiff.course_tape
    _eager(contenders, "nn.MLP eager", engine_nn.course)
    contenders["nn.MLP tape"] = _with("tape", "rows", engine_nn.course)
    if _have("numpy"):
        contenders["autodiff tape, batched"] = _with("batched", True, engine_autodiff.course_tape)
        contenders["autodiff tape, batched, folded"] = _folded(engine_autodiff.course_tape)
        contenders["nn.MLP tape, batched"] = _with("tape", "batch", engine_nn.course)
        contenders["nn.MLP tape, batched, folded"] = _with("tape", "folded", engine_nn.course)
        contenders["numpy matrices"] = engine_numpy.course
    if _have("micrograd"):
        contenders["micrograd"] = engine_micrograd.course
    if _have("torch"):
        contenders["torch 0-d tensors"] = engine_torch.course_scalar
        contenders["torch matrices"] = engine_torch.course_matrix
    xs, targets = heart()
    return _run("course network step", contenders, course_params(), xs, targets, rounds)
