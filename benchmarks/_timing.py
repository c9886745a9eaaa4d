"""Timing shared by the benchmark scripts.

The scripts run as ``python benchmarks/<script>.py``, so benchmarks/ is sys.path[0] and they
import this as ``from _timing import best_of``.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

FRAME_BUDGET_MS = 1000 / 60  # a frame's time at 60 frames/s


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


def each_ms(fn, arguments) -> list[float]:
    """``fn(argument)`` timed once for each argument, in milliseconds."""
    times = []
    for argument in arguments:
        start = time.perf_counter()
        fn(argument)
        times.append((time.perf_counter() - start) * 1e3)
    return times


def spread(times) -> str:
    """'median / 95th percentile / max' of a list of milliseconds."""
    return f"{statistics.median(times):.3f} / {np.percentile(times, 95):.3f} / {max(times):.3f}"
