"""Helpers for the drawing and chain-rule tests: a reader for the DOT that draw() writes, and
labelled neurons and networks."""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from autodiff import Value

__all__ = ["DotGraph", "mlp_cost", "neuron_cost", "parse_dot"]

_NODE = re.compile(r"^\s*(\w+) \[(.*)\]$")
_EDGE = re.compile(r"^\s*(\w+) -> (\w+)(?: \[(.*)\])?$")
_OPEN = re.compile(r'^\s*subgraph "?cluster_([^" ]+)"? \{$')
_ATTRIBUTE = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|[^ \]]+)')


@dataclass
class DotGraph:
    """What a DOT source declares: nodes (with their cluster), edges and cluster nesting."""

    nodes: dict[str, dict[str, str]] = field(default_factory=dict)
    cluster_of: dict[str, str | None] = field(default_factory=dict)
    edges: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    parent: dict[str, str | None] = field(default_factory=dict)

    def highlighted(self) -> list[tuple[str, str]]:
        return [(t, h) for t, h, a in self.edges if a.get("color") == "#d62728"]


def _unquote(value: str) -> str:
    if value.startswith('"') and value.endswith('"'):
        return value[1:-1].replace('\\"', '"')
    return value


def _attributes(text: str | None) -> dict[str, str]:
    """Attribute values without DOT's quotes (record escapes are kept)."""
    return {key: _unquote(value) for key, value in _ATTRIBUTE.findall(text or "")}


def parse_dot(source: str) -> DotGraph:
    """Read the statements draw() writes (one per line) into a DotGraph."""
    graph = DotGraph()
    stack: list[str | None] = [None]
    for line in source.splitlines()[1:]:
        if opened := _OPEN.match(line):
            graph.parent[opened.group(1)] = stack[-1]
            stack.append(opened.group(1))
        elif line.strip() == "}":
            stack.pop()
        elif edge := _EDGE.match(line):
            graph.edges.append((edge.group(1), edge.group(2), _attributes(edge.group(3))))
        elif (node := _NODE.match(line)) and node.group(1) not in ("graph", "node", "edge"):
            graph.nodes[node.group(1)] = _attributes(node.group(2))
            graph.cluster_of[node.group(1)] = stack[-1]
    return graph


def neuron_cost(
    activation: str, w: float, b: float, x: float, y: float | Value
) -> dict[str, Value]:
    """The course's neuron and its cost, C = (act(w·x + b) − y)², labelled w, b, x, z, a, C.

    ``activation`` names a Value method (``"tanh"``, ``"sigmoid"``); ``y`` is a number (a
    constant of the graph, written as its value in ledgers) or a Value of the caller's.
    """
    w_value, b_value, x_value = Value(w, label="w"), Value(b, label="b"), Value(x, label="x")
    z = w_value * x_value + b_value
    z.label = "z"
    a = getattr(z, activation)()
    a.label = "a"
    cost = (a - y) ** 2
    cost.label = "C"
    return {"w": w_value, "b": b_value, "x": x_value, "z": z, "a": a, "C": cost}


def mlp_cost(
    sizes: Sequence[int] = (1, 6, 7, 2),
    x: float = 0.3,
    targets: Sequence[float] = (0.2, 0.8),
    seed: int = 0,
) -> Value:
    """The course's sigmoid network and cost for one example, built from plain Values.

    Every Value is labelled as ``nn`` labels it: ``layers.L.neurons.J.w.I``, ``.b``, ``.z``,
    ``.a``; the input is ``x``, the targets ``y.0``, ``y.1``, the cost ``C``.
    """
    rng = random.Random(seed)
    activations = [Value(x, label="x")]
    for layer, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        outputs = []
        for j in range(fan_out):
            prefix = f"layers.{layer}.neurons.{j}"
            weights = [Value(rng.gauss(0, 0.5), label=f"{prefix}.w.{i}") for i in range(fan_in)]
            z = Value(rng.gauss(0, 0.5), label=f"{prefix}.b")
            for w, a in zip(weights, activations):
                z = z + w * a
            z.label = f"{prefix}.z"
            a = z.sigmoid()
            a.label = f"{prefix}.a"
            outputs.append(a)
        activations = outputs
    ys = [Value(t, label=f"y.{i}") for i, t in enumerate(targets)]
    cost = (activations[0] - ys[0]) ** 2
    for a, y in zip(activations[1:], ys[1:]):
        cost = cost + (a - y) ** 2
    cost.label = "C"
    return cost
