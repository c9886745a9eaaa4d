"""How fast the transposed-convolution trace answers the window (issue 10): building it, frames,
and ``state(i)`` for arbitrary frames, which the player asks for at up to 60 frames/s.

A script, not a test. Per case, in one run: the engine's own conv_transpose2d on the same arrays
(the reference the ratios are taken against), building the trace, ``trace[i]`` and
``trace.state(i)`` for random frames (visited in decreasing order, so every state is computed
from scratch), ``state(i + 1)`` right after ``state(i)`` (played forward, as while playing), and the
direct road's conv2d trace and its ``state(i)``. The target for a state is the 16.7 ms of one
frame at 60 frames/s.

    python benchmarks/bench_trace_transposed.py [--repeat 5] [--samples 200] [--seed 0]

window:   1×3×64×64 input, 8 output channels, 3×3 kernel, stride 2 (the window's largest case).
classic:  the same with padding 1, output_padding 1 (the usual 2× upsampling layer).
wide:     1×16×64×64 input, 16 output channels, stride 2, groups 1 (beyond the window).
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # spinning OpenBLAS threads skew the next call

import platform
import statistics

import numpy as np

from convviz.nn.functional import conv_transpose2d
from convviz.trace import trace_conv_transpose2d

from _timing import FRAME_BUDGET_MS, best_of, each_ms, spread  # benchmarks/ is sys.path[0] when run as a script

CASES = [
    ("window", (1, 3, 64, 64), (3, 8, 3, 3), dict(stride=2)),
    ("classic", (1, 3, 64, 64), (3, 8, 3, 3), dict(stride=2, padding=1, output_padding=1)),
    ("wide", (1, 16, 64, 64), (16, 16, 3, 3), dict(stride=2)),
]


def row(case, measure, value, target="", ratio="", ok=None):
    verdict = "" if ok is None else ("yes" if ok else "NO")
    print(f"{case:8} {measure:44} {value:>24} {target:>8} {ratio:>7} {verdict:>3}")


def run_case(name, input_shape, weight_shape, kwargs, args, rng):
    x = rng.random(input_shape, dtype=np.float32)
    w = (rng.standard_normal(weight_shape) * 0.1).astype(np.float32)
    b = rng.standard_normal(weight_shape[1]).astype(np.float32)
    engine_ms = best_of(lambda: conv_transpose2d(x, w, b, **kwargs), args.repeat)
    build_ms = best_of(lambda: trace_conv_transpose2d(x, w, b, **kwargs), args.repeat)
    trace = trace_conv_transpose2d(x, w, b, **kwargs)
    phases = ", ".join(f"{p.name} {p.count:,}" for p in trace.phases)
    print(f"\n{name}: input {input_shape}, weight {weight_shape}, {kwargs}; full plane {trace.full_shape}, "
          f"output {trace.output_shape}; {len(trace):,} frames ({phases})")
    row(name, "engine conv_transpose2d, best (ms)", f"{engine_ms:.2f}")
    row(name, "build trace_conv_transpose2d, best (ms)", f"{build_ms:.2f}", "", f"{build_ms / engine_ms:.1f}x")

    frames = rng.integers(0, len(trace), args.samples).tolist()
    frame_times = each_ms(lambda i: trace[i], frames)
    row(name, f"trace[i], {args.samples} random i (ms)", spread(frame_times),
        f"< {FRAME_BUDGET_MS:.1f}", "", max(frame_times) < FRAME_BUDGET_MS)

    scratch, played = [], []
    for index in sorted(rng.integers(0, len(trace) - 1, args.samples).tolist(), reverse=True):
        scratch += each_ms(trace.state, [index])
        played += each_ms(trace.state, [index + 1])
    row(name, f"state(i), {args.samples} random i (ms)", spread(scratch),
        f"< {FRAME_BUDGET_MS:.1f}", f"{statistics.median(scratch) / engine_ms:.2f}x", max(scratch) < FRAME_BUDGET_MS)
    row(name, "state(i + 1) right after state(i) (ms)", spread(played),
        "", f"{statistics.median(played) / statistics.median(scratch):.2f}x")
    sequential = each_ms(trace.state, range(len(trace) // 2, len(trace) // 2 + args.samples))
    row(name, f"state(i) for {args.samples} consecutive i (ms)", spread(sequential),
        f"< {FRAME_BUDGET_MS:.1f}", "", max(sequential) < FRAME_BUDGET_MS)
    row(name, "state(last) (after the crop), ms", spread(each_ms(trace.state, [-1, 0, -1, 0, -1])))

    fresh = [trace_conv_transpose2d(x, w, b, **kwargs) for _ in range(args.repeat)]
    road_ms = min(each_ms(lambda t: t.direct_road(), fresh))
    road = trace.direct_road()
    road_states = each_ms(road.state, sorted(rng.integers(0, len(road), args.samples).tolist(), reverse=True))
    row(name, "direct_road(), first call, best (ms)", f"{road_ms:.2f}")
    row(name, f"direct road state(i), {args.samples} random i (ms)", spread(road_states),
        f"< {FRAME_BUDGET_MS:.1f}", "", max(road_states) < FRAME_BUDGET_MS)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(f"convviz transposed trace benchmark: float32, numpy {np.__version__}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"{'case':8} {'measure':44} {'median / p95 / max':>24} {'target':>8} {'ratio':>7} {'ok':>3}")
    rng = np.random.default_rng(args.seed)
    for case in CASES:
        run_case(*case, args, rng)


if __name__ == "__main__":
    main()
