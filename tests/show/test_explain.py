"""explain(): chain-rule paths, their products and the ledger, against grad and hand algebra."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Set

import pytest
from hypothesis import given, settings

from autodiff import PRIMITIVES, Value, dot, explain, grad, sum_of
from autodiff.graph import local_partials, primitive_of
from autodiff.primitives import BUILTIN, VARIADIC, power
from autodiff.testing import Expression, expressions
from tests.helpers.drawing import neuron_cost


def sigmoid_neuron_cost() -> dict[str, Value]:
    """The course's neuron with its cost: C = (σ(w·x + b) − y)² at w = 0.5, b = −1, x = 2, y = 1."""
    return neuron_cost("sigmoid", 0.5, -1.0, 2.0, Value(1.0, label="y"))


def test_neuron_ledger_is_the_course_chain_rule() -> None:
    g = sigmoid_neuron_cost()
    explanation = explain(g["C"], g["w"])
    # By hand: z = 0.5·2 − 1 = 0, a = σ(0) = 1/2, ∂C/∂w = 2(a − y)·σ'(z)·x = 2(−½)(¼)(2).
    assert explanation.total == -0.5
    (path,) = explanation.paths
    assert [node.label for node in path.nodes] == ["C", "", "a", "z", "", "w"]
    assert path.partials == (-1.0, 1.0, 0.25, 1.0, 2.0)
    assert explanation.terms == (-0.5,)
    lines = str(explanation).splitlines()
    assert lines == [
        "∂C/∂w = ∂C/∂(a - y) · ∂(a - y)/∂a · ∂a/∂z · ∂z/∂(w·x) · ∂(w·x)/∂w",
        "      = 2·(a - y) · 1 · a·(1 - a) · 1 · x",
        "      = (-1) · 1 · 0.25 · 1 · 2",
        "      = -0.5",
    ]


def test_bias_path_ends_at_dz_db_equal_one() -> None:
    g = sigmoid_neuron_cost()
    (path,) = explain(g["C"], g["b"]).paths
    assert path.nodes[-2] is g["z"] and path.partials[-1] == 1.0
    assert "∂a/∂z · ∂z/∂b" in str(explain(g["C"], g["b"]))


def test_shared_operand_gives_one_path_per_edge() -> None:
    x = Value(3.0, label="x")
    y = x * x + x  # dy/dx = 2x + 1 = 7: two paths through x·x, one straight down
    explanation = explain(y, x)
    assert explanation.path_count == 3
    assert [path.positions for path in explanation.paths] == [(0, 0), (0, 1), (1,)]
    assert explanation.terms == (3.0, 3.0, 1.0)
    assert explanation.total == 7.0
    text = str(explanation)
    assert "summed over 3 paths" in text
    assert "∂out/∂x = 3 + 3 + 1 = 7" in text
    assert "where out = x·x + x" in text


def test_too_many_paths_falls_back_to_edge_account_without_enumerating() -> None:
    x = Value(0.5, label="x")
    y = x
    for _ in range(60):  # 2**60 paths: enumerating them would never finish
        y = (y + y) * 0.5
    explanation = explain(y, x, max_paths=100)
    assert not explanation.complete
    assert explanation.paths == () and explanation.terms == ()
    assert explanation.path_count == 101
    assert explanation.total == grad(y, [x])[0] == 1.0
    text = str(explanation)
    assert "more than 100 paths" in text
    lines = text.splitlines()
    assert any(line.startswith("∂out/∂x = ") and line.endswith(" = 1") for line in lines)
    contribution_to_x = [c for c in explanation.contributions if c.child is x]
    assert len(contribution_to_x) == 2
    assert sum(c.amount for c in contribution_to_x) == 1.0


def test_output_that_does_not_depend_on_wrt() -> None:
    g = sigmoid_neuron_cost()
    stranger = Value(4.0, label="q")
    explanation = explain(g["C"], stranger)
    assert explanation.total == 0.0 and explanation.paths == ()
    assert str(explanation) == "∂C/∂q = 0 (C does not depend on q)"


def test_derivative_of_output_by_itself_is_one() -> None:
    g = sigmoid_neuron_cost()
    explanation = explain(g["C"], g["C"])
    assert explanation.total == 1.0 and explanation.terms == (1.0,)


def test_the_path_down_a_long_chain_is_listed_whole() -> None:
    # Each path is built once at its end, not copied at every step down (which made a
    # 16,000-op chain take seconds and a million-op chain never finish; bench/ times it).
    x = Value(0.5, label="x")
    y = x
    for _ in range(10_000):
        y = y * 0.9999 + 0.1
    explanation = explain(y, x)
    (path,) = explanation.paths
    assert len(path.nodes) == 20_001 and path.nodes[0] is y and path.nodes[-1] is x
    assert path.positions == (0,) * 20_000
    assert path.partials == (1.0, 0.9999) * 10_000
    assert math.isclose(path.term, explanation.total, rel_tol=1e-12)
    symbols, partials, product = str(explanation).splitlines()[:3]
    assert symbols.startswith("∂out/∂x = ∂out/∂(v") and symbols.endswith("∂(x·0.9999)/∂x")
    assert partials.split(" = ")[1] == " · ".join(["1", "0.9999"] * 10_000)
    assert product.split(" = ")[1] == f"{explanation.total:.4g}"


def test_explain_and_its_ledger_read_each_node_a_fixed_number_of_times(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Work is counted, not timed: every walk over the graph reads each node's operands, so
    # linear work reads them a fixed number of times per node, whatever the chain's length.
    # A walk repeated per node, or a path re-read at every step, breaks the proportion.
    reads = 0
    children = Value.children

    def counted(node: Value) -> tuple[Value, ...]:
        nonlocal reads
        reads += 1
        return children.fget(node)  # type: ignore[attr-defined, no-any-return]

    monkeypatch.setattr(Value, "children", property(counted))

    def reads_per_node(ops: int) -> tuple[float, float]:
        nonlocal reads
        x = Value(0.5, label="x")
        y = x
        for _ in range(ops // 2):
            y = y * 1.0000001 + 0.1
        nodes = 2 * ops + 1  # ops results, ops constants, x
        reads = 0
        explanation = explain(y, x)
        in_explain = reads
        reads = 0
        str(explanation)
        return in_explain / nodes, reads / nodes

    short, long = reads_per_node(2_000), reads_per_node(16_000)
    assert long == pytest.approx(short, abs=1e-3)
    # explain: the topological order, the path counts, the edge account, the gradient and
    # the path (a few reads each); its ledger: the order, the names, the formulas.
    assert long[0] <= 6 and long[1] <= 4


def test_long_expressions_are_abbreviated_and_defined() -> None:
    x = Value(0.3, label="x")
    y = x
    for _ in range(4):
        y = (y * y + x).tanh()
    text = str(explain(y, x, max_paths=1000))
    assert "where v" in text
    definitions = [line for line in text.splitlines() if line.startswith("  where")]
    assert definitions[-1].startswith("  where out = tanh(")


@settings(max_examples=150, deadline=None)
@given(expressions())
def test_total_equals_grad_on_random_graphs(recipe: Expression) -> None:
    nodes = recipe.nodes(*recipe.leaves())
    root = nodes[-1]
    for wrt in nodes:
        expected = grad(root, [wrt])[0]
        explanation = explain(root, wrt, max_paths=10_000)
        assert explanation.total == expected
        assert explanation.complete and len(explanation.paths) == explanation.path_count
        scale = math.fsum(abs(term) for term in explanation.terms)
        assert abs(math.fsum(explanation.terms) - expected) <= 1e-12 + 1e-9 * scale
        for path in explanation.paths:
            assert path.nodes[0] is root and path.nodes[-1] is wrt
            for parent, child, position, partial in zip(
                path.nodes, path.nodes[1:], path.positions, path.partials
            ):
                assert parent.children[position] is child
                assert partial == local_partials(parent)[position]
        # Every partial sum along the way is bounded by Σ|terms|, and so is its rounding.
        into_wrt = [c.amount for c in explanation.contributions if c.child is wrt]
        if wrt is not root:
            assert abs(math.fsum(into_wrt) - expected) <= 1e-12 + 1e-9 * scale
        assert explain(root, wrt, max_paths=1).total == expected
        labels = {node.label for node in nodes}  # a recipe labels its inputs v0, v1, ...
        for ledger in (str(explanation), str(explain(root, wrt, max_paths=1))):
            assert_every_abbreviation_is_defined(ledger, labels)


def assert_every_abbreviation_is_defined(ledger: str, labels: Set[str] = frozenset()) -> None:
    """Each v<k> a ledger writes has its ``where v<k> = ...`` line, once."""
    lines = ledger.splitlines()
    defined = [
        line.split(" = ")[0].removeprefix("  where ")
        for line in lines
        if line.startswith("  where ")
    ]
    assert len(defined) == len(set(defined))
    assert set(re.findall(r"\bv\d+\b", ledger)) - labels <= set(defined)


def test_abbreviations_inside_inline_expressions_are_defined_too() -> None:
    # out = (v + c) + ... where v is long: "v12 + 0.5" is written inline, and names v12
    x = [Value(0.1 * k, label=f"x{k}") for k in range(8)]
    long = x[0] * x[1] + x[2] * x[3] + x[4] * x[5] + x[6] * x[7]
    inline = long + 0.5
    out = inline * inline + x[0]
    ledger = str(explain(out, x[0]))
    assert "v" in ledger.split("where")[0]
    assert_every_abbreviation_is_defined(ledger)


def test_a_value_is_keyed_by_identity() -> None:
    # The graph questions and the ledger use nodes themselves as set members and dict keys.
    assert Value.__eq__ is object.__eq__ and Value.__hash__ is object.__hash__
    x, y = Value(1.0), Value(1.0)
    assert len({x, y, x}) == 2


def test_arguments_are_checked() -> None:
    x = Value(1.0)
    with pytest.raises(TypeError, match="explain: output must be a Value, got float"):
        explain(1.0, x)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="explain: wrt must be a Value"):
        explain(x, "x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_paths must be a positive int, got 0"):
        explain(x, x, max_paths=0)
    with pytest.raises(ValueError, match="digits must be a positive int, got True"):
        explain(x, x, digits=True)


# --- the public accessors the ledger and drawings use -------------------------------------
UNARY_POINTS = {"log": 1.7, "sqrt": 2.5}


def build(name: str, operands: list[Value]) -> Value:
    """A node of primitive ``name`` on ``operands``, made the way users make it."""
    x = operands[0]
    makers: dict[str, Callable[[], Value]] = {
        "+": lambda: x + operands[1],
        "*": lambda: x * operands[1],
        "**": lambda: x ** operands[1],
        "abs": lambda: abs(x),
        "sum": lambda: sum_of(operands),
        "dot": lambda: dot(operands[:2], operands[2:]),
    }
    return makers.get(name, lambda: getattr(x, name)())()


@pytest.mark.parametrize("name", sorted(BUILTIN))  # user-defined: test_extend.py
def test_local_partials_agree_with_backward_for_every_primitive(name: str) -> None:
    prim = PRIMITIVES[name]
    count = 4 if prim.arity == VARIADIC else prim.arity
    points = [UNARY_POINTS.get(name, 0.7), 1.3, -0.4, 2.1][:count]
    operands = [Value(point, label=f"x{i}") for i, point in enumerate(points)]
    node = build(name, operands)
    assert primitive_of(node) is prim
    assert list(local_partials(node)) == grad(node, operands)
    assert len(prim.local_formulas) == (1 if prim.arity == VARIADIC else prim.arity)


def test_fused_nodes_in_the_ledger() -> None:
    w = [Value(0.5, label="w.0"), Value(-1.0, label="w.1")]
    x = [Value(2.0, label="x.0"), Value(3.0, label="x.1")]
    z = dot(w, x)
    total = sum_of([z, w[0]])
    total.label = "s"
    text = str(explain(total, w[1]))
    assert "∂s/∂(w.0·x.0 + w.1·x.1) · ∂(w.0·x.0 + w.1·x.1)/∂w.1" in text
    assert "= 1 · x.1" in text and "= 3" in text.splitlines()[-1]


@pytest.mark.parametrize("n", [0.0, 1.0, 2.0, 3.0, -1.0, 0.5])
def test_power_partial_and_formula(n: float) -> None:
    x = Value(1.5)
    node = x**n
    assert primitive_of(node) is power(n)
    assert local_partials(node) == (pytest.approx(n * 1.5 ** (n - 1)),)
    assert len(power(n).local_formulas) == 1


def test_local_partials_of_a_leaf_and_at_a_singularity() -> None:
    assert local_partials(Value(2.0)) == ()
    with pytest.raises(ValueError, match=r"sqrt: the derivative is not finite at input \(0.0\)"):
        local_partials(Value(0.0).sqrt())


def batch_network_cost(examples: int) -> tuple[Value, list[Value], list[list[Value]]]:
    """A 1→2→1 tanh network written out by hand, labelled as nn labels it, over a batch:
    C = (1/N) Σₖ (a2ₖ − yₖ)². Returns C, the parameters and each example's z of layer 1."""
    w1 = [Value(0.5, label="layers.0.neurons.0.w.0"), Value(-1.5, label="layers.0.neurons.1.w.0")]
    b1 = [Value(0.1, label="layers.0.neurons.0.b"), Value(0.2, label="layers.0.neurons.1.b")]
    w2 = [Value(0.7, label="layers.1.neurons.0.w.0"), Value(-0.3, label="layers.1.neurons.0.w.1")]
    b2 = Value(-0.4, label="layers.1.neurons.0.b")
    total: Value | float = 0.0
    z1s = []
    for k in range(1, examples + 1):
        x = 0.1 * k
        z1 = [w * x + b for w, b in zip(w1, b1)]
        for i, z in enumerate(z1):
            z.label = f"layers.0.neurons.{i}.z"
        a1 = [z.tanh() for z in z1]
        for i, a in enumerate(a1):
            a.label = f"layers.0.neurons.{i}.a"
        z2 = w2[0] * a1[0] + w2[1] * a1[1] + b2
        z2.label = "layers.1.neurons.0.z"
        a2 = z2.tanh()
        a2.label = "layers.1.neurons.0.a"
        total = total + (a2 - 0.25 * k) ** 2
        z1s.append(z1)
    assert isinstance(total, Value)
    cost = total * (1 / examples)
    cost.label = "C"
    return cost, [*w1, *b1, *w2, b2], z1s


def test_a_big_ledger_is_summarised_between_labelled_nodes_label_by_label() -> None:
    C, parameters, z1s = batch_network_cost(examples=40)
    w = parameters[0]  # layers.0.neurons.0.w.0
    explanation = explain(C, w, max_paths=10)
    assert not explanation.complete
    lines = str(explanation).splitlines()
    assert "between labelled nodes" in lines[1]
    accounts = lines[2:]
    # one line per label on a path, from the cost down (layer 2 first), and w's last
    firsts = [line.split(" = ")[0] for line in accounts]
    assert firsts == [
        "∂C/∂layers.1.neurons.0.a",
        "∂C/∂layers.1.neurons.0.z",
        "∂C/∂layers.0.neurons.0.a",
        "∂C/∂layers.0.neurons.0.z",
        "∂C/∂layers.0.neurons.0.w.0",
    ]
    # the first example's δ of neuron 0 of layer 1, and its sum over the 40 examples (J_b)
    z = z1s[0][0]
    delta = grad(C, [z])[0]
    summed = math.fsum(grad(C, [row[0] for row in z1s]))
    assert accounts[3].startswith(
        "∂C/∂layers.0.neurons.0.z = ∂C/∂layers.0.neurons.0.a · (1 - layers.0.neurons.0.a²)"
    )
    assert f"= {delta:.4g} for the first; summed over the 40 nodes labelled " in accounts[3]
    assert accounts[3].endswith(f"layers.0.neurons.0.z: {summed:.4g}")
    assert summed == pytest.approx(grad(C, [parameters[2]])[0], rel=1e-12)  # = ∂C/∂b
    # w's line: its 40 uses folded into one term, ending in the total
    # (∂z/∂w is each example's own x, so it is written as a symbol)
    assert accounts[4] == (
        "∂C/∂layers.0.neurons.0.w.0 = Σ over 40 uses of ∂C/∂layers.0.neurons.0.z · "
        f"∂layers.0.neurons.0.z/∂layers.0.neurons.0.w.0 = {explanation.total:.4g}"
    )
    assert explanation.total == grad(C, [w])[0]
    # the step from the cost through its unlabelled sum and square is multiplied out
    assert accounts[0].startswith(
        "∂C/∂layers.1.neurons.0.a = 0.025 · 2·(layers.1.neurons.0.a - 0.25)"
    )
    assert len(lines) < 12 and not any("where v" in line for line in lines)


def test_an_operation_on_one_label_and_constants_is_written_out_in_full() -> None:
    a = Value(0.8, label="layers.2.neurons.1.a")
    error = a - 0.625
    C = error**2 + error
    text = str(explain(C, a))
    assert "∂(layers.2.neurons.1.a - 0.625)/∂layers.2.neurons.1.a" in text
    assert "  where v3 = (layers.2.neurons.1.a - 0.625)²" in text.splitlines()  # two ops
    both = Value(0.1, label="layers.2.neurons.0.a") * a  # two labels: abbreviated
    lines = str(explain((both + 0.5).tanh() * both, a)).splitlines()
    assert "  where v2 = layers.2.neurons.0.a·layers.2.neurons.1.a" in lines


def test_an_operand_inside_a_formulas_call_gets_one_pair_of_brackets() -> None:
    w, x = Value(0.5, label="w"), Value(2.0, label="x")
    lines = str(explain((w * x).exp() + (w + x).cos(), w)).splitlines()
    assert "       = 1 · exp(w·x) · x" in lines
    assert "       = 1 · (-sin(w + x)) · 1" in lines
    assert not any("((" in line for line in lines)
    odd = Value(1.0, label="{odd}")  # braces in a label are text, not a format field
    assert "= exp({odd})" in str(explain(odd.exp(), odd))


def test_a_long_unlabelled_step_is_written_as_its_symbol() -> None:
    x = Value(0.5, label="x")
    u = x
    for _ in range(3000):  # unlabelled: one step of 6000 edges between b and x
        u = u * 1.0000001 + 0.1
    b = u * 1.0
    b.label = "b"
    out = sum_of([b * float(k) for k in range(1, 120)])  # 119 paths: past max_paths
    out.label = "C"
    lines = str(explain(out, x)).splitlines()
    assert lines[-1].startswith("∂C/∂x = ∂C/∂b · ∂b/∂x = ")
    assert max(len(line) for line in lines) < 400


def test_many_labelled_users_of_one_big_unlabelled_part_get_the_edge_account() -> None:
    # 300 labelled nodes each use the same 3000-node unlabelled chain: walking it once per
    # user would be quadratic, so the ledger gives the linear edge-by-edge account instead.
    x = Value(0.5, label="x")
    u = x
    for _ in range(1500):
        u = u * 1.0000001 + 0.1
    users = []
    for k in range(300):
        user = u * float(k + 1)
        user.label = f"user{k}"
        users.append(user)
    out = sum_of(users)
    explanation = explain(out, x)
    text = str(explanation)
    assert "The chain rule edge by edge instead" in text
    assert explanation.total == grad(out, [x])[0]
