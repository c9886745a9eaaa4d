"""Binary cross-entropy losses, forward and backward.

    p  input: predicted probabilities in [0, 1]     (binary_cross_entropy)
    z  input: raw scores, "logits", p = sigmoid(z)   (binary_cross_entropy_with_logits)
    t  target in [0, 1], the input's shape;  w  optional weight, broadcast to the input's shape

    binary_cross_entropy:              l = -w · (t · log p + (1 - t) · log(1 - p))
    binary_cross_entropy_with_logits:  l = -w · (c · t · log sigmoid(z) + (1 - t) · log(1 - sigmoid(z)))
                                       with c = pos_weight (1 if None), the weight of positive targets

reduced by ``reduction``: "mean" (the mean of l over every element), "sum", or "none" (l itself).
Mean and sum give a 0-d array, like torch's 0-d tensor.

Numerics, as in torch: binary_cross_entropy clamps each log at -100, so p = 0 or 1 costs at most
100 instead of inf; the logits form never computes sigmoid(z) and then its log, but uses

    log sigmoid(z) = min(z, 0) - log(1 + exp(-|z|))      log(1 - sigmoid(z)) = log sigmoid(z) - z

which neither overflows nor loses the small probabilities to rounding.
"""

from __future__ import annotations

import numbers

import numpy as np

from .checks import as_float_array, quiet_nonfinite, same_dtype
from .activation import sigmoid

__all__ = ["REDUCTIONS", "binary_cross_entropy", "binary_cross_entropy_backward",
           "binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits_backward"]

REDUCTIONS = ("mean", "sum", "none")

LOG_CLAMP = -100.0  # torch's lower bound for each log in binary_cross_entropy
# torch's lower bound for p·(1 - p) in the gradient's denominator: 1e-12 rounded to float32 (torch
# stores it as a float), 9.9999999600e-13, which shows in float64 gradients at p = 0 or 1.
BCE_GRAD_EPSILON = float(np.float32(1e-12))


def _check_reduction(reduction) -> str:
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {', '.join(map(repr, REDUCTIONS))}, got {reduction!r}")
    return reduction


def _check_in_unit_interval(array: np.ndarray, name: str, advice: str) -> None:
    """Values must lie in [0, 1]; NaN is let through (it propagates into the loss)."""
    outside = (array < 0) | (array > 1)
    if outside.any():
        first = tuple(int(i) for i in np.argwhere(outside)[0])
        raise ValueError(
            f"every element of {name} must be between 0 and 1, but {int(outside.sum())} are not, "
            f"e.g. {name}{list(first)} = {array[first]}{advice}"
        )


def _check_loss_arguments(input, target, weights: dict, reduction) -> np.dtype:
    as_float_array(input, "input")
    as_float_array(target, "target")
    if input.shape != target.shape:
        raise ValueError(
            f"target must have the input's shape: input has shape {input.shape}, target has shape "
            f"{target.shape}"
        )
    for name, w in weights.items():
        if w is None:
            continue
        as_float_array(w, name)
        try:
            broadcast = np.broadcast_shapes(w.shape, input.shape)
        except ValueError:
            broadcast = None
        if broadcast != input.shape:
            raise ValueError(
                f"{name} must broadcast to the input's shape {input.shape}, got shape {w.shape}"
            )
    _check_reduction(reduction)
    return same_dtype({"input": input, "target": target, **weights})


def _check_grad_output(grad_output, input: np.ndarray, reduction: str):
    """A number or 0-d array for "mean"/"sum"; for "none" also an array of the input's shape."""
    if isinstance(grad_output, numbers.Real) and not isinstance(grad_output, (bool, np.bool_)):
        return input.dtype.type(grad_output)
    as_float_array(grad_output, "grad_output")
    allowed = [()] if reduction != "none" else [(), input.shape]
    if grad_output.shape not in allowed:
        described = "a number or a 0-d array" if reduction != "none" else f"a number or shape {input.shape}"
        raise ValueError(
            f"grad_output for reduction={reduction!r} must be {described} (the loss's shape), "
            f"got shape {grad_output.shape}"
        )
    same_dtype({"input": input, "grad_output": grad_output})
    return grad_output


def _reduce(loss: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "none":
        return loss
    if reduction == "sum":
        return np.asarray(loss.sum())
    if loss.size == 0:  # torch: the mean of nothing is NaN
        return np.asarray(np.nan, dtype=loss.dtype)
    return np.asarray(loss.mean())


# ----------------------------------------------------------------------------------------------
# On probabilities.

_NOT_PROBABILITIES = (
    " (binary_cross_entropy takes probabilities: apply sigmoid first, or give the raw scores to "
    "binary_cross_entropy_with_logits)"
)


def _check_probabilities(input, target) -> None:
    _check_in_unit_interval(input, "input", _NOT_PROBABILITIES)
    _check_in_unit_interval(target, "target", "")


@quiet_nonfinite
def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """torch.nn.functional.binary_cross_entropy.

    input, target: same shape, values in [0, 1] (else ValueError; NaN propagates into the loss);
    weight: None or broadcastable to the input's shape. Returns the reduced loss, 0-d for
    "mean"/"sum", the input's shape for "none", in the input's dtype.
    """
    _check_loss_arguments(input, target, {"weight": weight}, reduction)
    _check_probabilities(input, target)
    with np.errstate(divide="ignore"):  # log(0) = -inf is expected here and clamped just below
        log_p = np.maximum(np.log(input), LOG_CLAMP)
        log_not_p = np.maximum(np.log1p(-input), LOG_CLAMP)
    # -(t · log p + (1 - t) · log(1 - p)), in torch's order of operations
    loss = (target - 1) * log_not_p - target * log_p
    if weight is not None:
        loss *= weight
    return _reduce(loss, reduction)


@quiet_nonfinite
def binary_cross_entropy_backward(input, target, weight=None, reduction="mean", grad_output=1.0):
    """Gradient of binary_cross_entropy with respect to its input, equal to torch autograd's:

        dl/dp = w · (p - t) / max(p · (1 - p), 1e-12)      (divided by the element count for "mean")

    times grad_output, the gradient of the reduced loss (1.0 when the loss is the final output).
    """
    _check_loss_arguments(input, target, {"weight": weight}, reduction)
    _check_probabilities(input, target)
    grad_output = _check_grad_output(grad_output, input, reduction)
    # torch clamps p·(1 - p) from below, so p = 0 or 1 gives a large but finite gradient.
    grad = grad_output * (input - target) / np.maximum((1 - input) * input, BCE_GRAD_EPSILON)
    if weight is not None:
        grad *= weight
    if reduction == "mean":
        grad /= input.size
    return grad


# ----------------------------------------------------------------------------------------------
# On logits.


def _log_sigmoid(z: np.ndarray) -> np.ndarray:
    """log sigmoid(z) = min(z, 0) - log(1 + exp(-|z|)): exp only of values <= 0, never overflowing."""
    return np.minimum(z, 0) - np.log1p(np.exp(-np.abs(z)))


@quiet_nonfinite
def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean", pos_weight=None):
    """torch.nn.functional.binary_cross_entropy_with_logits: sigmoid and BCE in one stable step.

    input: raw scores (any real values), target: the input's shape; weight, pos_weight: None or
    broadcastable to the input's shape (pos_weight typically one value per class, the last axis).
    """
    _check_loss_arguments(input, target, {"weight": weight, "pos_weight": pos_weight}, reduction)
    log_sig = _log_sigmoid(input)
    if pos_weight is not None:
        log_sig *= (pos_weight - 1) * target + 1  # c·t + (1 - t): positives count c times
    # l = (1 - t)·z - (c·t + 1 - t)·log sigmoid(z), the same as the definition above
    # because log(1 - sigmoid(z)) = log sigmoid(z) - z. torch's order of operations.
    loss = (1 - target) * input
    loss -= log_sig
    if weight is not None:
        loss *= weight
    return _reduce(loss, reduction)


@quiet_nonfinite
def binary_cross_entropy_with_logits_backward(input, target, weight=None, reduction="mean", pos_weight=None,
                                              grad_output=1.0):
    """Gradient of binary_cross_entropy_with_logits with respect to its input, as torch's:

        dl/dz = w · (sigmoid(z) - t)                          without pos_weight
        dl/dz = w · ((c·t + 1 - t) · sigmoid(z) - c·t)        with pos_weight c

    times grad_output, and divided by the element count for "mean".
    """
    _check_loss_arguments(input, target, {"weight": weight, "pos_weight": pos_weight}, reduction)
    grad_output = _check_grad_output(grad_output, input, reduction)
    if pos_weight is not None:
        weighted_target = pos_weight * target
        grad = (weighted_target + 1 - target) * sigmoid(input) - weighted_target
    else:
        grad = sigmoid(input) - target
    grad *= grad_output
    if weight is not None:
        grad *= weight
    if reduction == "mean":
        grad /= input.size
    return grad
