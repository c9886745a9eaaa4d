"""2-D convolution (cross-correlation, as in every deep-learning library), forward and backward.

Notation used throughout, as in a textbook:

    x       input            (N, C, H, W)        or unbatched (C, H, W)
    w       weight           (F, C // G, KH, KW)  G = groups
    b       bias             (F,)
    y       output           (N, F, OH, OW)
    s, d, p stride, dilation, padding (per axis: sh/sw, dh/dw, top/bottom/left/right)

    OH = floor((H + p_top + p_bottom - dh·(KH - 1) - 1) / sh) + 1      (OW alike)

    y[n, f, oy, ox] = b[f] + sum over c < C/G, i < KH, j < KW of
                      x_pad[n, g·C/G + c, oy·sh + i·dh, ox·sw + j·dw] · w[f, c, i, j]
    where g = f // (F/G) is the group of filter f.

Four algorithms compute exactly this, each readable on its own:

- ``"loops"``   the sum above as nested Python loops; slow, the reference, and the order in which
                the visualizer narrates the computation.
- ``"im2col"``  copy every window into a column matrix (C·KH·KW, OH·OW) and do one matrix product
                per group; its backward scatters the column gradients back with col2im.
- ``"strided"`` a read-only strided view of all windows (no copy) contracted with ``einsum``; its
                input gradient is the transposed convolution: a full correlation of the
                zero-inserted output gradient with the kernel rotated by 180 degrees.
- ``"banded"``  im2col along the width only, so that each output row's column matrix is a band
                of shared rows, with a thread per core: the fast path, and the default.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..parallel import CORES, map_on_all_cores
from .checks import as_float_array, check_bool, check_ndim, int_pair, positive_int, quiet_nonfinite, same_dtype
from .padding import check_pad_fits, check_padding_mode, pad2d, pad2d_backward

ALGORITHMS = ("loops", "im2col", "strided", "banded")

# im2col builds its column matrix a few images at a time so that it stays near the CPU caches
# instead of one (C·KH·KW, N·OH·OW) matrix of over 100 MB for the first layer of the cat/dog CNN.
IM2COL_CHUNK_BYTES = 8 * 2**20
# The banded algorithm's unfolded rows, per chunk of images: about the size of a core's L2 cache.
BANDED_CHUNK_BYTES = 4 * 2**20


@dataclass(frozen=True)
class ConvGeometry:
    """Every size of one convolution, validated. Shared by the engine and the traces."""

    batch: int
    in_channels: int
    height: int
    width: int
    out_channels: int
    kernel_size: tuple[int, int]
    stride: tuple[int, int]
    dilation: tuple[int, int]
    pads: tuple[int, int, int, int]  # top, bottom, left, right
    groups: int
    padding_mode: str
    unbatched: bool
    out_height: int
    out_width: int

    @property
    def in_per_group(self) -> int:
        return self.in_channels // self.groups

    @property
    def out_per_group(self) -> int:
        return self.out_channels // self.groups

    @property
    def padded_height(self) -> int:
        return self.pads[0] + self.height + self.pads[1]

    @property
    def padded_width(self) -> int:
        return self.pads[2] + self.width + self.pads[3]

    @property
    def output_shape(self) -> tuple[int, ...]:
        shape = (self.out_channels, self.out_height, self.out_width)
        return shape if self.unbatched else (self.batch,) + shape


def resolve_padding(padding, kernel_size, dilation, stride, stride_given=None) -> tuple[int, int, int, int]:
    """``padding`` as given to conv2d -> (top, bottom, left, right).

    ``"same"`` pads ``d·(k - 1)`` in total per axis, the smaller half before and the extra pixel
    after, exactly as torch splits it.
    """
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding == "same":
            if stride != (1, 1):
                raise ValueError(
                    f"padding='same' is not supported for strided convolutions "
                    f"(stride={stride if stride_given is None else stride_given!r}): "
                    "with a stride the output cannot keep the input's size; give the padding as numbers"
                )
            pads = []
            for k, d in zip(kernel_size, dilation):
                total = d * (k - 1)
                pads += [total // 2, total - total // 2]
            return tuple(pads)
        raise ValueError(f"padding must be an int, a pair of ints, 'valid' or 'same', got {padding!r}")
    ph, pw = int_pair(padding, "padding", minimum=0)
    return (ph, ph, pw, pw)


def _output_size(axis, size, before, after, k, d, s) -> int:
    out = (size + before + after - d * (k - 1) - 1) // s + 1
    if out < 1:
        letter = axis[0].upper()  # H or W
        raise ValueError(
            f"the dilated kernel does not fit the padded input, so the output would be empty: "
            f"output {axis} = floor(({letter} + p_before + p_after - d(k - 1) - 1) / s) + 1 = "
            f"floor(({size} + {before} + {after} - {d}·({k} - 1) - 1) / {s}) + 1 = {out}; "
            f"the dilated kernel spans {d * (k - 1) + 1} pixels but the padded input {axis} is "
            f"{size + before + after}"
        )
    return out


def conv_geometry(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
                  padding_mode="zeros") -> ConvGeometry:
    """Validate conv2d's arguments and work out every size, or raise a message naming the rule."""
    as_float_array(input, "input")
    as_float_array(weight, "weight")
    if bias is not None:
        as_float_array(bias, "bias")
    check_ndim(input, "input", (3, 4), "(N, C, H, W) or unbatched (C, H, W)")
    check_ndim(weight, "weight", (4,), "(out_channels, in_channels // groups, KH, KW)")
    same_dtype({"input": input, "weight": weight, "bias": bias})
    stride_given, stride = stride, int_pair(stride, "stride", minimum=1)
    dilation = int_pair(dilation, "dilation", minimum=1)
    groups = positive_int(groups, "groups")
    check_padding_mode(padding_mode)

    unbatched = input.ndim == 3
    batch, in_channels, height, width = (1,) + input.shape if unbatched else input.shape
    out_channels, weight_in, kh, kw = weight.shape
    if min(weight.shape) < 1 or min(height, width, in_channels) < 1:  # an empty batch is fine
        raise ValueError(f"input {input.shape} and weight {weight.shape} must have no empty axis "
                         "other than the batch")
    if in_channels % groups or out_channels % groups:
        raise ValueError(
            f"groups must divide both channel counts: groups={groups}, in_channels={in_channels}, "
            f"out_channels={out_channels}"
        )
    if weight_in * groups != in_channels:
        raise ValueError(
            f"weight {weight.shape} expects {weight_in} input channel(s) per group, so "
            f"{weight_in * groups} input channels with groups={groups}, but the input {input.shape} "
            f"has {in_channels} channels (weight.shape[1] must be in_channels // groups)"
        )
    if bias is not None and bias.shape != (out_channels,):
        raise ValueError(f"bias must have shape ({out_channels},), one value per filter, got {bias.shape}")

    pads = resolve_padding(padding, (kh, kw), dilation, stride, stride_given)
    check_pad_fits(height, pads[0], pads[1], padding_mode, "height")
    check_pad_fits(width, pads[2], pads[3], padding_mode, "width")
    out_height = _output_size("height", height, pads[0], pads[1], kh, dilation[0], stride[0])
    out_width = _output_size("width", width, pads[2], pads[3], kw, dilation[1], stride[1])
    return ConvGeometry(batch, in_channels, height, width, out_channels, (kh, kw), stride, dilation,
                        pads, groups, padding_mode, unbatched, out_height, out_width)


def _check_algorithm(algorithm) -> None:
    if algorithm is not None and algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be None or one of {', '.join(map(repr, ALGORITHMS))}, got {algorithm!r}")


def _choose_algorithm(geometry: ConvGeometry) -> str:
    """The algorithm for ``algorithm=None``. benchmarks/bench_conv.py finds banded the fastest on
    every convolution of the cat/dog CNN (im2col is close only on small 3x3 ones), and banded is
    im2col again, band by band, where it cannot share rows (dilation along the height)."""
    return "banded"


# ----------------------------------------------------------------------------------------------
# The loops: the reference.


def _forward_loops(x_pad, w, b, g: ConvGeometry):
    (kh, kw), (sh, sw), (dh, dw) = g.kernel_size, g.stride, g.dilation
    # Accumulate in float64 (Python floats) and round once at the end.
    x_pad64, w64 = x_pad.astype(np.float64), w.astype(np.float64)
    y = np.zeros((g.batch, g.out_channels, g.out_height, g.out_width), dtype=x_pad.dtype)
    for n in range(g.batch):
        for f in range(g.out_channels):
            first_channel = (f // g.out_per_group) * g.in_per_group
            for oy in range(g.out_height):
                for ox in range(g.out_width):
                    total = 0.0
                    for c in range(g.in_per_group):
                        for i in range(kh):
                            for j in range(kw):
                                total += (x_pad64[n, first_channel + c, oy * sh + i * dh, ox * sw + j * dw]
                                          * w64[f, c, i, j])
                    y[n, f, oy, ox] = total if b is None else total + float(b[f])
    return y


def _backward_loops(gy, x_pad, w, g: ConvGeometry, need_input_grad=True):
    """Walk every multiply-add of the forward pass and send its gradient to both factors."""
    (kh, kw), (sh, sw), (dh, dw) = g.kernel_size, g.stride, g.dilation
    x_pad64, w64, gy64 = x_pad.astype(np.float64), w.astype(np.float64), gy.astype(np.float64)
    grad_x_pad = np.zeros(x_pad.shape, dtype=np.float64)
    grad_w = np.zeros(w.shape, dtype=np.float64)
    for n in range(g.batch):
        for f in range(g.out_channels):
            first_channel = (f // g.out_per_group) * g.in_per_group
            for oy in range(g.out_height):
                for ox in range(g.out_width):
                    upstream = gy64[n, f, oy, ox]
                    for c in range(g.in_per_group):
                        for i in range(kh):
                            for j in range(kw):
                                y_in, x_in = oy * sh + i * dh, ox * sw + j * dw
                                grad_x_pad[n, first_channel + c, y_in, x_in] += upstream * w64[f, c, i, j]
                                grad_w[f, c, i, j] += upstream * x_pad64[n, first_channel + c, y_in, x_in]
    return grad_x_pad.astype(x_pad.dtype), grad_w.astype(w.dtype)


# ----------------------------------------------------------------------------------------------
# im2col: windows copied into columns, one matrix product per group.


def im2col(x_pad: np.ndarray, g: ConvGeometry) -> np.ndarray:
    """x_pad: (n, C, Hp, Wp) -> columns (G, C/G·KH·KW, n·OH·OW).

    Row (c, i, j) of group g holds, for every output position, the input value that kernel tap
    (c, i, j) multiplies: x_pad[:, g·C/G + c, oy·sh + i·dh, ox·sw + j·dw].
    """
    (kh, kw), (sh, sw), (dh, dw) = g.kernel_size, g.stride, g.dilation
    n = x_pad.shape[0]
    cols = np.empty((g.in_channels, kh, kw, n, g.out_height, g.out_width), dtype=x_pad.dtype)
    x_channels_first = x_pad.transpose(1, 0, 2, 3)  # (C, n, Hp, Wp): channel rows come first
    for i in range(kh):
        for j in range(kw):
            # Every output position's tap (i, j) at once: a strided slice of the padded input.
            cols[:, i, j] = x_channels_first[:, :, i * dh : i * dh + (g.out_height - 1) * sh + 1 : sh,
                                                   j * dw : j * dw + (g.out_width - 1) * sw + 1 : sw]
    return cols.reshape(g.groups, g.in_per_group * kh * kw, n * g.out_height * g.out_width)


def col2im(grad_cols: np.ndarray, n: int, g: ConvGeometry) -> np.ndarray:
    """The adjoint of im2col: (G, C/G·KH·KW, n·OH·OW) -> (n, C, Hp, Wp), overlapping taps summed."""
    (kh, kw), (sh, sw), (dh, dw) = g.kernel_size, g.stride, g.dilation
    grad_cols = grad_cols.reshape(g.in_channels, kh, kw, n, g.out_height, g.out_width)
    grad_x_pad = np.zeros((g.in_channels, n, g.padded_height, g.padded_width), dtype=grad_cols.dtype)
    for i in range(kh):
        for j in range(kw):
            grad_x_pad[:, :, i * dh : i * dh + (g.out_height - 1) * sh + 1 : sh,
                             j * dw : j * dw + (g.out_width - 1) * sw + 1 : sw] += grad_cols[:, i, j]
    return grad_x_pad.transpose(1, 0, 2, 3)


def _batch_chunks(batch: int, bytes_per_image: int, budget: int, min_chunks: int = 1) -> list[slice]:
    """Split the batch into chunks of about equal size, each of at most ``budget`` bytes (but at
    least one image), their count a multiple of ``min_chunks`` so that every core gets the same
    work."""
    count = max(1, -(-batch * bytes_per_image // budget))
    count = min(batch, -(-count // min_chunks) * min_chunks)
    bounds = [batch * k // count for k in range(count + 1)] if count else []
    return [slice(start, stop) for start, stop in zip(bounds, bounds[1:])]


def _im2col_chunks(g: ConvGeometry, itemsize: int) -> list[slice]:
    kh, kw = g.kernel_size
    return _batch_chunks(g.batch, g.in_channels * kh * kw * g.out_height * g.out_width * itemsize,
                         IM2COL_CHUNK_BYTES)


def _grouped_weight(w: np.ndarray, g: ConvGeometry) -> np.ndarray:
    """(F, C/G, KH, KW) -> (G, F/G, C/G·KH·KW): one weight matrix per group, a row per filter."""
    return w.reshape(g.groups, g.out_per_group, -1)


def _forward_im2col(x_pad, w, b, g: ConvGeometry):
    w_mat = _grouped_weight(w, g)
    y = np.empty((g.batch, g.out_channels, g.out_height, g.out_width), dtype=x_pad.dtype)
    for chunk in _im2col_chunks(g, x_pad.itemsize):
        cols = im2col(x_pad[chunk], g)
        y_mat = w_mat @ cols  # (G, F/G, n·OH·OW)
        n = cols.shape[-1] // (g.out_height * g.out_width)
        y[chunk] = y_mat.reshape(g.out_channels, n, g.out_height, g.out_width).transpose(1, 0, 2, 3)
    if b is not None:
        y += b[:, None, None]
    return y


def _col2im_input_grad(gy, w, g: ConvGeometry) -> np.ndarray:
    """The padded input's gradient: column gradients w^T @ gy scattered back by col2im."""
    w_mat = _grouped_weight(w, g)
    grad_x_pad = np.empty((g.batch, g.in_channels, g.padded_height, g.padded_width), dtype=gy.dtype)
    for chunk in _im2col_chunks(g, gy.itemsize):
        # (n, F, OH, OW) -> (G, F/G, n·OH·OW), the layout of the forward's product.
        gy_mat = gy[chunk].transpose(1, 0, 2, 3).reshape(g.groups, g.out_per_group, -1)
        n = gy_mat.shape[-1] // (g.out_height * g.out_width)
        grad_x_pad[chunk] = col2im(w_mat.transpose(0, 2, 1) @ gy_mat, n, g)
    return grad_x_pad


def _backward_im2col(gy, x_pad, w, g: ConvGeometry, need_input_grad=True):
    grad_w_mat = np.zeros_like(_grouped_weight(w, g))
    for chunk in _im2col_chunks(g, x_pad.itemsize):
        cols = im2col(x_pad[chunk], g)
        gy_mat = gy[chunk].transpose(1, 0, 2, 3).reshape(g.groups, g.out_per_group, -1)
        grad_w_mat += gy_mat @ cols.transpose(0, 2, 1)
    grad_x_pad = _col2im_input_grad(gy, w, g) if need_input_grad else None
    return grad_x_pad, grad_w_mat.reshape(w.shape)


# ----------------------------------------------------------------------------------------------
# strided: a read-only view of every window, contracted with einsum.


def window_view(x: np.ndarray, out_size, kernel_size, stride, dilation) -> np.ndarray:
    """x: (N, C, H, W) -> read-only view (N, C, OH, OW, KH, KW) with
    view[n, c, oy, ox, i, j] = x[n, c, oy·sh + i·dh, ox·sw + j·dw]. Nothing is copied."""
    sn, sc, sy, sx = x.strides
    (sh, sw), (dh, dw) = stride, dilation
    return as_strided(x, shape=x.shape[:2] + tuple(out_size) + tuple(kernel_size),
                      strides=(sn, sc, sy * sh, sx * sw, sy * dh, sx * dw), writeable=False)


def _grouped_windows(x_pad, g: ConvGeometry) -> np.ndarray:
    """(N, G, C/G, OH, OW, KH, KW) view of every window, channels split into groups."""
    windows = window_view(x_pad, (g.out_height, g.out_width), g.kernel_size, g.stride, g.dilation)
    return windows.reshape((g.batch, g.groups, g.in_per_group) + windows.shape[2:])


def _forward_strided(x_pad, w, b, g: ConvGeometry):
    w_g = w.reshape((g.groups, g.out_per_group) + w.shape[1:])  # (G, F/G, C/G, KH, KW)
    y = np.einsum("ngcyxij,gfcij->ngfyx", _grouped_windows(x_pad, g), w_g, optimize=True)
    y = y.reshape(g.batch, g.out_channels, g.out_height, g.out_width)
    return y if b is None else y + b[:, None, None]


def spread_output_grad(gy: np.ndarray, g: ConvGeometry) -> np.ndarray:
    """The output gradient as the transposed convolution's input: sh - 1 zeros inserted between
    its rows (sw - 1 between its columns), then padded by the dilated kernel's reach d·(k - 1) on
    every side, and a little more at the end so that the correlation yields exactly Hp x Wp.

    gy: (N, F, OH, OW) -> (N, F, Hp + dh·(KH - 1), Wp + dw·(KW - 1)).
    """
    (kh, kw), (sh, sw), (dh, dw) = g.kernel_size, g.stride, g.dilation
    reach_y, reach_x = dh * (kh - 1), dw * (kw - 1)
    spread = np.zeros((gy.shape[0], g.out_channels, g.padded_height + reach_y, g.padded_width + reach_x),
                      dtype=gy.dtype)
    spread[:, :, reach_y : reach_y + (g.out_height - 1) * sh + 1 : sh,
                 reach_x : reach_x + (g.out_width - 1) * sw + 1 : sw] = gy
    return spread


def transposed_kernel(w: np.ndarray, g: ConvGeometry) -> np.ndarray:
    """The kernel of the transposed convolution: rotated by 180 degrees, and within each group
    the filters become input channels. (F, C/G, KH, KW) -> (C, F/G, KH, KW)."""
    kh, kw = g.kernel_size
    swapped = w.reshape(g.groups, g.out_per_group, g.in_per_group, kh, kw).swapaxes(1, 2)
    return np.ascontiguousarray(swapped[..., ::-1, ::-1]).reshape(g.in_channels, g.out_per_group, kh, kw)


def transposed_conv_input_grad(gy: np.ndarray, w: np.ndarray, g: ConvGeometry,
                               algorithm: str = "strided") -> np.ndarray:
    """The gradient of the padded input as a transposed convolution: the spread output gradient
    (``spread_output_grad``) correlated with ``transposed_kernel`` at the forward's dilation,
    stride 1, groups unchanged; an ordinary convolution, computed by ``algorithm``'s forward.

    gy: (N, F, OH, OW), w: (F, C/G, KH, KW) -> (N, C, Hp, Wp), the gradient of the padded input.
    """
    spread = spread_output_grad(gy, g)
    transposed = ConvGeometry(
        batch=gy.shape[0], in_channels=g.out_channels, height=spread.shape[2], width=spread.shape[3],
        out_channels=g.in_channels, kernel_size=g.kernel_size, stride=(1, 1), dilation=g.dilation,
        pads=(0, 0, 0, 0), groups=g.groups, padding_mode="zeros", unbatched=False,
        out_height=g.padded_height, out_width=g.padded_width)
    return _FORWARD[algorithm](spread, transposed_kernel(w, g), None, transposed)


def _transposed_road_is_exact(w: np.ndarray) -> bool:
    """The transposed convolution multiplies every weight by the zeros it inserts and pads with;
    an inf weight then makes 0·inf = NaN where the true gradient has no such product (torch and
    the scatter-add give a finite value there). Such weights take the scatter road instead."""
    return bool(np.isfinite(w).all())


def _backward_strided(gy, x_pad, w, g: ConvGeometry, need_input_grad=True):
    gy_g = gy.reshape(g.batch, g.groups, g.out_per_group, g.out_height, g.out_width)
    grad_w = np.einsum("ngfyx,ngcyxij->gfcij", gy_g, _grouped_windows(x_pad, g), optimize=True)
    if not need_input_grad:
        return None, grad_w.reshape(w.shape)
    if _transposed_road_is_exact(w):
        return transposed_conv_input_grad(gy, w, g), grad_w.reshape(w.shape)
    return _col2im_input_grad(gy, w, g), grad_w.reshape(w.shape)


# ----------------------------------------------------------------------------------------------
# banded: im2col along the width only. The fast path for training.
#
# Output row oy reads input rows oy·sh .. oy·sh + KH - 1, and output row oy + 1 reads almost the
# same rows again, so a full column matrix copies each input row about KH / sh times. Unfolding
# only along the width, rows[h] = (C, KW, n, OW) with rows[h][c, j, m, ox] = x_pad[m, c, h,
# ox·sw + j·dw], copies each input row KW / sw times; the column matrix of output row oy for all
# n images is then the band rows[oy·sh : oy·sh + KH] read as a (KH·C·KW, n·OW) matrix, without
# another copy. For the first layer of the cat/dog CNN that is 3.5x less copying than im2col, and
# one wide matrix product per output row. (With dilation along the height a band's rows are not
# adjacent and each band is copied: then this is im2col again, output row by output row.)


def band_rows(x_pad: np.ndarray, g: ConvGeometry) -> np.ndarray:
    """x_pad: (n, C, Hp, Wp) -> rows (G, Hp, C/G, KW, n, OW), the input unfolded along its width:
    rows[g, h, c, j, m, ox] = x_pad[m, g·C/G + c, h, ox·sw + j·dw]."""
    sn, sc, sy, sx = x_pad.strides
    kw, sw, dw = g.kernel_size[1], g.stride[1], g.dilation[1]
    shape = (g.groups, g.padded_height, g.in_per_group, kw, x_pad.shape[0], g.out_width)
    strides = (sc * g.in_per_group, sy, sc, sx * dw, sn, sx * sw)
    # A fresh array, never a view: _bands relies on this exact C-order layout, and
    # np.ascontiguousarray may hand back the strided view itself when an axis has length 1.
    rows = np.empty(shape, dtype=x_pad.dtype)
    rows[...] = as_strided(x_pad, shape, strides, writeable=False)
    return rows


def _bands(rows: np.ndarray, g: ConvGeometry) -> np.ndarray:
    """rows (G, Hp, C/G, KW, n, OW) -> (G, OH, KH·C/G·KW, n·OW): the column matrix of each output
    row, its row (i, c, j) being rows[g, oy·sh + i·dh, c, j]. A view (no copy) when dh = 1."""
    (kh, kw), sh, dh = g.kernel_size, g.stride[0], g.dilation[0]
    columns = rows.shape[-2] * g.out_width  # n·OW
    rx = rows.itemsize  # strides of the C-order layout band_rows allocates
    rh = g.in_per_group * kw * columns * rx
    rg = g.padded_height * rh
    band = as_strided(rows, (g.groups, g.out_height, kh, g.in_per_group * kw, columns),
                      (rg, rh * sh, rh * dh, rx * columns, rx), writeable=False)
    return band.reshape(g.groups, g.out_height, kh * g.in_per_group * kw, columns)


def _banded_weight(w: np.ndarray, g: ConvGeometry) -> np.ndarray:
    """(F, C/G, KH, KW) -> (G, 1, F/G, KH·C/G·KW), columns in the bands' (i, c, j) order."""
    w_band = np.ascontiguousarray(w.transpose(0, 2, 1, 3))
    return w_band.reshape(g.groups, 1, g.out_per_group, -1)


def _banded_chunks(g: ConvGeometry, itemsize: int) -> list[slice]:
    rows_per_image = g.padded_height * g.in_channels * g.kernel_size[1] * g.out_width * itemsize
    return _batch_chunks(g.batch, rows_per_image, BANDED_CHUNK_BYTES, min_chunks=CORES)


def _forward_banded(x_pad, w, b, g: ConvGeometry):
    w_band = _banded_weight(w, g)
    y = np.empty((g.batch, g.out_channels, g.out_height, g.out_width), dtype=x_pad.dtype)

    def forward_chunk(chunk):
        # (G, 1, F/G, K) @ (G, OH, K, n·OW) -> (G, OH, F/G, n·OW): one product per output row
        y_rows = np.matmul(w_band, _bands(band_rows(x_pad[chunk], g), g))
        n = y_rows.shape[-1] // g.out_width
        y_rows = y_rows.reshape(g.groups, g.out_height, g.out_per_group, n, g.out_width)
        y[chunk] = y_rows.transpose(3, 0, 2, 1, 4).reshape(n, g.out_channels, g.out_height, g.out_width)

    map_on_all_cores(forward_chunk, _banded_chunks(g, x_pad.itemsize))
    if b is not None:
        y += b[:, None, None]
    return y


def _backward_banded(gy, x_pad, w, g: ConvGeometry, need_input_grad=True):
    kh, kw = g.kernel_size

    def weight_grad_of_chunk(chunk):
        bands = _bands(band_rows(x_pad[chunk], g), g)  # (G, OH, K, n·OW)
        n = bands.shape[-1] // g.out_width
        # (n, F, OH, OW) -> (G, OH, n·OW, F/G), so that bands @ gy_rows is one product per row
        gy_rows = gy[chunk].reshape(n, g.groups, g.out_per_group, g.out_height, g.out_width)
        gy_rows = np.ascontiguousarray(gy_rows.transpose(1, 3, 0, 4, 2)).reshape(
            g.groups, g.out_height, n * g.out_width, g.out_per_group)
        # summed over output rows: band (K, n·OW) @ gy_row (n·OW, F/G) -> (G, K, F/G)
        return np.matmul(bands, gy_rows).sum(axis=1)

    grad_w_band = sum(map_on_all_cores(weight_grad_of_chunk, _banded_chunks(g, x_pad.itemsize)),
                      start=np.zeros((g.groups, kh * g.in_per_group * kw, g.out_per_group), dtype=w.dtype))
    grad_w = grad_w_band.reshape(g.groups, kh, g.in_per_group, kw, g.out_per_group)
    grad_w = np.ascontiguousarray(grad_w.transpose(0, 4, 2, 1, 3)).reshape(w.shape)
    if not need_input_grad:
        return None, grad_w
    if g.stride == (1, 1) and _transposed_road_is_exact(w):
        # Without a stride the transposed convolution wastes nothing: it is a banded forward pass.
        return transposed_conv_input_grad(gy, w, g, algorithm="banded"), grad_w
    return _col2im_input_grad(gy, w, g), grad_w


_FORWARD = {"loops": _forward_loops, "im2col": _forward_im2col, "strided": _forward_strided,
            "banded": _forward_banded}
_BACKWARD = {"loops": _backward_loops, "im2col": _backward_im2col, "strided": _backward_strided,
             "banded": _backward_banded}


# ----------------------------------------------------------------------------------------------
# The public functions.


def _batched(x: np.ndarray, g: ConvGeometry) -> np.ndarray:
    return x[None] if g.unbatched else x


def _padded(x: np.ndarray, g: ConvGeometry) -> np.ndarray:
    """The padded input; the input itself when there is no padding (the algorithms only read it)."""
    return pad2d(x, g.pads, g.padding_mode) if any(g.pads) else x


@quiet_nonfinite
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
           padding_mode="zeros", algorithm=None):
    """2-D convolution with torch.nn.functional.conv2d's semantics plus nn.Conv2d's padding_mode.

    input: (N, C, H, W) or (C, H, W); weight: (F, C // groups, KH, KW); bias: (F,) or None.
    stride, dilation: int or pair; padding: int, pair, "valid" or "same".
    Returns (N, F, OH, OW), or (F, OH, OW) for unbatched input, in the input's dtype.
    """
    g = conv_geometry(input, weight, bias, stride, padding, dilation, groups, padding_mode)
    _check_algorithm(algorithm)
    x_pad = _padded(_batched(input, g), g)
    y = _FORWARD[algorithm or _choose_algorithm(g)](x_pad, weight, bias, g)
    y = y.astype(input.dtype, copy=False)
    return y[0] if g.unbatched else y


def check_grad_output(grad_output, input, weight, g: ConvGeometry) -> None:
    """grad_output must be a float array of the input's dtype and the output's shape."""
    as_float_array(grad_output, "grad_output")
    same_dtype({"input": input, "grad_output": grad_output})
    if grad_output.shape != g.output_shape:
        raise ValueError(
            f"grad_output must have the output's shape {g.output_shape} for input {input.shape} "
            f"and weight {weight.shape}, got {grad_output.shape}"
        )


@quiet_nonfinite
def conv2d_backward(grad_output, input, weight, stride=1, padding=0, dilation=1, groups=1,
                    padding_mode="zeros", has_bias=True, algorithm=None, need_input_grad=True):
    """Gradients of conv2d for the given output gradient, equal to torch autograd's.

    Returns (grad_input, grad_weight, grad_bias); grad_bias is None when has_bias is False, and
    grad_input is None when need_input_grad is False (a network's first layer: nothing upstream
    needs the image's gradient, and it is the most expensive of the three).
    grad_input has the input's shape (unbatched stays unbatched).
    """
    g = conv_geometry(input, weight, None, stride, padding, dilation, groups, padding_mode)
    _check_algorithm(algorithm)
    check_grad_output(grad_output, input, weight, g)
    has_bias = check_bool(has_bias, "has_bias")
    need_input_grad = check_bool(need_input_grad, "need_input_grad")
    gy = _batched(grad_output, g)
    x_pad = _padded(_batched(input, g), g)
    backward = _BACKWARD[algorithm or _choose_algorithm(g)]
    grad_x_pad, grad_weight = backward(gy, x_pad, weight, g, need_input_grad=need_input_grad)
    grad_bias = gy.sum(axis=(0, 2, 3)).astype(input.dtype, copy=False) if has_bias else None
    if need_input_grad:
        grad_input = pad2d_backward(grad_x_pad, g.pads, g.padding_mode).astype(input.dtype, copy=False)
    grad_weight = grad_weight.astype(weight.dtype, copy=False)
    if not need_input_grad:
        return None, grad_weight, grad_bias
    return (grad_input[0] if g.unbatched else grad_input), grad_weight, grad_bias
