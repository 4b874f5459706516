"""The walks over a finished graph run with the cyclic garbage collector paused.

Counted, not timed: a callback on ``gc.callbacks`` sees every collection, and a walk that
makes a few containers per node over thousands of nodes triggers many of them unless the
collector is paused.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator

import pytest

from autodiff import Value, compile_tape, draw, explain
from autodiff.collector import collector_paused


@pytest.fixture
def collections() -> Iterator[list[str]]:
    """The collections that start while the test runs, one entry each."""
    seen: list[str] = []

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(f"generation {info['generation']}")

    gc.callbacks.append(callback)
    try:
        yield seen
    finally:
        gc.callbacks.remove(callback)


def chain(n: int) -> tuple[Value, Value]:
    x = Value(0.5, label="x")
    y = x
    for _ in range(n):
        y = (y * 1.0000001 + 0.1).tanh()
    y.backward()
    return x, y


def chain_function(x: Value) -> Value:
    y = x
    for _ in range(2_000):
        y = y * 1.0000001 + 0.1
    return y


WALKS: dict[str, Callable[[Value, Value], object]] = {
    "draw": lambda x, y: draw(y, max_nodes=50),
    "explain": lambda x, y: explain(y, x),
    "str(explain)": lambda x, y: str(explain(y, x)),
    "compile_tape": lambda x, y: compile_tape(chain_function, [0.5]),
}


@pytest.mark.parametrize("walk", sorted(WALKS))
def test_a_walk_over_a_big_graph_triggers_no_collection(walk: str, collections: list[str]) -> None:
    assert gc.isenabled()
    x, y = chain(3_000)
    gc.collect()
    collections.clear()
    WALKS[walk](x, y)
    # Paused, nothing runs; back on, the allocations made meanwhile may start one young
    # collection at once (str(explain(...)) pauses twice). Unpaused, a walk this size
    # starts dozens.
    assert len(collections) <= 2 and set(collections) <= {"generation 0"}
    assert gc.isenabled()  # and the collector is back on


def test_the_collector_comes_back_as_it_was() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause found it off and leaves it off
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), collector_paused():
        raise ZeroDivisionError("inside the pause")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # switched off by the user: stays off
        _, y = chain(10)
        draw(y)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_training_steps_run_paused_trigger_almost_no_collection(collections: list[str]) -> None:
    """Counted: steps that each build a 20,000-Value graph and drop it start dozens of
    collections with the collector as it is, older generations' included; paused one by
    one, at most a young collection between steps (finding the dropped graph freed)."""

    def step() -> None:
        x, _ = chain(4_000)  # forward and backward
        x.data -= 0.01 * x.grad

    gc.collect()
    collections.clear()
    for _ in range(5):
        step()
    unpaused = list(collections)
    gc.collect()
    collections.clear()
    for _ in range(5):
        with collector_paused():
            step()
    paused = list(collections)
    assert len(unpaused) > 100 and "generation 1" in unpaused
    assert len(paused) <= 5 and set(paused) <= {"generation 0"}
