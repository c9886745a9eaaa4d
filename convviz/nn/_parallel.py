"""Running NumPy work on every core.

NumPy releases the GIL inside its copies, ufuncs and matrix products, so Python threads running
NumPy calls on separate pieces of an array use every core. That is how the engine parallelises
what the BLAS library cannot split well by itself: the many small matrix products of a
convolution, or the element-wise passes of an optimiser step.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from threadpoolctl import ThreadpoolController

CORES = os.cpu_count() or 1

_threads: ThreadPoolExecutor | None = None
_blas: ThreadpoolController | None = None


def map_on_all_cores(function, items) -> list:
    """``[function(item) for item in items]`` on a thread per core, in order.

    While the threads run, BLAS is held to one thread: its own spinning threads on top of ours
    would fight for the cores. NumPy's floating-point error state is per thread, so each thread
    silences inf - inf and overflow as the caller's code does (NaN and inf propagate as in torch).
    """
    global _threads, _blas
    items = list(items)
    if len(items) <= 1 or CORES == 1:
        return [function(item) for item in items]
    if _threads is None:
        _threads = ThreadPoolExecutor(max_workers=CORES, thread_name_prefix="convviz")
        _blas = ThreadpoolController()

    def quietly(item):
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            return function(item)

    with _blas.limit(limits=1, user_api="blas"):
        return list(_threads.map(quietly, items))
