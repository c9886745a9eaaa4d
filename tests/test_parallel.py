"""convviz.nn.parallel: threads per core that stay correct when callers are themselves threads,
nest, or fork; ``parallel.CORES`` as the one setting of both the threads and the engine's
pieces; and the engine's chunked paths, forced to split every batch."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_info

import convviz.nn.parallel as parallel
from convviz import optim
from convviz.nn import Parameter
from convviz.nn.functional import (batch_norm, conv2d, conv2d_backward, conv_banded, conv_im2col, max_pool2d,
                                   relu)

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
    results = run_in_threads(4, lambda: [conv2d(X, W, groups=2, padding=1, algorithm="banded") for _ in range(20)])
    assert blas_threads() == before
    for result in results:  # and every overlapping call finished with the right numbers
        assert not isinstance(result, BaseException), result
        for y in result:
            np.testing.assert_allclose(y, EXPECTED, rtol=1e-5, atol=1e-5)


def test_a_worker_that_calls_the_engine_runs_it_serially_instead_of_deadlocking(two_cores):
    (results,) = run_in_threads(1, lambda: parallel.map_on_all_cores(
        lambda k: conv2d(X, W, groups=2, padding=1, algorithm="banded"), range(4)))
    assert not isinstance(results, BaseException), results
    assert len(results) == 4
    for result in results:
        np.testing.assert_allclose(result, EXPECTED, rtol=1e-5, atol=1e-5)


def test_an_exception_in_a_worker_reaches_the_caller(two_cores):
    def work(k):
        if k == 3:
            raise ValueError("piece 3 failed")
        return k

    with pytest.raises(ValueError, match="piece 3 failed"):
        parallel.map_on_all_cores(work, range(6))
    assert parallel.map_on_all_cores(lambda k: k, range(6)) == list(range(6))  # the pool still works


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
    monkeypatch.setattr(conv_im2col, "IM2COL_CHUNK_BYTES", 1)
    monkeypatch.setattr(conv_banded, "BANDED_CHUNK_BYTES", 1)
    x = RNG.standard_normal((5, 4, 9, 10))
    w = RNG.standard_normal((6, 2, 3, 2))
    gy = RNG.standard_normal(conv2d(x, w, stride=stride, groups=2, algorithm="loops").shape)
    y = conv2d(x, w, stride=stride, groups=2, algorithm=algorithm)
    np.testing.assert_allclose(y, conv2d(x, w, stride=stride, groups=2, algorithm="loops"), rtol=1e-10, atol=1e-12)
    for ours, reference in zip(conv2d_backward(gy, x, w, stride=stride, groups=2, algorithm=algorithm),
                               conv2d_backward(gy, x, w, stride=stride, groups=2, algorithm="loops")):
        np.testing.assert_allclose(ours, reference, rtol=1e-10, atol=1e-12)


# ----------------------------------------------------------------------------------------------
# parallel.CORES is the one setting: it decides how many pieces each caller cuts its work into
# and how many threads run them.


def adam_step(x):
    """One Adam step over a parameter of four CHUNK-sized slices (x: its gradient)."""
    param = Parameter(np.ones_like(x))
    param.grad = x
    optim.Adam([param], lr=0.1).step()
    return param.data


RNG_CORES = np.random.default_rng(5)
CORES_CALLERS = {
    # name: (work, its input; every input is large enough to be split on every core)
    "conv2d banded forward": (lambda x: conv2d(x, W, groups=2, algorithm="banded"),
                              RNG_CORES.standard_normal((6, 4, 12, 12)).astype(np.float32)),
    "conv2d banded weight gradient": (
        lambda x: conv2d_backward(np.ones((6, 6, 10, 10), np.float32), x, W, groups=2, algorithm="banded",
                                  need_input_grad=False)[1],
        RNG_CORES.standard_normal((6, 4, 12, 12)).astype(np.float32)),
    "relu": (lambda x: relu(x), RNG_CORES.standard_normal(2**20 + 6).astype(np.float32)),
    "batch_norm": (lambda x: batch_norm(x, None, None, None, None, True),
                   RNG_CORES.standard_normal((4, 6, 160, 160)).astype(np.float32)),
    "max_pool2d 2x2": (lambda x: max_pool2d(x, 2, 2), RNG_CORES.standard_normal((6, 4, 128, 128)).astype(np.float32)),
    "Adam step": (adam_step, RNG_CORES.standard_normal(4 * optim.CHUNK).astype(np.float32)),
}


def record_pieces_and_require_threads(monkeypatch, threads: int) -> list[int]:
    """Replace parallel.map_on_all_cores by a spy that records how many pieces each call gets and
    makes the pieces meet at a barrier of ``threads``: a call then finishes only if that many
    threads run its pieces at the same time (the barrier breaks after 20 s otherwise)."""
    pieces, real = [], parallel.map_on_all_cores

    def spy(function, items):
        items = list(items)
        pieces.append(len(items))
        barrier = threading.Barrier(threads, timeout=20)

        def together(item):
            barrier.wait()
            return function(item)

        return real(together, items)

    monkeypatch.setattr(parallel, "map_on_all_cores", spy)
    return pieces


@pytest.mark.parametrize("cores", [3, 4])
@pytest.mark.parametrize("caller", list(CORES_CALLERS))
def test_patching_parallel_cores_changes_both_the_pieces_and_the_threads(monkeypatch, caller, cores):
    work, x = CORES_CALLERS[caller]
    monkeypatch.setattr(parallel, "CORES", 1)
    expected = work(x.copy())
    monkeypatch.setattr(parallel, "CORES", cores)
    pieces = record_pieces_and_require_threads(monkeypatch, cores)
    result = work(x.copy())
    assert pieces, f"{caller} did not run on the cores"
    assert all(count > 1 and count % cores == 0 for count in pieces), (
        f"{caller} cut its work into {pieces} pieces; with CORES = {cores} it must be a multiple of {cores}")
    np.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-5)


def test_with_one_core_nothing_is_split(monkeypatch):
    monkeypatch.setattr(parallel, "CORES", 1)
    pieces = record_pieces_and_require_threads(monkeypatch, 1)
    for work, x in CORES_CALLERS.values():
        work(x.copy())
    assert all(count == 1 for count in pieces), pieces
