"""Element-wise activations, forward and backward.

    relu(x)    = max(x, 0)                 relu'(x)    = 1 if x > 0 else 0
    sigmoid(x) = 1 / (1 + exp(-x))         sigmoid'(x) = s · (1 - s), with s = sigmoid(x)

Every function keeps the input's shape and dtype.
"""

from __future__ import annotations

import numpy as np

from .. import parallel
from .checks import as_float_array, check_bool, quiet_nonfinite, same_dtype

__all__ = ["relu", "relu_backward", "sigmoid", "sigmoid_backward"]

# Arrays of at least this many values are split over the cores; below it the threads'
# hand-over costs more than they save.
PARALLEL_MIN_VALUES = 2**20


def _on_all_cores(function, *arrays: np.ndarray) -> None:
    """``function(*pieces)`` over matching pieces of equally shaped arrays, one piece per core
    when they are large and all C-contiguous, else once over the whole arrays."""
    size, cores = arrays[0].size, parallel.CORES
    if size < PARALLEL_MIN_VALUES or cores == 1 or not all(a.flags.c_contiguous for a in arrays):
        function(*arrays)
        return
    flat = [a.reshape(-1) for a in arrays]  # views, since the arrays are contiguous
    bounds = [size * i // cores for i in range(cores + 1)]
    pieces = [[f[start:stop] for f in flat] for start, stop in zip(bounds[:-1], bounds[1:])]
    parallel.map_on_all_cores(lambda piece: function(*piece), pieces)


def _check_pair(grad_output, other, other_name: str) -> None:
    as_float_array(grad_output, "grad_output")
    as_float_array(other, other_name)
    if grad_output.shape != other.shape:
        raise ValueError(f"grad_output must have the shape of {other_name} {other.shape}, got {grad_output.shape}")
    same_dtype({"grad_output": grad_output, other_name: other})


@quiet_nonfinite
def relu(input, inplace=False):
    """max(x, 0) element-wise; NaN stays NaN (as in torch). ``inplace=True`` writes the result
    into ``input`` and returns it, as torch's ``relu(input, inplace=True)``."""
    as_float_array(input, "input")
    output = input if check_bool(inplace, "inplace") else np.empty(input.shape, dtype=input.dtype)
    _on_all_cores(lambda x, out: np.maximum(x, 0, out=out), input, output)
    return output


@quiet_nonfinite
def relu_backward(grad_output, input):
    """The gradient passes where x > 0 and is 0 where x <= 0, so 0 at x == 0, as torch's.

    Written as "0 where x <= 0" rather than "g · (x > 0)" to match torch exactly at the edges: a
    NaN input lets the gradient through (NaN <= 0 is false) and a NaN or inf gradient at x <= 0
    becomes 0 instead of NaN (0 · inf).
    """
    _check_pair(grad_output, input, "input")
    # Select without branching: np.where with a mask as irregular as a ReLU's is about 6 times
    # slower than plain arithmetic, and g · mask would turn inf · 0 into NaN. So work on the bit
    # patterns: an integer mask of all ones keeps a value as it is, all zeros makes it +0.0.
    bits = np.dtype(f"u{grad_output.itemsize}")  # the unsigned integer as wide as the float
    mask = np.empty(grad_output.shape, dtype=bits)

    def select(x, g, out):
        np.subtract(x <= 0, 1, out=out, dtype=bits)  # x <= 0: 1 - 1 = 0; else 0 - 1 = all ones
        np.bitwise_and(out, g.view(bits), out=out)

    _on_all_cores(select, input, grad_output, mask)
    return mask.view(grad_output.dtype)


@quiet_nonfinite
def sigmoid(input):
    """1 / (1 + exp(-x)) element-wise, without overflow for any x.

    exp(-x) overflows for x < -88 in float32, so the formula is used in the form that only ever
    exponentiates -|x| <= 0:  x >= 0: 1 / (1 + e),  x < 0: e / (1 + e),  with e = exp(-|x|).
    ±inf give exactly 1 and 0; NaN stays NaN.
    """
    as_float_array(input, "input")
    e = np.exp(-np.abs(input))  # in (0, 1]: never overflows
    y = np.where(input >= 0, input.dtype.type(1), e)
    y /= 1 + e
    return y


@quiet_nonfinite
def sigmoid_backward(grad_output, output):
    """g · (1 - s) · s, from the forward's output s (not its input), as torch computes it."""
    _check_pair(grad_output, output, "output")
    return grad_output * (1 - output) * output
