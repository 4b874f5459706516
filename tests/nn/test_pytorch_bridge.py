"""nn.to_torch and nn.from_torch: the same network in PyTorch, and back.

Outputs and parameter gradients of the torch model (float64) equal this library's to 1e-12 on
random networks and inputs; a round trip gives back the very same floats. The tests that
need torch are skipped without it; ``import nn`` never imports it.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from autodiff import Value

ROOT = Path(__file__).resolve().parents[2]
ACTIVATIONS = ["sigmoid", "tanh", "relu", "linear"]
TOLERANCE = 1e-12


@pytest.fixture(scope="module")
def torch() -> Any:
    return pytest.importorskip("torch")


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_import_nn_does_not_import_torch() -> None:
    run = _run("""
        import sys
        import nn
        model = nn.MLP(2, [3, 1], rng=0)
        model([1.0, 2.0])
        print("torch" in sys.modules)
    """)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "False\n"


def test_without_torch_the_error_says_what_to_install() -> None:
    run = _run("""
        import sys
        sys.modules["torch"] = None  # as if it were not installed
        import nn
        for call in (lambda: nn.to_torch(nn.MLP(1, [1], rng=0)), lambda: nn.from_torch(None)):
            try:
                call()
            except ModuleNotFoundError as error:
                print(error)
    """)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "to_torch needs PyTorch, which is not installed (pip install torch)",
        "from_torch needs PyTorch, which is not installed (pip install torch)",
    ]


# --- the same numbers --------------------------------------------------------------------------
networks = st.fixed_dictionaries(
    {
        "nin": st.integers(1, 4),
        "nouts": st.lists(st.integers(1, 5), min_size=1, max_size=3),
        "activation": st.sampled_from(ACTIVATIONS),
        "output_activation": st.sampled_from(ACTIVATIONS),
        "seed": st.integers(0, 2**32 - 1),
    }
)
reals = st.floats(-3.0, 3.0, allow_nan=False)


def _model(network: dict[str, Any]) -> nn.MLP:
    return nn.MLP(
        network["nin"],
        network["nouts"],
        network["activation"],
        network["output_activation"],
        rng=network["seed"],
        init="course",
    )


def _agree(ours: float, theirs: float) -> bool:
    return abs(ours - theirs) <= TOLERANCE * max(1.0, abs(theirs))


def _torch_grads(torch: Any, module: Any) -> list[float]:
    """The torch model's parameter gradients in this library's order (per neuron: w, then b)."""
    grads: list[float] = []
    for linear in [part for part in module if isinstance(part, torch.nn.Linear)]:
        for row, bias in zip(linear.weight.grad.tolist(), linear.bias.grad.tolist()):
            grads.extend([*row, bias])
    return grads


@settings(max_examples=40, deadline=None)
@given(network=networks, data=st.data())
def test_outputs_and_gradients_equal_ours(torch: Any, network: dict[str, Any], data: Any) -> None:
    model = _model(network)
    batch = data.draw(
        st.lists(st.lists(reals, min_size=model.nin, max_size=model.nin), min_size=1, max_size=4)
    )
    module = nn.to_torch(model)

    outputs = [model(x) for x in batch]
    cost = sum((a * a for row in outputs for a in row), Value(0.0))
    cost.backward()
    theirs = module(torch.tensor(batch, dtype=torch.float64))
    (theirs * theirs).sum().backward()

    flat = [a.data for row in outputs for a in row]
    assert all(map(_agree, flat, theirs.detach().flatten().tolist()))
    ours_grads = [p.grad for p in model.parameters()]
    assert all(map(_agree, ours_grads, _torch_grads(torch, module)))


@settings(max_examples=25, deadline=None)
@given(network=networks)
def test_a_round_trip_gives_back_the_same_floats(torch: Any, network: dict[str, Any]) -> None:
    model = _model(network)
    back = nn.from_torch(nn.to_torch(model))

    def shape(m: nn.MLP) -> list[tuple[int, int, str]]:
        return [(layer.nin, layer.nout, layer.activation) for layer in m.layers]

    assert shape(back) == shape(model)
    assert back.state_dict() == model.state_dict()
    assert [p.label for p in back.parameters()] == [p.label for p in model.parameters()]


def test_a_torch_model_read_back_computes_what_torch_does(torch: Any) -> None:
    torch.manual_seed(0)
    module = torch.nn.Sequential(
        torch.nn.Linear(2, 8),
        torch.nn.ReLU(),
        torch.nn.Linear(8, 8),
        torch.nn.ReLU(),
        torch.nn.Linear(8, 3),
        torch.nn.Identity(),
    )  # float32, as torch makes it
    model = nn.from_torch(module)
    assert repr(model) == "MLP(2, [8, 8, 3], activation='relu', output_activation='linear')"
    x = [0.3, -1.2]
    ours = [a.data for a in model(x)]
    theirs = module.double()(torch.tensor(x, dtype=torch.float64)).tolist()
    assert all(map(_agree, ours, theirs))


def test_a_lone_linear_is_a_network_of_one_layer(torch: Any) -> None:
    linear = torch.nn.Linear(3, 2, dtype=torch.float64)
    model = nn.from_torch(linear)
    assert repr(model) == "MLP(3, [2], activation='linear')"
    assert model.layers[0].matrices() == (linear.weight.tolist(), linear.bias.tolist())


def test_a_layer_and_the_dtype_option(torch: Any) -> None:
    layer = nn.Layer(3, 2, "tanh", rng=0)
    module = nn.to_torch(layer, dtype=torch.float32)
    assert [type(part).__name__ for part in module] == ["Linear", "Tanh"]
    assert module[0].weight.dtype == torch.float32
    assert nn.to_torch(layer)[0].weight.dtype == torch.float64
    assert nn.to_torch(layer)[0].weight.tolist() == [[w.data for w in row] for row in layer.W]


# --- what does not map ---------------------------------------------------------------------------
def test_to_torch_refuses_what_it_cannot_write(torch: Any) -> None:
    with pytest.raises(TypeError, match="to_torch: model must be an MLP or a Layer, got Neuron"):
        nn.to_torch(nn.Neuron(2, rng=0))

    def swish(z: Value) -> Value:
        return z * z.sigmoid()

    with pytest.raises(ValueError, match="torch has no module for the activation 'swish'"):
        nn.to_torch(nn.MLP(1, [2, 1], swish, rng=0))
    layer = nn.Layer(1, 1, rng=0)
    with pytest.raises(TypeError, match=r"floating-point torch dtype .*, got str: 'float64'"):
        nn.to_torch(layer, dtype="float64")
    with pytest.raises(TypeError, match=r"got dtype: torch\.int64"):
        nn.to_torch(layer, dtype=torch.int64)


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (lambda t: [t.nn.Linear(1, 2), t.nn.Dropout()], "part 1 of the Sequential is a Dropout"),
        (lambda t: [t.nn.Tanh(), t.nn.Linear(1, 2)], "part 0 of the Sequential is a Tanh"),
        (
            lambda t: [t.nn.Linear(1, 2), t.nn.Tanh(), t.nn.Tanh()],
            "part 2 of the Sequential is a Tanh",
        ),
        (lambda t: [t.nn.Linear(1, 2, bias=False)], "the Linear at part 0 has no bias"),
        (lambda t: [], "the Sequential is empty"),
        (
            lambda t: [t.nn.Linear(1, 2), t.nn.Linear(3, 1)],
            "from_torch: W2 has 3 columns, but layer 1 has 2",
        ),
        (
            lambda t: [
                t.nn.Linear(1, 2),
                t.nn.Tanh(),
                t.nn.Linear(2, 2),
                t.nn.ReLU(),
                t.nn.Linear(2, 1),
            ],
            "one activation for its hidden layers, got \\['tanh', 'relu'\\]",
        ),
    ],
)
def test_from_torch_names_what_does_not_map(torch: Any, parts: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        nn.from_torch(torch.nn.Sequential(*parts(torch)))


def test_from_torch_wants_a_sequential(torch: Any) -> None:
    with pytest.raises(TypeError, match=r"must be a torch\.nn\.Sequential, got Conv1d"):
        nn.from_torch(torch.nn.Conv1d(1, 1, 1))
    with pytest.raises(TypeError, match=r"must be a torch\.nn\.Sequential, got list"):
        nn.from_torch([])


def test_the_model_methods_are_the_bridge(torch: Any) -> None:
    model = nn.MLP(1, [6, 7, 2], "tanh", output_activation="linear", rng=3)
    module = model.to_torch()
    assert str(module) == str(nn.to_torch(model))
    back = nn.MLP.from_torch(module)
    assert back.state_dict() == model.state_dict() and repr(back) == repr(model)
    assert nn.from_torch(module).state_dict() == model.state_dict()


def test_state_dicts_in_pytorchs_names_both_ways(torch: Any) -> None:
    model = nn.MLP(1, [6, 7, 2], "sigmoid", output_activation="linear", rng=0)
    module = model.to_torch()
    ours = model.state_dict("torch")
    theirs = module.state_dict()
    assert list(ours) == list(theirs) == [
        "0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"
    ]  # fmt: skip
    for name, tensor in theirs.items():
        assert ours[name] == tensor.tolist()
    # torch's state (tensors) loads into another model of the same shape: the same floats
    other = nn.MLP(1, [6, 7, 2], "sigmoid", output_activation="linear", rng=1)
    other.load_state_dict(theirs)
    assert other.state_dict() == model.state_dict()
    # and ours loads into torch's Sequential
    fresh = nn.MLP(1, [6, 7, 2], "sigmoid", output_activation="linear", rng=2).to_torch()
    fresh.load_state_dict(
        {name: torch.tensor(value, dtype=torch.float64) for name, value in ours.items()}
    )
    assert all(torch.equal(fresh.state_dict()[n], theirs[n]) for n in theirs)


def test_a_torch_state_that_does_not_fit_changes_nothing(torch: Any) -> None:
    model = nn.MLP(1, [2, 1], rng=0)
    before = model.state_dict()
    state = nn.MLP(1, [3, 1], rng=1).state_dict("torch")  # a wider first layer
    with pytest.raises(ValueError, match=re.escape("unexpected: 'layers.0.neurons.2.b'")):
        model.load_state_dict(state)
    with pytest.raises(ValueError, match="naming must be 'nn' or 'torch'"):
        model.state_dict("keras")
    assert model.state_dict() == before
