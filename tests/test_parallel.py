"""convviz.nn.parallel: threads per core that stay correct when callers are themselves threads,
nest, or fork; and the engine's chunked paths, forced to split every batch."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_info

import convviz.nn.parallel as parallel
import convviz.nn.functional.conv as conv
from convviz.nn.functional import conv2d, conv2d_backward

ROOT = Path(__file__).resolve().parent.parent
RNG = np.random.default_rng(11)
X = RNG.standard_normal((6, 4, 12, 12)).astype(np.float32)
W = RNG.standard_normal((6, 2, 3, 3)).astype(np.float32)
EXPECTED = conv2d(X, W, groups=2, padding=1, algorithm="im2col")


def blas_threads() -> list[int]:
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


@pytest.fixture
def two_cores(monkeypatch):
    """The threaded path runs even on a one-core machine."""
    monkeypatch.setattr(parallel, "CORES", 2)


def run_in_threads(count: int, work) -> list:
    """Start ``count`` threads together (a barrier) and return what each returned or raised."""
    barrier, results = threading.Barrier(count), [None] * count

    def body(k):
        barrier.wait()
        try:
            results[k] = work()
        except BaseException as error:  # noqa: BLE001 - reported to the test
            results[k] = error

    threads = [threading.Thread(target=body, args=(k,)) for k in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    return results


def test_first_calls_from_several_threads_at_once(two_cores, monkeypatch):
    monkeypatch.setattr(parallel, "_threads", None)
    monkeypatch.setattr(parallel, "_blas", None)
    results = run_in_threads(4, lambda: conv2d(X, W, groups=2, padding=1, algorithm="banded"))
    for result in results:
        assert not isinstance(result, BaseException), result
        np.testing.assert_allclose(result, EXPECTED, rtol=1e-5, atol=1e-5)


def test_blas_thread_count_is_restored_after_overlapping_calls(two_cores):
    before = blas_threads()
    run_in_threads(4, lambda: [conv2d(X, W, groups=2, padding=1, algorithm="banded") for _ in range(20)])
    assert blas_threads() == before


def test_a_worker_that_calls_the_engine_runs_it_serially_instead_of_deadlocking(two_cores):
    done = []
    thread = threading.Thread(target=lambda: done.append(
        parallel.map_on_all_cores(lambda k: conv2d(X, W, groups=2, padding=1, algorithm="banded"), range(4))))
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive(), "nested map_on_all_cores deadlocked"
    for result in done[0]:
        np.testing.assert_allclose(result, EXPECTED, rtol=1e-5, atol=1e-5)


def test_results_come_back_in_order(two_cores):
    assert parallel.map_on_all_cores(lambda k: k * k, range(10)) == [k * k for k in range(10)]


def test_a_forked_child_can_still_convolve():
    script = (
        "import multiprocessing as mp, numpy as np\n"
        "import convviz.nn.parallel as parallel\n"
        "from convviz.nn.functional import conv2d\n"
        "parallel.CORES = 2\n"
        "x = np.ones((4, 3, 16, 16), np.float32); w = np.ones((2, 3, 3, 3), np.float32)\n"
        "conv2d(x, w, algorithm='banded')\n"
        "def child(): raise SystemExit(0 if conv2d(x, w, algorithm='banded')[0, 0, 0, 0] == 27 else 1)\n"
        "p = mp.get_context('fork').Process(target=child); p.start(); p.join(60)\n"
        "if p.is_alive(): p.kill(); raise SystemExit('the forked child hung')\n"
        "raise SystemExit(p.exitcode)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("algorithm", ["im2col", "banded"])
@pytest.mark.parametrize("stride", [1, 2])
def test_every_chunk_boundary_gives_the_same_numbers(monkeypatch, two_cores, algorithm, stride):
    # One byte per chunk forces one image per chunk, so every batch is split.
    monkeypatch.setattr(conv, "IM2COL_CHUNK_BYTES", 1)
    monkeypatch.setattr(conv, "BANDED_CHUNK_BYTES", 1)
    x = RNG.standard_normal((5, 4, 9, 10))
    w = RNG.standard_normal((6, 2, 3, 2))
    gy = RNG.standard_normal(conv2d(x, w, stride=stride, groups=2, algorithm="loops").shape)
    y = conv2d(x, w, stride=stride, groups=2, algorithm=algorithm)
    np.testing.assert_allclose(y, conv2d(x, w, stride=stride, groups=2, algorithm="loops"), rtol=1e-10, atol=1e-12)
    for ours, reference in zip(conv2d_backward(gy, x, w, stride=stride, groups=2, algorithm=algorithm),
                               conv2d_backward(gy, x, w, stride=stride, groups=2, algorithm="loops")):
        np.testing.assert_allclose(ours, reference, rtol=1e-10, atol=1e-12)
