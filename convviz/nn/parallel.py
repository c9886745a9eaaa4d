"""Running NumPy work on every core.

NumPy releases the GIL inside its copies, ufuncs and matrix products, so Python threads running
NumPy calls on separate pieces of an array use every core. That is how the engine parallelises
what the BLAS library cannot split well by itself: the many small matrix products of a
convolution, or the element-wise passes of an optimiser step.

Safe to call from several threads at once, from inside its own workers (the inner call then runs
serially instead of waiting on workers that are all busy waiting), and after ``os.fork``.

``CORES`` is the one setting of how many threads the engine uses: every caller reads
``parallel.CORES`` when it runs (to cut its work into that many pieces, or a multiple), and
``map_on_all_cores`` runs that many threads. Set it (or monkeypatch it in a test) to change both.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from threadpoolctl import ThreadpoolController


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # respects taskset and container CPU sets
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# How many threads map_on_all_cores runs, and how many pieces the engine's callers cut work into.
CORES = _usable_cores()

__all__ = ["CORES", "map_on_all_cores"]

_lock = threading.Lock()
_threads: ThreadPoolExecutor | None = None
_thread_count = 0  # the workers _threads was made with
_blas: ThreadpoolController | None = None
_blas_users = 0  # map_on_all_cores calls running now, in any thread
_blas_limiter = None  # restores BLAS's own thread count when the last of them ends
_in_worker = threading.local()


def _forget_threads_after_fork() -> None:
    """A forked child inherits the pool's bookkeeping but none of its threads: start afresh."""
    global _lock, _threads, _thread_count, _blas, _blas_users, _blas_limiter
    _lock, _threads, _thread_count, _blas, _blas_users, _blas_limiter = threading.Lock(), None, 0, None, 0, None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_threads_after_fork)


def _start_parallel_section() -> ThreadPoolExecutor:
    """Make the pool on first use (again if CORES changed while no call was running), and hold
    BLAS to one thread while any caller runs: BLAS's own spinning threads on top of ours would
    fight for the cores. The limit is process-wide (BLAS has one setting), so it is set by the
    first caller in and restored by the last one out."""
    global _threads, _thread_count, _blas, _blas_users, _blas_limiter
    with _lock:
        if _blas is None:
            _blas = ThreadpoolController()
        if _threads is None or (_thread_count != CORES and _blas_users == 0):
            if _threads is not None:
                _threads.shutdown(wait=False)  # idle: no call is running
            _threads = ThreadPoolExecutor(max_workers=CORES, thread_name_prefix="convviz")
            _thread_count = CORES
        if _blas_users == 0:
            _blas_limiter = _blas.limit(limits=1, user_api="blas")
        _blas_users += 1
        return _threads


def _end_parallel_section() -> None:
    global _blas_users, _blas_limiter
    with _lock:
        _blas_users -= 1
        if _blas_users == 0:
            _blas_limiter.restore_original_limits()
            _blas_limiter = None


def map_on_all_cores(function, items) -> list:
    """``[function(item) for item in items]`` on ``CORES`` threads, results in order; an
    exception in any call is raised here. Calls from inside a worker run serially.

    NumPy's floating-point error state is per thread, so each worker silences inf - inf and
    overflow as the engine's own code does (NaN and inf propagate silently, as in torch).
    """
    items = list(items)
    if len(items) <= 1 or CORES == 1 or getattr(_in_worker, "active", False):
        return [function(item) for item in items]

    def in_worker(item):
        _in_worker.active = True
        try:
            with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
                return function(item)
        finally:
            _in_worker.active = False

    threads = _start_parallel_section()
    try:
        return list(threads.map(in_worker, items))
    finally:
        _end_parallel_section()
