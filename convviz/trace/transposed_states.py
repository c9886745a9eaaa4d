"""A transposed convolution's state after frame i: from the record's checkpoints and one input
channel scattered on demand (in the frames' order, so bit for bit the frames replayed), or played
forward from the last state asked for when that is a few frames back.

The state arrays, in the caller's layout (no batch axis for an unbatched input):

    "full"    (N, F, Hf, Wf)  the full plane so far
    "counts"  (N, F, Hf, Wf)  int: products landed so far on each full-plane cell
    "output"  (N, F, OH, OW)  0 and not written until the crop, then the engine's output

``written`` is True where some frame so far has added something (for "full" and "counts", the
cells with a count above 0).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import MappingProxyType

import numpy as np

from .frames import TraceState, read_only
from .states import Progress
from .transposed_frames import TransposedFrame, TransposedLayout
from .transposed_record import TransposedRecord, axis_counts, scatter_channel

# Playing forward from the last state asked for applies the frames in between one by one when there
# are at most this many (a frame costs about 0.1 ms, a state from scratch 1-2 ms at 1×3×64×64);
# a longer jump is cheaper computed from scratch (benchmarks/bench_trace_transposed.py).
TRANSPOSED_REPLAY_LIMIT = 8


class TransposedStateCache:
    """``state(applied)``: the state after the first ``applied`` frames. Thread-safe."""

    def __init__(self, record: TransposedRecord, layout: TransposedLayout, frame: Callable[[int], TransposedFrame]):
        self.record, self.layout, self.frame = record, layout, frame
        self._progress: Progress | None = None
        self._lock = threading.Lock()

    def state(self, applied: int) -> TraceState:
        with self._lock:
            progress = self._progress
            if progress is not None and 0 <= applied - progress.applied <= TRANSPOSED_REPLAY_LIMIT:
                while progress.applied < applied:
                    progress.play(self.frame(progress.applied))
                return self._hand_out(progress)
        progress = state_from_scratch(self.record, self.layout, applied)  # reads only frozen arrays
        with self._lock:
            self._progress = progress
            return self._hand_out(progress)

    def _hand_out(self, progress: Progress) -> TraceState:
        """Read-only views of ``progress``'s arrays, copied before their next change (lock held)."""
        progress.shared = set(progress.arrays)
        shown = lambda arrays: MappingProxyType({k: read_only(v.view()) for k, v in arrays.items()})  # noqa: E731
        index = progress.applied - 1
        return TraceState(index, self.layout.phase_at(index).name, shown(progress.arrays), shown(progress.written))


def state_from_scratch(record: TransposedRecord, layout: TransposedLayout, applied: int) -> Progress:
    full, counts = full_after(record, layout.done_in("scatter", applied))
    output = np.zeros_like(record.output)
    output_written = np.zeros(output.shape, dtype=bool)
    if layout.done_in("crop", applied):
        output[...], output_written[...] = record.output, True
    touched = counts > 0
    arrays = {"full": full, "counts": counts, "output": output}
    written = {"full": touched, "counts": touched.copy(), "output": output_written}
    return Progress(applied, {k: record.in_caller_layout(v) for k, v in arrays.items()},
                    {k: record.in_caller_layout(v) for k, v in written.items()})


def full_after(record: TransposedRecord, done: int) -> tuple[np.ndarray, np.ndarray]:
    """The full plane and the counts after the first ``done`` scatter frames, (N, F, Hf, Wf) each.

    Images before n0 and groups before the current one are the record's final planes; the current
    group starts from its last checkpoint and scatters the channels from there on in the frames'
    order, the current channel up to element (iy0, ix0)."""
    g = record.geometry
    cin, fout = g.in_per_group, g.out_per_group
    per_channel = record.full_counts()
    shape = (g.batch, g.out_channels, g.full_height, g.full_width)
    if done == g.elements:
        return record.full.copy(), np.broadcast_to(cin * per_channel, shape).copy()
    n0, c0, iy0, ix0 = (int(v) for v in np.unravel_index(done, (g.batch, g.in_channels, g.height, g.width)))
    group, local0 = divmod(c0, cin)
    planes = slice(group * fout, (group + 1) * fout)
    full = np.zeros(shape, dtype=record.dtype)
    counts = np.zeros(shape, dtype=np.int64)
    full[:n0] = record.full[:n0]
    full[n0, : planes.start] = record.full[n0, : planes.start]
    counts[:n0] = counts[n0, : planes.start] = cin * per_channel

    every = record.checkpoint_every
    checkpoint = local0 // every
    group_planes = full[n0, planes]
    if checkpoint:
        group_planes[...] = record.checkpoints[n0, group, checkpoint - 1]
    for local in range(checkpoint * every, local0):
        c = group * cin + local
        scatter_channel(group_planes, record.x[n0, c], record.weight[c], g)
    scatter_channel(group_planes, record.x[n0, c0], record.weight[c0], g, stop=(iy0, ix0))

    (kh, kw), (sh, sw), (dh, dw) = g.kernel_size, g.stride, g.dilation
    rows_done = axis_counts(np.arange(iy0), kh, sh, dh, g.full_height)
    row_now = axis_counts(np.array([iy0]), kh, sh, dh, g.full_height)
    cols_now = axis_counts(np.arange(ix0), kw, sw, dw, g.full_width)
    counts[n0, planes] = local0 * per_channel + np.outer(rows_done, record.col_counts) + np.outer(row_now, cols_now)
    return full, counts
