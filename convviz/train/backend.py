"""The NumPy training backend: one optimiser step, predictions, weights and optimiser state.

A backend is what ``Trainer`` drives; ``TorchBackend`` (torch_backend.py) offers the same methods
on a torch copy of the network, so the loop, the records and the checkpoints are shared:

    train_step(images (B,3,S,S), labels (B,1), lr) -> StepResult
    predict(images (N,3,S,S), batch_size) -> probabilities (N,) float32, in evaluation mode
    state_dict() / load_state_dict(sd)          numpy arrays with torch's keys
    optimizer_state() / load_optimizer_state()  {"state": {i: {"step", "exp_avg", "exp_avg_sq"}},
                                                 "param_groups": [...]}, as convviz.optim's

A step whose loss or gradients are not finite changes nothing: the update is not applied and
batch norm's running statistics (which the forward pass moves) are put back, so the model keeps
the weights of the last good step.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .. import nn, optim

__all__ = ["NumpyBackend", "StepResult"]


@dataclasses.dataclass(frozen=True)
class StepResult:
    """One step: the batch's loss and probabilities (B,), and ``problem`` (None when the step
    was applied; otherwise what was not finite, and the update was skipped)."""

    loss: float
    probabilities: np.ndarray
    problem: str | None = None


def nonfinite_gradients(named_gradients) -> list[str]:
    """Names of the gradients holding a NaN or an infinity. A sum is one fast read-only pass and
    is NaN or infinite exactly when an element is (short of float32 overflow, ~1e38)."""
    return [name for name, grad in named_gradients if grad is not None and not math.isfinite(float(grad.sum()))]


class NumpyBackend:
    """Trains a convviz model in place with ``convviz.optim.Adam``."""

    name = "numpy"

    def __init__(self, model: nn.Sequential, optimizer: optim.Optimizer | None = None, lr: float = 5e-4):
        self.model = model
        self.optimizer = optimizer if optimizer is not None else optim.Adam(model.parameters(), lr=lr)
        self.criterion = nn.BCELoss()

    def train_step(self, images: np.ndarray, labels: np.ndarray, lr: float) -> StepResult:
        self.set_lr(lr)
        self.model.train()
        buffers = {name: array.copy() for name, array in self.model.named_buffers()}  # a few KB
        probabilities = self.model(images)
        loss = float(self.criterion(probabilities, labels))
        probabilities = probabilities.reshape(-1).copy()
        problem = None
        if not math.isfinite(loss):
            problem = f"the loss is {loss}"
        else:
            self.optimizer.zero_grad()
            self.model.backward(self.criterion.backward(), need_input_grad=False)
            bad = nonfinite_gradients((name, p.grad) for name, p in self.model.named_parameters())
            if bad:
                problem = f"the gradient of {', '.join(bad)} is not finite"
                self.optimizer.zero_grad()
            else:
                self.optimizer.step()
        if problem is not None:
            self.model.load_state_dict(buffers, strict=False)
        return StepResult(loss, probabilities, problem)

    def predict(self, images: np.ndarray, batch_size: int = 64) -> np.ndarray:
        was_training = self.model.training
        self.model.eval()
        try:
            parts = [self.model(images[start:start + batch_size]).reshape(-1)
                     for start in range(0, len(images), batch_size)]
        finally:
            self.model.train(was_training)
        return np.concatenate(parts).astype(np.float32) if parts else np.zeros(0, np.float32)

    @property
    def lr(self) -> float:
        return float(self.optimizer.param_groups[0]["lr"])

    def set_lr(self, lr: float) -> None:
        for group in self.optimizer.param_groups:
            group["lr"] = float(lr)

    def state_dict(self) -> dict[str, np.ndarray]:
        return self.model.state_dict()

    def load_state_dict(self, state_dict: dict[str, np.ndarray]) -> None:
        self.model.load_state_dict(state_dict)

    def optimizer_state(self) -> dict:
        return self.optimizer.state_dict()

    def load_optimizer_state(self, state: dict) -> None:
        self.optimizer.load_state_dict(state)

    def numpy_model(self) -> nn.Sequential:
        """The convviz model with the current weights (here: the trained model itself)."""
        return self.model
