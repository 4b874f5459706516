"""Python's cyclic garbage collector, paused while a bulk walk builds many small containers.

The collector runs whenever enough new containers (lists, tuples, dicts) have been made, and a
full collection visits every live object: on a graph of a million Values, a drawing or a
ledger that makes a few containers per node triggered collections that took two thirds of
its time, visiting the same graph again and again while finding nothing to free. The walks
over a finished graph (drawing, explaining, compiling a tape) make no reference cycles of
their own, so they run with the collector paused; it is switched back on afterwards, and any
cycles made meanwhile are freed by its next run.
A training step is the other case. Each step builds a graph of tens of thousands of Values
and drops it at the next. With CPython's default thresholds the collector runs every 700 new
containers during the step, finds the graph alive, and promotes it to older generations,
which are then scanned again, whole, with every other object of the process, until the graph
dies: on micrograd's demo step that is a third of the step, more than half with torch
imported (docs/performance.md). A step run inside :func:`collector_paused` triggers no
collection; when it ends, its graph has been freed by reference counting, and the young
collection that follows finds almost nothing alive. ``nn.fit`` runs each of its steps so.
Building a graph and ``backward()`` on their own run with the collector as the user has it.

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

    For one training step (forward, ``backward()``, update) written by hand, as ``nn.fit``
    runs its own; not for a whole training loop, whose reference cycles, if it makes any,
    would then never be freed. A collector the user switched off stays off. Threads share
    the switch: if two threads pause it at once, it is back on when the first one leaves (a
    pause is a speed-up, never needed for correctness), and never left off by a pause that
    found it on.

    Example:
        >>> from autodiff import Value
        >>> w = Value(0.5)
        >>> for _ in range(3):
        ...     with collector_paused():
        ...         w.grad = 0.0
        ...         loss = (w * 3.0 - 1.0) ** 2
        ...         loss.backward()
        ...         w.data -= 0.1 * w.grad
        >>> round(w.data, 6)
        0.248
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
