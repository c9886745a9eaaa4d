"""Loading the 2,400 cat/dog photos (cold and cached) and generating the built-in dataset.

    python benchmarks/bench_data.py [--photos ../shared/data/cat-and-dog] [--repeat 2]

The reference, measured in the same run, is the source's loop done right: one thread reading
each file with cv2.imread, resizing with INTER_AREA, BGR -> RGB, transposing and scaling, one
image after another. "cold" is load_folder with an empty cache folder (it decodes every photo on a
thread per core and writes the cache); "cached" is the same call again (it reads the cache).
Every timing is the best of --repeat runs.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from convviz.data import builtin, builtin_dataset, load_folder  # noqa: E402
from convviz.nn.parallel import CORES  # noqa: E402

DEFAULT_PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "data" / "cat-and-dog"


def best_seconds(fn, repeat, before=None):
    """(wall, cpu): the best wall-clock seconds of ``repeat`` calls of ``fn()`` and the CPU seconds
    (all threads) of that call; ``before()`` runs untimed before each. CPU time shows the work done
    even when other processes share the cores and stretch the wall-clock time."""
    best = (float("inf"), 0.0)
    for _ in range(repeat):
        if before is not None:
            before()
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        best = min(best, (time.perf_counter() - start, time.process_time() - cpu))
    return best


def serial_reference(paths, size):
    images = np.empty((len(paths), 3, size, size), np.float32)
    for i, path in enumerate(paths):
        bgr = cv2.imread(path, cv2.IMREAD_COLOR)
        small = cv2.resize(bgr, (size, size), interpolation=cv2.INTER_AREA)
        images[i] = small[..., ::-1].transpose(2, 0, 1) / np.float32(255)
    return images


def format_time(wall_and_cpu):
    return f"{wall_and_cpu[0]:.2f} ({wall_and_cpu[1]:.2f})"


@contextlib.contextmanager
def one_thread_drawing():
    """The built-in dataset drawn chunk after chunk on the calling thread."""
    original = builtin.map_on_all_cores
    builtin.map_on_all_cores = lambda function, items: [function(item) for item in items]
    try:
        yield
    finally:
        builtin.map_on_all_cores = original


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    print(f"cores {CORES}, OpenCV {cv2.__version__}, OpenCV threads {cv2.getNumThreads()}, numpy {np.__version__}")

    cache = Path(tempfile.mkdtemp(prefix="bench-data-cache-"))
    try:
        if args.photos.is_dir():
            paths = [str(p) for p in sorted(args.photos.glob("*_set/*/*.jpg"))]
            print(f"\nloading {len(paths)} photos from {args.photos} (1000 + 200 per class)")
            print("seconds wall (cpu)")
            print(f"{'size':>5} {'serial reference':>17} {'cold':>13} {'cached':>12} {'ref/cold':>9} "
                  f"{'cold/cached':>12} {'cold img/s':>11}")
            for size in (64, 224):
                load = lambda: load_folder(args.photos, size=size, cache_dir=cache)  # noqa: E731
                empty_cache = lambda: shutil.rmtree(cache, ignore_errors=True)  # noqa: E731
                reference = best_seconds(lambda: serial_reference(paths, size), args.repeat)
                cold = best_seconds(load, args.repeat, before=empty_cache)
                cached = best_seconds(load, args.repeat)
                print(f"{size:>5} {format_time(reference):>17} {format_time(cold):>13} {format_time(cached):>12} "
                      f"{reference[0] / cold[0]:>8.2f}x {cold[0] / cached[0]:>11.1f}x {len(paths) / cold[0]:>11.0f}")
        else:
            print(f"\n{args.photos} is not there: photo loading not measured")

        print("\nbuilt-in dataset (1000 + 200 per class, 2,400 images); reference: the same drawing on one thread")
        print("seconds wall (cpu)")
        print(f"{'size':>5} {'one thread':>13} {'all cores':>13} {'ratio':>7} {'images/s':>9}")
        for size in (64, 224):
            with one_thread_drawing():
                serial = best_seconds(lambda: builtin_dataset(size=size), args.repeat)
            parallel = best_seconds(lambda: builtin_dataset(size=size), args.repeat)
            print(f"{size:>5} {format_time(serial):>13} {format_time(parallel):>13} "
                  f"{serial[0] / parallel[0]:>6.2f}x {2400 / parallel[0]:>9.0f}")
    finally:
        shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
