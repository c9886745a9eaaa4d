"""Losses: ``BCELoss`` (on probabilities) and ``BCEWithLogitsLoss`` (on logits).

``loss = criterion(prediction, target)`` computes the loss (a 0-d array for "mean" and "sum":
``float(loss)`` gives the number) and saves both arrays;
``criterion.backward()`` then returns the gradient of that loss with respect to ``prediction``,
the start of the model's backward pass: ``model.backward(criterion.backward())``.
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .module import Module

REDUCTIONS = ("none", "mean", "sum")


class _Loss(Module):
    def __init__(self, reduction: str):
        super().__init__()
        if reduction not in REDUCTIONS:
            raise ValueError(f"reduction must be one of {', '.join(map(repr, REDUCTIONS))}, got {reduction!r}")
        self.reduction = reduction

    def _buffer_or_none(self, name: str, value) -> None:
        if value is not None and not isinstance(value, np.ndarray):
            raise TypeError(f"{name} must be None or a numpy ndarray, got {type(value).__name__}")
        self.register_buffer(name, value)


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities in [0, 1]:
    ``-weight · (target · log(p) + (1 - target) · log(1 - p))``, each log clamped at -100 as torch
    does, then averaged (``"mean"``), summed (``"sum"``) or kept per element (``"none"``).
    """

    def __init__(self, weight=None, reduction: str = "mean"):
        super().__init__(reduction)
        self._buffer_or_none("weight", weight)

    def forward(self, input: np.ndarray, target: np.ndarray):
        loss = F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)
        self._save_for_backward(input, target)
        return loss

    def backward(self, grad_output=1.0) -> np.ndarray:
        """The gradient of the loss for the prediction; ``grad_output`` scales it (1 by default;
        with ``reduction="none"`` it may be an array of the loss's shape)."""
        input, target = self._saved_for_backward()
        return F.binary_cross_entropy_backward(input, target, weight=self.weight, reduction=self.reduction,
                                               grad_output=grad_output)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of ``sigmoid(logits)``, computed stably from the logits:
    ``-weight · (pos_weight · target · log σ(x) + (1 - target) · log(1 - σ(x)))``, reduced as BCELoss.
    """

    def __init__(self, weight=None, reduction: str = "mean", pos_weight=None):
        super().__init__(reduction)
        self._buffer_or_none("weight", weight)
        self._buffer_or_none("pos_weight", pos_weight)

    def forward(self, input: np.ndarray, target: np.ndarray):
        loss = F.binary_cross_entropy_with_logits(input, target, weight=self.weight, reduction=self.reduction,
                                                  pos_weight=self.pos_weight)
        self._save_for_backward(input, target)
        return loss

    def backward(self, grad_output=1.0) -> np.ndarray:
        """The gradient of the loss for the logits (see ``BCELoss.backward``)."""
        input, target = self._saved_for_backward()
        return F.binary_cross_entropy_with_logits_backward(input, target, weight=self.weight,
                                                           reduction=self.reduction,
                                                           pos_weight=self.pos_weight, grad_output=grad_output)
