"""The NumPy engine, laid out like torch.nn (numpy only: no Qt, no OpenCV, no torch).

- ``convviz.nn.functional``  the operations, each with its backward, as pure functions;
- ``convviz.nn.init``        weight initialisation with torch's formulas;
- ``convviz.nn.parallel``    the thread per core the engine runs its large operations on;
- ``convviz.nn``             the layers (``Conv2d``, ``BatchNorm2d``, ..., ``Sequential``) and losses.

A training step, the same five lines as in torch with the backward made explicit::

    prediction = model(images)
    loss = criterion(prediction, labels)
    optimizer.zero_grad()
    model.backward(criterion.backward())   # torch: loss.backward()
    optimizer.step()
"""

from . import functional, init, parallel
from .modules import (
    AvgPool2d,
    BatchNorm2d,
    BCELoss,
    BCEWithLogitsLoss,
    Conv2d,
    ConvTranspose2d,
    Flatten,
    IncompatibleKeys,
    Linear,
    MaxPool2d,
    Module,
    ReLU,
    Sequential,
    Sigmoid,
)
from .parameter import Parameter

__all__ = [
    "AvgPool2d", "BCELoss", "BCEWithLogitsLoss", "BatchNorm2d", "Conv2d", "ConvTranspose2d", "Flatten",
    "IncompatibleKeys", "Linear", "MaxPool2d", "Module", "Parameter", "ReLU", "Sequential", "Sigmoid",
    "functional", "init", "parallel",
]
