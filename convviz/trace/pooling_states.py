"""A pooling trace's state after any frame, computed directly (no replay, no cache).

Each phase walks the output elements in C order, so after ``done`` frames of a phase the first
``done // (OH·OW)`` planes (n, c) are finished and one plane is part done. Finished planes are
copied from the record's results; the part-done plane is added up from zero in the frames' order:
max routes with ``np.add.at`` over its first windows (what replaying them does), average pooling
with ``spread_in_frame_order`` over its whole window rows and then the row in progress. So a
state is, bit for bit, its frames replayed, at the cost of one plane (a few hundred microseconds
on 256×256), whichever frame is asked for.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from .frames import TraceState, read_only
from .pooling_record import PoolRecord, spread_in_frame_order


def state_after(record: PoolRecord, applied: int, phase: str) -> TraceState:
    """The state after the first ``applied`` frames (``applied - 1`` is the frame index, ``phase`` its phase)."""
    elements = record.elements
    arrays, written = {}, {}
    arrays["output"], written["output"] = _output_after(record, min(applied, elements))
    if record.has_backward:
        route_done = min(max(applied - elements, 0), elements)
        arrays["grad_input"], written["grad_input"] = _grad_input_after(record, route_done)
    return TraceState(applied - 1, phase, _shown(record, arrays), _shown(record, written))


def _shown(record: PoolRecord, named: dict) -> MappingProxyType:
    """Read-only arrays in the caller's layout, in a read-only mapping."""
    return MappingProxyType({name: read_only(record.in_caller_layout(a)) for name, a in named.items()})


def _output_after(record: PoolRecord, done: int):
    output = np.zeros_like(record.output)
    written = np.zeros(output.shape, dtype=bool)
    # (the engine's values, as each pool frame adds them onto a 0)
    output.reshape(-1)[:done] = record.output.reshape(-1)[:done] + 0
    written.reshape(-1)[:done] = True
    return output, written


def _grad_input_after(record: PoolRecord, done: int):
    """(N, C, H, W) input gradient and its written mask after ``done`` route frames."""
    g = record.geometry
    per_plane = g.out_height * g.out_width
    if done == record.elements:
        return record.grad_input.copy(), record.grad_written.copy()
    planes, in_plane = divmod(done, per_plane)
    grad = np.zeros_like(record.grad_input)
    written = np.zeros(grad.shape, dtype=bool)
    flat_grad = grad.reshape((-1,) + grad.shape[2:])  # (N·C, H, W) views
    flat_written = written.reshape(flat_grad.shape)
    flat_grad[:planes] = record.grad_input.reshape(flat_grad.shape)[:planes]
    flat_written[:planes] = record.grad_written.reshape(flat_grad.shape)[:planes]
    if in_plane:
        n, c = divmod(planes, g.channels)
        if record.kind == "max":
            _route_max_prefix(record, n, c, in_plane, flat_grad[planes], flat_written[planes])
        else:
            _route_avg_prefix(record, n, c, in_plane, flat_grad[planes], flat_written[planes])
    return grad, written


def _route_max_prefix(record: PoolRecord, n: int, c: int, done: int, grad: np.ndarray, written: np.ndarray):
    """Plane (n, c) after its first ``done`` route frames: each window's gradient onto its pixel."""
    chosen = record.indices[n, c].reshape(-1)[:done]
    np.add.at(grad.reshape(-1), chosen, record.grad_output[n, c].reshape(-1)[:done])
    written.reshape(-1)[chosen] = True


def _route_avg_prefix(record: PoolRecord, n: int, c: int, done: int, grad: np.ndarray, written: np.ndarray):
    """Plane (n, c) after its first ``done`` route frames: the whole window rows before row oy0,
    then the first ox0 windows of row oy0 (every window of a row comes after the rows before it)."""
    g = record.geometry
    oy0, ox0 = divmod(done, g.out_width)
    top, _, left, _ = record.pads
    share = record.grad_output[n, c] / record.divisor  # (OH, OW), as each route frame divides
    grad_pad = np.zeros(record.x_pad.shape[2:], dtype=grad.dtype)
    reached = np.zeros(grad_pad.shape, dtype=bool)
    for rows, columns, first_row in ((slice(0, oy0), slice(None), 0), (slice(oy0, oy0 + 1), slice(0, ox0), oy0)):
        spread_in_frame_order(grad_pad, share[rows, columns], g, first_row)
        spread_in_frame_order(reached, np.ones(share[rows, columns].shape, dtype=bool), g, first_row)
    inner = (slice(top, top + g.height), slice(left, left + g.width))
    grad[...] = grad_pad[inner]
    written[...] = reached[inner]
