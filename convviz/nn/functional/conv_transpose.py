"""2-D transposed convolution ("deconvolution"), forward and backward, with torch's semantics.

Notation, as in conv.py (G = groups, C = in_channels, F = out_channels):

    x       input            (N, C, H, W)          or unbatched (C, H, W)
    w       weight           (C, F // G, KH, KW)   note: input channels first, unlike conv2d
    b       bias             (F,)
    y       output           (N, F, OH, OW)
    s, p, d, op  stride, padding, dilation, output_padding (per axis)

    OH = (H - 1)·sh - 2·ph + dh·(KH - 1) + op_h + 1                     (OW alike)

The transposed convolution scatters every input value, times the whole kernel, into the output:

    y_pad[n, g·F/G + f, iy·sh + i·dh, ix·sw + j·dw] += x[n, g·C/G + c, iy, ix] · w[g·C/G + c, f, i, j]

then crops ``p`` from each side of y_pad (and adds the bias). That scatter is exactly the input
gradient of conv2d: take the conv2d whose input is y's shape (N, F, OH, OW), whose weight is w read
as conv2d's (filters = C, channels per group = F/G) and whose stride, padding, dilation and groups
are the transpose's; its output has x's shape, and x passed back through it as the output gradient
gives y. So this module only describes that conv2d (``adjoint_geometry``) and reuses its pieces:

    forward         conv2d's input gradient of x (the im2col scatter, or without a stride the direct
                    road: a convolution of the padded x with the rotated kernel, ``_scatter``)
    grad_input      conv2d(grad_output, w)             the adjoint of the adjoint is the convolution
    grad_weight     conv2d_backward(x, grad_output, w) the same products, with the roles swapped
    grad_bias       grad_output summed over images, rows and columns

output_padding settles which input size the transpose stands for: a conv2d with stride s maps s
input sizes to one output size, and op picks the larger ones by cropping p from the top but only
p - op from the bottom (rows past the scatter's reach hold the bias alone). torch allows it only
below the stride or the dilation, as we do. When it reaches a whole stride (possible when
op < dilation), the adjoint conv2d has extra output rows that no input row feeds: x is given zero
rows there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .checks import as_float_array, check_bool, check_ndim, int_pair, positive_int, quiet_nonfinite, same_dtype
from .conv import conv2d, conv2d_backward
from .conv_geometry import ConvGeometry
from .conv_banded import forward_banded
from .conv_im2col import col2im_input_grad
from .conv_strided import transposed_convolution, transposed_road_is_exact
from .padding import pad2d_backward

__all__ = ["TransposedSettings", "adjoint_geometry", "conv_transpose2d", "conv_transpose2d_backward",
           "conv_transpose_settings", "transposed_output_size"]


@dataclass(frozen=True)
class TransposedSettings:
    """The validated numbers of a transposed convolution, each pair as (height, width)."""

    stride: tuple[int, int]
    padding: tuple[int, int]
    output_padding: tuple[int, int]
    dilation: tuple[int, int]
    groups: int


def conv_transpose_settings(stride=1, padding=0, output_padding=0, dilation=1, groups=1) -> TransposedSettings:
    """Validate the transposed convolution's numbers, or raise a message naming the rule.

    output_padding must be smaller than the stride or the dilation, per axis (torch's rule).
    """
    stride = int_pair(stride, "stride", minimum=1)
    padding = int_pair(padding, "padding", minimum=0)
    output_padding_pair = int_pair(output_padding, "output_padding", minimum=0)
    dilation = int_pair(dilation, "dilation", minimum=1)
    groups = positive_int(groups, "groups")
    for axis, op, s, d in zip(("height", "width"), output_padding_pair, stride, dilation):
        if op >= s and op >= d:
            raise ValueError(
                f"output_padding must be smaller than either stride or dilation, but along the {axis} "
                f"output_padding={op}, stride={s}, dilation={d} (got output_padding={output_padding!r}, "
                f"stride={stride}, dilation={dilation})"
            )
    return TransposedSettings(stride, padding, output_padding_pair, dilation, groups)


def transposed_output_size(axis, size, k, s, p, d, op) -> int:
    """OH = (H - 1)·s - 2p + d·(k - 1) + op + 1; refuse an empty output with the numbers."""
    out = (size - 1) * s - 2 * p + d * (k - 1) + op + 1
    if out < 1:
        raise ValueError(
            f"the padding crops the whole output: output {axis} = (H - 1)·s - 2p + d·(k - 1) + "
            f"output_padding + 1 = ({size} - 1)·{s} - 2·{p} + {d}·({k} - 1) + {op} + 1 = {out}; "
            f"padding must be smaller along the {axis}"
        )
    return out


def adjoint_geometry(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1) -> ConvGeometry:
    """Validate conv_transpose2d's arguments and return the geometry of its adjoint conv2d:
    input (N, F, OH, OW) -> output (N, C, H', W') with weight (C, F/G, KH, KW), where H' = H
    unless output_padding reaches a whole stride (then H' = H + op // s, the extra rows fed zeros).
    ``unbatched`` is the transposed input's."""
    as_float_array(input, "input")
    as_float_array(weight, "weight")
    if bias is not None:
        as_float_array(bias, "bias")
    check_ndim(input, "input", (3, 4), "(N, C, H, W) or unbatched (C, H, W)")
    check_ndim(weight, "weight", (4,), "(in_channels, out_channels // groups, KH, KW)")
    same_dtype({"input": input, "weight": weight, "bias": bias})
    settings = conv_transpose_settings(stride, padding, output_padding, dilation, groups)
    (sh, sw), (ph, pw), (dh, dw) = settings.stride, settings.padding, settings.dilation
    (oph, opw), groups = settings.output_padding, settings.groups

    unbatched = input.ndim == 3
    batch, in_channels, height, width = (1,) + input.shape if unbatched else input.shape
    weight_in, out_per_group, kh, kw = weight.shape
    if min(weight.shape) < 1 or min(height, width, in_channels) < 1:  # an empty batch is fine
        raise ValueError(f"input {input.shape} and weight {weight.shape} must have no empty axis "
                         "other than the batch")
    if weight_in % groups:
        raise ValueError(
            f"groups must divide in_channels, which is weight.shape[0] for a transposed convolution: "
            f"groups={groups}, weight {weight.shape}"
        )
    if weight_in != in_channels:
        raise ValueError(
            f"weight {weight.shape} expects {weight_in} input channels, but the input {input.shape} has "
            f"{in_channels} (weight.shape[0] must be in_channels: a transposed convolution's weight is "
            f"(in_channels, out_channels // groups, KH, KW))"
        )
    out_channels = out_per_group * groups
    if bias is not None and bias.shape != (out_channels,):
        raise ValueError(f"bias must have shape ({out_channels},), one value per output channel "
                         f"(weight.shape[1]·groups), got {bias.shape}")
    out_height = transposed_output_size("height", height, kh, sh, ph, dh, oph)
    out_width = transposed_output_size("width", width, kw, sw, pw, dw, opw)
    return ConvGeometry(
        batch=batch, in_channels=out_channels, height=out_height, width=out_width, out_channels=in_channels,
        kernel_size=(kh, kw), stride=(sh, sw), dilation=(dh, dw), pads=(ph, ph, pw, pw), groups=groups,
        padding_mode="zeros", unbatched=unbatched,
        out_height=height + oph // sh, out_width=width + opw // sw)


def _conv_options(geo: ConvGeometry) -> dict:
    """The adjoint conv2d's options, for conv2d and conv2d_backward."""
    return dict(stride=geo.stride, padding=(geo.pads[0], geo.pads[2]), dilation=geo.dilation, groups=geo.groups)


def _batched(x: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    return x[None] if geo.unbatched else x


def _as_adjoint_output(x: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    """x (N, C, H, W) -> (N, C, H', W'): zero rows and columns where output_padding reaches a
    stride (usually none, and then x itself)."""
    extra_rows, extra_cols = geo.out_height - x.shape[2], geo.out_width - x.shape[3]
    if not (extra_rows or extra_cols):
        return x
    return np.pad(x, ((0, 0), (0, 0), (0, extra_rows), (0, extra_cols)))


def _scatter(x: np.ndarray, w: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    """Each input value times the kernel, scattered into the padded output: conv2d's input
    gradient, by the road conv2d's default backward takes. With a stride, the im2col scatter
    (col2im of Wᵀ·x); without one, the direct road, a banded convolution of x padded by the
    kernel's reach with the rotated kernel, which then inserts no zeros and is about twice as
    fast (benchmarks/bench_conv_transpose.py). x (N, C, H', W') -> (N, F, OH + 2ph, OW + 2pw)."""
    if geo.stride == (1, 1) and transposed_road_is_exact(w):
        return transposed_convolution(x, w, geo, forward_banded)
    return col2im_input_grad(x, w, geo)


@quiet_nonfinite
def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """2-D transposed convolution with torch.nn.functional.conv_transpose2d's semantics.

    input: (N, C, H, W) or (C, H, W); weight: (C, F // groups, KH, KW); bias: (F,) or None.
    stride, padding, output_padding, dilation: int or pair. Returns (N, F, OH, OW), or (F, OH, OW)
    for unbatched input, in the input's dtype.
    """
    geo = adjoint_geometry(input, weight, bias, stride, padding, output_padding, groups, dilation)
    x = _as_adjoint_output(_batched(input, geo), geo)
    y_pad = _scatter(x, weight, geo)
    y = pad2d_backward(y_pad, geo.pads)  # crop the padding
    if bias is not None:
        y += bias[:, None, None]
    y = y.astype(input.dtype, copy=False)
    return y[0] if geo.unbatched else y


@quiet_nonfinite
def conv_transpose2d_backward(grad_output, input, weight, stride=1, padding=0, output_padding=0, groups=1,
                              dilation=1, need_input_grad=True, has_bias=True):
    """Gradients of conv_transpose2d for the given output gradient, equal to torch autograd's.

    grad_output: the output's shape (N, F, OH, OW) or unbatched (F, OH, OW).
    Returns (grad_input, grad_weight, grad_bias) with the input's, the weight's and (F,) shapes;
    grad_input is None when need_input_grad is False, grad_bias None when has_bias is False.
    """
    geo = adjoint_geometry(input, weight, None, stride, padding, output_padding, groups, dilation)
    need_input_grad = check_bool(need_input_grad, "need_input_grad")
    has_bias = check_bool(has_bias, "has_bias")
    as_float_array(grad_output, "grad_output")
    same_dtype({"input": input, "grad_output": grad_output})
    expected = (geo.in_channels, geo.height, geo.width)  # the adjoint conv2d's input is our output
    expected = expected if geo.unbatched else (geo.batch,) + expected
    if grad_output.shape != expected:
        raise ValueError(f"grad_output must have the output's shape {expected} for input {input.shape} "
                         f"and weight {weight.shape}, got {grad_output.shape}")

    gy = _batched(grad_output, geo)
    x = _as_adjoint_output(_batched(input, geo), geo)
    options = _conv_options(geo)
    # grad_weight: every product x·w of the scatter met gy at one output pixel; conv2d_backward
    # with x as the output gradient and gy as the input sums exactly those products.
    _, grad_weight, _ = conv2d_backward(x, gy, weight, has_bias=False, need_input_grad=False, **options)
    grad_bias = gy.sum(axis=(0, 2, 3)).astype(input.dtype, copy=False) if has_bias else None
    if not need_input_grad:
        return None, grad_weight, grad_bias
    # grad_input: each input value went to its kernel's footprint, so its gradient gathers that
    # footprint of gy times the kernel: an ordinary convolution (cropped when x was given zero rows).
    grad_input = conv2d(gy, weight, **options)[:, :, : input.shape[-2], : input.shape[-1]]
    grad_input = np.ascontiguousarray(grad_input, dtype=input.dtype)
    return (grad_input[0] if geo.unbatched else grad_input), grad_weight, grad_bias
