"""The PyTorch backend: the same network rebuilt in torch from the same weights, trained on the
same batches, so its curves and speed can be set beside the NumPy engine's.

torch is optional: nothing here imports it until a ``TorchBackend`` is made, and
``torch_available()`` says whether one can be (and why not). The torch network is built layer by
layer from the convviz ``Sequential`` (same kinds, same arguments), then the convviz state_dict
is loaded into it: the keys are torch's already. Weights and Adam's state go back as numpy arrays
in convviz's layout, so one checkpoint format serves both backends.
"""

from __future__ import annotations

import math

import numpy as np

from .. import nn
from .backend import StepResult, nonfinite_gradients

__all__ = ["TorchBackend", "torch_available", "torch_sequential"]

TORCH_PIN = "torch==2.13.0"


def torch_available() -> tuple[bool, str]:
    """``(True, "torch 2.13.0+cpu")`` or ``(False, the reason)``, for a greyed-out choice."""
    try:
        import torch
    except ImportError as error:
        return False, f"PyTorch is not installed ({error}); install it with: pip install {TORCH_PIN}"
    return True, f"torch {torch.__version__}"


def _torch_layer(layer: nn.Module, tn):
    """The torch twin of one convviz layer, with the same arguments (weights loaded later)."""
    if isinstance(layer, nn.Conv2d):
        return tn.Conv2d(layer.in_channels, layer.out_channels, layer.kernel_size, stride=layer.stride,
                         padding=layer.padding, dilation=layer.dilation, groups=layer.groups,
                         bias=layer.bias is not None, padding_mode=layer.padding_mode)
    if isinstance(layer, nn.BatchNorm2d):
        return tn.BatchNorm2d(layer.num_features, eps=layer.eps, momentum=layer.momentum, affine=layer.affine,
                              track_running_stats=layer.track_running_stats)
    if isinstance(layer, nn.MaxPool2d):
        return tn.MaxPool2d(layer.kernel_size, layer.stride, padding=layer.padding, dilation=layer.dilation,
                            ceil_mode=layer.ceil_mode)
    if isinstance(layer, nn.Linear):
        return tn.Linear(layer.in_features, layer.out_features, bias=layer.bias is not None)
    if isinstance(layer, nn.Flatten):
        return tn.Flatten(layer.start_dim, layer.end_dim)
    simple = {nn.ReLU: tn.ReLU, nn.Sigmoid: tn.Sigmoid}
    for kind, twin in simple.items():
        if type(layer) is kind:
            return twin()
    raise TypeError(f"the torch backend cannot rebuild a {type(layer).__name__} layer")


def torch_sequential(model: nn.Sequential):
    """A ``torch.nn.Sequential`` with the same layers and weights as a convviz ``Sequential``."""
    import torch

    twin = torch.nn.Sequential(*[_torch_layer(layer, torch.nn) for layer in model])
    twin.load_state_dict({key: torch.from_numpy(np.array(value)) for key, value in model.state_dict().items()})
    return twin


class TorchBackend:
    """Trains a torch copy of a convviz model with ``torch.optim.Adam``; ``numpy_model()`` gives
    the convviz model with the torch weights copied in (for the filters, feature maps, saliency)."""

    name = "torch"

    def __init__(self, model: nn.Sequential, lr: float = 5e-4):
        import torch

        self._torch = torch
        self._numpy_model = model
        self.model = torch_sequential(model)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=lr)
        self.criterion = torch.nn.BCELoss()
        self._synced = True  # whether the convviz model holds the torch weights

    def train_step(self, images: np.ndarray, labels: np.ndarray, lr: float) -> StepResult:
        torch = self._torch
        self.set_lr(lr)
        self.model.train()
        buffers = {name: value.clone() for name, value in self.model.named_buffers()}
        probabilities = self.model(torch.from_numpy(np.require(images, requirements="W")))
        loss_tensor = self.criterion(probabilities, torch.from_numpy(np.require(labels, requirements="W")))
        loss = float(loss_tensor.detach())
        probabilities = probabilities.detach().numpy().reshape(-1).copy()
        problem = None
        if not math.isfinite(loss):
            problem = f"the loss is {loss}"
        else:
            self.optimizer.zero_grad()
            loss_tensor.backward()
            bad = nonfinite_gradients((name, None if p.grad is None else p.grad.numpy())
                                      for name, p in self.model.named_parameters())
            if bad:
                problem = f"the gradient of {', '.join(bad)} is not finite"
                self.optimizer.zero_grad()
            else:
                self.optimizer.step()
                self._synced = False
        if problem is not None:
            self.model.load_state_dict(buffers, strict=False)
        return StepResult(loss, probabilities, problem)

    def predict(self, images: np.ndarray, batch_size: int = 64) -> np.ndarray:
        torch = self._torch
        was_training = self.model.training
        self.model.eval()
        try:
            with torch.no_grad():
                # A copy: datasets are read-only, and torch does not take read-only arrays.
                parts = [self.model(torch.from_numpy(np.array(images[start:start + batch_size]))).numpy().reshape(-1)
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
        return {key: value.detach().numpy().copy() for key, value in self.model.state_dict().items()}

    def load_state_dict(self, state_dict: dict[str, np.ndarray]) -> None:
        torch = self._torch
        self._numpy_model.load_state_dict(state_dict)  # checks every key and shape first
        self.model.load_state_dict({key: torch.from_numpy(np.array(value)) for key, value in state_dict.items()})
        self._synced = True

    def optimizer_state(self) -> dict:
        """Adam's state in convviz.optim's layout (``step`` an int, moments as numpy arrays)."""
        saved = self.optimizer.state_dict()
        state = {}
        for index, entries in saved["state"].items():
            state[index] = {name: (int(value.item()) if name == "step" else value.numpy().copy())
                            for name, value in entries.items()}
        keep = ("lr", "betas", "eps", "weight_decay", "amsgrad")
        groups = [{**{k: group[k] for k in keep}, "params": list(group["params"])} for group in saved["param_groups"]]
        return {"state": state, "param_groups": groups}

    def load_optimizer_state(self, state: dict) -> None:
        torch = self._torch
        own = self.optimizer.state_dict()
        groups = []
        for mine, saved in zip(own["param_groups"], state["param_groups"]):
            groups.append({**mine, **{k: v for k, v in saved.items() if k != "params"}, "params": mine["params"]})
        entries = {}
        for index, values in state["state"].items():
            entries[int(index)] = {name: (torch.tensor(float(value)) if name == "step" else torch.from_numpy(np.array(value)))
                                   for name, value in values.items()}
        self.optimizer.load_state_dict({"state": entries, "param_groups": groups})

    def numpy_model(self) -> nn.Sequential:
        if not self._synced:
            self._numpy_model.load_state_dict(self.state_dict())
            self._synced = True
        return self._numpy_model
