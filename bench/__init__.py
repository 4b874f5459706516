"""Benchmarks: this engine next to micrograd, PyTorch, numpy and hand-written floats.

Run ``python -m bench`` (or ``make bench``); see ``docs/performance.md``.
"""
