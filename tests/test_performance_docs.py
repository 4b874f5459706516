"""The examples in docs/performance.md run as written."""

from __future__ import annotations

import doctest
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"


def test_performance_doc_examples_run() -> None:
    text = DOC.read_text(encoding="utf-8").replace("```python\n", "").replace("```", "")
    parser = doctest.DocTestParser()
    test = parser.get_doctest(text, {}, "performance.md", str(DOC), 0)
    assert test.examples, "the page has examples"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
