"""Python's cyclic garbage collector, paused while a bulk walk builds many small containers.

The collector runs whenever enough new containers (lists, tuples, dicts) have been made, and a
full collection visits every live object: on a graph of a million Values, a drawing or a
ledger that makes a few containers per node triggered collections that took two thirds of
its time, visiting the same graph again and again while finding nothing to free. The walks
over a finished graph (drawing, explaining, compiling a tape) make no reference cycles of
their own, so they run with the collector paused; it is switched back on afterwards, and any
cycles made meanwhile are freed by its next run. Building a graph and the backward pass are
left alone: they run with the collector as the user has it.

Example:
    >>> import gc
    >>> with collector_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector inside the block, as it was before afterwards.

    A collector the user switched off stays off. Threads share the switch: if two threads
    pause it at once, it is back on when the first one leaves (a pause is a speed-up, never
    needed for correctness), and never left off by a pause that found it on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
