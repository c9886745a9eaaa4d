"""State rebuilding: the arrays after frame i, from vectorised partial sums, and the cache that
plays forward from the last state asked for.

A cell that frame i does not touch holds exactly the same value in ``state(i - 1)`` and
``state(i)`` when both are computed from scratch, as when one is played forward from the other;
and the input gradient is, bit for bit, the frames before it replayed, however the state was
reached. A trace may be shared between threads (the app builds and queries them off the GUI
thread), so the cache is used under a lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import MappingProxyType

import numpy as np

from .frames import Frame, TraceState, read_only
from .layout import PhaseLayout
from .partial_sums import cells_reached, scatter_in_frame_order, weight_grad_of_block
from .record import TraceRecord
from .replay import apply_frame, arrays_changed_by

# Playing forward from the last state asked for applies the frames in between one by one when there
# are at most this many; a longer jump is cheaper computed from scratch with vectorised sums.
REPLAY_LIMIT = 256


class Progress:
    """A state being played forward: arrays (in the layout ``Trace.state`` returns) after
    ``applied`` frames, changed in place.

    Copy on write: a ``TraceState`` handed out holds read-only views of these arrays, so the names
    in ``shared`` are copied before their next change (playing forward through the weight
    gradient then never copies the output)."""

    def __init__(self, applied: int, arrays: dict, written: dict):
        self.applied, self.arrays, self.written = applied, arrays, written
        self.shared: set[str] = set()

    def own(self, name: str) -> None:
        """Make ``name`` safe to change: copy it if a handed-out state still shows it."""
        if name in self.shared:
            self.arrays[name], self.written[name] = self.arrays[name].copy(), self.written[name].copy()
            self.shared.discard(name)

    def play(self, frame: Frame) -> None:
        for name in arrays_changed_by(frame):
            self.own(name)
        apply_frame(self.arrays, self.written, frame)
        self.applied += 1


class StateCache:
    """``state(applied)``: the state after the first ``applied`` frames, played forward from the
    last one when that is at most ``REPLAY_LIMIT`` frames back, else computed from scratch."""

    def __init__(self, record: TraceRecord, layout: PhaseLayout, frame: Callable[[int], Frame]):
        self.record, self.layout, self.frame = record, layout, frame
        self._progress: Progress | None = None
        self._lock = threading.Lock()

    def state(self, applied: int) -> TraceState:
        with self._lock:
            progress = self._progress
            if progress is not None and 0 <= applied - progress.applied <= REPLAY_LIMIT:
                while progress.applied < applied:
                    progress.play(self.frame(progress.applied))
                return self._hand_out(progress)
        # Computed outside the lock, from arrays nothing changes.
        progress = state_from_scratch(self.record, self.layout, applied)
        with self._lock:
            self._progress = progress
            return self._hand_out(progress)

    def _hand_out(self, progress: Progress) -> TraceState:
        """A read-only state showing ``progress``'s arrays, which are copied before their next
        change. Called with the lock held."""
        progress.shared = set(progress.arrays)
        shown = lambda arrays: MappingProxyType({k: read_only(v.view()) for k, v in arrays.items()})  # noqa: E731
        index = progress.applied - 1
        return TraceState(index, self.layout.phase_at(index).name, shown(progress.arrays), shown(progress.written))


def state_from_scratch(record: TraceRecord, layout: PhaseLayout, applied: int) -> Progress:
    """The state after the first ``applied`` frames, from the record's sums."""
    arrays, written = {}, {}
    arrays["output"], written["output"] = _output_after(record, layout, layout.done_in("slide", applied))
    if record.has_backward:
        scatter_done = layout.done_in("scatter", applied)
        if scatter_done < layout.counts["scatter"]:
            grad_input = _grad_input_during_scatter(record, layout, scatter_done)
        else:
            grad_input = _grad_input_during_fold(record, layout, layout.done_in("fold", applied))
        arrays["grad_input"], written["grad_input"] = grad_input
        arrays["grad_weight"], written["grad_weight"] = _grad_weight_after(
            record, layout, layout.done_in("weight_grad", applied))
        if record.bias is not None:
            done = layout.done_in("bias_grad", applied)
            grad_bias, bias_written = np.zeros_like(record.grad_bias), np.zeros(record.grad_bias.shape, bool)
            grad_bias[:done], bias_written[:done] = record.grad_bias[:done], True
            arrays["grad_bias"], written["grad_bias"] = grad_bias, bias_written
    for name in ("output", "grad_input"):
        if name in arrays:
            arrays[name], written[name] = record.in_caller_layout(arrays[name]), record.in_caller_layout(written[name])
    return Progress(applied, arrays, written)


def _output_after(record: TraceRecord, layout: PhaseLayout, done: int):
    elements, taps_done = layout.split_progress(done)
    output = np.zeros_like(record.output)
    written = np.zeros(output.shape, dtype=bool)
    output.reshape(-1)[:elements] = record.output.reshape(-1)[:elements]
    written.reshape(-1)[:elements] = True
    if taps_done:
        n, f, oy, ox = layout.decode_element(elements)
        output[n, f, oy, ox] = record.window_taps(n, f, oy, ox).product[:taps_done].sum()
        written[n, f, oy, ox] = True
    return output, written


def _plane_coverage(record: TraceRecord, oy0: int, ox0: int) -> np.ndarray:
    """(Hp, Wp): cells read by the first oy0 whole output rows and the first ox0 elements of row oy0."""
    g = record.geometry
    (kh, kw), (sh, sw), (dh, dw) = g.kernel_size, g.stride, g.dilation
    rows_done = cells_reached(np.arange(oy0), kh, sh, dh, g.padded_height)
    covered = np.outer(rows_done, record.cols_read)
    if ox0:
        row_now = cells_reached(np.array([oy0]), kh, sh, dh, g.padded_height)
        covered |= np.outer(row_now, cells_reached(np.arange(ox0), kw, sw, dw, g.padded_width))
    return covered


def _grad_input_during_scatter(record: TraceRecord, layout: PhaseLayout, done: int):
    """The padded gradient after ``done`` scatter frames: whole images and groups copied from
    the final result, the group in progress added up from its last checkpoint in the frames'
    order (``scatter_in_frame_order``), so that it is exactly the frames replayed."""
    g = record.geometry
    grad = np.zeros_like(record.grad_x_pad)
    written = np.zeros(grad.shape, dtype=bool)
    elements, taps_done = layout.split_progress(done)
    if elements == record.elements:
        return record.grad_x_pad.copy(), np.broadcast_to(record.reach(), grad.shape).copy()
    n0, f0, oy0, ox0 = layout.decode_element(elements)
    group = f0 // g.out_per_group
    channels = slice(group * g.in_per_group, (group + 1) * g.in_per_group)
    grad[:n0] = record.grad_x_pad[:n0]
    grad[n0, : channels.start] = record.grad_x_pad[n0, : channels.start]
    written[:n0] = written[n0, : channels.start] = record.reach()
    # The group in progress: its checkpoint before f0, then the filters from there to f0,
    # and filter f0's elements before (oy0, ox0).
    first = group * g.out_per_group
    every = record.checkpoint_every
    checkpoint = (f0 - first) // every
    if checkpoint:
        grad[n0, channels] = record.scatter_checkpoints[n0, group, checkpoint - 1]
    filters = slice(first + checkpoint * every, f0 + 1)
    scatter_in_frame_order(grad[n0, channels], record.grad_output[n0, filters], record.weight[filters], g,
                           stop=(oy0, ox0))
    if f0 > first:  # a whole plane is done: every cell a window reads
        written[n0, channels] = record.reach()
    else:
        written[n0, channels] = _plane_coverage(record, oy0, ox0)
    if taps_done:
        taps = record.window_taps(n0, f0, oy0, ox0)
        cells = (taps.channel[:taps_done], taps.padded[:taps_done, 0], taps.padded[:taps_done, 1])
        grad[n0][cells] += record.grad_output[n0, f0, oy0, ox0] * taps.weight_value[:taps_done]
        written[n0][cells] = True
    return grad, written


def _grad_input_during_fold(record: TraceRecord, layout: PhaseLayout, done: int):
    """The padded gradient after the scatter and ``done`` fold frames (cropped after the last)."""
    g = record.geometry
    grad = record.grad_x_pad.copy()
    written = np.broadcast_to(record.reach(), grad.shape).copy()
    if g.padding_mode != "zeros":
        rows_done = min(done, len(record.pad_rows))
        if rows_done:
            ys, xs = record.padding_cells(record.pad_rows[:rows_done])
            top, _, left, _ = g.pads
            target_ys, target_xs = record.row_source[ys] + top, record.col_source[xs] + left
            handed = grad[:, :, ys, xs]
            grad[:, :, ys, xs] = 0
            np.add.at(grad, (slice(None), slice(None), target_ys, target_xs), handed)
            written[:, :, ys, xs] = written[:, :, target_ys, target_xs] = True
    if done and done == layout.counts["fold"]:
        grad, written = record.crop(grad), record.crop(written)
    return grad, written


def _grad_weight_after(record: TraceRecord, layout: PhaseLayout, done: int):
    """The weight gradient after ``done`` weight_grad frames. Within an element (a frame per tap),
    the taps done hold their value after the element and the others their value before it, so a
    cell changes only on the frame that adds to it."""
    elements, taps_done = layout.split_progress(done)
    grad, written = _grad_weight_after_elements(record, layout, elements)
    if taps_done:
        f0 = layout.decode_element(elements)[1]
        after_element, _ = _grad_weight_after_elements(record, layout, elements + 1)
        kernel = record.tap_kernel_index[:taps_done]
        cells = (np.full(taps_done, f0), kernel[:, 0], kernel[:, 1], kernel[:, 2])
        grad[cells] = after_element[cells]
        written[cells] = True
    return grad, written


def _grad_weight_after_elements(record: TraceRecord, layout: PhaseLayout, elements: int):
    """The weight gradient after the first ``elements`` output elements: images and strips from
    prefix sums of the engine's per-strip results, the rows in progress summed on demand.

    A filter other than the current one, f0, holds the same sum of the same prefix sums whichever
    element is current, so it changes only while it is f0."""
    g = record.geometry
    if elements == record.elements:
        # (an empty batch has no weight_grad frames, so nothing is written)
        return record.gw_image_prefix[-1].copy(), np.full(record.weight.shape, record.elements > 0)
    n0, f0, oy0, ox0 = layout.decode_element(elements)
    if n0:
        grad = record.gw_image_prefix[n0].copy()  # every filter, images before n0
        grad[:f0] += record.gw_image[n0, :f0]  # whole planes of image n0
    else:  # the first image: its planes as they are (0 + x would turn a -0.0 into 0.0)
        grad = np.zeros_like(record.gw_image_prefix[0])
        grad[:f0] = record.gw_image[0, :f0]
    written = np.zeros(grad.shape, dtype=bool)
    written[: g.out_channels if n0 else f0] = True
    if oy0 or ox0:  # plane (n0, f0): whole strips, whole rows of this strip, part of row oy0
        strip = oy0 // record.strip_rows
        first_row = strip * record.strip_rows
        grad[f0] += record.gw_strip_prefix[n0, strip, f0]
        group = f0 // g.out_per_group
        channels = record.x_pad[n0, group * g.in_per_group : (group + 1) * g.in_per_group]
        plane = record.grad_output[n0, f0]
        grad[f0] += weight_grad_of_block(channels, plane[first_row:oy0], first_row, g)
        grad[f0] += weight_grad_of_block(channels, plane[oy0 : oy0 + 1, :ox0], oy0, g)
        written[f0] = True
    return grad, written
