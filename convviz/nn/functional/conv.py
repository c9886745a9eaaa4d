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

This module holds the loops beside the formula they spell out, and the two public functions;
the other algorithms live in conv_im2col.py, conv_strided.py and conv_banded.py, and the argument
rules and sizes in conv_geometry.py.
"""

from __future__ import annotations

import numpy as np

from .checks import check_bool, quiet_nonfinite
from .conv_banded import backward_banded, forward_banded
from .conv_geometry import ConvGeometry, ConvSettings, check_grad_output, conv_geometry, conv_settings
from .conv_im2col import backward_im2col, forward_im2col, im2col
from .conv_strided import (backward_strided, forward_strided, spread_output_grad, transposed_convolution,
                           transposed_kernel, window_view)
from .padding import pad2d, pad2d_backward

__all__ = ["ALGORITHMS", "BACKWARD", "DEFAULT_ALGORITHM", "FORWARD", "ConvGeometry", "ConvSettings",
           "check_algorithm", "check_grad_output", "conv2d", "conv2d_backward", "conv_geometry",
           "conv_settings", "im2col", "spread_output_grad", "transposed_conv_input_grad",
           "transposed_kernel", "window_view"]


# ----------------------------------------------------------------------------------------------
# The loops: the reference.


def forward_loops(x_pad, w, b, geo: ConvGeometry):
    (kh, kw), (sh, sw), (dh, dw) = geo.kernel_size, geo.stride, geo.dilation
    # Accumulate in float64 (Python floats) and round once at the end.
    x_pad64, w64 = x_pad.astype(np.float64), w.astype(np.float64)
    y = np.zeros((geo.batch, geo.out_channels, geo.out_height, geo.out_width), dtype=x_pad.dtype)
    for n in range(geo.batch):
        for f in range(geo.out_channels):
            first_channel = (f // geo.out_per_group) * geo.in_per_group  # g·C/G for the group g of f
            for oy in range(geo.out_height):
                for ox in range(geo.out_width):
                    total = 0.0
                    for c in range(geo.in_per_group):
                        for i in range(kh):
                            for j in range(kw):
                                total += (x_pad64[n, first_channel + c, oy * sh + i * dh, ox * sw + j * dw]
                                          * w64[f, c, i, j])
                    y[n, f, oy, ox] = total if b is None else total + float(b[f])
    return y


def backward_loops(gy, x_pad, w, geo: ConvGeometry, need_input_grad=True):
    """Walk every multiply-add of the forward pass and send its gradient to both factors."""
    (kh, kw), (sh, sw), (dh, dw) = geo.kernel_size, geo.stride, geo.dilation
    x_pad64, w64, gy64 = x_pad.astype(np.float64), w.astype(np.float64), gy.astype(np.float64)
    grad_x_pad = np.zeros(x_pad.shape, dtype=np.float64)
    grad_w = np.zeros(w.shape, dtype=np.float64)
    for n in range(geo.batch):
        for f in range(geo.out_channels):
            first_channel = (f // geo.out_per_group) * geo.in_per_group
            for oy in range(geo.out_height):
                for ox in range(geo.out_width):
                    upstream = gy64[n, f, oy, ox]
                    for c in range(geo.in_per_group):
                        for i in range(kh):
                            for j in range(kw):
                                y_in, x_in = oy * sh + i * dh, ox * sw + j * dw
                                grad_x_pad[n, first_channel + c, y_in, x_in] += upstream * w64[f, c, i, j]
                                grad_w[f, c, i, j] += upstream * x_pad64[n, first_channel + c, y_in, x_in]
    return grad_x_pad.astype(x_pad.dtype), grad_w.astype(w.dtype)


# ----------------------------------------------------------------------------------------------
# The algorithms by name, and the public functions.

# forward(x_pad, w, b, geo) -> y (N, F, OH, OW); backward(gy, x_pad, w, geo, need_input_grad)
# -> (grad of x_pad or None, grad_w). x_pad is the padded, batched input.
FORWARD = {"loops": forward_loops, "im2col": forward_im2col, "strided": forward_strided,
           "banded": forward_banded}
BACKWARD = {"loops": backward_loops, "im2col": backward_im2col, "strided": backward_strided,
            "banded": backward_banded}
ALGORITHMS = tuple(FORWARD)

# What algorithm=None runs, whatever the convolution: benchmarks/bench_conv.py finds banded the
# fastest on every convolution of the cat/dog CNN (im2col comes close only on small 3x3 ones),
# and where banded cannot share rows (dilation along the height) it is im2col, band by band.
DEFAULT_ALGORITHM = "banded"


def check_algorithm(algorithm) -> str:
    """``algorithm`` (None or one of ALGORITHMS) -> the name of the algorithm that will run."""
    if algorithm is None:
        return DEFAULT_ALGORITHM
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be None or one of {', '.join(map(repr, ALGORITHMS))}, got {algorithm!r}")
    return algorithm


def transposed_conv_input_grad(gy: np.ndarray, w: np.ndarray, geo: ConvGeometry,
                               algorithm: str = "strided") -> np.ndarray:
    """The padded input's gradient as a transposed convolution (``transposed_convolution``),
    computed by ``algorithm``'s forward. gy (N, F, OH, OW), w (F, C/G, KH, KW) -> (N, C, Hp, Wp)."""
    return transposed_convolution(gy, w, geo, FORWARD[check_algorithm(algorithm)])


def _batched(x: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    return x[None] if geo.unbatched else x


def _padded(x: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    """The padded input; the input itself when there is no padding (the algorithms only read it)."""
    return pad2d(x, geo.pads, geo.padding_mode) if any(geo.pads) else x


@quiet_nonfinite
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
           padding_mode="zeros", algorithm=None):
    """2-D convolution with torch.nn.functional.conv2d's semantics plus nn.Conv2d's padding_mode.

    input: (N, C, H, W) or (C, H, W); weight: (F, C // groups, KH, KW); bias: (F,) or None.
    stride, dilation: int or pair; padding: int, pair, "valid" or "same".
    Returns (N, F, OH, OW), or (F, OH, OW) for unbatched input, in the input's dtype.
    """
    geo = conv_geometry(input, weight, bias, stride, padding, dilation, groups, padding_mode)
    forward = FORWARD[check_algorithm(algorithm)]
    y = forward(_padded(_batched(input, geo), geo), weight, bias, geo)
    y = y.astype(input.dtype, copy=False)
    return y[0] if geo.unbatched else y


@quiet_nonfinite
def conv2d_backward(grad_output, input, weight, stride=1, padding=0, dilation=1, groups=1,
                    padding_mode="zeros", has_bias=True, algorithm=None, need_input_grad=True):
    """Gradients of conv2d for the given output gradient, equal to torch autograd's.

    Returns (grad_input, grad_weight, grad_bias); grad_bias is None when has_bias is False, and
    grad_input is None when need_input_grad is False (a network's first layer: nothing upstream
    needs the image's gradient, and it is the most expensive of the three).
    grad_input has the input's shape (unbatched stays unbatched).
    """
    geo = conv_geometry(input, weight, None, stride, padding, dilation, groups, padding_mode)
    backward = BACKWARD[check_algorithm(algorithm)]
    check_grad_output(grad_output, input, weight, geo)
    has_bias = check_bool(has_bias, "has_bias")
    need_input_grad = check_bool(need_input_grad, "need_input_grad")
    gy = _batched(grad_output, geo)
    x_pad = _padded(_batched(input, geo), geo)
    grad_x_pad, grad_weight = backward(gy, x_pad, weight, geo, need_input_grad=need_input_grad)
    grad_bias = gy.sum(axis=(0, 2, 3)).astype(input.dtype, copy=False) if has_bias else None
    grad_weight = grad_weight.astype(weight.dtype, copy=False)
    if not need_input_grad:
        return None, grad_weight, grad_bias
    grad_input = pad2d_backward(grad_x_pad, geo.pads, geo.padding_mode).astype(input.dtype, copy=False)
    return (grad_input[0] if geo.unbatched else grad_input), grad_weight, grad_bias
