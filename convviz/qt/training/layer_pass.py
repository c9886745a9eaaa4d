"""A training step's real convolution, cut down to a size the visualizer can play (numpy only).

``conv_layer_pass`` gives a Conv2d layer's whole batch: input (B, C, H, W), weight (F, C, KH, KW),
grad_output (B, F, OH, OW). The visualizer plays one convolution frame by frame, so we take one
image of the batch, a run of input channels and a run of filters, and, when the activations are
larger than ``crop`` pixels, a centred window:

* Channels. The layer's output is a sum over all its input channels; with only some of them the
  visualizer's y is the part of that sum those channels make, and its ∂L/∂x is the part the
  chosen filters send back. ∂L/∂w of a chosen (filter, channel) pair is exact for this image (the
  step's own ∂L/∂w adds the batch's other images).
* Crop. We choose a centred block of outputs whose receptive field fits in ``crop`` pixels, and
  cut that field out of the *padded* input (padded with the layer's own padding mode), so the
  cropped convolution has no padding and its y equals the layer's real y on that block.
  Its ∂L/∂x is partial near the window's edge, where outputs outside the block also reach.
"""

from __future__ import annotations

import numpy as np

from convviz.nn.functional import conv_geometry, pad2d
from convviz.state.build import ConvArguments

__all__ = ["CROP", "layer_arguments", "span"]

CROP = 16  # the largest input side the visualizer is given


def span(first: int, count: int, total: int, noun: str) -> range:
    """Channels ``first .. first+count-1`` of ``total``, checked (the message names ``noun``)."""
    if not (0 <= first < total and count >= 1 and first + count <= total):
        raise ValueError(f"{noun} {first}-{first + count - 1} do not exist: the layer has {total} {noun} (0-{total - 1})")
    return range(first, first + count)


def _block(out_size: int, stride: int, reach: int, crop: int) -> tuple[int, int]:
    """The first output and the number of outputs of a centred block along one axis whose input
    field ((n - 1) * stride + reach pixels) fits in ``crop`` (at least one output)."""
    count = max(1, min(out_size, (crop - reach) // stride + 1))
    return (out_size - count) // 2, count


def _text_range(r: range) -> str:
    return f"{r.start}" if len(r) == 1 else f"{r.start}-{r.stop - 1}"


def layer_arguments(layer_pass, sample: int, channels: range, filters: range, name: str,
                    crop: int = CROP) -> tuple[ConvArguments, str]:
    """(ConvArguments of unbatched float64 arrays, the label saying what was taken) for image
    ``sample`` of the batch, input ``channels`` and ``filters`` (ranges) of ``layer_pass``."""
    batch, in_channels, height, width = layer_pass.input.shape
    out_channels = layer_pass.weight.shape[0]
    if layer_pass.groups != 1:
        raise ValueError(f"{name} has groups={layer_pass.groups}; only layers with groups=1 can be cut by channel")
    if not 0 <= sample < batch:
        raise ValueError(f"image {sample} is not in the batch: it holds images 0-{batch - 1}")
    span(channels.start, len(channels), in_channels, "input channels")
    span(filters.start, len(filters), out_channels, "filters")
    x = np.asarray(layer_pass.input[sample, channels.start:channels.stop], np.float64)
    weight = np.asarray(layer_pass.weight[filters.start:filters.stop, channels.start:channels.stop], np.float64)
    bias = None if layer_pass.bias is None else np.asarray(layer_pass.bias[filters.start:filters.stop], np.float64)
    grad = np.asarray(layer_pass.grad_output[sample, filters.start:filters.stop], np.float64)
    settings = dict(stride=tuple(layer_pass.stride), dilation=tuple(layer_pass.dilation), groups=1)
    what = (f"{name}, image {sample} of the batch of {batch}, input channels {_text_range(channels)} of {in_channels}, "
            f"filters {_text_range(filters)} of {out_channels}")
    cropped = height > crop or width > crop
    if not cropped:
        args = ConvArguments(np.ascontiguousarray(x), np.ascontiguousarray(weight), bias, np.ascontiguousarray(grad),
                             padding=layer_pass.padding, padding_mode=layer_pass.padding_mode, **settings)
        where = f"all {height}×{width}"
    else:
        geometry = conv_geometry(x, weight, bias, padding=layer_pass.padding, padding_mode=layer_pass.padding_mode,
                                 **settings)
        (kh, kw), (sh, sw), (dh, dw) = geometry.kernel_size, geometry.stride, geometry.dilation
        row, rows = _block(geometry.out_height, sh, dh * (kh - 1) + 1, crop)
        col, cols = _block(geometry.out_width, sw, dw * (kw - 1) + 1, crop)
        top, left = row * sh, col * sw
        bottom, right = top + (rows - 1) * sh + dh * (kh - 1) + 1, left + (cols - 1) * sw + dw * (kw - 1) + 1
        padded = pad2d(x, geometry.pads, layer_pass.padding_mode)  # (C, H + pads, W + pads)
        window = np.ascontiguousarray(padded[:, top:bottom, left:right])
        grad = np.ascontiguousarray(grad[:, row:row + rows, col:col + cols])
        args = ConvArguments(window, np.ascontiguousarray(weight), bias, grad, padding=(0, 0), padding_mode="zeros",
                             **settings)
        padded_note = " of the padded input" if any(geometry.pads) else ""
        where = (f"centre {bottom - top}×{right - left}{padded_note} (outputs {row}-{row + rows - 1} × "
                 f"{col}-{col + cols - 1} of {geometry.out_height}×{geometry.out_width})")
    notes = []
    if len(channels) < in_channels or len(filters) < out_channels:
        notes.append("y and ∂L/∂x summed over these channels only")
    if cropped:
        notes.append("∂L/∂x near the window's edge lacks the outputs outside it")
    notes.append("∂L/∂w is this image's share of the batch's")
    return args, f"{what}, {where}: " + "; ".join(notes)
