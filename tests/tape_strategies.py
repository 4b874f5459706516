"""Hypothesis strategies for random computation graphs, as programs that build them.

A :class:`GraphSpec` is a list of steps over numbered nodes (the inputs first); each step
applies one operation to earlier nodes, so nodes are shared freely (``a + a``, one node
feeding many). Operations stay inside their domains by construction (``log`` and ``sqrt``
of ``x·x + 1``, powers with a Value exponent on a sigmoid base), so any inputs are valid.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import strategies as st

from autodiff import Value, dot, sum_of

__all__ = ["GraphSpec", "graphs", "points"]

UNARY: dict[str, Callable[[Value], Value]] = {
    "neg": lambda x: -x,
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "sin": lambda x: x.sin(),
    "cos": lambda x: x.cos(),
    "relu": lambda x: x.relu(),
    "abs": abs,
    "exp_tanh": lambda x: x.tanh().exp(),
    "log1p_sq": lambda x: (x * x + 1.0).log(),
    "sqrt1p_sq": lambda x: (x * x + 1.0).sqrt(),
    "square": lambda x: x**2,
    "cube_over_4": lambda x: x**3 / 4,
    "scale": lambda x: 0.5 * x - 0.25,
}
BINARY: dict[str, Callable[[Value, Value], Value]] = {
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "div_safe": lambda x, y: x / (y * y + 1.0),
    "pow_value": lambda x, y: x.sigmoid() ** y.tanh(),
    "rpow": lambda x, y: 2.0 ** y.tanh() * x,
}
VARIADIC: dict[str, Callable[[list[Value]], Value]] = {
    "sum_of": sum_of,
    "dot": lambda xs: dot(xs[: len(xs) // 2 or 1], xs[len(xs) // 2 :][: len(xs) // 2 or 1]),
}


@dataclass(frozen=True)
class GraphSpec:
    """``n_inputs`` leaves, then ``steps`` of (operation name, operand node numbers)."""

    n_inputs: int
    steps: tuple[tuple[str, tuple[int, ...]], ...]

    def __call__(self, *inputs: Value) -> Value:
        nodes = list(inputs)
        for name, operands in self.steps:
            args = [nodes[i] for i in operands]
            if name in UNARY:
                nodes.append(UNARY[name](args[0]))
            elif name in BINARY:
                nodes.append(BINARY[name](args[0], args[1]))
            else:
                nodes.append(VARIADIC[name](args))
        # Every node feeds the output, so no step is dead code.
        return sum_of(nodes[self.n_inputs :]) if self.steps else nodes[0] * 1.0


@st.composite
def graphs(draw: st.DrawFn, max_inputs: int = 3, max_steps: int = 10) -> GraphSpec:
    """A random program over 1..max_inputs inputs with 1..max_steps operations."""
    n_inputs = draw(st.integers(1, max_inputs))
    steps = []
    for step in range(draw(st.integers(1, max_steps))):
        available = n_inputs + step
        node = st.integers(0, available - 1)
        kind = draw(st.sampled_from(["unary", "binary", "variadic"]))
        if kind == "unary":
            steps.append((draw(st.sampled_from(sorted(UNARY))), (draw(node),)))
        elif kind == "binary":
            steps.append((draw(st.sampled_from(sorted(BINARY))), (draw(node), draw(node))))
        else:
            operands = tuple(draw(st.lists(node, min_size=2, max_size=6)))
            steps.append((draw(st.sampled_from(sorted(VARIADIC))), operands))
    return GraphSpec(n_inputs, tuple(steps))


def points(n: int) -> st.SearchStrategy[list[float]]:
    """``n`` input values in [-2, 2]."""
    return st.lists(st.floats(-2.0, 2.0), min_size=n, max_size=n)
