"""The hover questions: what an output element reads, who reads an input pixel, and what a weight
multiplies, each with its share of the gradient when the trace has a backward pass. Coordinates
are those of ``frames``' docstring; answers are read-only."""

from __future__ import annotations

import numpy as np

from convviz.nn.functional.checks import is_int

from .frames import PixelReaders, Taps, WeightTapReads, read_only
from .record import TraceRecord


def check_coordinate(name: str, value, size: int, what: str) -> int:
    """``value`` as an int in 0..size-1, or a TypeError / IndexError naming ``name`` and ``what``."""
    if not is_int(value):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if not 0 <= value < size:
        raise IndexError(f"{name}={value} is out of range: {what} is {size}, so valid values are 0..{size - 1}")
    return int(value)


def receptive_field(record: TraceRecord, n, f, oy, ox) -> Taps:
    """Every tap output element (n, f, oy, ox) reads: its window, in kernel order."""
    g = record.geometry
    return record.window_taps(check_coordinate("n", n, g.batch, "the batch size"),
                              check_coordinate("f", f, g.out_channels, "the number of filters"),
                              check_coordinate("oy", oy, g.out_height, "the output height"),
                              check_coordinate("ox", ox, g.out_width, "the output width"))


def _readers_along(cells, kernel: int, stride: int, dilation: int, out_size: int):
    """Along one axis: (padded cell, output position, kernel position) of every tap reading ``cells``."""
    cell, k = np.meshgrid(cells, np.arange(kernel), indexing="ij")
    start = cell - k * dilation
    ok = (start >= 0) & (start % stride == 0) & (start // stride < out_size)
    return cell[ok], start[ok] // stride, k[ok]


def pixel_readers(record: TraceRecord, n, c, y, x) -> PixelReaders:
    """Which (output element, tap) pairs read input pixel (n, c, y, x), directly or through padding
    cells copied from it, ordered by (f, oy, ox, i, j). Their contributions sum to grad_input."""
    g = record.geometry
    n = check_coordinate("n", n, g.batch, "the batch size")
    c = check_coordinate("c", c, g.in_channels, "the number of input channels")
    y = check_coordinate("y", y, g.height, "the input height")
    x = check_coordinate("x", x, g.width, "the input width")
    (kh, kw), (sh, sw), (dh, dw) = g.kernel_size, g.stride, g.dilation
    py, oy, i = _readers_along(np.flatnonzero(record.row_source == y), kh, sh, dh, g.out_height)
    px, ox, j = _readers_along(np.flatnonzero(record.col_source == x), kw, sw, dw, g.out_width)
    group = c // g.in_per_group
    filters = np.arange(group * g.out_per_group, (group + 1) * g.out_per_group)
    # every filter of the group × every row triple × every column triple
    f_, r_, c_ = (a.ravel() for a in np.meshgrid(filters, np.arange(len(py)), np.arange(len(px)), indexing="ij"))
    channel_in_group = c - group * g.in_per_group
    element = np.stack([np.full(len(f_), n), f_, oy[r_], ox[c_]], axis=1)
    kernel_index = np.stack([np.full(len(f_), channel_in_group), i[r_], j[c_]], axis=1)
    order = np.lexsort((kernel_index[:, 2], kernel_index[:, 1], element[:, 3], element[:, 2], element[:, 1]))
    element, kernel_index = element[order], kernel_index[order]
    padded = np.stack([py[r_], px[c_]], axis=1)[order]
    weight_value = record.weight[element[:, 1], channel_in_group, kernel_index[:, 1], kernel_index[:, 2]]
    grad_output = contribution = None
    if record.has_backward:
        grad_output = read_only(record.grad_output[n, element[:, 1], element[:, 2], element[:, 3]])
        contribution = read_only(grad_output * weight_value)
    return PixelReaders((n, c, y, x), read_only(element), read_only(kernel_index), read_only(padded),
                        read_only(weight_value), grad_output, contribution)


def weight_tap_reads(record: TraceRecord, f, c, i, j) -> WeightTapReads:
    """Every input cell weight w[f, c, i, j] multiplies, one per output element of filter f in C
    order. Their contributions sum to grad_weight[f, c, i, j]."""
    g = record.geometry
    f = check_coordinate("f", f, g.out_channels, "the number of filters")
    c = check_coordinate("c", c, g.in_per_group, "the number of input channels per group")
    i = check_coordinate("i", i, g.kernel_size[0], "the kernel height")
    j = check_coordinate("j", j, g.kernel_size[1], "the kernel width")
    (sh, sw), (dh, dw) = g.stride, g.dilation
    n, oy, ox = (a.ravel() for a in np.indices((g.batch, g.out_height, g.out_width)))
    ys, xs = oy * sh + i * dh, ox * sw + j * dw
    channel = (f // g.out_per_group) * g.in_per_group + c
    taps = record.taps(np.tile([c, i, j], (len(n), 1)), np.full(len(n), channel), ys, xs,
                       record.x_pad[n, channel, ys, xs], np.full(len(n), record.weight[f, c, i, j]))
    element = read_only(np.stack([n, np.full(len(n), f), oy, ox], axis=1))
    grad_output = contribution = None
    if record.has_backward:
        grad_output = read_only(record.grad_output[:, f].reshape(-1).copy())
        contribution = read_only(grad_output * taps.input_value)
    return WeightTapReads((f, c, i, j), channel, element, taps.padded, taps.is_padding, taps.source,
                          taps.input_value, grad_output, contribution)
