"""Forward and backward time of conv_transpose2d against torch, and of its two roads.

A script, not a test. float32, torch at its default thread count, everything measured in the same
run. Per layer: our forward (the scatter: col2im of Wᵀ·x), the "direct" road for comparison (the
same numbers as a banded conv2d over the zero-inserted, padded input with the rotated kernel), our
backward (all three gradients) and torch's, and the ratios to torch.

    python benchmarks/bench_conv_transpose.py [--batch 16] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # spinning OpenBLAS threads slow torch next

import numpy as np
import torch

from convviz.nn.functional import conv_transpose2d, conv_transpose2d_backward, pad2d_backward
from convviz.nn.functional import transposed_conv_input_grad
from convviz.nn.functional.conv_transpose import adjoint_geometry

from _timing import best_of  # benchmarks/ is sys.path[0] when run as a script

# (name, input shape without batch, weight shape (C, F/G, KH, KW), keyword arguments): the
# up-sampling layers of a small decoder, and a stride-1 one where the direct road wastes nothing.
LAYERS = [
    ("64->32 4x4 s2 p1", (64, 16, 16), (64, 32, 4, 4), dict(stride=2, padding=1)),
    ("32->16 3x3 s2 p1 op1", (32, 32, 32), (32, 16, 3, 3), dict(stride=2, padding=1, output_padding=1)),
    ("16->3 3x3 s1 p1", (16, 64, 64), (16, 3, 3, 3), dict(padding=1)),
]


def direct_road(x, w, **options):
    """The transposed convolution as a banded conv2d over the zero-inserted input (no bias)."""
    geo = adjoint_geometry(x, w, None, **options)
    return pad2d_backward(transposed_conv_input_grad(x, w, geo, "banded"), geo.pads)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"batch {args.batch}, float32, torch threads {torch.get_num_threads()}, best of {args.repeat}")
    print(f"{'layer':22} {'fwd ms':>7} {'direct':>7} {'bwd ms':>7} {'torch fwd':>9} {'torch f+b':>9} "
          f"{'fwd x':>6} {'f+b x':>6}")
    for name, in_shape, w_shape, options in LAYERS:
        x = rng.standard_normal((args.batch,) + in_shape, dtype=np.float32)
        w = (rng.standard_normal(w_shape) * 0.1).astype(np.float32)
        b = np.zeros(w_shape[1], dtype=np.float32)
        y = conv_transpose2d(x, w, b, **options)
        np.testing.assert_allclose(direct_road(x, w, **options), y, rtol=1e-4, atol=1e-4)
        gy = rng.standard_normal(y.shape, dtype=np.float32)
        tx, tw, tb = (torch.from_numpy(a).requires_grad_(True) for a in (x, w, b))
        tgy = torch.from_numpy(gy)

        def torch_forward():
            with torch.no_grad():
                torch.nn.functional.conv_transpose2d(tx, tw, tb, **options)

        def torch_forward_backward():
            tx.grad = tw.grad = tb.grad = None
            torch.nn.functional.conv_transpose2d(tx, tw, tb, **options).backward(tgy)

        t_fwd = best_of(torch_forward, args.repeat)
        t_both = best_of(torch_forward_backward, args.repeat)
        fwd = best_of(lambda: conv_transpose2d(x, w, b, **options), args.repeat)
        direct = best_of(lambda: direct_road(x, w, **options), args.repeat)
        bwd = best_of(lambda: conv_transpose2d_backward(gy, x, w, **options), args.repeat)
        print(f"{name:22} {fwd:7.1f} {direct:7.1f} {bwd:7.1f} {t_fwd:9.1f} {t_both:9.1f} "
              f"{fwd / t_fwd:6.2f} {(fwd + bwd) / t_both:6.2f}")


if __name__ == "__main__":
    main()
