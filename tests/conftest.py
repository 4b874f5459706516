"""Shared test set-up: the Hypothesis settings profiles.

Hypothesis settings profiles are chosen with the environment variable HYPOTHESIS_PROFILE.

- ``default``: a quick run while working (plain ``pytest``).
- ``ci``: what ``make test`` uses: more examples, derandomized so that a run is
  reproducible, failures printed with a blob to replay them.
- ``thorough``: many examples for an occasional slow run:
  ``HYPOTHESIS_PROFILE=thorough .venv/bin/python -m pytest``.

Each folder's own set-up is in its conftest.py (``tests/docs/conftest.py``: each docs page
run once).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("default", max_examples=30, deadline=None)
settings.register_profile(
    "ci",
    parent=settings.get_profile("ci"),
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
