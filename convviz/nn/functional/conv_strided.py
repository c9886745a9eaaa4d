"""conv2d's ``"strided"`` algorithm, and the transposed convolution that gives the input gradient.

The forward reads every window through a read-only strided view of the padded input (nothing is
copied) and contracts it with the kernel in one ``einsum``:

    y[n, g·F/G + f, oy, ox] = sum over c, i, j of windows[n, g, c, oy, ox, i, j] · w[g·F/G + f, c, i, j]

Its input gradient is the transposed convolution: the output gradient with ``sh - 1`` zeros
inserted between its rows (``sw - 1`` between its columns), padded by the dilated kernel's reach,
correlated with the kernel turned by 180 degrees (``spread_output_grad``, ``transposed_kernel``).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .conv_geometry import ConvGeometry, transposed_geometry
from .conv_im2col import col2im_input_grad

__all__ = ["spread_output_grad", "transposed_convolution", "transposed_kernel", "transposed_road_is_exact",
           "window_view"]


def window_view(x: np.ndarray, out_size, kernel_size, stride, dilation) -> np.ndarray:
    """x: (N, C, H, W) -> read-only view (N, C, OH, OW, KH, KW) with
    view[n, c, oy, ox, i, j] = x[n, c, oy·sh + i·dh, ox·sw + j·dw]. Nothing is copied."""
    sn, sc, sy, sx = x.strides
    (sh, sw), (dh, dw) = stride, dilation
    return as_strided(x, shape=x.shape[:2] + tuple(out_size) + tuple(kernel_size),
                      strides=(sn, sc, sy * sh, sx * sw, sy * dh, sx * dw), writeable=False)


def _grouped_windows(x_pad, geo: ConvGeometry) -> np.ndarray:
    """(N, G, C/G, OH, OW, KH, KW) view of every window, channels split into groups."""
    windows = window_view(x_pad, (geo.out_height, geo.out_width), geo.kernel_size, geo.stride, geo.dilation)
    return windows.reshape((geo.batch, geo.groups, geo.in_per_group) + windows.shape[2:])


def forward_strided(x_pad, w, b, geo: ConvGeometry):
    w_grouped = w.reshape((geo.groups, geo.out_per_group) + w.shape[1:])  # (G, F/G, C/G, KH, KW)
    y = np.einsum("ngcyxij,gfcij->ngfyx", _grouped_windows(x_pad, geo), w_grouped, optimize=True)
    y = y.reshape(geo.batch, geo.out_channels, geo.out_height, geo.out_width)
    return y if b is None else y + b[:, None, None]


def spread_output_grad(gy: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    """The output gradient as the transposed convolution's input: sh - 1 zeros inserted between
    its rows (sw - 1 between its columns), then padded by the dilated kernel's reach d·(k - 1) on
    every side, and a little more at the end so that the correlation yields exactly Hp x Wp.

    gy: (N, F, OH, OW) -> (N, F, Hp + dh·(KH - 1), Wp + dw·(KW - 1)).
    """
    (kh, kw), (sh, sw), (dh, dw) = geo.kernel_size, geo.stride, geo.dilation
    reach_y, reach_x = dh * (kh - 1), dw * (kw - 1)
    spread = np.zeros((gy.shape[0], geo.out_channels, geo.padded_height + reach_y, geo.padded_width + reach_x),
                      dtype=gy.dtype)
    spread[:, :, reach_y : reach_y + (geo.out_height - 1) * sh + 1 : sh,
                 reach_x : reach_x + (geo.out_width - 1) * sw + 1 : sw] = gy
    return spread


def transposed_kernel(w: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    """The kernel of the transposed convolution: rotated by 180 degrees, and within each group
    the filters become input channels. (F, C/G, KH, KW) -> (C, F/G, KH, KW)."""
    kh, kw = geo.kernel_size
    swapped = w.reshape(geo.groups, geo.out_per_group, geo.in_per_group, kh, kw).swapaxes(1, 2)
    return np.ascontiguousarray(swapped[..., ::-1, ::-1]).reshape(geo.in_channels, geo.out_per_group, kh, kw)


def transposed_convolution(gy: np.ndarray, w: np.ndarray, geo: ConvGeometry, forward) -> np.ndarray:
    """The padded input's gradient as an ordinary convolution, computed by ``forward`` (an
    algorithm's forward pass): the spread output gradient correlated with the transposed kernel.
    gy (N, F, OH, OW), w (F, C/G, KH, KW) -> (N, C, Hp, Wp)."""
    return forward(spread_output_grad(gy, geo), transposed_kernel(w, geo), None,
                   transposed_geometry(geo, gy.shape[0]))


def transposed_road_is_exact(w: np.ndarray) -> bool:
    """The transposed convolution multiplies every weight by the zeros it inserts and pads with;
    an inf weight then makes 0·inf = NaN where the true gradient has no such product (torch and
    the scatter-add give a finite value there). Such weights take the scatter road instead."""
    return bool(np.isfinite(w).all())


def backward_strided(gy, x_pad, w, geo: ConvGeometry, need_input_grad=True):
    gy_grouped = gy.reshape(geo.batch, geo.groups, geo.out_per_group, geo.out_height, geo.out_width)
    grad_w = np.einsum("ngfyx,ngcyxij->gfcij", gy_grouped, _grouped_windows(x_pad, geo), optimize=True)
    grad_w = grad_w.reshape(w.shape)
    if not need_input_grad:
        return None, grad_w
    if transposed_road_is_exact(w):
        return transposed_convolution(gy, w, geo, forward_strided), grad_w
    return col2im_input_grad(gy, w, geo), grad_w
