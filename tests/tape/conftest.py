"""Set-up for the tape's tests: ``both_replays`` runs a module twice, once with every tape
replaying generated code and once with every tape, however small, run by the interpreter
that big programs use (:mod:`autodiff.tape.interpreter`), so each test checks both."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import autodiff.tape.tape as tape_module


# Module scope: Hypothesis refuses function-scoped fixtures around its examples.
@pytest.fixture(scope="module", params=["generated", "interpreted"])
def both_replays(request: pytest.FixtureRequest) -> Iterator[str]:
    kept = tape_module.INTERPRET_ABOVE
    # A size no program has: every tape generated code; -1: every tape interpreted.
    tape_module.INTERPRET_ABOVE = 10**18 if request.param == "generated" else -1
    try:
        yield request.param
    finally:
        tape_module.INTERPRET_ABOVE = kept
