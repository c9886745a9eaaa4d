"""``Conv2d``: a convolution layer around ``functional.conv2d`` / ``conv2d_backward``."""

from __future__ import annotations

import math

import numpy as np

from .. import functional as F
from .. import init
from ..functional.checks import check_bool, int_pair, positive_int
from ..functional.conv import ALGORITHMS
from ..functional.padding import check_padding_mode
from ..parameter import Parameter
from .module import Module, check_float_dtype


class Conv2d(Module):
    """2-D convolution with torch.nn.Conv2d's arguments.

    weight  (out_channels, in_channels // groups, KH, KW)
    bias    (out_channels,) or None when ``bias=False``

    Default initialisation as torch's: weight ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (that is
    ``kaiming_uniform_(a=sqrt(5))``) and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with
    fan_in = in_channels // groups · KH · KW. ``rng`` (a numpy Generator or a seed) makes it
    reproducible; ``algorithm`` ("loops", "im2col", "strided" or None for the fastest) is passed
    to the engine and may be changed at any time.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", dtype=np.float32, *, rng=None, algorithm=None):
        super().__init__()
        in_channels = positive_int(in_channels, "in_channels")
        out_channels = positive_int(out_channels, "out_channels")
        groups = positive_int(groups, "groups")
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"groups must divide both channel counts: groups={groups}, "
                             f"in_channels={in_channels}, out_channels={out_channels}")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = int_pair(kernel_size, "kernel_size", minimum=1)
        self.stride = int_pair(stride, "stride", minimum=1)
        self.dilation = int_pair(dilation, "dilation", minimum=1)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"padding must be an int, a pair of ints, 'valid' or 'same', got {padding!r}")
            if padding == "same" and self.stride != (1, 1):
                raise ValueError(f"padding='same' is not supported for strided convolutions (stride={self.stride})")
            self.padding = padding
        else:
            self.padding = int_pair(padding, "padding", minimum=0)
        self.padding_mode = check_padding_mode(padding_mode)
        if algorithm is not None and algorithm not in ALGORITHMS:
            raise ValueError(f"algorithm must be None or one of {', '.join(map(repr, ALGORITHMS))}, got {algorithm!r}")
        self.algorithm = algorithm
        dtype = check_float_dtype(dtype)
        bias = check_bool(bias, "bias")

        rng = init.default_rng(rng)
        self.weight = Parameter(np.empty((out_channels, in_channels // groups) + self.kernel_size, dtype=dtype))
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), rng=rng)
        if bias:
            fan_in, _ = init.fan_in_and_fan_out(self.weight.shape)
            bound = 1 / math.sqrt(fan_in)
            self.bias = Parameter(np.empty(out_channels, dtype=dtype))
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
