"""Vectorised sums over runs of output elements: how a trace computes its states without replaying
frames one by one.

The frames walk the output elements in C order, (n, f, oy, ox). After k of them, a state array is a
sum over the first k elements' contributions. Those first k elements are: every element of the
images before n0, the whole planes of filters before f0 in image n0, and the first r elements (whole
rows, then part of a row) of plane (n0, f0).

- The output and the weight gradient are built from results for whole images and whole strips of
  output rows, computed once when the trace is built by the engine itself, run strip by strip on
  the padded input (``run_engine_in_strips``), plus vectorised sums over the few rectangular blocks
  of elements the rest splits into (``weight_grad_of_block``).
- The input gradient is added up in exactly the order the scatter frames add it, one rounding per
  frame and cell (``scatter_in_frame_order``), so that a state computed from scratch is, bit for
  bit, the frames before it replayed: a cell no frame touches between two states holds the same
  value in both, however the two were computed. It starts from the nearest of a few checkpoints,
  the group's sum after every ``every``-th filter, kept when the trace is built.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convviz.nn.parallel import map_on_all_cores
from convviz.nn.functional import ConvGeometry, conv2d, conv2d_backward, window_view

# Each strip's column matrix (C·KH·KW values per output position) stays under this size, so the
# engine's temporaries stay small even for a 512x512 image with a dilated 7x7 kernel. It also
# bounds the rows a weight-gradient state has to sum on demand.
STRIP_BYTES = 8 * 2**20

# scatter_in_frame_order works on bands of padded rows of about this size (all the group's
# channels), so that the band it adds onto stays in a core's cache while every tap of every filter
# is added; separate bands run on separate cores.
SCATTER_BAND_BYTES = 384 * 2**10
# Below this many multiply-adds the scatter runs on the calling thread: waking threads costs more.
SCATTER_PARALLEL_MIN = 2**20


@dataclass(frozen=True)
class EngineResults:
    """The engine's results for a whole trace, with the per-strip weight gradients kept."""

    output: np.ndarray  # (N, F, OH, OW), bias included
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
    """Run the engine's conv2d (and, for the weight gradient, conv2d_backward) image by image on
    strips of output rows.

    Each call sees the already padded rows the strip reads, with padding 0, so it computes exactly
    the strip's share: its output rows and its weight gradient, which is kept per strip because
    the weight-gradient states need sums over the first rows of a plane. (The input gradient is
    not the engine's: ``scatter_in_frame_order`` adds it up in the frames' order.)
    """
    n_images = g.batch
    rows = strip_rows(g, x_pad.itemsize)
    n_strips = -(-g.out_height // rows)
    conv_args = dict(stride=g.stride, padding=0, dilation=g.dilation, groups=g.groups)
    output = np.empty((n_images, g.out_channels, g.out_height, g.out_width), dtype=x_pad.dtype)
    strip_grad_weight = None
    if grad_output is not None:
        strip_grad_weight = np.empty((n_images, n_strips) + weight.shape, dtype=weight.dtype)
    for n in range(n_images):
        for s in range(n_strips):
            first, stop = s * rows, min((s + 1) * rows, g.out_height)
            x_strip = x_pad[n : n + 1, :, input_rows_of(first, stop, g)]
            output[n, :, first:stop] = conv2d(x_strip, weight, bias, **conv_args)[0]
            if grad_output is not None:
                _, strip_grad_weight[n, s], _ = conv2d_backward(
                    grad_output[n : n + 1, :, first:stop], x_strip, weight, has_bias=False,
                    need_input_grad=False, **conv_args)
    return EngineResults(output, rows, strip_grad_weight)


# ----------------------------------------------------------------------------------------------
# The input gradient, in the frames' order


def _scatter_onto_band(band, first_cell_row: int, grad_planes, weights, g: ConvGeometry,
                       stop: tuple[int, int] | None = None) -> None:
    """Add onto ``band`` (C/G, rows, Wp), the padded rows from ``first_cell_row`` on of one image's
    group of the padded input gradient, what the scatter frames of ``len(grad_planes)`` filters of that group add there, in the frames'
    order: filter after filter, and within a filter element (oy, ox) after element.

    ``grad_planes`` (nf, OH, OW) are the filters' output gradients, ``weights`` (nf, C/G, KH, KW)
    their kernels. The last filter's elements stop before element ``stop = (oy0, ox0)`` if given.

    Element (oy, ox) adds ``grad · w[c, i, j]`` (one product, rounded as the frame rounds it) onto
    cell (oy·sh + i·dh, ox·sw + j·dw): of the elements reaching one cell, a bigger kernel row i
    means an earlier output row and, in the same row, a bigger j an earlier column. So adding tap
    after tap, i and j counting down, and each tap's elements with one strided add (they land on
    different cells), gives every cell its terms in the frames' order, each added with one
    rounding: the very sums the frames add up to. No element is multiplied that has not been
    reached (no zeros standing in for them, which would turn an inf weight into NaN).
    """
    (kh, kw), (sh, sw), (dh, dw) = g.kernel_size, g.stride, g.dilation
    out_w = g.out_width
    top, bottom = first_cell_row, first_cell_row + band.shape[1]
    last = len(grad_planes) - 1
    for k, (plane, kernel) in enumerate(zip(grad_planes, weights)):
        # Whole output rows [0, rows) of this filter, then the first `cols` elements of row `rows`.
        rows, cols = (g.out_height, 0) if stop is None or k < last else stop
        for i in range(kh - 1, -1, -1):
            # the output rows whose tap row i lands inside the band, and where row `rows` lands
            lo = max(0, -(-(top - i * dh) // sh))
            hi = min(rows, -(-(bottom - i * dh) // sh))
            partial_row = rows * sh + i * dh - top if cols and top <= rows * sh + i * dh < bottom else None
            for j in range(kw - 1, -1, -1):
                left = j * dw
                weight = kernel[:, i, j]
                if lo < hi:
                    y = lo * sh + i * dh - top
                    band[:, y : y + (hi - lo - 1) * sh + 1 : sh, left : left + (out_w - 1) * sw + 1 : sw] += (
                        plane[lo:hi] * weight[:, None, None])
                if partial_row is not None:
                    band[:, partial_row, left : left + (cols - 1) * sw + 1 : sw] += (
                        plane[rows, :cols] * weight[:, None])


def _cell_bands(g: ConvGeometry, itemsize: int) -> list[tuple[int, int]]:
    """Padded rows [a, b) in bands of about SCATTER_BAND_BYTES (all the group's channels)."""
    rows = max(1, SCATTER_BAND_BYTES // (g.in_per_group * g.padded_width * itemsize))
    return [(a, min(a + rows, g.padded_height)) for a in range(0, g.padded_height, rows)]


def _on_cores(work, items, multiply_adds: int) -> None:
    if multiply_adds < SCATTER_PARALLEL_MIN:
        for item in items:
            work(item)
    else:
        map_on_all_cores(work, items)


def scatter_in_frame_order(into, grad_planes, weights, g: ConvGeometry,
                           stop: tuple[int, int] | None = None) -> None:
    """Add onto ``into`` (C/G, Hp, Wp), one image's group of the padded input gradient, what the
    scatter frames of the filters in ``grad_planes`` (nf, OH, OW), kernels ``weights``, add, in the
    frames' order and rounding (see ``_scatter_onto_band``); the last filter stops before element
    ``stop = (oy0, ox0)`` if given. Bands of rows run on all cores: every cell gets the same
    additions in the same order whichever band holds it, so the result does not depend on it."""
    if not len(grad_planes):
        return
    kh, kw = g.kernel_size
    multiply_adds = len(grad_planes) * g.in_per_group * kh * kw * g.out_height * g.out_width

    def work(band):
        a, b = band
        _scatter_onto_band(into[:, a:b], a, grad_planes, weights, g, stop)

    _on_cores(work, _cell_bands(g, into.itemsize), multiply_adds)


def scatter_with_checkpoints(grad_output, weight, g: ConvGeometry, every: int):
    """The whole padded input gradient in the frames' order, and the checkpoints states start from.

    grad_output (N, F, OH, OW), weight (F, C/G, KH, KW) -> (grad (N, C, Hp, Wp), checkpoints
    (N, G, K, C/G, Hp, Wp)), where checkpoint k of image n's group is that group's sum after its
    first (k + 1)·``every`` filters, for every such count below F/G.
    """
    per_group, channels = g.out_per_group, g.in_per_group
    count = (per_group - 1) // every
    n_images = grad_output.shape[0]
    grad = np.zeros((n_images, g.in_channels, g.padded_height, g.padded_width), dtype=grad_output.dtype)
    checkpoints = np.empty((n_images, g.groups, count, channels, g.padded_height, g.padded_width),
                           dtype=grad_output.dtype)
    kh, kw = g.kernel_size
    multiply_adds = grad_output.size * channels * kh * kw

    def work(item):
        n, group, (a, b) = item
        band = grad[n, group * channels : (group + 1) * channels, a:b]
        for k in range(count + 1):
            filters = slice(group * per_group + k * every, group * per_group + min((k + 1) * every, per_group))
            _scatter_onto_band(band, a, grad_output[n, filters], weight[filters], g)
            if k < count:
                checkpoints[n, group, k, :, a:b] = band

    items = [(n, group, band) for n in range(n_images) for group in range(g.groups)
             for band in _cell_bands(g, grad.itemsize)]
    _on_cores(work, items, multiply_adds)
    return grad, checkpoints


def checkpoint_spacing(g: ConvGeometry, itemsize: int) -> int:
    """Filters between scatter checkpoints: as few as keep the checkpoints no bigger than the
    trace's own copies of the padded input and grad_output (a trace stays a few copies of its
    arrays). A scatter state then adds up at most that many filters' planes: 2 of 8 for a
    3×512×512 input with 7×7 filters, 32 of 64 for a 64-channel 56×56 layer."""
    group_bytes = g.in_per_group * g.padded_height * g.padded_width * itemsize
    budget = group_bytes + g.out_per_group * g.out_height * g.out_width * itemsize  # per image and group
    fit = budget // group_bytes
    return -(-g.out_per_group // (fit + 1))


# ----------------------------------------------------------------------------------------------
# The weight gradient and the cells windows reach


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
