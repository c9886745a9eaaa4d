"""``Conv2d``: a convolution layer around ``functional.conv2d`` / ``conv2d_backward``."""

from __future__ import annotations

import math

import numpy as np

from .. import functional as F
from .. import init
from ..functional.checks import check_bool
from ..parameter import Parameter
from .module import Module, check_float_dtype


class Conv2d(Module):
    """2-D convolution with torch.nn.Conv2d's arguments.

    weight  (out_channels, in_channels // groups, KH, KW)
    bias    (out_channels,) or None when ``bias=False``

    Default initialisation as torch's: weight ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (that is
    ``kaiming_uniform_(a=sqrt(5))``) and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with
    fan_in = in_channels // groups · KH · KW. ``rng`` (a numpy Generator or a seed) makes it
    reproducible; ``algorithm`` (one of ``functional.ALGORITHMS``: "loops", "im2col", "strided",
    "banded"; or None for the engine's default, "banded") is passed to the engine and may be
    changed at any time.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", dtype=np.float32, *, rng=None, algorithm=None):
        super().__init__()
        # The engine's own rules and messages, before any image is seen.
        settings = F.conv_settings(in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                                   padding_mode)
        self.in_channels, self.out_channels = settings.in_channels, settings.out_channels
        self.groups = settings.groups
        self.kernel_size, self.stride, self.dilation = settings.kernel_size, settings.stride, settings.dilation
        self.padding, self.padding_mode = settings.padding, settings.padding_mode
        F.check_algorithm(algorithm)
        self.algorithm = algorithm
        dtype = check_float_dtype(dtype)
        bias = check_bool(bias, "bias")

        rng = init.default_rng(rng)
        shape = (self.out_channels, self.in_channels // self.groups) + self.kernel_size
        self.weight = Parameter(np.empty(shape, dtype=dtype))
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), rng=rng)
        if bias:
            fan_in, _ = init.fan_in_and_fan_out(self.weight.shape)
            bound = 1 / math.sqrt(fan_in)
            self.bias = Parameter(np.empty(self.out_channels, dtype=dtype))
            init.uniform_(self.bias, -bound, bound, rng=rng)
        else:
            self.register_parameter("bias", None)

    def _options(self) -> dict:
        return dict(stride=self.stride, padding=self.padding, dilation=self.dilation, groups=self.groups,
                    padding_mode=self.padding_mode, algorithm=self.algorithm)

    def forward(self, input: np.ndarray) -> np.ndarray:
        bias = None if self.bias is None else self.bias.data
        output = F.conv2d(input, self.weight.data, bias, **self._options())
        self._save_for_backward(input)
        return output

    def backward(self, grad_output: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        (input,) = self._saved_for_backward()
        grad_input, grad_weight, grad_bias = F.conv2d_backward(
            grad_output, input, self.weight.data, has_bias=self.bias is not None,
            need_input_grad=need_input_grad, **self._options())
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
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text
