"""``ConvTranspose2d``: a transposed convolution layer around ``functional.conv_transpose2d``."""

from __future__ import annotations

import math

import numpy as np

from .. import functional as F
from .. import init
from ..functional.checks import check_bool, int_pair, positive_int
from ..parameter import Parameter
from .module import Module, check_float_dtype


class ConvTranspose2d(Module):
    """2-D transposed convolution with torch.nn.ConvTranspose2d's arguments (zero padding only).

    weight  (in_channels, out_channels // groups, KH, KW)   input channels first, as in torch
    bias    (out_channels,) or None when ``bias=False``

    Default initialisation as torch's: ``kaiming_uniform_(weight, a=sqrt(5))``, that is
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the bias from the same bound, where torch's fan_in is
    weight.shape[1]·KH·KW = out_channels // groups · KH · KW (for a transposed weight shape[1] is
    the output channels). ``rng`` (a numpy Generator or a seed) makes it reproducible.
    output_padding is checked here already (smaller than the stride or the dilation), where torch
    waits for the first forward.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, dtype=np.float32, *, rng=None):
        super().__init__()
        self.in_channels = positive_int(in_channels, "in_channels")
        self.out_channels = positive_int(out_channels, "out_channels")
        self.kernel_size = int_pair(kernel_size, "kernel_size", minimum=1)
        settings = F.conv_transpose_settings(stride, padding, output_padding, dilation, groups)
        self.stride, self.padding, self.output_padding = settings.stride, settings.padding, settings.output_padding
        self.dilation, self.groups = settings.dilation, settings.groups
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise ValueError(
                f"groups must divide both channel counts: groups={self.groups}, in_channels={self.in_channels}, "
                f"out_channels={self.out_channels}"
            )
        dtype = check_float_dtype(dtype)
        bias = check_bool(bias, "bias")

        rng = init.default_rng(rng)
        shape = (self.in_channels, self.out_channels // self.groups) + self.kernel_size
        self.weight = Parameter(np.empty(shape, dtype=dtype))
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), rng=rng)
        if bias:
            fan_in, _ = init.fan_in_and_fan_out(self.weight.shape)  # shape[1]·KH·KW, as torch
            bound = 1 / math.sqrt(fan_in)
            self.bias = Parameter(np.empty(self.out_channels, dtype=dtype))
            init.uniform_(self.bias, -bound, bound, rng=rng)
        else:
            self.register_parameter("bias", None)

    def _options(self) -> dict:
        return dict(stride=self.stride, padding=self.padding, output_padding=self.output_padding,
                    groups=self.groups, dilation=self.dilation)

    def forward(self, input: np.ndarray) -> np.ndarray:
        bias = None if self.bias is None else self.bias.data
        output = F.conv_transpose2d(input, self.weight.data, bias, **self._options())
        self._save_for_backward(input)
        return output

    def backward(self, grad_output: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        (input,) = self._saved_for_backward()
        grad_input, grad_weight, grad_bias = F.conv_transpose2d_backward(
            grad_output, input, self.weight.data, need_input_grad=need_input_grad,
            has_bias=self.bias is not None, **self._options())
        self.weight.accumulate_grad(grad_weight, take=True)  # fresh arrays from the engine
        if self.bias is not None:
            self.bias.accumulate_grad(grad_bias, take=True)
        return grad_input

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        if self.output_padding != (0, 0):
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text
