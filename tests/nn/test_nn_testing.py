"""``nn.testing.models``: random MLPs within the sizes and activations asked for."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given

from nn import MLP
from nn.testing import SMOOTH, models


@given(models(max_layers=2, max_width=3))
def test_models_stay_within_the_sizes_and_use_smooth_activations(model: MLP) -> None:
    widths = [len(layer.neurons) for layer in model.layers]
    assert 1 <= len(widths) <= 2 and all(1 <= w <= 3 for w in widths) and 1 <= model.nin <= 3
    assert {layer.activation for layer in model.layers} <= set(SMOOTH)


@given(models(nin=5, nout=2, activations=["relu"]))
def test_fixed_inputs_outputs_and_activations(model: MLP) -> None:
    assert model.nin == 5 and len(model.layers[-1].neurons) == 2
    assert {layer.activation for layer in model.layers} == {"relu"}
    assert len(model([0.1] * 5)) == 2


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="activations must be names from"):
        models(activations=["swish"])
    with pytest.raises(ValueError, match="activations must be names from"):
        models(activations=[])
    with pytest.raises(ValueError, match="models: max_layers must be at least 1, got 0"):
        models(max_layers=0)
    with pytest.raises(TypeError, match="models: nin must be an int"):
        models(nin=2.0)  # type: ignore[arg-type]


def test_without_hypothesis_the_message_names_the_extra() -> None:
    code = "import sys; sys.modules['hypothesis'] = None; import nn.testing"
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root)
    assert 'pip install "autodiff-course[testing]"' in done.stderr
