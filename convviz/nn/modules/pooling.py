"""Pooling layers: ``MaxPool2d`` and ``AvgPool2d``."""

from __future__ import annotations

import numpy as np

from .. import functional as F
from ..functional.checks import check_bool
from .module import Module


class MaxPool2d(Module):
    """The maximum of each (dilated) window; the backward sends each gradient to its window's max.

    Arguments and defaults as torch.nn.MaxPool2d (``stride=None`` means ``stride=kernel_size``).
    The forward always keeps the indices of the maxima for the backward; ``return_indices=True``
    also returns them, as ``(output, indices)``. The arguments are checked when the layer runs.
    """

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices = check_bool(return_indices, "return_indices")
        self.ceil_mode = check_bool(ceil_mode, "ceil_mode")

    def forward(self, input: np.ndarray):
        output, indices = F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                                       ceil_mode=self.ceil_mode, return_indices=True)
        self._save_for_backward(input.shape, indices)
        return (output, indices) if self.return_indices else output

    def backward(self, grad_output: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        input_shape, indices = self._saved_for_backward()
        return F.max_pool2d_backward(grad_output, input_shape, indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    """The mean of each window; the backward spreads each gradient evenly over its window.

    Arguments and defaults as torch.nn.AvgPool2d (``stride=None`` means ``stride=kernel_size``).
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = check_bool(ceil_mode, "ceil_mode")
        self.count_include_pad = check_bool(count_include_pad, "count_include_pad")
        self.divisor_override = divisor_override

    def _options(self) -> dict:
        return dict(stride=self.stride, padding=self.padding, ceil_mode=self.ceil_mode,
                    count_include_pad=self.count_include_pad, divisor_override=self.divisor_override)

    def forward(self, input: np.ndarray) -> np.ndarray:
        output = F.avg_pool2d(input, self.kernel_size, **self._options())
        self._save_for_backward(input.shape)
        return output

    def backward(self, grad_output: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        (input_shape,) = self._saved_for_backward()
        return F.avg_pool2d_backward(grad_output, input_shape, self.kernel_size, **self._options())

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
