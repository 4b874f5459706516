"""A larger workload: ``nn.MLP(64, [32, 10])`` learns generated 8×8 digits by mini-batch SGD
until it reaches a test accuracy, on every engine, side by side.

Each engine starts from the same parameters (one seed), sees the same batches in the same
order and is checked on its first step against the eager engine before anything counts. The
engines take turns, ``check_every`` steps each, and after each turn the test accuracy of the
engine's current parameters is measured (one pure-Python evaluator for all, not timed). Times
are CPU seconds of this process. ``python -m bench.digits [--quick]`` prints the table alone.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import operator
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from .data import Layers, Trainer, digits
from .report import table

__all__ = ["QUICK", "DigitsConfig", "DigitsResult", "DigitsRun", "digits_section"]
__all__ += ["first_steps", "run_digits"]

SIZES = (64, 32, 10)
"""The network: 64 pixels, 32 relu neurons, 10 linear scores (one per digit)."""

EXACT = ("nn.MLP eager", "nn.MLP tape", "nn.MLP tape, batched")
"""The engines that promise the eager engine's floats, bit for bit, on this workload: its
loss is made of relu, ``+``, ``*`` and ``dot`` only (no power or transcendental function,
whose numpy kernels may round otherwise in a batch)."""

TOLERANCE = 1e-9
"""Largest first-step deviation from eager (loss, and gradients relative to the largest)
accepted before timing; the exact engines are expected at 0."""


@dataclass(frozen=True)
class DigitsConfig:
    """The workload's sizes and the race's rules."""

    train: int = 1500
    test: int = 500
    batch: int = 50
    lr: float = 0.4
    target: float = 0.9
    check_every: int = 10
    max_epochs: int = 40
    budget: float = 120.0
    """CPU seconds of training after which an engine is stopped (only eager comes near)."""
    seed: int = 0

    @property
    def steps_per_epoch(self) -> int:
        return self.train // self.batch


QUICK = DigitsConfig(budget=10.0)
"""``--quick``: the same workload; eager is stopped after 10 s and its time projected."""


@dataclass
class DigitsRun:
    """One engine's race: CPU seconds, steps and the test accuracy where it stopped."""

    engine: str
    setup: float
    """Seconds to get ready: a tape's trace, ``to_torch`` and the tensors of the data."""
    first: float
    """Seconds of the first step (a tape generates its code on its first replay)."""
    seconds: float
    """Seconds of every step, the first included."""
    steps: int
    accuracy: float
    stopped: str
    """``"reached"``, ``"time budget"`` or ``"epochs"``."""
    deviation: float
    """First step's largest deviation from eager: loss, and gradients relative to the largest."""
    losses: list[float] = field(default_factory=list, repr=False)

    @property
    def reached(self) -> bool:
        return self.stopped == "reached"

    @property
    def to_accuracy(self) -> float:
        """Seconds from nothing to the target: setup and every step."""
        return self.setup + self.seconds

    def seconds_per_epoch(self, steps_per_epoch: int) -> float:
        """Mean step time after the first, times the steps of an epoch."""
        later = (self.seconds - self.first) / (self.steps - 1) if self.steps > 1 else self.first
        return later * steps_per_epoch


@dataclass
class DigitsResult:
    """Every engine's run, and the step count eager would need (as its exact twins did)."""

    config: DigitsConfig
    runs: list[DigitsRun]

    def run(self, engine: str) -> DigitsRun:
        return next(r for r in self.runs if r.engine == engine)

    def same_losses(self, engine: str, reference: str = "nn.MLP tape") -> bool:
        """Whether ``engine``'s loss at every step it took equals ``reference``'s, bit for bit."""
        ours, theirs = self.run(engine).losses, self.run(reference).losses
        common = min(len(ours), len(theirs))
        return ours[:common] == theirs[:common]

    def projected(self, engine: str, reference: str = "nn.MLP tape") -> float | None:
        """Seconds ``engine`` would need to the target, if stopped before it: its setup plus
        its step time times the steps ``reference`` needed, when both took the same steps
        (the same losses) so far and the reference got there; otherwise None."""
        run, twin = self.run(engine), self.run(reference)
        if run.reached or not twin.reached or not self.same_losses(engine, reference):
            return None
        per_step = (run.seconds - run.first) / max(1, run.steps - 1)
        return run.setup + run.first + per_step * (twin.steps - 1)


def _signs(label: int) -> list[float]:
    """The hinge's targets: +1 for the example's class, −1 for every other."""
    return [1.0 if k == label else -1.0 for k in range(SIZES[-1])]


def _data(config: DigitsConfig) -> tuple[list[list[float]], list[list[float]], list, list]:
    xs, labels = digits(config.train + config.test, seed=config.seed)
    targets = [_signs(label) for label in labels[: config.train]]
    return xs[: config.train], targets, xs[config.train :], labels[config.train :]


def _factories(config: DigitsConfig) -> dict[str, Callable[..., Trainer]]:
    from . import engine_nn, engine_torch

    def nn_engine(tape: str) -> Callable[..., Trainer]:
        return lambda model, xs, targets: engine_nn.digits(model, xs, targets, config.lr, tape)

    factories = {"nn.MLP eager": nn_engine(""), "nn.MLP tape": nn_engine("rows")}
    if importlib.util.find_spec("numpy"):
        factories["nn.MLP tape, batched"] = nn_engine("batch")
        factories["nn.MLP tape, batched, folded"] = nn_engine("folded")
    if importlib.util.find_spec("torch"):
        torch = engine_torch._torch()
        # torch's first optimizer imports more of torch (about a second): not on its time.
        torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=config.lr)
        factories["torch matrices"] = lambda model, xs, targets: engine_torch.digits_matrix(
            model, xs, targets, config.lr
        )
    return factories


def _model(config: DigitsConfig) -> object:
    import nn

    return nn.MLP(SIZES[0], list(SIZES[1:]), "relu", "linear", rng=config.seed)


def _batches(config: DigitsConfig) -> Iterator[list[int]]:
    """Every engine's batches: each epoch the training examples in a new shuffled order."""
    rng = random.Random(config.seed + 1)
    for _ in range(config.max_epochs):
        order = list(range(config.train))
        rng.shuffle(order)
        for start in range(0, config.steps_per_epoch * config.batch, config.batch):
            yield order[start : start + config.batch]


def _deviation(reference: tuple[float, list[float]], result: tuple[float, list[float]]) -> float:
    (loss, grads), (ref_loss, ref_grads) = result, reference
    if len(grads) != len(ref_grads):
        raise AssertionError(f"{len(grads)} gradients, expected {len(ref_grads)}")
    scale = max(1.0, *(abs(g) for g in ref_grads))
    worst = max(abs(a - b) for a, b in zip(ref_grads, grads)) / scale
    return max(worst, abs(loss - ref_loss))


def first_steps(config: DigitsConfig) -> dict[str, tuple[float, list[float]]]:
    """Every available engine's first step from the same parameters on the same batch: its
    loss and gradient (nn's parameter order)."""
    xs, targets, _, _ = _data(config)
    batch = next(_batches(config))
    results = {}
    for name, factory in _factories(config).items():
        trainer = factory(_model(config), xs, targets)
        loss = trainer.step(batch)
        results[name] = (loss, trainer.gradients())
    return results


def accuracy(layers: Layers, xs: Sequence[Sequence[float]], labels: Sequence[int]) -> float:
    """The share of ``xs`` whose largest score is at its label (relu hidden, linear output)."""
    hits = 0
    for x, label in zip(xs, labels):
        a: Sequence[float] = x
        for k, (W, b) in enumerate(layers):
            z = [sum(map(operator.mul, row, a), bias) for row, bias in zip(W, b)]
            a = z if k == len(layers) - 1 else [v if v > 0.0 else 0.0 for v in z]
        hits += max(range(len(a)), key=a.__getitem__) == label
    return hits / len(xs)


@dataclass
class _Contender:
    run: DigitsRun
    trainer: Trainer
    batches: Iterator[list[int]]


def _start(
    name: str, factory: Callable[..., Trainer], config: DigitsConfig, data: tuple
) -> tuple[_Contender, tuple[float, list[float]]]:
    """The engine made and its first step taken (both timed); its first loss and gradient."""
    xs, targets = data
    model = _model(config)
    gc.collect()
    start = time.process_time()
    trainer = factory(model, xs, targets)
    setup = time.process_time() - start
    batches = _batches(config)
    start = time.process_time()
    loss = trainer.step(next(batches))
    first = time.process_time() - start
    run = DigitsRun(name, setup, first, first, 1, 0.0, "", 0.0, [loss])
    return _Contender(run, trainer, batches), (loss, trainer.gradients())


def _turn(contender: _Contender, config: DigitsConfig, test: tuple) -> None:
    """``check_every`` steps (fewer after the first turn, so that checks fall on multiples of
    it), then the test accuracy and whether to stop."""
    run, step = contender.run, contender.trainer.step
    count = config.check_every - run.steps % config.check_every
    gc.collect()
    start = time.process_time()
    for batch in contender.batches:
        run.losses.append(step(batch))
        count -= 1
        if count == 0:
            break
    run.seconds += time.process_time() - start
    run.steps = len(run.losses)
    run.accuracy = accuracy(contender.trainer.matrices(), *test)
    if run.accuracy >= config.target:
        run.stopped = "reached"
    elif count > 0:
        run.stopped = "epochs"
    elif run.seconds >= config.budget:
        run.stopped = "time budget"


def run_digits(config: DigitsConfig = DigitsConfig()) -> DigitsResult:
    """Race every available engine to ``config.target`` test accuracy, taking turns.

    Raises:
        AssertionError: an engine's first step differs from eager's by more than TOLERANCE.
    """
    xs, targets, test_xs, test_labels = _data(config)
    contenders, firsts = [], {}
    for name, factory in _factories(config).items():
        contender, firsts[name] = _start(name, factory, config, (xs, targets))
        contenders.append(contender)
    reference = firsts["nn.MLP eager"]
    for contender in contenders:
        run = contender.run
        run.deviation = _deviation(reference, firsts[run.engine])
        if run.deviation > TOLERANCE:
            raise AssertionError(f"digits: {run.engine} differs from eager by {run.deviation:.3g}")
    # What exists now (torch's modules, the data, the models) is left out of the collector's
    # scans, so that no engine's collections pay for another's imports.
    gc.collect()
    gc.freeze()
    try:
        running = contenders
        while running:
            for contender in running:
                _turn(contender, config, (test_xs, test_labels))
            running = [c for c in running if not c.run.stopped]
    finally:
        gc.unfreeze()
    return DigitsResult(config, [c.run for c in contenders])


def _ratio(value: float, reference: float | None) -> str:
    return "—" if reference is None else f"{value / reference:.1f}"


def _row(result: DigitsResult, run: DigitsRun, torch: DigitsRun | None) -> list[str]:
    per_epoch = run.seconds_per_epoch(result.config.steps_per_epoch)
    torch_epoch = None if torch is None else torch.seconds_per_epoch(result.config.steps_per_epoch)
    target = f"{result.config.target:.0%}"
    if run.reached:
        to_accuracy = f"{run.to_accuracy:.1f}"
        ratio = _ratio(run.to_accuracy, torch.to_accuracy if torch else None)
    else:
        projected = result.projected(run.engine)
        to_accuracy = f"not reached in {run.to_accuracy:.1f} ({run.stopped})"
        ratio = "—"
        if projected is not None:
            to_accuracy += f"; projected {projected:.1f}"
            ratio = _ratio(projected, torch.to_accuracy if torch else None) + " (projected)"
    accuracy_text = f"{run.accuracy:.1%}" + ("" if run.reached else f" (below {target})")
    return [
        run.engine,
        f"{run.setup + run.first:.2f}",
        to_accuracy,
        f"{run.steps:,}",
        accuracy_text,
        f"{per_epoch:.3f}",
        ratio,
        _ratio(per_epoch, torch_epoch),
        f"{run.deviation:.1e}",
    ]


def digits_section(result: DigitsResult) -> list[str]:
    """Markdown: the race's table and what was measured."""
    c = result.config
    torch = next((r for r in result.runs if r.engine == "torch matrices" and r.reached), None)
    header = ["engine", "setup + first step (s)", f"to {c.target:.0%} (s)", "steps"]
    header += ["test accuracy", "s per epoch", "÷ torch (to accuracy)", "÷ torch (per epoch)"]
    header += ["first step vs eager"]
    rows = [_row(result, run, torch) for run in result.runs]
    same = [name for name in EXACT[1:] if name in {r.engine for r in result.runs}]
    agree = all(result.same_losses(name, "nn.MLP eager") for name in same)
    lines = [f"## Generated 8×8 digits: nn.MLP(64, [32, 10]) to {c.target:.0%} test accuracy", ""]
    lines += [
        f"{c.train:,} training and {c.test:,} test images (ten digit shapes, shifted and noisy:",
        "`bench/data.py`); relu hidden layer, one linear score per digit, `nn.hinge` against",
        f"+1 for the right digit and −1 for the others; SGD with η = {c.lr} on batches of",
        f"{c.batch} ({c.steps_per_epoch} steps an epoch). Every engine starts from the same",
        "parameters and sees the same batches; the engines take turns of",
        f"{c.check_every} steps, and the test accuracy is measured after each turn (not timed).",
        "CPU seconds. *To accuracy* counts the setup (a tape's trace) and every step; *s per",
        "epoch* the steps after the first (the first replay generates a tape's code).",
        f"Eager is stopped after {c.budget:.0f} s; its projected time is then its time per step",
        "times the steps the per-example tape needed, which took the same steps to the bit.",
        "",
    ]
    lines += table(header, rows)
    lines += ["", "Eager, the per-example tape and the exact batch had the same loss at every"]
    lines += [f"step they all took, bit for bit: {'yes' if agree else '**no**'}.", ""]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bench.digits [--quick]``: race the engines and print the section."""
    parser = argparse.ArgumentParser(prog="python -m bench.digits", description=__doc__)
    parser.add_argument("--quick", action="store_true", help=f"eager stops after {QUICK.budget} s")
    args = parser.parse_args(argv)
    config = QUICK if args.quick else DigitsConfig()
    print("\n".join(digits_section(run_digits(config))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
