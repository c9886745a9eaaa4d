"""The layers: ``Module`` and torch.nn's building blocks of a small CNN."""

from .activation import ReLU, Sigmoid
from .batchnorm import BatchNorm2d
from .container import Sequential
from .conv import Conv2d
from .conv_transpose import ConvTranspose2d
from .linear import Flatten, Linear
from .loss import BCELoss, BCEWithLogitsLoss
from .module import IncompatibleKeys, Module
from .pooling import AvgPool2d, MaxPool2d

__all__ = [
    "AvgPool2d", "BCELoss", "BCEWithLogitsLoss", "BatchNorm2d", "Conv2d", "ConvTranspose2d", "Flatten",
    "IncompatibleKeys", "Linear", "MaxPool2d", "Module", "ReLU", "Sequential", "Sigmoid",
]
