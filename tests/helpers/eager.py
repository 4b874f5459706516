"""The eager engine's numbers for a graph, node by node, to compare the page's with."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from autodiff import Value, topological_order

RELATIVE = 1e-12
"""The page's numbers equal the eager engine's to this relative tolerance."""


def eager_nodes(build: Callable[..., Value], point: Sequence[float]) -> list[dict[str, Any]] | str:
    """``build`` at fresh leaves holding ``point``, after one ``backward()``: every node's
    ``{id, label, op, data, grad}`` in topological order; or the engine's error as
    ``"Kind: message"``."""
    try:
        root = build(*point)
        root.backward()
    except (ValueError, OverflowError) as error:
        return f"{type(error).__name__}: {error}"
    return [
        {"id": f"v{k}", "label": n.label, "op": n.op, "data": n.data, "grad": n.grad}
        for k, n in enumerate(topological_order(root))
    ]


def close(a: float | None, b: float) -> bool:
    """``a`` equals ``b`` to :data:`RELATIVE` (both zero counts as equal)."""
    return a is not None and math.isclose(a, b, rel_tol=RELATIVE, abs_tol=0.0)


def mismatches(page: list[dict[str, Any]], eager: list[dict[str, Any]]) -> list[str]:
    """Where the page's nodes differ from the engine's (empty: they agree)."""
    if len(page) != len(eager):
        return [f"{len(page)} nodes in the page, {len(eager)} in the engine's graph"]
    found = []
    for p, e in zip(page, eager):
        if (p["id"], p["label"], p["op"]) != (e["id"], e["label"], e["op"]):
            found.append(f"node {p} is not {e}")
        for key in ("data", "grad"):
            if not close(p[key], e[key]):
                found.append(
                    f"{e['id']} ({e['op'] or e['label']}) {key}: page {p[key]!r}, engine {e[key]!r}"
                )
    return found


def replay(root: Value, inputs: dict[str, float]) -> Callable[[], Value]:
    """A function that builds ``root``'s very graph again with the eager engine, each leaf
    labelled in ``inputs`` holding its number there: every operation applied anew, by the
    engine's own ``apply``, in topological order (so a domain error is the engine's)."""
    from autodiff.graph import primitive_of
    from autodiff.value import apply

    def build() -> Value:
        made: dict[int, Value] = {}
        for node in topological_order(root):
            prim = primitive_of(node)
            if prim is None:
                new = Value(inputs.get(node.label, node.data), label=node.label)
            else:
                new = apply(prim, [made[id(child)] for child in node.children])
                new.label = node.label
            made[id(node)] = new
        return made[id(root)]

    return build
