"""Batch normalization, forward and backward.

Notation:

    x        input (N, C, H, W), or (N, C), or any (N, C, *)      m = N·H·W values per channel
    mu, var  per-channel mean and biased variance of x over N, H, W  (training: of this batch;
             evaluation: the running estimates)
    gamma    weight (C,)    beta  bias (C,)    eps  added to var for stability

    x_hat = (x - mu) / sqrt(var + eps)          y = gamma · x_hat + beta

In training the running estimates move towards the batch statistics, with the UNBIASED variance
(var · m / (m - 1)), as torch does:

    running_mean <- (1 - momentum) · running_mean + momentum · mu
    running_var  <- (1 - momentum) · running_var  + momentum · var · m / (m - 1)

Every per-channel sum is one reduction (mostly an einsum) over the (N, C, m / N) view of the
array: a single pass, with no Python loop over channels, and float32 stays float32.

Speed. Channels are independent, so a large input is cut into groups of channels that the cores
work on at the same time (``convviz.nn.parallel``); each channel goes through exactly the same
operations either way. The training forward can hand its batch mean and 1 / sqrt(var + eps) to
the backward (``return_stats=True`` / ``save_mean=``, ``save_invstd=``, as torch's
native_batch_norm saves them), which then does not recompute them.
"""

from __future__ import annotations

import numpy as np

from .. import parallel
from .checks import as_float_array, check_bool, quiet_nonfinite, real_number, same_dtype

__all__ = ["batch_norm", "batch_norm_backward"]

# Inputs of at least this many values are split by channels over the cores; below it the
# threads' hand-over costs more than they save.
PARALLEL_MIN_VALUES = 2**19


def _check_vectors(input, vectors: dict) -> None:
    """Each of weight, bias, running_mean, running_var: None or a (C,) float array."""
    channels = input.shape[1]
    for name, vector in vectors.items():
        if vector is None:
            continue
        as_float_array(vector, name)
        if vector.shape != (channels,):
            raise ValueError(
                f"{name} must have shape ({channels},), one value per channel of the input "
                f"{input.shape}, got {vector.shape}"
            )
    same_dtype({"input": input, **vectors})


def _check_input(input, name="input") -> None:
    as_float_array(input, name)
    if input.ndim < 2:
        raise ValueError(f"{name} must be (N, C), (N, C, H, W) or (N, C, *), got shape {input.shape}")


def _check_running(running_mean, running_var, training: bool) -> None:
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or both be arrays")
    if not training and running_mean is None:
        raise ValueError(
            "running_mean and running_var are required in evaluation mode (training=False): "
            "the layer normalises with them instead of the batch statistics"
        )


def _check_eps(eps, training: bool) -> float:
    """eps > 0 in training (a constant channel has variance 0), eps >= 0 in evaluation: torch's rules."""
    eps = real_number(eps, "eps")
    if training and not eps > 0:
        raise ValueError(
            f"eps must be positive in training (it is added to the batch variance, which is 0 for a "
            f"constant channel, before dividing by its square root), got {eps}"
        )
    if not eps >= 0:
        raise ValueError(f"eps must be non-negative (it is added to the variance before the square root), got {eps}")
    return eps


def _channels(x: np.ndarray) -> np.ndarray:
    """(N, C, *) -> (N, C, L) view (a copy only if x is not contiguous)."""
    return x.reshape(x.shape[0], x.shape[1], _values_per_channel(x) // max(x.shape[0], 1))


def _values_per_channel(x: np.ndarray) -> int:
    """m = N · H · W (the product of every axis but the channels)."""
    return x.shape[0] * int(np.prod(x.shape[2:]))


def _batch_mean(x3: np.ndarray) -> np.ndarray:
    """(N, C, L) -> the mean of each channel, (C,) in x3's dtype; summed in float64, as torch does."""
    count = x3.shape[0] * x3.shape[2]
    return (x3.sum(axis=2, dtype=np.float64).sum(axis=0) / count).astype(x3.dtype)


def _batch_statistics(x3: np.ndarray, centered: np.ndarray | None = None):
    """(N, C, L) -> (mean (C,), x - mean (N, C, L), biased variance (C,)).

    Two passes (mean first, then the squares of the deviations): the one-pass E[x²] - E[x]²
    loses every digit in float32 when the mean is large next to the spread. The deviations and
    everything after the mean stay in the input's dtype; they are written into ``centered`` if
    given (an array of x3's shape), else into a new array.
    """
    count = x3.shape[0] * x3.shape[2]
    mean = _batch_mean(x3)
    centered = np.subtract(x3, mean[:, None], out=centered)
    var = np.einsum("ncl,ncl->c", centered, centered) / count
    return mean, centered, var


def _by_channel_groups(function, x3: np.ndarray) -> None:
    """Call ``function(channels)`` for slices of channels that together cover x3's channels: one
    slice per core for a large x3, else one slice of all of them."""
    channels = x3.shape[1]
    parts = min(parallel.CORES, channels) if x3.size >= PARALLEL_MIN_VALUES else 1
    bounds = [channels * i // parts for i in range(parts + 1)]
    slices = [slice(start, stop) for start, stop in zip(bounds[:-1], bounds[1:])]
    if len(slices) == 1:
        function(slices[0])
    else:
        parallel.map_on_all_cores(function, slices)


def _check_batch_size(input) -> None:
    # torch's rule: exactly one value refused; an empty batch passes (and changes nothing).
    if _values_per_channel(input) == 1:
        raise ValueError(
            f"batch_norm in training needs more than 1 value per channel to compute a variance, "
            f"got input of shape {input.shape}"
        )


@quiet_nonfinite
def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-5, *, return_stats=False):
    """Batch normalization with torch.nn.functional.batch_norm's semantics.

    input: (N, C, *); running_mean, running_var, weight, bias: (C,) or None.
    training=True normalises with the batch's own mean and biased variance and updates
    running_mean and running_var IN PLACE (if given) with momentum and the unbiased variance;
    training=False normalises with the running estimates. Returns y, the input's shape and dtype.

    ``return_stats=True`` returns ``(y, save_mean, save_invstd)`` instead: in training the
    batch's mean and 1 / sqrt(var + eps), (C,) arrays that ``batch_norm_backward`` accepts so as
    not to recompute them; in evaluation both are None.
    """
    return_stats = check_bool(return_stats, "return_stats")
    _check_input(input)
    _check_vectors(input, {"running_mean": running_mean, "running_var": running_var, "weight": weight,
                           "bias": bias})
    training = check_bool(training, "training")
    _check_running(running_mean, running_var, training)
    momentum = real_number(momentum, "momentum")
    if not 0.0 <= momentum <= 1.0:
        raise ValueError(f"momentum must be between 0 and 1 (the weight of the new batch in the running "
                         f"averages), got {momentum}")
    eps = _check_eps(eps, training)
    x3 = _channels(input)

    mean = inv_std = None
    if training:
        _check_batch_size(input)
        if input.size == 0:  # an empty batch: nothing to normalise, no statistics to learn from
            y = np.empty_like(input)
            return (y, None, None) if return_stats else y
        y = np.empty(x3.shape, dtype=x3.dtype)
        mean, var, inv_std = (np.empty(x3.shape[1], dtype=x3.dtype) for _ in range(3))

        def normalise(channels: slice) -> None:
            # The deviations go straight into y, which is then normalised in place.
            mean[channels], centered, var[channels] = _batch_statistics(x3[:, channels], y[:, channels])
            inv_std[channels] = 1 / np.sqrt(var[channels] + eps)
            scale = inv_std[channels] if weight is None else inv_std[channels] * weight[channels]
            centered *= scale[:, None]
            if bias is not None:
                centered += bias[channels, None]

        _by_channel_groups(normalise, x3)
        if running_mean is not None:
            count = _values_per_channel(input)
            running_mean[...] = (1 - momentum) * running_mean + momentum * mean
            running_var[...] = (1 - momentum) * running_var + momentum * (var * (count / (count - 1)))
    else:
        # y = x · a + b per channel, with a = gamma / sqrt(running_var + eps) and
        # b = beta - running_mean · a: two passes over x.
        scale = 1 / np.sqrt(running_var + eps)
        if weight is not None:
            scale = scale * weight
        shift = -running_mean * scale
        if bias is not None:
            shift += bias
        y = x3 * scale[:, None]
        y += shift[:, None]
    y = y.reshape(input.shape)
    return (y, mean, inv_std) if return_stats else y


@quiet_nonfinite
def batch_norm_backward(grad_output, input, weight, running_mean, running_var, training, eps=1e-5, *,
                        save_mean=None, save_invstd=None):
    """Gradients of batch_norm, equal to torch autograd's.

    Training: the batch statistics are those the forward used: ``save_mean`` and ``save_invstd``
    (1 / sqrt(var + eps)) as ``batch_norm(..., return_stats=True)`` returns them, or, when not
    given, recomputed from ``input`` (the running ones are ignored). With g = grad_output and
    sums over the m values of each channel,

        grad_bias   = sum g                  grad_weight = sum g · x_hat
        grad_input  = gamma / sqrt(var + eps) · (g - grad_bias / m - x_hat · grad_weight / m)

    (the last two terms are the gradient flowing through the batch mean and variance).
    Evaluation: the statistics are constants, so grad_input = g · gamma / sqrt(running_var + eps).

    Returns (grad_input, grad_weight, grad_bias); grad_weight and grad_bias are None when weight
    is None (no affine parameters).
    """
    _check_input(input)
    as_float_array(grad_output, "grad_output")
    if grad_output.shape != input.shape:
        raise ValueError(f"grad_output must have the input's shape {input.shape}, got {grad_output.shape}")
    _check_vectors(input, {"weight": weight, "running_mean": running_mean,
                           "running_var": running_var, "save_mean": save_mean, "save_invstd": save_invstd})
    same_dtype({"input": input, "grad_output": grad_output})
    training = check_bool(training, "training")
    if (save_mean is None) != (save_invstd is None):
        raise ValueError("save_mean and save_invstd must either both be None or both be arrays")
    if not training:
        _check_running(running_mean, running_var, training)
    eps = _check_eps(eps, training)
    x3, g3 = _channels(input), _channels(grad_output)

    if training and input.size == 0:  # an empty batch: zero gradients, as torch gives
        grad_bias = np.einsum("ncl->c", g3)
        grad_input, grad_weight = np.empty_like(input), np.zeros_like(grad_bias)
    elif training:
        _check_batch_size(input)
        count = x3.shape[0] * x3.shape[2]
        grad_input = np.empty(x3.shape, dtype=x3.dtype)
        grad_weight, grad_bias = np.empty(x3.shape[1], dtype=x3.dtype), np.empty(x3.shape[1], dtype=x3.dtype)

        def backward(channels: slice) -> None:
            x, g, out = x3[:, channels], g3[:, channels], grad_input[:, channels]
            if save_mean is None:
                _, centered, var = _batch_statistics(x, out)  # the deviations, written into out
                inv_std = 1 / np.sqrt(var + eps)
            else:
                centered = np.subtract(x, save_mean[channels, None], out=out)
                inv_std = save_invstd[channels]
            bias_grad = np.einsum("ncl->c", g)
            dot = np.einsum("ncl,ncl->c", g, centered)  # sum g · (x - mu) = grad_weight · sqrt(var + eps)
            grad_weight[channels] = dot * inv_std
            grad_bias[channels] = bias_grad
            # grad_input = gamma·inv_std · (g - mean(g) - (x - mu) · inv_std² · mean(g · (x - mu))),
            # built in the buffer of the deviations.
            centered *= (dot * inv_std * inv_std / count)[:, None]
            np.subtract(g, centered, out=centered)
            centered -= (bias_grad / count)[:, None]
            scale = inv_std if weight is None else inv_std * weight[channels]
            centered *= scale[:, None]

        _by_channel_groups(backward, x3)
    else:
        grad_bias = np.einsum("ncl->c", g3)
        inv_std = 1 / np.sqrt(running_var + eps)
        scale = inv_std if weight is None else inv_std * weight
        grad_input = g3 * scale[:, None]
        grad_weight = np.einsum("ncl,ncl->c", g3, x3 - running_mean[:, None]) * inv_std

    grad_input = grad_input.reshape(input.shape)
    if weight is None:
        return grad_input, None, None
    return grad_input, grad_weight, grad_bias
