"""fit: per-epoch costs, batches, callbacks, progress output and errors."""

from __future__ import annotations

from typing import Any

import pytest

from autodiff import Value
from nn import MLP, SGD, Adam, fit, sum_squared_error, xor


class CountingSGD(SGD):
    """SGD that records how many examples each step's cost was built from."""

    def __init__(self, params: Any, lr: float) -> None:
        super().__init__(params, lr)
        self.batch_sizes: list[int] = []
        self.steps = 0

    def zero_grad(self) -> None:
        self.batch_sizes.append(0)
        super().zero_grad()

    def step(self) -> None:
        self.steps += 1
        super().step()

    def loss(self, prediction: Any, target: Any) -> Value:
        self.batch_sizes[-1] += 1
        return sum_squared_error(prediction, target)


def small_problem() -> tuple[MLP, list[list[float]], list[list[float]]]:
    inputs = [[i / 10] for i in range(10)]
    targets = [[0.2 + 0.5 * x] for (x,) in inputs]
    return MLP(1, [3, 1], "tanh", rng=0), inputs, targets


def test_fit_returns_one_cost_per_epoch_and_the_first_is_the_starting_cost() -> None:
    model, inputs, targets = small_problem()
    start = sum(sum_squared_error(model(x), y) for x, y in zip(inputs, targets)) / len(inputs)
    optimizer = SGD(model.parameters(), lr=0.5)
    costs = fit(
        model,
        inputs,
        targets,
        loss=sum_squared_error,
        optimizer=optimizer,
        epochs=6,
        progress=False,
    )
    assert len(costs) == 6 and all(isinstance(c, float) for c in costs)
    assert costs[0] == pytest.approx(start.data, abs=1e-15)
    assert costs[-1] < costs[0]


@pytest.mark.parametrize(
    ("batch_size", "steps", "sizes"),
    [(None, 1, [10]), (3, 4, [3, 3, 3, 1]), (10, 1, [10]), (25, 1, [10]), (1, 10, [1] * 10)],
)
def test_fit_respects_batch_size(batch_size: int | None, steps: int, sizes: list[int]) -> None:
    model, inputs, targets = small_problem()
    optimizer = CountingSGD(model.parameters(), lr=0.1)
    fit(
        model,
        inputs,
        targets,
        loss=optimizer.loss,
        optimizer=optimizer,
        epochs=2,
        batch_size=batch_size,
        progress=False,
    )
    assert optimizer.steps == 2 * steps
    assert optimizer.batch_sizes == sizes * 2


def test_epoch_cost_is_the_mean_loss_over_its_batches() -> None:
    model, inputs, targets = small_problem()
    reference = MLP(1, [3, 1], "tanh", rng=0)
    optimizer = SGD(reference.parameters(), lr=0.3)
    expected = 0.0
    for start in range(0, 10, 4):
        batch = list(zip(inputs[start : start + 4], targets[start : start + 4]))
        optimizer.zero_grad()
        cost = sum(sum_squared_error(reference(x), y) for x, y in batch) / len(batch)
        cost.backward()
        optimizer.step()
        expected += cost.data * len(batch)
    (got,) = fit(
        model,
        inputs,
        targets,
        loss=sum_squared_error,
        optimizer=SGD(model.parameters(), lr=0.3),
        epochs=1,
        batch_size=4,
        progress=False,
    )
    assert got == pytest.approx(expected / 10, abs=1e-15)
    assert model.state_dict() == pytest.approx(reference.state_dict(), abs=1e-15)


def test_callback_gets_every_epoch_and_its_cost() -> None:
    model, inputs, targets = small_problem()
    calls: list[tuple[int, float]] = []
    costs = fit(
        model,
        inputs,
        targets,
        loss=sum_squared_error,
        optimizer=Adam(model.parameters(), lr=0.05),
        epochs=4,
        progress=False,
        callback=lambda epoch, cost: calls.append((epoch, cost)),
    )
    assert calls == list(enumerate(costs))


def test_progress_false_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    model, inputs, targets = small_problem()
    fit(
        model,
        inputs,
        targets,
        loss=sum_squared_error,
        optimizer=SGD(model.parameters(), lr=0.1),
        epochs=3,
        progress=False,
    )
    assert capsys.readouterr() == ("", "")


def test_progress_true_shows_a_bar_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    model, inputs, targets = small_problem()
    fit(
        model,
        inputs,
        targets,
        loss=sum_squared_error,
        optimizer=SGD(model.parameters(), lr=0.1),
        epochs=3,
    )
    out, err = capsys.readouterr()
    assert out == ""
    assert "fit" in err and "3/3" in err


def test_the_bar_is_tqdm_autos_so_that_a_notebook_gets_its_widget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import tqdm.auto

    bars: list[dict[str, object]] = []

    class Recorder(tqdm.auto.tqdm):
        def __init__(self, *args: object, **kwargs: object) -> None:
            bars.append(kwargs)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(tqdm.auto, "tqdm", Recorder)
    model, inputs, targets = small_problem()
    optimizer = SGD(model.parameters(), lr=0.1)
    fit(model, inputs, targets, loss=sum_squared_error, optimizer=optimizer, epochs=2)
    assert bars == [{"desc": "fit", "unit": "epoch", "disable": False}]


def test_fit_learns_xor() -> None:
    inputs, targets = xor()
    model = MLP(2, [4, 1], "tanh", output_activation="sigmoid", rng=0)
    costs = fit(
        model,
        inputs,
        targets,
        loss=sum_squared_error,
        optimizer=Adam(model.parameters(), lr=0.1),
        epochs=150,
        progress=False,
    )
    assert costs[-1] < 0.01 < costs[0]
    assert [round(model(x)[0].data) for x in inputs] == [0, 1, 1, 0]


@pytest.mark.parametrize(
    ("arguments", "error", "words"),
    [
        ({"targets": [[0.0]] * 9}, ValueError, "fit: 10 inputs but 9 targets"),
        ({"inputs": [], "targets": []}, ValueError, "fit: no training examples"),
        ({"epochs": 0}, ValueError, "fit: epochs must be at least 1, got 0"),
        ({"epochs": 2.0}, TypeError, "fit: epochs must be an int, got float"),
        ({"batch_size": 0}, ValueError, "fit: batch_size must be at least 1, got 0"),
        ({"loss": lambda a, y: 0.0}, TypeError, "fit: loss must return a Value, got float"),
    ],
)
def test_fit_errors(arguments: dict[str, Any], error: type[Exception], words: str) -> None:
    model, inputs, targets = small_problem()
    call: dict[str, Any] = {
        "inputs": inputs,
        "targets": targets,
        "loss": sum_squared_error,
        "epochs": 1,
    }
    call.update(arguments)
    with pytest.raises(error, match=words):
        fit(
            model,
            call.pop("inputs"),
            call.pop("targets"),
            optimizer=SGD(model.parameters(), lr=0.1),
            progress=False,
            **call,
        )


def test_each_step_of_fit_runs_with_the_collector_paused_and_it_comes_back() -> None:
    # A step builds a graph and drops it; no collection need scan it (autodiff/collector.py).
    import gc

    model, inputs, targets = small_problem()
    during: list[bool] = []

    def watching_loss(prediction: Any, target: Any) -> Value:
        during.append(gc.isenabled())
        return sum_squared_error(prediction, target)

    def collector_on_between_epochs(epoch: int, cost: float) -> None:
        during.append(gc.isenabled())

    fit(
        model,
        inputs,
        targets,
        loss=watching_loss,
        optimizer=SGD(model.parameters(), lr=0.1),
        epochs=2,
        batch_size=5,
        progress=False,
        callback=collector_on_between_epochs,
    )
    assert during == ([False] * 10 + [True]) * 2
    assert gc.isenabled()

    def failing_loss(prediction: Any, target: Any) -> Value:
        raise ZeroDivisionError("in the loss")

    with pytest.raises(ZeroDivisionError):
        fit(
            model,
            inputs,
            targets,
            loss=failing_loss,
            optimizer=SGD(model.parameters(), lr=0.1),
            epochs=1,
            progress=False,
        )
    assert gc.isenabled()
