"""Timing shared by the benchmark scripts.

The scripts run as ``python benchmarks/<script>.py``, so benchmarks/ is sys.path[0] and they
import this as ``from _timing import best_of``.
"""

from __future__ import annotations

import time


def best_of(fn, repeat):
    """The best of ``repeat`` timed calls of ``fn()``, in milliseconds, after one untimed call to
    warm up caches, the allocator and BLAS threads."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times) * 1e3
