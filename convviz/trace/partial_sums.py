"""Vectorised sums over runs of output elements: how a trace computes its states without replaying
frames one by one.

The frames walk the output elements in C order, (n, f, oy, ox). After k of them, a state array is a
sum over the first k elements' contributions. Those first k elements are: every element of the
images before n0, the whole planes of filters before f0 in image n0, and the first r elements (whole
rows, then part of a row) of plane (n0, f0). So every state is built from

- results for whole images and whole strips of output rows, computed once when the trace is built
  by the engine itself, run strip by strip on the padded input (``run_engine_in_strips``), and
- vectorised sums over the few rectangular blocks of elements (whole planes, whole rows, part of a
  row) that the rest splits into (``scatter_planes``, ``weight_grad_of_block``),

in time proportional to the arrays (times the kernel size for the input gradient), whatever k is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convviz.nn.functional import conv2d, conv2d_backward
from convviz.nn.functional.conv import ConvGeometry, window_view

# Each strip's column matrix (C·KH·KW values per output position) stays under this size, so the
# engine's temporaries stay small even for a 512x512 image with a dilated 7x7 kernel. It also
# bounds the rows a weight-gradient state has to sum on demand.
STRIP_BYTES = 8 * 2**20

# scatter_planes computes what the taps send a few output rows at a time, about this many values
# (4 MB of float32) at once: small enough to stay in the cache, big enough to keep Python's
# per-call overhead negligible.
SCATTER_CHUNK_VALUES = 2**20


@dataclass(frozen=True)
class EngineResults:
    """The engine's results for a whole trace, with the per-strip weight gradients kept."""

    output: np.ndarray  # (N, F, OH, OW), bias included
    grad_x_pad: np.ndarray | None  # (N, C, Hp, Wp): gradient of the padded input
    strip_rows: int  # output rows per strip (the last strip may have fewer)
    strip_grad_weight: np.ndarray | None  # (N, S, F, C/G, KH, KW): strip s of image n's share


def strip_rows(g: ConvGeometry, itemsize: int) -> int:
    """Output rows per strip: as many as keep the strip's column matrix under STRIP_BYTES."""
    kh, kw = g.kernel_size
    bytes_per_row = g.in_channels * kh * kw * g.out_width * itemsize
    return max(1, min(g.out_height, STRIP_BYTES // bytes_per_row))


def input_rows_of(first_row: int, stop_row: int, g: ConvGeometry) -> slice:
    """The padded-input rows that output rows [first_row, stop_row) read."""
    sh, reach = g.stride[0], g.dilation[0] * (g.kernel_size[0] - 1)
    return slice(first_row * sh, (stop_row - 1) * sh + reach + 1)


def run_engine_in_strips(x_pad, weight, bias, grad_output, g: ConvGeometry) -> EngineResults:
    """Run the engine's conv2d (and conv2d_backward) image by image on strips of output rows.

    Each call sees the already padded rows the strip reads, with padding 0, so it computes exactly
    the strip's share: its output rows, its padded-input gradient rows (strips overlap by the
    kernel's reach, so those are added up) and its weight gradient, which is kept per strip because
    the weight-gradient states need sums over the first rows of a plane.
    """
    n_images = g.batch
    rows = strip_rows(g, x_pad.itemsize)
    n_strips = -(-g.out_height // rows)
    conv_args = dict(stride=g.stride, padding=0, dilation=g.dilation, groups=g.groups)
    output = np.empty((n_images, g.out_channels, g.out_height, g.out_width), dtype=x_pad.dtype)
    grad_x_pad = strip_grad_weight = None
    if grad_output is not None:
        grad_x_pad = np.zeros_like(x_pad)
        strip_grad_weight = np.empty((n_images, n_strips) + weight.shape, dtype=weight.dtype)
    for n in range(n_images):
        for s in range(n_strips):
            first, stop = s * rows, min((s + 1) * rows, g.out_height)
            reads = input_rows_of(first, stop, g)
            x_strip = x_pad[n : n + 1, :, reads]
            output[n, :, first:stop] = conv2d(x_strip, weight, bias, **conv_args)[0]
            if grad_output is not None:
                grad_x_strip, strip_grad_weight[n, s], _ = conv2d_backward(
                    grad_output[n : n + 1, :, first:stop], x_strip, weight, has_bias=False, **conv_args)
                grad_x_pad[n, :, reads] += grad_x_strip[0]
    return EngineResults(output, grad_x_pad, rows, strip_grad_weight)


def scatter_planes(into: np.ndarray, grad_planes: np.ndarray, weights: np.ndarray, first_row: int,
                   g: ConvGeometry, first_col: int = 0) -> None:
    """The scatter-add of a block of output elements of one image: what their scatter frames add.

    ``grad_planes`` (nf, rows, cols) holds the output gradient of nf filters of one group for the
    output rows from ``first_row`` and columns from ``first_col``; ``weights`` (nf, C/G, KH, KW) their
    kernels. Every element (f, oy, ox) adds ``grad · w[f, c, i, j]`` onto padded cell
    (oy·sh + i·dh, ox·sw + j·dw) of channel c of ``into`` (C/G, Hp, Wp). Only the block's own
    elements are multiplied (no zeros standing in for the others, which would turn an inf weight
    into NaN).

    A few output rows at a time, one product gives what every tap of every element sends (summed
    over the filters), and for each tap (i, j) those amounts land on a strided grid of cells: one
    strided add per tap. Doing it by chunks of rows keeps the products in the cache.
    """
    (kh, kw), (sh, sw), (dh, dw) = g.kernel_size, g.stride, g.dilation
    n_filters, rows, cols = grad_planes.shape
    if not (n_filters and rows and cols):
        return
    per_unit = weights.reshape(n_filters, -1).T  # (C/G·KH·KW, nf): tap t sends w[f, t] per unit of grad
    chunk = max(1, SCATTER_CHUNK_VALUES // (per_unit.shape[0] * cols))
    for start in range(0, rows, chunk):
        stop = min(start + chunk, rows)
        # einsum, not a BLAS product: with only nf (<= F/G) terms per sum, a threaded BLAS call
        # spends its time waking threads, and on a busy machine waiting for them.
        sent = np.einsum("tf,fp->tp", per_unit, grad_planes[:, start:stop].reshape(n_filters, -1))
        sent = sent.reshape(-1, kh, kw, stop - start, cols)  # (C/G, KH, KW, rows, cols)
        for i in range(kh):
            top = (first_row + start) * sh + i * dh
            for j in range(kw):
                left = first_col * sw + j * dw
                into[:, top : top + (stop - start - 1) * sh + 1 : sh,
                        left : left + (cols - 1) * sw + 1 : sw] += sent[:, i, j]


def weight_grad_of_block(x_pad_group: np.ndarray, grad_block: np.ndarray, first_row: int,
                         g: ConvGeometry, first_col: int = 0) -> np.ndarray:
    """Sum of ``grad · window`` over a block of output positions of one plane: (C/G, KH, KW).

    ``x_pad_group`` (C/G, Hp, Wp) is the padded input channels the filter reads; ``grad_block``
    (rows, cols) the filter's output gradient for the output rows from ``first_row`` and columns
    from ``first_col``.
    """
    windows = window_view(x_pad_group[None], (g.out_height, g.out_width), g.kernel_size, g.stride,
                          g.dilation)[0]  # (C/G, OH, OW, KH, KW), a view
    rows, cols = grad_block.shape
    block = windows[:, first_row : first_row + rows, first_col : first_col + cols]
    # einsum walks the strided view directly: no copy of the windows.
    return np.einsum("yx,cyxij->cij", grad_block, block)


def cells_reached(out_positions: np.ndarray, kernel: int, stride: int, dilation: int,
                  padded_size: int) -> np.ndarray:
    """Along one axis: which padded cells the windows at ``out_positions`` read (a bool mask)."""
    reached = np.zeros(padded_size, dtype=bool)
    cells = np.asarray(out_positions)[:, None] * stride + np.arange(kernel)[None, :] * dilation
    reached[cells.ravel()] = True
    return reached
