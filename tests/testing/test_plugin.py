"""What ``autodiff.testing`` offers a user's own tests: ``st.from_type(Value)``, the shipped
profiles, ``assert_gradients_match``, and keyword-only strategy arguments."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autodiff import GradcheckError, Value
from autodiff.testing import (
    PROFILES,
    assert_gradients_match,
    chains,
    expressions,
    load_profile,
    register_strategies,
    values,
)


@pytest.fixture
def restored_settings() -> Iterator[None]:
    before = settings()
    yield
    settings.register_profile("restored-after-test", before)
    settings.load_profile("restored-after-test")


def test_from_type_value_draws_leaf_values_once_registered() -> None:
    register_strategies()
    drawn: list[Value] = []

    @settings(max_examples=30)
    @given(st.from_type(Value))
    def collect(x: Value) -> None:
        drawn.append(x)

    collect()
    assert drawn and all(v.op == "" and v.grad == 0.0 and -10 <= v.data <= 10 for v in drawn)


@given(values(-1.0, 1.0))
def test_values_stay_in_their_range(x: Value) -> None:
    assert -1.0 <= x.data <= 1.0 and x.children == ()


def test_load_profile_loads_the_shipped_settings(restored_settings: None) -> None:
    for name, options in PROFILES.items():
        loaded = load_profile(name)
        assert loaded.max_examples == options["max_examples"] == settings().max_examples
    assert settings().max_examples == 2000  # "thorough", the last


def test_load_profile_names_the_profiles_for_an_unknown_one() -> None:
    with pytest.raises(ValueError, match=r"no profile 'fast'; the profiles are \['ci', 'dev'"):
        load_profile("fast")


def detached_square(x: Value) -> Value:
    return x * x.data  # .data is a constant for the chain rule: half the derivative is lost


def test_assert_gradients_match_passes_right_and_flags_wrong_derivatives() -> None:
    assert_gradients_match(lambda x, y: (x * y).tanh(), [0.5, -1.5])
    with pytest.raises(GradcheckError) as error:
        assert_gradients_match(detached_square, [3.0])
    row = str(error.value).splitlines()[2].split()
    assert row[:3] == ["x[0]", "3", "6"] and row[-1] == "mismatch"


def test_assert_gradients_match_against_a_hand_written_derivative() -> None:
    assert_gradients_match(lambda x: x**3, [2.0], expected=lambda x: [3 * x**2])
    with pytest.raises(GradcheckError, match="do not match the expected ones"):
        assert_gradients_match(lambda x: x**3, [2.0], expected=lambda x: [2 * x**2])
    with pytest.raises(TypeError, match="expected returned 2 derivatives for 1 inputs"):
        assert_gradients_match(lambda x: x**3, [2.0], expected=lambda x: [1.0, 2.0])


def test_assert_gradients_match_with_values_of_a_graph_names_them_and_restores_them() -> None:
    w, b = Value(0.5, label="w"), Value(-1.0, label="b")

    def cost(w: Value, b: Value) -> Value:
        return (w * 2.0 + b.data).tanh()  # b detached: its row fails

    with pytest.raises(GradcheckError) as error:
        assert_gradients_match(cost, [w, b])
    rows = {line.split()[0]: line for line in str(error.value).splitlines()[2:4]}
    assert "mismatch" in rows["b"] and "mismatch" not in rows["w"]
    assert (w.data, b.data) == (0.5, -1.0)


def test_assert_gradients_match_rejects_bad_inputs() -> None:
    with pytest.raises(TypeError, match="all numbers or all Values"):
        assert_gradients_match(lambda x, y: x * y, [1.0, Value(2.0)])
    with pytest.raises(ValueError, match="inputs is empty"):
        assert_gradients_match(lambda: Value(1.0), [])
    with pytest.raises(TypeError, match="f must return a Value, got float"):
        assert_gradients_match(lambda x: 2.0, [1.0])
    with pytest.raises(ValueError, match="atol must be finite and non-negative"):
        assert_gradients_match(lambda x: x, [1.0], atol=-1.0)


def test_strategy_arguments_are_keyword_only_as_documented() -> None:
    with pytest.raises(TypeError, match="positional"):
        chains(20, 30)  # type: ignore[misc]
    with pytest.raises(TypeError, match="positional"):
        expressions(1, 4)  # type: ignore[misc]
