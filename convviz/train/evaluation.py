"""Evaluation on a split (accuracy, loss, predictions, confusion matrix) and saliency.

Accuracy is the source's: ``mean((p > 0.5) == label)`` with label cat = 1, dog = 0. The loss is
the mean BCE of the probabilities, with torch's clamp of each log at -100. Both are computed in
evaluation mode (batch norm uses its running statistics).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .. import nn

__all__ = ["Evaluation", "bce_loss", "evaluate", "saliency"]


def bce_loss(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """Mean binary cross-entropy of probabilities (N,) against labels (N,), in float64."""
    p = np.asarray(probabilities, np.float64).reshape(-1)
    y = np.asarray(labels, np.float64).reshape(-1)
    if p.size == 0:
        return float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        log_p = np.maximum(np.log(p), -100.0)
        log_not_p = np.maximum(np.log1p(-p), -100.0)
    return float(np.mean(-(y * log_p + (1 - y) * log_not_p)))


@dataclasses.dataclass(frozen=True)
class Evaluation:
    """One split scored. ``probabilities`` (N,) P(cat); ``labels`` (N,) 1 = cat, 0 = dog;
    ``paths`` (N,) where each image came from (empty for arrays without paths)."""

    loss: float
    accuracy: float
    correct: int
    total: int
    probabilities: np.ndarray
    labels: np.ndarray
    paths: tuple[str, ...] = ()

    @property
    def predictions(self) -> np.ndarray:
        """(N,) 1 where the model says cat (p > 0.5), 0 for dog."""
        return (self.probabilities > 0.5).astype(np.int64)

    @property
    def confusion_matrix(self) -> np.ndarray:
        """(2, 2) counts: rows the true class, columns the predicted one, in the order (cat, dog)."""
        truth = self.labels.astype(np.int64)
        matrix = np.zeros((2, 2), np.int64)
        for row, true_class in enumerate((1, 0)):
            for column, predicted in enumerate((1, 0)):
                matrix[row, column] = int(np.sum((truth == true_class) & (self.predictions == predicted)))
        return matrix

    def misclassified(self) -> np.ndarray:
        """Indices of the wrongly classified images, the most confidently wrong first."""
        wrong = np.flatnonzero(self.predictions != self.labels.astype(np.int64))
        confidence = np.abs(self.probabilities[wrong] - 0.5)
        return wrong[np.argsort(-confidence, kind="stable")]

    def summary(self) -> str:
        return f"accuracy: {self.accuracy:.3f} ({self.correct}/{self.total})"


def evaluate(backend, split, batch_size: int = 64) -> Evaluation:
    """Score a backend (``NumpyBackend``/``TorchBackend``) or a convviz model on a ``Split``
    (``images`` (N,3,S,S), ``labels`` (N,), ``paths``), in evaluation mode."""
    if isinstance(backend, nn.Module):
        from .backend import NumpyBackend  # a model alone: wrap it, with an optimiser never used

        backend = NumpyBackend(backend)
    probabilities = backend.predict(split.images, batch_size)
    labels = np.asarray(split.labels, np.float32).reshape(-1)
    correct = int(np.sum((probabilities > 0.5) == (labels > 0.5)))
    total = int(labels.size)
    for array in (probabilities, labels):
        array.flags.writeable = False  # the record is shared; nobody may change it under another
    return Evaluation(loss=bce_loss(probabilities, labels), accuracy=correct / total if total else float("nan"),
                      correct=correct, total=total, probabilities=probabilities, labels=labels,
                      paths=tuple(getattr(split, "paths", ()) or ()))


def saliency(model: nn.Sequential, image: np.ndarray) -> np.ndarray:
    """The gradient of the model's output P(cat) with respect to one image (3,S,S) -> (3,S,S).

    Runs in evaluation mode; the model's mode and its parameters' gradients are put back, so it
    may be called while training is paused (not while a step runs on the same model).
    """
    image = np.asarray(image, dtype=next(model.parameters()).dtype)
    if image.ndim != 3:
        raise ValueError(f"saliency takes one image of shape (3, S, S), got shape {image.shape}")
    was_training = model.training
    grads = [(param, param.grad) for param in model.parameters()]
    model.eval()
    try:
        for param, _ in grads:
            param.grad = None
        output = model(image[None])
        grad_input = model.backward(np.ones_like(output), need_input_grad=True)
    finally:
        for param, grad in grads:
            param.grad = grad
        model.train(was_training)
    return np.ascontiguousarray(grad_input[0])
