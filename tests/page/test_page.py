"""The interactive page without a browser: what the file holds, how it is written, and the
JavaScript kernels generated from the primitive table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from autodiff import PRIMITIVES, Value, explore
from autodiff.page.program import describe_graph, js_kernel
from autodiff.primitives import BUILTIN, Kernel, Primitive, power
from autodiff.value import apply


def neuron() -> Value:
    w, x, b = Value(-3.0, label="w"), Value(2.0, label="x"), Value(6.88, label="b")
    a = (w * x + b).tanh()
    a.label = "a"
    a.backward()
    return a


def test_the_page_is_one_file_that_fetches_nothing() -> None:
    page = explore(neuron())
    text = page.html
    assert text.startswith("<!DOCTYPE html>")
    assert "http://" not in text and "https://" not in text
    # No element loads anything from elsewhere: no src or href attributes at all.
    assert not re.search(r"\s(src|href)\s*=", text)
    assert "<svg" in text and "window.autodiffPage" in text


def test_every_builtin_primitive_has_a_javascript_kernel() -> None:
    builtins = [PRIMITIVES[name] for name in sorted(BUILTIN)]
    for prim in [*builtins, power(2.0), power(-1.0), power(0.5)]:
        n = 3 if prim.arity == -1 else prim.arity
        kernel = js_kernel(prim, 4 if prim.name == "dot" else n)
        assert kernel is not None, prim.name
        assert "=>" in kernel["forward"] and "=>" in kernel["partials"]


def test_the_partials_are_the_rule_itself_evaluated_on_symbols() -> None:
    """Changing the rule changes the page's kernel: nothing is written twice."""
    tanh = PRIMITIVES["tanh"]
    changed = Primitive("tanh", 1, tanh.forward, lambda x, out: (2.0 * out,), tanh.kernel)
    assert js_kernel(changed, 1) == {
        "forward": "(x) => Math.tanh(x[0])",
        "partials": "(x, out) => [(2.0 * out)]",
    }


def _cube() -> Primitive:
    return Primitive(
        name="cube",
        arity=1,
        forward=lambda x: x**3,
        local_grads=lambda x, out: (3.0 * x * x,),
        kernel=Kernel("{0} ** 3", "{0} ** 3"),  # no js form
    )


def test_a_primitive_without_a_javascript_form_turns_live_recomputation_off() -> None:
    x = Value(2.0, label="x")
    y = apply(_cube(), [x]) + x
    y.backward()
    page = explore(y)
    assert not page.live
    graph = describe_graph(y, digits=4)
    assert graph["missing"] == ["cube"] and "cube/1" not in graph["kernels"]


def test_write_refuses_a_name_that_is_not_a_page(tmp_path: Path) -> None:
    page = explore(neuron())
    for name in ("graph.svg", "graph.png", "graph"):
        with pytest.raises(ValueError, match="a page is HTML"):
            page.write(tmp_path / name)
    assert list(tmp_path.iterdir()) == []
    written = page.write(tmp_path / "neuron.html")
    assert written.read_text(encoding="utf-8") == page.html
    assert "<iframe" in page._repr_html_()


def test_labels_cannot_break_out_of_the_page() -> None:
    x = Value(1.0, label="</script><script>alert(1)</script>{{svg}}")
    page = explore(x * 2)
    assert "<script>alert(1)" not in page.html
    assert page.html.count("<svg") == 1
