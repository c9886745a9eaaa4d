"""The fully connected layer and flatten, forward and backward.

    x  input (..., in_features)     W  weight (out_features, in_features)     b  bias (out_features,)

    y = x · Wᵀ + b                                              (..., out_features)
    grad_x = g · W      grad_W = gᵀ · x      grad_b = sum of g over every leading axis

where, for the weight and bias, the leading axes of g (..., out) and x (..., in) are flattened
into one batch axis of rows first.
"""

from __future__ import annotations

import numbers

import numpy as np

from .checks import as_float_array, quiet_nonfinite, same_dtype

__all__ = ["flatten", "flatten_backward", "linear", "linear_backward"]


def _check_linear(input, weight) -> None:
    as_float_array(input, "input")
    as_float_array(weight, "weight")
    if input.ndim < 1:
        raise ValueError(f"input must have at least 1 axis (..., in_features), got shape {input.shape}")
    if weight.ndim != 2:
        raise ValueError(f"weight must be 2-D (out_features, in_features), got shape {weight.shape}")
    if input.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"input's last axis must hold weight's in_features: input {input.shape} has "
            f"{input.shape[-1]} features but weight {weight.shape} expects {weight.shape[1]}"
        )


@quiet_nonfinite
def linear(input, weight, bias=None):
    """y = x · Wᵀ + b, as torch.nn.functional.linear.

    input: (..., in); weight: (out, in); bias: (out,) or None. Returns (..., out) in the input's dtype.
    """
    _check_linear(input, weight)
    if bias is not None:
        as_float_array(bias, "bias")
        if bias.shape != (weight.shape[0],):
            raise ValueError(f"bias must have shape ({weight.shape[0]},), one value per output feature, "
                             f"got {bias.shape}")
    same_dtype({"input": input, "weight": weight, "bias": bias})
    rows = input.reshape(-1, input.shape[-1]) if input.ndim != 1 else None
    if rows is not None and rows.shape[0] < weight.shape[0]:
        # Fewer input vectors than outputs (a batch through a wide layer): OpenBLAS runs W · xᵀ,
        # with W's rows as the long side, about 15% faster than x · Wᵀ for the cat/dog CNN's
        # Linear(3136, 2048) at batch 16. The small result is transposed back into rows.
        y = np.ascontiguousarray((weight @ rows.T).T).reshape(input.shape[:-1] + (weight.shape[0],))
    else:
        y = input @ weight.T  # the transposed view costs nothing: BLAS reads W as stored
    if bias is not None:
        y += bias
    return y


@quiet_nonfinite
def linear_backward(grad_output, input, weight, has_bias=True):
    """Gradients of linear, equal to torch autograd's.

    grad_output: (..., out). Returns (grad_input (..., in), grad_weight (out, in),
    grad_bias (out,) or None when has_bias is False).
    """
    _check_linear(input, weight)
    as_float_array(grad_output, "grad_output")
    same_dtype({"input": input, "weight": weight, "grad_output": grad_output})
    expected = input.shape[:-1] + (weight.shape[0],)
    if grad_output.shape != expected:
        raise ValueError(f"grad_output must have the output's shape {expected} for input {input.shape} "
                         f"and weight {weight.shape}, got {grad_output.shape}")
    grad_input = grad_output @ weight
    g_rows = grad_output.reshape(-1, weight.shape[0])  # (rows, out), one row per input vector
    x_rows = input.reshape(-1, weight.shape[1])  # (rows, in)
    grad_weight = g_rows.T @ x_rows
    grad_bias = g_rows.sum(axis=0) if has_bias else None
    return grad_input, grad_weight, grad_bias


def _dim(value, ndim: int, name: str) -> int:
    """A possibly negative axis number -> its index in [0, ndim)."""
    if not isinstance(value, numbers.Integral) or isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be an int, got {value!r}")
    low, high = -max(ndim, 1), max(ndim, 1) - 1  # torch treats a 0-d array as having 1 axis
    if not low <= value <= high:
        raise ValueError(f"{name} must be an axis of the input, in [{low}, {high}] for {ndim} axes, got {value}")
    return int(value) % max(ndim, 1)


def flatten(input, start_dim=1, end_dim=-1):
    """Merge the axes start_dim..end_dim (both included) into one, as torch.flatten.

    (N, C, H, W) with the defaults -> (N, C·H·W). A 0-d input becomes 1-D. The result is a view of
    the input whenever NumPy can make one (always for a contiguous input).
    """
    if not isinstance(input, np.ndarray):
        raise TypeError(f"input must be a numpy ndarray, got {type(input).__name__}")
    start = _dim(start_dim, input.ndim, "start_dim")
    end = _dim(end_dim, input.ndim, "end_dim")
    if start > end:
        raise ValueError(f"start_dim must not come after end_dim, got start_dim={start_dim} "
                         f"(axis {start}) and end_dim={end_dim} (axis {end}) for shape {input.shape}")
    if input.ndim == 0:
        return input.reshape(1)
    shape = input.shape[:start] + (int(np.prod(input.shape[start : end + 1])),) + input.shape[end + 1 :]
    return input.reshape(shape)


def flatten_backward(grad_output, input_shape):
    """The gradient of flatten is the output gradient folded back to the input's shape."""
    if not isinstance(grad_output, np.ndarray):
        raise TypeError(f"grad_output must be a numpy ndarray, got {type(grad_output).__name__}")
    input_shape = tuple(input_shape)
    if int(np.prod(input_shape)) != grad_output.size:
        raise ValueError(f"grad_output {grad_output.shape} has {grad_output.size} values but input_shape "
                         f"{input_shape} holds {int(np.prod(input_shape))}")
    return grad_output.reshape(input_shape)
