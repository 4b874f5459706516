"""Hypothesis strategies for random computation graphs with shared subexpressions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import assume
from hypothesis import strategies as st

from autodiff import Value

__all__ = ["RandomGraph", "random_graphs"]

Unary = Callable[[Value], Value]
Binary = Callable[[Value, Value], Value]

# Operations defined for every finite input, so that a drawn graph never hits a domain error.
UNARY: dict[str, Unary] = {
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "sin": Value.sin,
    "cos": Value.cos,
    "square": lambda x: x**2,
    "cube": lambda x: x**3,
    "neg": lambda x: -x,
    "abs": abs,
}
BINARY: dict[str, Binary] = {
    "add": lambda x, y: x + y,
    "mul": lambda x, y: x * y,
    "sub": lambda x, y: x - y,
}


@dataclass
class RandomGraph:
    leaves: list[Value]
    nodes: list[Value]  # leaves first, then every operation in the order it was made

    @property
    def root(self) -> Value:
        return self.nodes[-1]


@st.composite
def random_graphs(draw: st.DrawFn, max_leaves: int = 4, max_ops: int = 12) -> RandomGraph:
    """A DAG whose operations take operands anywhere earlier (so subexpressions are shared)."""
    count = draw(st.integers(1, max_leaves))
    values = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)
    leaves = [Value(draw(values), label=f"x{i}") for i in range(count)]
    nodes = list(leaves)
    for _ in range(draw(st.integers(1, max_ops))):
        earlier = st.integers(0, len(nodes) - 1)
        if draw(st.booleans()):
            name = draw(st.sampled_from(sorted(UNARY)))
            node = UNARY[name](nodes[draw(earlier)])
        else:
            name = draw(st.sampled_from(sorted(BINARY)))
            node = BINARY[name](nodes[draw(earlier)], nodes[draw(earlier)])
        assume(abs(node.data) < 1e6)
        nodes.append(node)
    return RandomGraph(leaves, nodes)
