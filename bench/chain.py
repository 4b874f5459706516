"""Deep graphs and memory: a long chain of operations, and bytes per graph node."""

from __future__ import annotations

import gc
import importlib.util
import sys
import time
import tracemalloc
from dataclasses import dataclass
from typing import Any

__all__ = [
    "WARM",
    "ChainResult",
    "CompileTimes",
    "MemoryResult",
    "explain_section",
    "measure_compile",
    "measure_memory",
    "run_chain",
]

WARM = "autodiff eager, built again (warm)"
"""The row of the same chain built a second time, once the process has made one before."""


@dataclass
class ChainResult:
    """Build and backward CPU seconds for ``ops`` operations (or the error that stopped it)."""

    engine: str
    ops: int
    nodes: int
    build: float
    backward: float | None
    error: str = ""


def _chain(value: Any, ops: int) -> Any:
    # y ← y · 1.0000001 + 0.1: every step two operations, each with a constant operand.
    y = value
    for _ in range(ops // 2):
        y = y * 1.0000001 + 0.1
    return y


def _run_one(
    engine: str, make: Any, ops: int, nodes_per_op: int, chain: Any = _chain
) -> ChainResult:
    gc.collect()
    x = make(0.5)
    start = time.process_time()
    y = chain(x, ops)
    build = time.process_time() - start
    start = time.process_time()
    try:
        y.backward()
    except RecursionError:
        return ChainResult(engine, ops, ops * nodes_per_op, build, None, "RecursionError")
    return ChainResult(engine, ops, ops * nodes_per_op, build, time.process_time() - start)


def run_chain(ops: int, small: int) -> list[ChainResult]:
    """This engine at ``ops`` operations; micrograd and torch (much slower) at ``small``."""
    from autodiff import Value

    def shared(x: Value, ops: int) -> Value:
        return _shared_chain(lambda v: x if v == 0.5 else Value(v), ops)

    results = [
        # The first big graph of a fresh process, then the same again in a warm one.
        _run_one("autodiff eager", Value, ops, 2),
        _run_one(WARM, Value, ops, 2),
        _run_one("autodiff eager, y ← y·w + b (no constants)", Value, ops, 1, shared),
    ]
    if importlib.util.find_spec("micrograd"):
        from micrograd.engine import Value as MicrogradValue

        results.append(_run_one("micrograd", MicrogradValue, small, 2))
    if importlib.util.find_spec("torch"):
        import torch

        torch.set_num_threads(1)

        def leaf(x: float) -> Any:
            return torch.tensor(x, dtype=torch.float64, requires_grad=True)

        results.append(_run_one("torch 0-d tensors", leaf, small, 1))
    gc.collect()
    return results


@dataclass
class MemoryResult:
    """Bytes per operation node of a graph, as tracemalloc counts them."""

    engine: str
    graph: str
    per_node: float


def _traced_bytes(build: Any) -> tuple[float, Any]:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = build()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return after - before, kept


def measure_memory(ops: int) -> list[MemoryResult]:
    """Bytes per op node: a chain y ← y·w + b over shared leaves, and the same with a new
    constant leaf per operation (y ← y·1.0000001 + 0.1), for each engine."""
    from autodiff import Value

    engines: dict[str, Any] = {"autodiff": Value}
    if importlib.util.find_spec("micrograd"):
        from micrograd.engine import Value as MicrogradValue

        engines["micrograd"] = MicrogradValue
    results = []
    for name, make in engines.items():
        for graph, build in (
            ("chain over shared leaves", lambda m=make: _shared_chain(m, ops)),
            ("chain with a constant per op", lambda m=make: _chain(m(0.5), ops)),
        ):
            used, kept = _traced_bytes(build)
            results.append(MemoryResult(name, graph, used / ops))
            del kept
    return results


def explain_section(sizes: list[int]) -> list[str]:
    """Markdown: CPU seconds of ``explain(y, x)`` and of its ledger's text on chains of
    each size (the work is linear in the graph: ten times the ops, ten times the time)."""
    from autodiff import Value, explain

    from .report import table

    rows = []
    for ops in sizes:
        gc.collect()
        x = Value(0.5, label="x")
        y = _chain(x, ops)
        start = time.process_time()
        ledger = explain(y, x)
        middle = time.process_time()
        str(ledger)
        end = time.process_time()
        rows.append([f"{ops:,}", f"{middle - start:.2f} s", f"{end - middle:.2f} s"])
        del x, y, ledger
    lines = ["## explain on the chain", ""]
    lines += table(["operations", "explain(y, x)", "str() of the ledger"], rows)
    return [*lines, ""]


@dataclass
class CompileTimes:
    """Wall-clock seconds to get a tape of the chain y ← y·w + b ready, and replaying it.

    ``trace``: ``compile_tape`` (running the function, numbering its graph); ``generate``:
    writing the Python source (0.0 for an interpreted tape, which has none to write);
    ``compile``: CPython compiling that source, or building the interpreter: the first
    ``value_and_grad`` less a later one; ``replay``: a later ``value_and_grad``. ``first``
    is the whole cost up to the first gradients: trace + generate + compile + replay.
    """

    ops: int
    interpreted: bool
    trace: float
    generate: float
    compile: float
    replay: float

    @property
    def first(self) -> float:
        return self.trace + self.generate + self.compile + self.replay


def measure_compile(ops: int) -> CompileTimes:
    """Compile a fresh chain of ``ops`` operations over shared leaves w and b (as
    ``_shared_chain``) and time each stage up to the first ``value_and_grad``."""
    from autodiff import Value, compile_tape

    gc.collect()
    w, b = Value(0.999), Value(0.001)
    start = time.perf_counter()
    tape = compile_tape(lambda x: _steps(x, w, b, ops), [0.5], wrt=[w, b])
    traced = time.perf_counter()
    interpreted = getattr(tape, "interpreted", False)
    if not interpreted:
        _ = tape.source  # made once and kept: the first call compiles it
    generated = time.perf_counter()
    tape.value_and_grad(0.5)
    first = time.perf_counter()
    tape.value_and_grad(0.5)
    replay = time.perf_counter() - first
    return CompileTimes(
        ops,
        interpreted,
        traced - start,
        generated - traced,
        max(0.0, first - generated - replay),
        replay,
    )


def _shared_chain(make: Any, ops: int) -> Any:
    return _steps(make(0.5), make(0.999), make(0.001), ops)


def _steps(y: Any, w: Any, b: Any, ops: int) -> Any:
    for _ in range(ops // 2):
        y = y * w + b
    return y


if __name__ == "__main__":  # pragma: no cover - a quick look without the whole benchmark
    print(run_chain(int(sys.argv[1]) if len(sys.argv) > 1 else 10**6, 10**4))
