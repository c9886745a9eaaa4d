"""Element-wise activations: ``ReLU`` and ``Sigmoid``."""

from __future__ import annotations

import numpy as np

from .. import functional as F
from ..functional.checks import check_bool
from .module import Module


class ReLU(Module):
    """max(x, 0); its backward passes the gradient where the input was positive.

    ``inplace=True`` writes the result into the input array, as torch's does (the gradient mask
    of the output is the same as the input's, so the backward is unchanged).
    """

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = check_bool(inplace, "inplace")

    def forward(self, input: np.ndarray) -> np.ndarray:
        output = F.relu(input, inplace=self.inplace)
        self._save_for_backward(output if self.inplace else input)
        return output

    def backward(self, grad_output: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        (input,) = self._saved_for_backward()
        return F.relu_backward(grad_output, input)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Sigmoid(Module):
    """1 / (1 + exp(-x)); its backward is grad · y · (1 - y), from the saved output y."""

    def forward(self, input: np.ndarray) -> np.ndarray:
        output = F.sigmoid(input)
        self._save_for_backward(output)
        return output

    def backward(self, grad_output: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        (output,) = self._saved_for_backward()
        return F.sigmoid_backward(grad_output, output)
