"""How fast and how big convviz.trace is, on the two cases issue 3 set targets for, with grad_output.

A script, not a test. For each case it measures, in one run, the engine's own conv2d +
conv2d_backward on the same arrays, then building the trace (time, and peak and retained memory by
tracemalloc), ``trace[i]`` and ``trace.state(i)`` for random frames i, and ``state(i + 1)`` right
after ``state(i)``; it prints one row per measurement with its target and the ratio to the engine.

    python benchmarks/bench_trace.py [--repeat 5] [--samples 200] [--seed 0] [--reference CHECKOUT]

With ``--reference CHECKOUT`` (another checkout of this repository, e.g. ``mkdir /tmp/before &&
git archive 1c37f8d | tar -x -C /tmp/before``) it then times that checkout's trace against this
one on the same arrays and frames, the two interleaved call by call so that a busy machine slows
both alike, and prints this/reference per measure: the check that a change costs no speed.

classroom: 1×3×128×128 input, 8 filters of 3×3.
stress:    1×3×512×512 input, 8 filters of 7×7 at dilation 2 (about 6 million frames).
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # spinning OpenBLAS threads skew the next call

import platform
import statistics
import tracemalloc

import numpy as np

from convviz.nn.functional import conv2d, conv2d_backward
from convviz.trace import trace_conv2d

from _timing import best_of, each_ms  # benchmarks/ is sys.path[0] when run as a script

CASES = [
    # name, input shape, weight shape, conv2d keyword arguments, targets
    ("classroom", (1, 3, 128, 128), (8, 3, 3, 3), {},
     dict(build_ms=20, frame_ms=1, state_ms=5)),
    ("stress", (1, 3, 512, 512), (8, 3, 7, 7), {"dilation": 2},
     dict(build_ratio=1.5, build_mb=300, frame_ms=5, state_ms=100)),
]


def row(case, measure, value, target="", ratio="", ok=None):
    verdict = "" if ok is None else ("yes" if ok else "NO")
    print(f"{case:10} {measure:44} {value:>14} {target:>12} {ratio:>10} {verdict:>4}")


def spread(times):
    """'median / max' of a list of milliseconds."""
    return f"{statistics.median(times):.3f} / {max(times):.3f}"


def run_case(name, input_shape, weight_shape, kwargs, targets, args, rng):
    x = rng.random(input_shape, dtype=np.float32)
    w = (rng.standard_normal(weight_shape) * 0.1).astype(np.float32)
    b = rng.standard_normal(weight_shape[0]).astype(np.float32)
    grad_output = rng.standard_normal(conv2d(x, w, b, **kwargs).shape).astype(np.float32)

    def engine():
        conv2d(x, w, b, **kwargs)
        conv2d_backward(grad_output, x, w, **kwargs)

    def build():
        return trace_conv2d(x, w, b, grad_output, **kwargs)

    engine_ms = best_of(engine, args.repeat)
    build_ms = best_of(build, args.repeat)
    tracemalloc.start()
    trace = build()
    retained, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    array_mb = (x.nbytes + w.nbytes + b.nbytes + 2 * grad_output.nbytes) / 2**20  # + output

    phases = ", ".join(f"{p.name} {p.count:,}" for p in trace.phases)
    print(f"\n{name}: input {input_shape}, weight {weight_shape}, {kwargs or 'stride 1, no padding'}; "
          f"{len(trace):,} frames ({phases})")
    row(name, "engine conv2d + conv2d_backward, best (ms)", f"{engine_ms:.2f}")
    ratio = build_ms / engine_ms
    if "build_ms" in targets:
        row(name, "build trace_conv2d, best (ms)", f"{build_ms:.2f}", f"< {targets['build_ms']} ms",
            f"{ratio:.2f}x", build_ms < targets["build_ms"])
    else:
        row(name, "build trace_conv2d, best (ms)", f"{build_ms:.2f}", f"<= {targets['build_ratio']}x engine",
            f"{ratio:.2f}x", ratio <= targets["build_ratio"])
    row(name, "build peak memory, tracemalloc (MB)", f"{peak / 2**20:.1f}",
        f"< {targets['build_mb']} MB" if "build_mb" in targets else "", "",
        peak / 2**20 < targets["build_mb"] if "build_mb" in targets else None)
    row(name, "trace retained memory (MB)", f"{retained / 2**20:.1f}", "",
        f"{retained / 2**20 / array_mb:.2f}x arrays")

    frames = rng.integers(0, len(trace), args.samples).tolist()
    frame_times = each_ms(lambda i: trace[i], frames)
    row(name, f"trace[i], {args.samples} random i: median / max (ms)", spread(frame_times),
        f"< {targets['frame_ms']} ms", "", max(frame_times) < targets["frame_ms"])

    # Random frames visited in decreasing order: every state is computed from scratch (the trace
    # only plays forward), and right after each one, state(i + 1) is played forward from it.
    state_samples = args.samples if name == "classroom" else max(20, args.samples // 5)
    scratch, played, phase_of = [], [], []
    for index in sorted(rng.integers(0, len(trace) - 1, state_samples).tolist(), reverse=True):
        scratch += each_ms(trace.state, [index])
        played += each_ms(trace.state, [index + 1])
        phase_of.append(trace.phase_at(index).name)
    row(name, f"state(i), {state_samples} random i: median / max (ms)", spread(scratch),
        f"< {targets['state_ms']} ms", f"{statistics.median(scratch) / engine_ms:.2f}x",
        max(scratch) < targets["state_ms"])
    ratio = statistics.median(played) / statistics.median(scratch)
    row(name, "state(i + 1) right after state(i): median / max", spread(played), "<< state(i)",
        f"{ratio:.2f}x", ratio < 0.5 if name == "stress" else None)
    for phase in dict.fromkeys(phase_of):
        mine = [k for k, p in enumerate(phase_of) if p == phase]
        row(name, f"  {phase} ({len(mine)}): state(i) / state(i+1), medians",
            f"{statistics.median(scratch[k] for k in mine):.2f} / "
            f"{statistics.median(played[k] for k in mine):.2f}")


def load_reference(checkout: str, into: str):
    """``checkout``'s convviz.trace, importable next to this one: its package copied into ``into``
    as ``convviz_reference``, every ``convviz`` in it renamed."""
    target = Path(into) / "convviz_reference"
    shutil.copytree(Path(checkout) / "convviz", target, ignore=shutil.ignore_patterns("__pycache__"))
    for path in target.rglob("*.py"):
        path.write_text(re.sub(r"\bconvviz\b", "convviz_reference", path.read_text()))
    sys.path.insert(0, into)
    return importlib.import_module("convviz_reference.trace")


def compare_case(name, input_shape, weight_shape, kwargs, reference, args, rng):
    """This trace against the reference's, each call of one followed by the same call of the other.
    (The reference runs on its own copy of the engine, so its build includes that engine.)"""
    x = rng.random(input_shape, dtype=np.float32)
    w = (rng.standard_normal(weight_shape) * 0.1).astype(np.float32)
    b = rng.standard_normal(weight_shape[0]).astype(np.float32)
    grad_output = rng.standard_normal(conv2d(x, w, b, **kwargs).shape).astype(np.float32)
    builders = {"this": trace_conv2d, "reference": reference.trace_conv2d}
    times = {measure: {"this": [], "reference": []} for measure in ("build", "frame", "scratch", "played")}
    for _ in range(args.repeat + 2):
        for who, build in builders.items():
            times["build"][who] += each_ms(lambda _: build(x, w, b, grad_output, **kwargs), [None])
    traces = {who: build(x, w, b, grad_output, **kwargs) for who, build in builders.items()}
    for index in rng.integers(0, len(traces["this"]), 2 * args.samples).tolist():
        for who, trace in traces.items():
            times["frame"][who] += each_ms(trace.__getitem__, [index])
    state_samples = args.samples // 2 if name == "classroom" else max(20, args.samples // 5)
    for index in sorted(rng.integers(0, len(traces["this"]) - 1, state_samples).tolist(), reverse=True):
        for who, trace in traces.items():
            times["scratch"][who] += each_ms(trace.state, [index])
            times["played"][who] += each_ms(trace.state, [index + 1])
    labels = {"build": f"build, best of {args.repeat + 2} (ms)",
              "frame": f"trace[i], {2 * args.samples} random i, median (ms)",
              "scratch": f"state(i), {state_samples} random i, median (ms)",
              "played": "state(i + 1) after state(i), median (ms)"}
    for measure, label in labels.items():
        summary = min if measure == "build" else statistics.median
        mine, theirs = summary(times[measure]["this"]), summary(times[measure]["reference"])
        print(f"{name:10} {label:44} {mine:>12.3f} {theirs:>12.3f} {mine / theirs:>14.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="builds and engine runs, best of")
    parser.add_argument("--samples", type=int, default=200, help="random frames for trace[i]")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reference", metavar="CHECKOUT", help="another checkout to time this trace against")
    args = parser.parse_args()
    print(f"convviz.trace benchmark: float32, numpy {np.__version__}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, OPENBLAS_THREAD_TIMEOUT={os.environ['OPENBLAS_THREAD_TIMEOUT']}")
    print(f"{'case':10} {'measure':44} {'value':>14} {'target':>12} {'ratio':>10} {'ok':>4}")
    rng = np.random.default_rng(args.seed)
    for case in CASES:
        run_case(*case, args, rng)
    if args.reference:
        with tempfile.TemporaryDirectory() as into:
            reference = load_reference(args.reference, into)
            print(f"\nagainst {args.reference}, interleaved")
            print(f"{'case':10} {'measure':44} {'this':>12} {'reference':>12} {'this/reference':>14}")
            for name, input_shape, weight_shape, kwargs, _ in CASES:
                compare_case(name, input_shape, weight_shape, kwargs, reference, args, rng)


if __name__ == "__main__":
    main()
