"""The second docs run of ``make test`` really runs numpy on other kernels, without errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("numpy")

SCRIPT = Path(__file__).resolve().parents[1] / "helpers" / "numpy_dispatch.py"


def _script(disabled: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NPY_DISABLE_CPU_FEATURES": disabled}
    return subprocess.run(
        [sys.executable, "-W", "error", str(SCRIPT)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_disabling_the_listed_features_leaves_numpy_on_its_baseline() -> None:
    listed = _script("")
    assert listed.returncode == 0 and listed.stderr == "", listed.stderr
    features = listed.stdout.split()
    again = _script(" ".join(features))  # numpy refuses baseline features: none are listed
    assert (again.returncode, again.stderr, again.stdout) == (0, "", "\n")


def test_the_makefile_runs_the_pages_and_the_course_on_the_baseline_too() -> None:
    makefile = (SCRIPT.parents[2] / "Makefile").read_text(encoding="utf-8")
    assert "test: setup dot lint typecheck pytest pytest-numpy-baseline\n" in makefile
    for name in ["docs/test_docs.py", "docs/test_course_*.py", "helpers/numpy_dispatch.py"]:
        assert f"tests/{name}" in makefile
