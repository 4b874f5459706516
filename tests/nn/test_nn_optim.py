"""SGD and Adam: updates against hand computation, no graph growth, hyperparameter errors."""

from __future__ import annotations

import gc
import math
import random
import sys
from collections.abc import Callable
from functools import partial
from types import FrameType

import pytest

from autodiff import Value, is_recording
from nn import MLP, SGD, Adam, Optimizer, fit, optim, sum_squared_error


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
        (
            lambda ps: SGD(ps, lr=7, noise=-0.1),
            ValueError,
            "SGD: noise must be in [0, inf), got -0.1",
        ),
        (
            lambda ps: SGD(ps, lr=7, noise=math.inf),
            ValueError,
            "SGD: noise must be in [0, inf), got inf",
        ),
        (lambda ps: SGD(ps, lr=7, noise="1"), TypeError, "SGD: noise must be a number, got str"),
        (
            lambda ps: SGD(ps, lr=7, noise=1, rng=1.5),
            TypeError,
            "SGD: rng must be an int seed, a random.Random or None, got float: 1.5",
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


# --- a step is applied whole or not at all --------------------------------------------------
def optimizer_state(optimizer: Optimizer) -> tuple[object, ...]:
    """Every parameter's value and everything the optimizer carries from step to step."""
    data = tuple(p.data for p in optimizer.params)
    if isinstance(optimizer, Adam):
        return data, optimizer.steps, tuple(optimizer.first_moment), tuple(optimizer.second_moment)
    assert isinstance(optimizer, SGD)
    noise = optimizer.rng.getstate() if optimizer.noise else None  # unseeded when unused
    return data, tuple(optimizer.velocity), noise


def test_sgd_momentum_overflow_is_refused_and_changes_nothing() -> None:
    p, q = two_parameters((1e308, 1e308))
    optimizer = SGD([p, q], lr=0.1, momentum=0.9)
    optimizer.step()  # v = 1e308, p = 1 - 1e307: still finite
    before = optimizer_state(optimizer)
    with pytest.raises(OverflowError, match=r"SGD: step refused: the velocity of p would be inf"):
        optimizer.step()  # v = 0.9·1e308 + 1e308 overflows
    assert optimizer_state(optimizer) == before
    assert math.isfinite(p.data) and math.isfinite(q.data)


def test_sgd_overflow_of_the_new_value_is_refused() -> None:
    p, q = two_parameters((1.0, 1e308))
    optimizer = SGD([p, q], lr=7.0)
    with pytest.raises(OverflowError) as caught:
        optimizer.step()
    assert str(caught.value) == (
        "SGD: step refused: the new value of q would be -inf (its value is -2.0, its gradient "
        "1e+308); nothing was changed"
    )
    assert (p.data, q.data) == (1.0, -2.0)


def test_adam_refuses_an_infinite_second_moment_and_keeps_working() -> None:
    p, q = two_parameters((0.5, -4.0))
    optimizer = Adam([p, q], lr=0.1)
    optimizer.step()
    before = optimizer_state(optimizer)
    p.grad, q.grad = 1.0, 1e200  # g² = 1e400 is no float
    with pytest.raises(OverflowError, match=r"Adam: step refused: the second moment of q would"):
        optimizer.step()
    assert optimizer_state(optimizer) == before and optimizer.steps == 1
    q.grad = 2.0  # a sane gradient: the next step is an ordinary second step
    optimizer.step()
    assert optimizer.steps == 2 and all(math.isfinite(v) for v in optimizer.second_moment)
    assert q.data > before[0][1]  # type: ignore[index]


def test_unlabelled_parameters_are_named_by_position() -> None:
    p, q = Value(1.0), Value(2.0)
    p.grad, q.grad = 1.0, 1e308
    with pytest.raises(OverflowError, match=r"the new value of params\[1\] would be -inf"):
        SGD([p, q], lr=2.0).step()


def _run_traced(
    call: Callable[[], object], only_in: str | None = None, interrupt_at: int = 0
) -> int:
    """Run ``call`` counting the lines of Python it runs; raise KeyboardInterrupt at one.

    That is where Ctrl-C strikes too: between two lines of Python. With ``only_in``, only
    the lines of that file count; ``interrupt_at`` 0 never interrupts.

    The garbage collector is kept out of the run: earlier interrupted runs leave unfinished
    generators (a ``no_grad`` stopped half-way, held in a reference cycle by its traceback)
    whose finalizers a collection would otherwise run at any moment inside this one, adding
    lines to the count, and an interrupt raised inside a finalizer is swallowed by Python
    instead of reaching the caller.
    """
    lines = 0

    def trace(frame: FrameType, event: str, arg: object) -> Callable[..., object] | None:
        nonlocal lines
        if only_in is not None and frame.f_code.co_filename != only_in:
            return None
        if event == "line":
            lines += 1
            if lines == interrupt_at:
                raise KeyboardInterrupt
        return trace

    gc.disable()
    sys.settrace(trace)
    try:
        call()
    finally:
        sys.settrace(None)
        gc.enable()
    return lines


def _fresh(kind: str) -> Optimizer:
    params = [Value(0.1 * k - 1.0, label=f"p{k}") for k in range(24)]
    optimizer: Optimizer
    if kind == "momentum":
        optimizer = SGD(params, lr=0.1, momentum=0.9)
    elif kind == "noisy":
        optimizer = SGD(params, lr=0.1, momentum=0.9, noise=0.5, rng=0)
    else:
        optimizer = Adam(params, lr=0.1)
    for k, param in enumerate(params):
        param.grad = math.sin(k) + 0.5
    optimizer.step()  # some state to keep intact
    for k, param in enumerate(params):
        param.grad = math.cos(k) - 0.25
    return optimizer


# An interrupt inside contextlib's code can leave no_grad's generator unfinished; it is closed
# later, from another context, which Python reports as an unraisable exception.
_IGNORE_UNFINISHED_NO_GRAD = pytest.mark.filterwarnings(
    "ignore::pytest.PytestUnraisableExceptionWarning"
)


@_IGNORE_UNFINISHED_NO_GRAD
@pytest.mark.parametrize("kind", ["momentum", "noisy", "adam"])
def test_an_interrupt_anywhere_in_a_step_leaves_it_whole_or_undone(kind: str) -> None:
    before = optimizer_state(_fresh(kind))
    done = _fresh(kind)
    lines = _run_traced(done.step)
    after = optimizer_state(done)
    assert lines > 24 and before != after
    for count in range(1, lines + 1):
        optimizer = _fresh(kind)
        with pytest.raises(KeyboardInterrupt):
            _run_traced(optimizer.step, interrupt_at=count)
        assert optimizer_state(optimizer) in (before, after), f"interrupted at line {count}"
        assert is_recording()


def _parameters_of(model: MLP) -> tuple[float, ...]:
    return tuple(p.data for p in model.parameters())


def _train(model: MLP, callback: Callable[[int, float], object] | None = None) -> None:
    inputs, targets = [[0.0], [0.5], [1.0]], [[1.0], [0.2], [0.0]]
    optimizer = SGD(model.parameters(), lr=0.5, momentum=0.5)
    fit(model, inputs, targets, loss=sum_squared_error, optimizer=optimizer, epochs=2,
        progress=False, callback=callback)  # fmt: skip


@_IGNORE_UNFINISHED_NO_GRAD
def test_an_interrupt_in_fit_never_leaves_a_half_applied_step() -> None:
    model = MLP(1, [3, 1], rng=0)
    states = [_parameters_of(model)]  # before training, after epoch 1, after epoch 2
    _train(model, lambda epoch, cost: states.append(_parameters_of(model)))
    lines = _run_traced(lambda: _train(MLP(1, [3, 1], rng=0)), only_in=optim.__file__)
    assert len(set(states)) == 3 and lines > 10
    for count in range(1, lines + 1):  # every line of nn/optim.py that the two steps run
        model = MLP(1, [3, 1], rng=0)
        with pytest.raises(KeyboardInterrupt):
            _run_traced(partial(_train, model), only_in=optim.__file__, interrupt_at=count)
        assert _parameters_of(model) in states, f"interrupted at line {count} of nn/optim.py"
        assert is_recording()


def test_jacobian_groups_are_the_courses_weight_matrices_and_bias_vectors() -> None:
    model = MLP(1, [6, 7, 2], rng=0)
    params = model.parameters()
    groups = optim.jacobian_groups(params)
    # independently: layer n's weights form one group, its biases another
    expected = {
        (n, "W" if ".w." in label else "b")
        for n, layer in enumerate(model.layers)
        for label in (p.label for p in layer.parameters())
    }
    assert len(set(groups)) == len(expected) == 6
    for group in set(groups):
        members = [p.label for p, g in zip(params, groups) if g == group]
        layers = {label.split(".")[1] for label in members}
        kinds = {".w." in label for label in members}
        assert len(layers) == 1 and len(kinds) == 1, members
    sizes = sorted(groups.count(group) for group in set(groups))
    assert sizes == sorted([6, 6, 42, 7, 14, 2])  # W1 6×1, b1, W2 7×6, b2, W3 2×7, b3
    loose = [Value(1.0), Value(2.0, label="x")]
    assert optim.jacobian_groups(loose) == [0, 1]  # not a layer's: each its own


def test_noisy_sgd_multiplies_each_jacobian_by_one_random_factor() -> None:
    model = MLP(2, [3, 2], rng=0)
    params = model.parameters()
    for k, param in enumerate(params):
        param.grad = math.sin(k + 1)
    before = [p.data for p in params]
    optimizer = SGD(params, lr=7, noise=0.5, rng=42)
    optimizer.step()
    draws = random.Random(42)
    # The course: J_W1, J_b1, J_W2, J_b2 each times (1 + noise·randn), in that order.
    factors = {key: 1 + 0.5 * draws.gauss(0.0, 1.0) for key in ("W0", "b0", "W1", "b1")}
    for param, old in zip(params, before):
        layer = param.label.split(".")[1]
        factor = factors[("W" if ".w." in param.label else "b") + layer]
        assert param.data == old - 7 * (factor * param.grad), param.label


def test_noisy_sgd_is_reproducible_and_noise_zero_is_plain_descent() -> None:
    def run(**options: object) -> list[float]:
        model = MLP(1, [3, 1], rng=0)
        _train_with(model, SGD(model.parameters(), lr=0.5, **options))  # type: ignore[arg-type]
        return [p.data for p in model.parameters()]

    assert run(noise=0.3, rng=7) == run(noise=0.3, rng=7) != run(noise=0.3, rng=8)
    assert run(noise=0.0, rng=7) == run() != run(noise=0.3, rng=7)
    shared = random.Random(5)
    first = run(noise=0.3, rng=shared)
    assert run(noise=0.3, rng=shared) == first  # the optimizer draws from its own copy
    assert "noise=0.3" in repr(SGD([Value(1.0)], lr=1, noise=0.3))


def _train_with(model: MLP, optimizer: Optimizer) -> None:
    inputs, targets = [[0.0], [0.5], [1.0]], [[1.0], [0.2], [0.0]]
    fit(model, inputs, targets, loss=sum_squared_error, optimizer=optimizer, epochs=3,
        progress=False)  # fmt: skip


def test_a_refused_noisy_step_draws_no_noise() -> None:
    p, q = two_parameters((1.0, math.inf))
    optimizer = SGD([p, q], lr=0.1, noise=1.0, rng=3)
    state = optimizer.rng.getstate()
    with pytest.raises(ValueError, match="non-finite gradient in q"):
        optimizer.step()
    p.grad, q.grad = 1e308, 1.0
    with pytest.raises(OverflowError, match="step refused"):
        SGD([p, q], lr=1e10, noise=1.0, rng=3).step()
    assert optimizer.rng.getstate() == state and (p.data, q.data) == (1.0, -2.0)
