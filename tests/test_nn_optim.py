"""SGD and Adam: updates against hand computation, no graph growth, hyperparameter errors."""

from __future__ import annotations

import math

import pytest

from autodiff import Value, is_recording
from nn import MLP, SGD, Adam, Optimizer, sum_squared_error


def two_parameters(grads: tuple[float, float]) -> tuple[Value, Value]:
    p, q = Value(1.0, label="p"), Value(-2.0, label="q")
    p.grad, q.grad = grads
    return p, q


def test_sgd_step_is_p_minus_lr_times_grad() -> None:
    p, q = Value(1.0), Value(-2.0)
    optimizer = SGD([p, q], lr=0.1)
    (p * p * q).backward()  # ∂/∂p = 2pq = -4, ∂/∂q = p² = 1
    optimizer.step()
    assert (p.data, q.data) == (pytest.approx(1.4), pytest.approx(-2.1))


def test_sgd_with_momentum_two_steps() -> None:
    p, q = two_parameters((1.0, -2.0))
    optimizer = SGD([p, q], lr=0.5, momentum=0.9)
    optimizer.step()  # v = g: p = 1 - 0.5·1, q = -2 - 0.5·(-2)
    assert (p.data, q.data) == (0.5, -1.0)
    p.grad, q.grad = 0.5, 0.0
    optimizer.step()  # v_p = 0.9·1 + 0.5 = 1.4, v_q = 0.9·(-2) + 0 = -1.8
    assert (p.data, q.data) == (pytest.approx(0.5 - 0.7), pytest.approx(-1.0 + 0.9))


def test_adam_two_steps_by_hand() -> None:
    p, q = two_parameters((0.5, -4.0))
    optimizer = Adam([p, q], lr=0.1)
    optimizer.step()
    # Step 1: m̂ = g and v̂ = g², so each parameter moves by lr·g/(|g| + eps) ≈ lr·sign(g).
    assert p.data == pytest.approx(1.0 - 0.1 * 0.5 / (0.5 + 1e-8), abs=1e-15)
    assert q.data == pytest.approx(-2.0 + 0.1 * 4.0 / (4.0 + 1e-8), abs=1e-15)
    p.grad, q.grad = 1.0, -4.0
    before_p, before_q = p.data, q.data
    optimizer.step()
    # Step 2 for p: m = 0.9·0.05 + 0.1·1 = 0.145, v = 0.999·0.00025 + 0.001·1 = 0.00124975.
    m_hat = 0.145 / (1 - 0.9**2)
    v_hat = 0.00124975 / (1 - 0.999**2)
    assert p.data == pytest.approx(before_p - 0.1 * m_hat / (math.sqrt(v_hat) + 1e-8), abs=1e-14)
    # q's gradient is the same both times, so m̂ = g and v̂ = g² again.
    assert q.data == pytest.approx(before_q + 0.1 * 4.0 / (4.0 + 1e-8), abs=1e-14)


@pytest.mark.torch
@pytest.mark.parametrize("kind", ["sgd", "momentum", "adam"])
def test_optimizers_match_pytorch_over_several_steps(kind: str) -> None:
    torch = pytest.importorskip("torch")
    start = [0.5, -1.5, 2.0]
    ours = [Value(x) for x in start]
    theirs = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    if kind == "adam":
        optimizer, reference = (
            Adam(ours, lr=0.05, betas=(0.8, 0.99)),
            torch.optim.Adam([theirs], lr=0.05, betas=(0.8, 0.99)),
        )
    else:
        momentum = 0.9 if kind == "momentum" else 0.0
        optimizer, reference = (
            SGD(ours, lr=0.05, momentum=momentum),
            torch.optim.SGD([theirs], lr=0.05, momentum=momentum),
        )
    for _ in range(5):
        optimizer.zero_grad()
        (ours[0] * ours[1] + ours[2] ** 3 + ours[0] ** 2).backward()
        optimizer.step()
        reference.zero_grad()
        (theirs[0] * theirs[1] + theirs[2] ** 3 + theirs[0] ** 2).backward()
        reference.step()
    assert [v.data for v in ours] == pytest.approx(theirs.tolist(), rel=1e-12)


@pytest.mark.parametrize(
    "make", [lambda ps: SGD(ps, lr=0.5, momentum=0.9), lambda ps: Adam(ps, lr=0.1)]
)
def test_updates_never_grow_a_graph(make: object) -> None:
    model = MLP(2, [3, 1], rng=0)
    optimizer = make(model.parameters())  # type: ignore[operator]
    for _ in range(3):
        optimizer.zero_grad()
        sum_squared_error(model([1.0, -1.0]), 0.5).backward()
        optimizer.step()
        assert all(p.op == "" and p.children == () for p in model.parameters())
    assert all(p is q for p, q in zip(optimizer.params, model.parameters()))


def test_updates_run_under_no_grad() -> None:
    seen = []

    class Recorder(SGD):
        def _update(self) -> None:
            seen.append(is_recording())
            super()._update()

    Recorder([Value(1.0)], lr=0.1).step()
    assert seen == [False]
    assert is_recording()


def test_zero_grad_clears_the_parameters() -> None:
    p, q = two_parameters((3.0, -1.0))
    Adam([p, q]).zero_grad()
    assert (p.grad, q.grad) == (0.0, 0.0)


def test_non_finite_gradient_is_refused_and_changes_nothing() -> None:
    p, q = two_parameters((1.0, math.inf))
    with pytest.raises(ValueError, match="SGD: non-finite gradient in q"):
        SGD([p, q], lr=0.1).step()
    assert (p.data, q.data) == (1.0, -2.0)


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (lambda ps: SGD(ps, lr=0.0), ValueError, "SGD: lr must be in (0, inf), got 0.0"),
        (lambda ps: SGD(ps, lr=-0.1), ValueError, "SGD: lr must be in (0, inf), got -0.1"),
        (lambda ps: SGD(ps, lr=math.nan), ValueError, "SGD: lr must be in (0, inf), got nan"),
        (lambda ps: SGD(ps, lr=math.inf), ValueError, "SGD: lr must be in (0, inf), got inf"),
        (lambda ps: SGD(ps, lr="0.1"), TypeError, "SGD: lr must be a number, got str"),
        (
            lambda ps: SGD(ps, lr=0.1, momentum=1.0),
            ValueError,
            "SGD: momentum must be in [0, 1), got 1.0",
        ),
        (
            lambda ps: SGD(ps, lr=0.1, momentum=-0.5),
            ValueError,
            "SGD: momentum must be in [0, 1), got -0.5",
        ),
        (lambda ps: Adam(ps, lr=-1), ValueError, "Adam: lr must be in (0, inf), got -1"),
        (
            lambda ps: Adam(ps, betas=(1.0, 0.999)),
            ValueError,
            "Adam: betas[0] must be in [0, 1), got 1.0",
        ),
        (
            lambda ps: Adam(ps, betas=(0.9, -0.1)),
            ValueError,
            "Adam: betas[1] must be in [0, 1), got -0.1",
        ),
        (
            lambda ps: Adam(ps, betas=(0.9,)),
            ValueError,
            "Adam: betas must be a pair (beta1, beta2), got (0.9,)",
        ),
        (lambda ps: Adam(ps, eps=0.0), ValueError, "Adam: eps must be in (0, inf), got 0.0"),
    ],
)
def test_invalid_hyperparameters(make: object, error: type[Exception], words: str) -> None:
    with pytest.raises(error) as caught:
        make([Value(1.0)])  # type: ignore[operator]
    assert str(caught.value) == words


@pytest.mark.parametrize("kind", [SGD, Adam])
def test_invalid_parameter_lists(kind: type[Optimizer]) -> None:
    name = kind.__name__
    with pytest.raises(ValueError, match=f"{name}: got an empty parameter list"):
        kind([], lr=0.1)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=rf"{name}: params\[1\] must be a Value, got float"):
        kind([Value(1.0), 2.0], lr=0.1)  # type: ignore[call-arg, list-item]
    shared = Value(1.0)
    with pytest.raises(ValueError, match=f"{name}: a parameter appears more than once"):
        kind([shared, shared], lr=0.1)  # type: ignore[call-arg]
