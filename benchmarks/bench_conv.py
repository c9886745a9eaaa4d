"""Forward and backward time of each conv2d algorithm on each convolution of catdog_cnn().

A script, not a test. Batch 16, 224x224 input, float32, compared in the same run with torch at the
same thread count. Prints one row per (layer, algorithm) with milliseconds and the ratio to torch:
"bwd" computes all three gradients; "bwd w" only the weight and bias gradients, which is what
training needs from the first layer (nothing upstream wants the images' gradient).

    python benchmarks/bench_conv.py [--batch 16] [--repeat 5] [--algorithms im2col,strided,default]
                                    [--baseline DIR]

--baseline DIR adds, per row, the forward + backward time of the convviz of another checkout DIR
(imported alongside, as in bench_train.py) and this checkout's as a ratio of it, the two timed in
turn, best of twice --repeat.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # spinning OpenBLAS threads slow torch next

import numpy as np
import torch

from convviz.nn.functional import conv2d, conv2d_backward

from _timing import best_of  # benchmarks/ is sys.path[0] when run as a script
from bench_train import load_baseline

# (name, input shape without batch, weight shape, keyword arguments): the four convolutions of
# catdog_cnn() (../shared/SOURCE.md).
LAYERS = [
    ("conv1 3->16 11x11 s3", (3, 224, 224), (16, 3, 11, 11), dict(stride=3)),
    ("conv2 16->32 5x5", (16, 36, 36), (32, 16, 5, 5), {}),
    ("conv3 32->64 3x3 p1", (32, 16, 16), (64, 32, 3, 3), dict(padding=1)),
    ("conv4 64->64 3x3", (64, 16, 16), (64, 64, 3, 3), {}),
]


def interleaved_best_of(this, other, repeat):
    """Best times (ms) of ``this()`` and ``other()``, called in turn: a busy spell hits both."""
    this(), other()
    best = [float("inf"), float("inf")]
    for _ in range(repeat):
        for k, fn in enumerate((this, other)):
            start = time.perf_counter()
            fn()
            best[k] = min(best[k], time.perf_counter() - start)
    return best[0] * 1e3, best[1] * 1e3


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--algorithms", default="im2col,strided,default")
    parser.add_argument("--baseline", metavar="DIR", help="another checkout whose conv2d is timed alongside")
    args = parser.parse_args()
    algorithms = args.algorithms.split(",")
    baseline = load_baseline(args.baseline)[1].functional if args.baseline else None
    rng = np.random.default_rng(0)
    print(f"batch {args.batch}, float32, torch threads {torch.get_num_threads()}, best of {args.repeat}")
    print(f"{'layer':24} {'algorithm':10} {'fwd ms':>7} {'bwd ms':>7} {'bwd w':>7} {'torch fwd':>9} "
          f"{'torch bwd':>9} {'bwd w':>7} {'fwd x':>6} {'bwd x':>6} {'f+b x':>6} {'f+bw x':>6}"
          + (f" {'old f+b':>7} {'/old':>5}" if baseline else ""))
    for name, in_shape, w_shape, kwargs in LAYERS:
        x = rng.random((args.batch,) + in_shape, dtype=np.float32)
        w = (rng.standard_normal(w_shape) * 0.1).astype(np.float32)
        b = np.zeros(w_shape[0], dtype=np.float32)
        tx = torch.from_numpy(x).requires_grad_(True)
        tw = torch.from_numpy(w).requires_grad_(True)
        tb = torch.from_numpy(b).requires_grad_(True)
        ty = torch.nn.functional.conv2d(tx, tw, tb, **kwargs)
        gy = rng.standard_normal(ty.shape, dtype=np.float32)
        tgy = torch.from_numpy(gy)

        def torch_forward():
            with torch.no_grad():
                torch.nn.functional.conv2d(tx, tw, tb, **kwargs)

        def torch_backward():
            # Only the backward: autograd through a fresh graph, minus the forward measured above.
            tx.grad = tw.grad = tb.grad = None
            torch.nn.functional.conv2d(tx, tw, tb, **kwargs).backward(tgy)

        t_fwd = best_of(torch_forward, args.repeat)
        t_bwd = best_of(torch_backward, args.repeat) - t_fwd
        tx.requires_grad_(False)  # now autograd computes only the weight and bias gradients
        t_bwd_w = best_of(torch_backward, args.repeat) - t_fwd
        for algorithm in algorithms:
            alg = None if algorithm == "default" else algorithm
            fwd = best_of(lambda: conv2d(x, w, b, algorithm=alg, **kwargs), args.repeat)
            bwd = best_of(lambda: conv2d_backward(gy, x, w, algorithm=alg, **kwargs), args.repeat)
            bwd_w = best_of(lambda: conv2d_backward(gy, x, w, algorithm=alg, need_input_grad=False, **kwargs),
                            args.repeat)
            row = (f"{name:24} {algorithm:10} {fwd:7.1f} {bwd:7.1f} {bwd_w:7.1f} {t_fwd:9.1f} {t_bwd:9.1f} "
                   f"{t_bwd_w:7.1f} {fwd / t_fwd:6.2f} {bwd / t_bwd:6.2f} {(fwd + bwd) / (t_fwd + t_bwd):6.2f} "
                   f"{(fwd + bwd_w) / (t_fwd + t_bwd_w):6.2f}")
            if baseline:
                new, old = interleaved_best_of(
                    lambda: (conv2d(x, w, b, algorithm=alg, **kwargs),
                             conv2d_backward(gy, x, w, algorithm=alg, **kwargs)),
                    lambda: (baseline.conv2d(x, w, b, algorithm=alg, **kwargs),
                             baseline.conv2d_backward(gy, x, w, algorithm=alg, **kwargs)), 2 * args.repeat)
                row += f" {old:7.1f} {new / old:5.2f}"
            print(row)


if __name__ == "__main__":
    main()
