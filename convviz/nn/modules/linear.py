"""``Linear`` (a fully connected layer) and ``Flatten``."""

from __future__ import annotations

import math
import numbers

import numpy as np

from .. import functional as F
from .. import init
from ..functional.checks import check_bool, positive_int
from ..parameter import Parameter
from .module import Module, check_float_dtype


class Linear(Module):
    """y = x @ weight.T + bias, over the last axis of x (any leading axes).

    weight (out_features, in_features), bias (out_features,) or None when ``bias=False``.
    Default initialisation as torch's: weight and bias ~ U(-1/sqrt(in_features), 1/sqrt(in_features)).
    """

    def __init__(self, in_features, out_features, bias=True, dtype=np.float32, *, rng=None):
        super().__init__()
        self.in_features = positive_int(in_features, "in_features")
        self.out_features = positive_int(out_features, "out_features")
        dtype = check_float_dtype(dtype)
        bias = check_bool(bias, "bias")
        rng = init.default_rng(rng)
        self.weight = Parameter(np.empty((out_features, in_features), dtype=dtype))
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), rng=rng)
        if bias:
            bound = 1 / math.sqrt(in_features)
            self.bias = Parameter(np.empty(out_features, dtype=dtype))
            init.uniform_(self.bias, -bound, bound, rng=rng)
        else:
            self.register_parameter("bias", None)

    def forward(self, input: np.ndarray) -> np.ndarray:
        output = F.linear(input, self.weight.data, None if self.bias is None else self.bias.data)
        self._save_for_backward(input)
        return output

    def backward(self, grad_output: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        (input,) = self._saved_for_backward()
        grad_input, grad_weight, grad_bias = F.linear_backward(grad_output, input, self.weight.data,
                                                               has_bias=self.bias is not None)
        # Fresh arrays from linear_backward: handed over without a copy.
        self.weight.accumulate_grad(grad_weight, take=True)
        if self.bias is not None:
            self.bias.accumulate_grad(grad_bias, take=True)
        return grad_input

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Flatten(Module):
    """Merge axes start_dim..end_dim into one (default: everything but the batch axis).

    The backward reshapes the gradient back to the input's shape.
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        for name, value in (("start_dim", start_dim), ("end_dim", end_dim)):
            if not isinstance(value, numbers.Integral) or isinstance(value, bool):
                raise TypeError(f"{name} must be an int, got {value!r}")
        self.start_dim, self.end_dim = int(start_dim), int(end_dim)

    def forward(self, input: np.ndarray) -> np.ndarray:
        output = F.flatten(input, self.start_dim, self.end_dim)
        self._save_for_backward(input.shape)
        return output

    def backward(self, grad_output: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        (input_shape,) = self._saved_for_backward()
        return F.flatten_backward(grad_output, input_shape)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
