"""The digits workload of ``bench/`` on a tiny configuration: every engine's first step
against eager's (bit for bit where the engine promises it), the data, and the race's
bookkeeping. Nothing here is timed: the benchmark reports times, tests never assert them."""

from __future__ import annotations

import importlib.util

import pytest

from bench.data import DIGITS, digits
from bench.digits import (
    EXACT,
    DigitsConfig,
    DigitsResult,
    DigitsRun,
    digits_section,
    first_steps,
    run_digits,
)

TINY = DigitsConfig(train=40, test=20, batch=10, max_epochs=2, seed=3)
FOLDED_TOLERANCE = 1e-12
"""Folded layers and torch's matrix products add in another order: their first-step loss and
gradients stay within this of eager's (relative to the largest gradient; measured: 6e-16)."""


@pytest.fixture(scope="module")
def steps() -> dict[str, tuple[float, list[float]]]:
    return first_steps(TINY)


def test_the_first_step_moves_every_layer(steps: dict[str, tuple[float, list[float]]]) -> None:
    loss, grads = steps["nn.MLP eager"]
    assert len(grads) == (64 + 1) * 32 + (32 + 1) * 10
    assert loss > 0.0
    assert any(g != 0.0 for g in grads[: 65 * 32]) and any(g != 0.0 for g in grads[65 * 32 :])


@pytest.mark.parametrize("engine", EXACT[1:])
def test_exact_engines_give_eagers_floats(
    steps: dict[str, tuple[float, list[float]]], engine: str
) -> None:
    if engine not in steps:
        pytest.skip(f"{engine} needs numpy")
    assert steps[engine] == steps["nn.MLP eager"]


@pytest.mark.parametrize(
    "engine",
    ["nn.MLP tape, batched, folded", pytest.param("torch matrices", marks=pytest.mark.torch)],
)
def test_reordered_engines_agree_to_rounding(
    steps: dict[str, tuple[float, list[float]]], engine: str
) -> None:
    if engine not in steps:
        pytest.skip(f"{engine} needs {'torch' if 'torch' in engine else 'numpy'}")
    (loss, grads), (eager_loss, eager_grads) = steps[engine], steps["nn.MLP eager"]
    scale = max(abs(g) for g in eager_grads)
    assert abs(loss - eager_loss) <= FOLDED_TOLERANCE * eager_loss
    assert max(abs(g - e) for g, e in zip(grads, eager_grads)) <= FOLDED_TOLERANCE * scale


def test_the_digits_are_made_from_the_seed() -> None:
    images, labels = digits(30, seed=5)
    assert (images, labels) == digits(30, seed=5)
    assert digits(30, seed=6) != (images, labels)
    assert sorted(labels) == sorted(list(range(10)) * 3)
    assert all(len(image) == 64 and all(0.0 <= p <= 1.0 for p in image) for image in images)
    assert all(len(shape) == 7 and {len(row) for row in shape} == {5} for shape in DIGITS)


def test_the_race_runs_every_engine_on_the_same_steps() -> None:
    result = run_digits(DigitsConfig(**{**TINY.__dict__, "target": 1.01}))  # never reached
    assert {run.stopped for run in result.runs} == {"epochs"}
    assert {run.steps for run in result.runs} == {2 * TINY.steps_per_epoch}
    exact = [run.engine for run in result.runs if run.engine in EXACT]
    assert all(result.same_losses(engine, "nn.MLP eager") for engine in exact)
    text = "\n".join(digits_section(result))
    assert all(f"| {run.engine} |" in text for run in result.runs)
    assert "bit for bit: yes" in text


def test_without_torch_the_race_runs_and_has_no_ratios(monkeypatch: pytest.MonkeyPatch) -> None:
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *rest: None if name == "torch" else find_spec(name),
    )
    result = run_digits(DigitsConfig(**{**TINY.__dict__, "target": 1.01, "max_epochs": 1}))
    assert "torch matrices" not in {run.engine for run in result.runs}
    rows = [line for line in digits_section(result) if line.startswith("| nn.MLP")]
    assert len(rows) == 4
    assert all(row.split(" | ")[6:8] == ["—", "—"] for row in rows)  # the two ÷ torch columns


def _run(engine: str, steps: int, stopped: str, losses: list[float]) -> DigitsRun:
    # 1 s of setup, a first step of 2 s, then 1 s per step
    return DigitsRun(engine, 1.0, 2.0, 2.0 + (steps - 1), steps, 0.5, stopped, 0.0, losses)


def test_a_stopped_engine_is_projected_from_its_exact_twin() -> None:
    twin = _run("nn.MLP tape", 5, "reached", [4.0, 3.0, 2.0, 1.0, 0.5])
    stopped = _run("nn.MLP eager", 3, "time budget", [4.0, 3.0, 2.0])
    result = DigitsResult(TINY, [stopped, twin])
    assert result.projected("nn.MLP eager") == 1.0 + 2.0 + 4 * 1.0
    assert "not reached in 5.0 (time budget); projected 7.0" in "\n".join(digits_section(result))
    strayed = _run("nn.MLP eager", 3, "time budget", [4.0, 3.0, 2.5])
    assert DigitsResult(TINY, [strayed, twin]).projected("nn.MLP eager") is None
