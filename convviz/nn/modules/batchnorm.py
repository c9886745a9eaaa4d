"""``BatchNorm2d``: batch normalisation over (N, H, W) for each channel, with running statistics."""

from __future__ import annotations

import numbers

import numpy as np

from .. import functional as F
from ..functional.checks import check_bool, positive_int
from ..parameter import Parameter
from .module import Module, check_float_dtype


class BatchNorm2d(Module):
    """torch.nn.BatchNorm2d: ``y = (x - mean) / sqrt(var + eps) · weight + bias`` per channel.

    Training mode normalises with the batch's mean and (biased) variance and updates the running
    statistics: ``running = (1 - momentum) · running + momentum · batch`` with the unbiased batch
    variance, and adds 1 to ``num_batches_tracked``. ``momentum=None`` makes the running
    statistics a plain cumulative average (factor 1 / num_batches_tracked), as in torch.
    Evaluation mode normalises with the running statistics. With ``track_running_stats=False``
    there are no running statistics and the batch's are used in both modes.

    weight (gamma) starts at 1, bias (beta) at 0; running_mean at 0, running_var at 1.
    ``affine=False``: neither; ``bias=False`` (keyword-only, as in torch 2.13): gamma without beta.
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 dtype=np.float32, *, bias=True):
        super().__init__()
        self.num_features = positive_int(num_features, "num_features")
        if not (isinstance(eps, numbers.Real) and eps > 0):
            raise ValueError(f"eps must be a positive number, got {eps!r}")
        if momentum is not None and not (isinstance(momentum, numbers.Real) and 0 <= momentum <= 1):
            raise ValueError(f"momentum must be a number in [0, 1] or None (cumulative average), got {momentum!r}")
        self.eps, self.momentum = eps, momentum
        self.affine = check_bool(affine, "affine")
        self.track_running_stats = check_bool(track_running_stats, "track_running_stats")
        bias = check_bool(bias, "bias")
        dtype = check_float_dtype(dtype)
        if self.affine:
            self.weight = Parameter(np.ones(num_features, dtype=dtype))
            if bias:
                self.bias = Parameter(np.zeros(num_features, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if self.track_running_stats:
            self.register_buffer("running_mean", np.zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", np.ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.fill(0)
            self.running_var.fill(1)
            self.num_batches_tracked.fill(0)

    def forward(self, input: np.ndarray) -> np.ndarray:
        if not isinstance(input, np.ndarray) or input.ndim != 4:
            shape = getattr(input, "shape", type(input).__name__)
            raise ValueError(f"BatchNorm2d expects a 4-D input (N, C, H, W), got {shape}")
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            np.add(self.num_batches_tracked, 1, out=self.num_batches_tracked)
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked)
        # Batch statistics in training, and in evaluation when there are no running statistics.
        use_batch_stats = self.training or self.running_mean is None
        running_mean, running_var = self.running_mean, self.running_var  # None when not tracked
        weight = None if self.weight is None else self.weight.data
        bias = None if self.bias is None else self.bias.data
        output, save_mean, save_invstd = F.batch_norm(input, running_mean, running_var, weight, bias,
                                                      training=use_batch_stats, momentum=factor, eps=self.eps,
                                                      return_stats=True)
        if use_batch_stats:
            # The batch's mean and 1 / sqrt(var + eps), so that the backward need not recompute them.
            self._save_for_backward(input, True, None, None, save_mean, save_invstd)
        else:
            # Evaluation: the backward needs the statistics the forward used; keep a copy so that a
            # later load_state_dict or training pass cannot change them underneath.
            self._save_for_backward(input, False, running_mean.copy(), running_var.copy(), None, None)
        return output

    def backward(self, grad_output: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        input, use_batch_stats, running_mean, running_var, save_mean, save_invstd = self._saved_for_backward()
        weight = None if self.weight is None else self.weight.data
        grad_input, grad_weight, grad_bias = F.batch_norm_backward(
            grad_output, input, weight, running_mean, running_var, use_batch_stats, eps=self.eps,
            save_mean=save_mean, save_invstd=save_invstd)
        # Fresh arrays from batch_norm_backward: handed over without a copy.
        if self.weight is not None:
            self.weight.accumulate_grad(grad_weight, take=True)
        if self.bias is not None:
            self.bias.accumulate_grad(grad_bias, take=True)
        return grad_input

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")
