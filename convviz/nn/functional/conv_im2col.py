"""conv2d's ``"im2col"`` algorithm: every window copied into a column, one matrix product per group.

    columns (G, C/G·KH·KW, N·OH·OW)      row (c, i, j), column (n, oy, ox) holds
                                         x_pad[n, g·C/G + c, oy·sh + i·dh, ox·sw + j·dw]
    weight  (G, F/G, C/G·KH·KW)          one row per filter
    y = weight @ columns                 (G, F/G, N·OH·OW), reshaped to (N, F, OH, OW)

The backward multiplies by the transposes: dW = dY @ columnsᵀ, and the column gradients
Wᵀ @ dY are scattered back onto the padded input by ``col2im``, overlapping taps summed.
"""

from __future__ import annotations

import numpy as np

from .conv_geometry import ConvGeometry

__all__ = ["IM2COL_CHUNK_BYTES", "batch_chunks", "col2im", "col2im_input_grad", "im2col"]

# im2col builds its column matrix a few images at a time so that it stays near the CPU caches
# instead of one (C·KH·KW, N·OH·OW) matrix of over 100 MB for the first layer of the cat/dog CNN.
IM2COL_CHUNK_BYTES = 8 * 2**20


def im2col(x_pad: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    """x_pad: (n, C, Hp, Wp) -> columns (G, C/G·KH·KW, n·OH·OW).

    Row (c, i, j) of group g holds, for every output position, the input value that kernel tap
    (c, i, j) multiplies: x_pad[:, g·C/G + c, oy·sh + i·dh, ox·sw + j·dw].
    """
    (kh, kw), (sh, sw), (dh, dw) = geo.kernel_size, geo.stride, geo.dilation
    n = x_pad.shape[0]
    cols = np.empty((geo.in_channels, kh, kw, n, geo.out_height, geo.out_width), dtype=x_pad.dtype)
    x_channels_first = x_pad.transpose(1, 0, 2, 3)  # (C, n, Hp, Wp): channel rows come first
    for i in range(kh):
        for j in range(kw):
            # Every output position's tap (i, j) at once: a strided slice of the padded input.
            cols[:, i, j] = x_channels_first[:, :, i * dh : i * dh + (geo.out_height - 1) * sh + 1 : sh,
                                                   j * dw : j * dw + (geo.out_width - 1) * sw + 1 : sw]
    return cols.reshape(geo.groups, geo.in_per_group * kh * kw, n * geo.out_height * geo.out_width)


def col2im(grad_cols: np.ndarray, n: int, geo: ConvGeometry) -> np.ndarray:
    """The adjoint of im2col: (G, C/G·KH·KW, n·OH·OW) -> (n, C, Hp, Wp), overlapping taps summed."""
    (kh, kw), (sh, sw), (dh, dw) = geo.kernel_size, geo.stride, geo.dilation
    grad_cols = grad_cols.reshape(geo.in_channels, kh, kw, n, geo.out_height, geo.out_width)
    grad_x_pad = np.zeros((geo.in_channels, n, geo.padded_height, geo.padded_width), dtype=grad_cols.dtype)
    for i in range(kh):
        for j in range(kw):
            grad_x_pad[:, :, i * dh : i * dh + (geo.out_height - 1) * sh + 1 : sh,
                             j * dw : j * dw + (geo.out_width - 1) * sw + 1 : sw] += grad_cols[:, i, j]
    return grad_x_pad.transpose(1, 0, 2, 3)


def batch_chunks(batch: int, bytes_per_image: int, budget: int, min_chunks: int = 1) -> list[slice]:
    """The batch cut into about equal chunks of at most ``budget`` bytes each (but at least one
    image), their count a multiple of ``min_chunks`` so that every core gets the same work."""
    count = max(1, -(-batch * bytes_per_image // budget))
    count = min(batch, -(-count // min_chunks) * min_chunks)
    bounds = [batch * k // count for k in range(count + 1)] if count else []
    return [slice(start, stop) for start, stop in zip(bounds, bounds[1:])]


def _im2col_chunks(geo: ConvGeometry, itemsize: int) -> list[slice]:
    kh, kw = geo.kernel_size
    return batch_chunks(geo.batch, geo.in_channels * kh * kw * geo.out_height * geo.out_width * itemsize,
                        IM2COL_CHUNK_BYTES)


def _grouped_weight(w: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    """(F, C/G, KH, KW) -> (G, F/G, C/G·KH·KW): one weight matrix per group, a row per filter."""
    return w.reshape(geo.groups, geo.out_per_group, -1)


def _grouped_output_grad(gy: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    """(n, F, OH, OW) -> (G, F/G, n·OH·OW), the layout of the forward's product."""
    return gy.transpose(1, 0, 2, 3).reshape(geo.groups, geo.out_per_group, -1)


def forward_im2col(x_pad, w, b, geo: ConvGeometry):
    w_mat = _grouped_weight(w, geo)
    y = np.empty((geo.batch, geo.out_channels, geo.out_height, geo.out_width), dtype=x_pad.dtype)
    for chunk in _im2col_chunks(geo, x_pad.itemsize):
        cols = im2col(x_pad[chunk], geo)
        y_mat = w_mat @ cols  # (G, F/G, n·OH·OW)
        n = cols.shape[-1] // (geo.out_height * geo.out_width)
        y[chunk] = y_mat.reshape(geo.out_channels, n, geo.out_height, geo.out_width).transpose(1, 0, 2, 3)
    if b is not None:
        y += b[:, None, None]
    return y


def col2im_input_grad(gy, w, geo: ConvGeometry) -> np.ndarray:
    """The padded input's gradient: column gradients Wᵀ @ dY scattered back by col2im.
    gy (N, F, OH, OW), w (F, C/G, KH, KW) -> (N, C, Hp, Wp)."""
    w_mat = _grouped_weight(w, geo)
    grad_x_pad = np.empty((geo.batch, geo.in_channels, geo.padded_height, geo.padded_width), dtype=gy.dtype)
    for chunk in _im2col_chunks(geo, gy.itemsize):
        gy_mat = _grouped_output_grad(gy[chunk], geo)
        n = gy_mat.shape[-1] // (geo.out_height * geo.out_width)
        grad_x_pad[chunk] = col2im(w_mat.transpose(0, 2, 1) @ gy_mat, n, geo)
    return grad_x_pad


def backward_im2col(gy, x_pad, w, geo: ConvGeometry, need_input_grad=True):
    grad_w_mat = np.zeros_like(_grouped_weight(w, geo))
    for chunk in _im2col_chunks(geo, x_pad.itemsize):
        grad_w_mat += _grouped_output_grad(gy[chunk], geo) @ im2col(x_pad[chunk], geo).transpose(0, 2, 1)
    grad_x_pad = col2im_input_grad(gy, w, geo) if need_input_grad else None
    return grad_x_pad, grad_w_mat.reshape(w.shape)
