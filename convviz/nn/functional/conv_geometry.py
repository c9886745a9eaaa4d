"""A convolution's settings and sizes, validated: the one place for conv2d's argument rules.

``conv_settings`` checks what a layer knows before it sees an image (channel counts, kernel size,
stride, padding, dilation, groups, padding mode); ``conv_geometry`` checks the arrays as well and
works out every size. ``nn.Conv2d``, the traces and the terminal tool ask these two, so every
caller gets the same messages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .checks import as_float_array, check_ndim, int_pair, positive_int, same_dtype
from .padding import check_pad_fits, check_padding_mode

__all__ = ["ConvGeometry", "ConvSettings", "check_grad_output", "conv_geometry", "conv_settings",
           "resolve_padding", "transposed_geometry"]


@dataclass(frozen=True)
class ConvSettings:
    """The validated arguments of a convolution, without its arrays."""

    in_channels: int
    out_channels: int
    kernel_size: tuple[int, int]
    stride: tuple[int, int]
    padding: str | tuple[int, int]  # "same", "valid" or (height, width), as nn.Conv2d keeps it
    pads: tuple[int, int, int, int]  # top, bottom, left, right
    dilation: tuple[int, int]
    groups: int
    padding_mode: str


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


def conv_settings(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                  padding_mode="zeros") -> ConvSettings:
    """Validate a convolution's arguments other than its arrays, or raise a message naming the rule."""
    in_channels = positive_int(in_channels, "in_channels")
    out_channels = positive_int(out_channels, "out_channels")
    kernel_size = int_pair(kernel_size, "kernel_size", minimum=1)
    stride_given, stride = stride, int_pair(stride, "stride", minimum=1)
    dilation = int_pair(dilation, "dilation", minimum=1)
    groups = positive_int(groups, "groups")
    padding_mode = check_padding_mode(padding_mode)
    if in_channels % groups or out_channels % groups:
        raise ValueError(
            f"groups must divide both channel counts: groups={groups}, in_channels={in_channels}, "
            f"out_channels={out_channels}"
        )
    pads = resolve_padding(padding, kernel_size, dilation, stride, stride_given)
    padding = padding if isinstance(padding, str) else (pads[0], pads[2])
    return ConvSettings(in_channels, out_channels, kernel_size, stride, padding, pads, dilation, groups,
                        padding_mode)


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

    unbatched = input.ndim == 3
    batch, in_channels, height, width = (1,) + input.shape if unbatched else input.shape
    out_channels, weight_in, kh, kw = weight.shape
    if min(weight.shape) < 1 or min(height, width, in_channels) < 1:  # an empty batch is fine
        raise ValueError(f"input {input.shape} and weight {weight.shape} must have no empty axis "
                         "other than the batch")
    settings = conv_settings(in_channels, out_channels, (kh, kw), stride, padding, dilation, groups,
                             padding_mode)
    groups, pads = settings.groups, settings.pads
    if weight_in * groups != in_channels:
        raise ValueError(
            f"weight {weight.shape} expects {weight_in} input channel(s) per group, so "
            f"{weight_in * groups} input channels with groups={groups}, but the input {input.shape} "
            f"has {in_channels} channels (weight.shape[1] must be in_channels // groups)"
        )
    if bias is not None and bias.shape != (out_channels,):
        raise ValueError(f"bias must have shape ({out_channels},), one value per filter, got {bias.shape}")

    check_pad_fits(height, pads[0], pads[1], padding_mode, "height")
    check_pad_fits(width, pads[2], pads[3], padding_mode, "width")
    (sh, sw), (dh, dw) = settings.stride, settings.dilation
    out_height = _output_size("height", height, pads[0], pads[1], kh, dh, sh)
    out_width = _output_size("width", width, pads[2], pads[3], kw, dw, sw)
    return ConvGeometry(batch, in_channels, height, width, out_channels, (kh, kw), settings.stride,
                        settings.dilation, pads, groups, padding_mode, unbatched, out_height, out_width)


def check_grad_output(grad_output, input, weight, geo: ConvGeometry) -> None:
    """grad_output must be a float array of the input's dtype and the output's shape."""
    as_float_array(grad_output, "grad_output")
    same_dtype({"input": input, "grad_output": grad_output})
    if grad_output.shape != geo.output_shape:
        raise ValueError(
            f"grad_output must have the output's shape {geo.output_shape} for input {input.shape} "
            f"and weight {weight.shape}, got {grad_output.shape}"
        )


def transposed_geometry(geo: ConvGeometry, batch: int) -> ConvGeometry:
    """The geometry of the convolution that gives the padded input's gradient: the spread output
    gradient (F channels, Hp + dh·(KH - 1) by Wp + dw·(KW - 1)) correlated with the transposed
    kernel at the forward's dilation and groups, stride 1, no padding; its output is Hp x Wp."""
    (kh, kw), (dh, dw) = geo.kernel_size, geo.dilation
    return ConvGeometry(
        batch=batch, in_channels=geo.out_channels, height=geo.padded_height + dh * (kh - 1),
        width=geo.padded_width + dw * (kw - 1), out_channels=geo.in_channels, kernel_size=geo.kernel_size,
        stride=(1, 1), dilation=geo.dilation, pads=(0, 0, 0, 0), groups=geo.groups, padding_mode="zeros",
        unbatched=False, out_height=geo.padded_height, out_width=geo.padded_width)
