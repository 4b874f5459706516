"""Shared test set-up: the Hypothesis settings profile.

The profiles are the ones ``autodiff.testing`` ships to its users
(``autodiff.testing.PROFILES``), chosen with the environment variable HYPOTHESIS_PROFILE:

- ``dev`` (also ``default``): a quick run while working (plain ``pytest``).
- ``ci``: what ``make test`` uses: more examples, derandomized so that a run is
  reproducible, failures printed with a blob to replay them.
- ``thorough``: many examples for an occasional slow run:
  ``HYPOTHESIS_PROFILE=thorough .venv/bin/python -m pytest``.

Each folder's own set-up is in its conftest.py (``tests/docs/conftest.py``: each docs page
run once).
"""

from __future__ import annotations

import os

from autodiff.testing import load_profile

_profile = os.environ.get("HYPOTHESIS_PROFILE", "dev")
load_profile("dev" if _profile == "default" else _profile)
