"""Frame building: frame index -> a small frozen record, a pure function of the trace's record.

Each builder takes (record, layout, index, local), ``local`` being the index within its phase, and
computes the numbers; the words come from ``narration``. What a frame does to the state is in its
``adds`` / ``zeros`` / ``crop``, indexed in the layout ``Trace.state`` returns (no batch axis for
an unbatched input).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from . import narration
from .frames import (
    Addition,
    BiasGradFrame,
    CropFrame,
    DilateFrame,
    FoldFrame,
    Frame,
    PadFrame,
    ScatterFrame,
    SlideFrame,
    Taps,
    WeightGradFrame,
    Zeroing,
    read_only,
)
from .im2col_picture import im2col_position
from .layout import PhaseLayout
from .record import TraceRecord


def build_frame(record: TraceRecord, layout: PhaseLayout, i: int) -> Frame:
    """Frame ``i`` (checked, non-negative)."""
    phase = layout.phase_at(i)
    return _BUILDERS[phase.name](record, layout, i, i - phase.first)


# ----------------------------------------------------------------------------------------------
# Forward


def pad_frame(record: TraceRecord, layout: PhaseLayout, index: int, local: int) -> PadFrame:
    g = record.geometry
    if g.padding_mode == "zeros":
        ys, xs = np.nonzero(record.padding_mask)
        row = None
        sources = np.full((len(ys), 2), -1)
        caption = narration.zero_border_caption(len(ys), g)
    else:
        row = int(record.pad_rows[local])
        ys, xs = record.padding_cells([row])
        sources = np.stack([record.row_source[ys], record.col_source[xs]], axis=1)
        caption = narration.padded_row_caption(row, int(record.row_source[row]), record.col_source[xs].tolist(),
                                               g.padding_mode)
    values = record.in_caller_layout(record.x_pad[:, :, ys, xs])
    return PadFrame(index, row, read_only(np.stack([ys, xs], axis=1)), read_only(sources),
                    read_only(np.array(values)), caption)


def dilate_frame(record: TraceRecord, layout: PhaseLayout, index: int, local: int) -> DilateFrame:
    g = record.geometry
    (kh, kw), (dh, dw) = g.kernel_size, g.dilation
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    i, j = divmod(local, kw)
    here = i * dh * span_w + j * dw  # row-major position in the footprint
    if local + 1 < kh * kw:
        next_i, next_j = divmod(local + 1, kw)
        there = next_i * dh * span_w + next_j * dw
    else:
        there = here + 1
    holes = np.stack(np.divmod(np.arange(here + 1, there), span_w), axis=1).reshape(-1, 2)
    caption = narration.dilate_caption((i, j), (i * dh, j * dw), (span_h, span_w), len(holes))
    return DilateFrame(index, (i, j), (i * dh, j * dw), (span_h, span_w), read_only(holes),
                       read_only(np.array(record.weight[:, :, i, j])), caption)


def _one_tap(taps: Taps, t: int) -> Taps:
    return Taps(*(getattr(taps, field.name)[t : t + 1] for field in dataclasses.fields(Taps)))


def _window(record: TraceRecord, layout: PhaseLayout, local: int):
    """What every window frame needs: the element, its tap (None per element), the whole
    window's taps, this frame's taps, and the fields the window frames share."""
    element, t = layout.element_and_tap(local)
    n, f, oy, ox = layout.decode_element(element)
    g = record.geometry
    group = f // g.out_per_group
    full = record.window_taps(n, f, oy, ox)
    taps = full if t is None else _one_tap(full, t)
    common = dict(element=(n, f, oy, ox), group=group,
                  channels=range(group * g.in_per_group, (group + 1) * g.in_per_group),
                  taps=taps, tap_number=t, im2col=im2col_position(record, n, f, oy, ox, t))
    return (n, f, oy, ox), t, full, taps, common


def _output_index(record: TraceRecord, n, f, oy, ox) -> tuple:
    index = (np.array([n]), np.array([f]), np.array([oy]), np.array([ox]))
    return index[1:] if record.geometry.unbatched else index


def _grad_input_index(record: TraceRecord, n, channel, ys, xs) -> tuple:
    if record.geometry.unbatched:
        return (np.asarray(channel), np.asarray(ys), np.asarray(xs))
    return (np.full(np.shape(channel), n), np.asarray(channel), np.asarray(ys), np.asarray(xs))


def slide_frame(record: TraceRecord, layout: PhaseLayout, index: int, local: int) -> SlideFrame:
    (n, f, oy, ox), t, full, taps, common = _window(record, layout, local)
    g, per_window = record.geometry, record.taps_per_window
    done = per_window if t is None else t + 1
    products_so_far = full.product.copy()
    products_so_far[done:] = 0
    channel_sums = products_so_far.reshape(g.in_per_group, -1).sum(axis=1)
    complete = done == per_window
    bias = None if record.bias is None else float(record.bias[f])
    # The finished value is the engine's; a running sum is the products so far.
    value = float(record.output[n, f, oy, ox]) if complete else float(products_so_far.sum())
    if t is None:
        amount = record.output[n, f, oy, ox]
        caption = narration.slide_caption((n, f, oy, ox), per_window, channel_sums.tolist(),
                                          float(channel_sums.sum()), bias, value)
    else:
        with_bias = complete and bias is not None
        amount = taps.product[0] + (record.bias[f] if with_bias else 0)
        caption = narration.slide_tap_caption((n, f, oy, ox), taps.kernel_index[0].tolist(), taps.padded[0].tolist(),
                                              taps.input_value[0], taps.weight_value[0], taps.product[0],
                                              with_bias, complete, value)
    adds = (Addition("output", _output_index(record, n, f, oy, ox), read_only(np.array([amount], dtype=record.dtype))),)
    return SlideFrame(index=index, adds=adds, caption=caption, channel_sums=read_only(channel_sums),
                      bias=bias, value=value, complete=complete, **common)


# ----------------------------------------------------------------------------------------------
# Backward


def scatter_frame(record: TraceRecord, layout: PhaseLayout, index: int, local: int) -> ScatterFrame:
    (n, f, oy, ox), t, full, taps, common = _window(record, layout, local)
    grad = record.grad_output[n, f, oy, ox]
    sent = read_only(grad * taps.weight_value)
    adds = (Addition("grad_input", _grad_input_index(record, n, taps.channel, taps.padded[:, 0], taps.padded[:, 1]),
                     sent),)
    if t is None:
        caption = narration.scatter_caption((n, f, oy, ox), grad, len(taps))
    else:
        caption = narration.scatter_tap_caption((n, f, oy, ox), taps.kernel_index[0].tolist(),
                                                taps.padded[0].tolist(), int(taps.channel[0]), grad,
                                                taps.weight_value[0], sent[0])
    return ScatterFrame(index=index, adds=adds, caption=caption, grad_output=float(grad), **common)


def weight_grad_frame(record: TraceRecord, layout: PhaseLayout, index: int, local: int) -> WeightGradFrame:
    (n, f, oy, ox), t, full, taps, common = _window(record, layout, local)
    grad = record.grad_output[n, f, oy, ox]
    added = read_only(grad * taps.input_value)
    kernel = taps.kernel_index
    adds = (Addition("grad_weight", (np.full(len(taps), f), kernel[:, 0], kernel[:, 1], kernel[:, 2]), added),)
    if t is None:
        caption = narration.weight_grad_caption((n, f, oy, ox), grad)
    else:
        caption = narration.weight_grad_tap_caption((n, f, oy, ox), kernel[0].tolist(), grad,
                                                    taps.input_value[0], added[0])
    return WeightGradFrame(index=index, adds=adds, caption=caption, grad_output=float(grad), **common)


def bias_grad_frame(record: TraceRecord, layout: PhaseLayout, index: int, local: int) -> BiasGradFrame:
    g = record.geometry
    f = local
    terms = g.batch * g.out_height * g.out_width
    value = record.grad_bias[f]
    adds = (Addition("grad_bias", (np.array([f]),), read_only(np.array([value]))),)
    return BiasGradFrame(index, f, terms, float(value), adds, narration.bias_grad_caption(f, terms, value))


def fold_frame(record: TraceRecord, layout: PhaseLayout, index: int, local: int) -> FoldFrame | CropFrame:
    g = record.geometry
    top, _, left, _ = g.pads
    if local == layout.counts["fold"] - 1:  # the crop, always last
        border = record.grad_x_pad[:, :, record.padding_mask]
        rows, columns = record.inner_rows_and_columns()
        if g.padding_mode == "zeros":
            dropped = float(border.sum())
            caption = narration.crop_zeros_caption(g, border.shape[-1], dropped)
        else:  # the fold frames emptied the border
            dropped = 0.0
            caption = narration.crop_emptied_caption(g)
        return CropFrame(index, rows, columns, dropped, caption)
    row = int(record.pad_rows[local])
    ys, xs = record.padding_cells([row])
    sources = np.stack([record.row_source[ys], record.col_source[xs]], axis=1)
    targets = sources + np.array([top, left])
    handed = record.grad_x_pad[:, :, ys, xs]  # (N, C, k): untouched since the scatter
    n_idx, c_idx, k_idx = np.indices(handed.shape).reshape(3, -1)
    amount = handed.reshape(-1)
    batch_axis = () if g.unbatched else (n_idx,)
    cells = batch_axis + (c_idx, ys[k_idx], xs[k_idx])
    adds = (Addition("grad_input", cells, read_only(-amount)),
            Addition("grad_input", batch_axis + (c_idx, targets[k_idx, 0], targets[k_idx, 1]), read_only(amount.copy())))
    caption = narration.fold_caption(row, len(xs), int(record.row_source[row]))
    return FoldFrame(index, row, read_only(np.stack([ys, xs], axis=1)), read_only(sources), read_only(targets),
                     read_only(np.array(record.in_caller_layout(handed))), adds, (Zeroing("grad_input", cells),),
                     caption)


_BUILDERS = {"pad": pad_frame, "dilate": dilate_frame, "slide": slide_frame, "scatter": scatter_frame,
             "weight_grad": weight_grad_frame, "bias_grad": bias_grad_frame, "fold": fold_frame}
