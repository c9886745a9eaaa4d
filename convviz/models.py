"""The cat/dog CNN of the source material, and a small variant for live demos.

``catdog_cnn()``: exactly the article's network, for N×3×224×224 float32 input in [0, 1]
(6,501,057 parameters). Its layers are one ``Sequential`` in this order, so its state_dict keys
("0.weight", "1.running_mean", ..., "18.bias") equal those of the same torch ``nn.Sequential``::

    index layer                               output (per image)
     0    Conv2d(3, 16, 11, stride=3)          16×72×72     (224 - 11) // 3 + 1 = 72
     1    BatchNorm2d(16)                      16×72×72
     2    ReLU                                 16×72×72
     3    MaxPool2d(2, 2)                      16×36×36
     4    Conv2d(16, 32, 5)                    32×32×32
     5    BatchNorm2d(32)                      32×32×32
     6    ReLU                                 32×32×32
     7    MaxPool2d(2, 2)                      32×16×16
     8    Conv2d(32, 64, 3, padding=1)         64×16×16
     9    BatchNorm2d(64)                      64×16×16
    10    ReLU                                 64×16×16
    11    Conv2d(64, 64, 3)                    64×14×14
    12    BatchNorm2d(64)                      64×14×14
    13    ReLU                                 64×14×14
    14    MaxPool2d(2, 2)                      64×7×7
    15    Flatten                              3136
    16    Linear(3136, 2048)                   2048
    17    ReLU                                 2048
    18    Linear(2048, 1)                      1
    19    Sigmoid                              1            P(cat); label cat = 1, dog = 0

``catdog_cnn_small()``: the same kinds of layers in the same pattern (four conv/BN/ReLU blocks,
pooling after the 1st, 2nd and 4th, then Flatten, Linear, ReLU, Linear, Sigmoid) for N×3×64×64
input, with 32,897 parameters::

    index layer                               output (per image)
     0    Conv2d(3, 16, 5, stride=2)           16×30×30     (64 - 5) // 2 + 1 = 30
     1    BatchNorm2d(16)                      16×30×30
     2    ReLU                                 16×30×30
     3    MaxPool2d(2, 2)                      16×15×15
     4    Conv2d(16, 32, 3)                    32×13×13
     5    BatchNorm2d(32)                      32×13×13
     6    ReLU                                 32×13×13
     7    MaxPool2d(2, 2)                      32×6×6
     8    Conv2d(32, 32, 3, padding=1)         32×6×6
     9    BatchNorm2d(32)                      32×6×6
    10    ReLU                                 32×6×6
    11    Conv2d(32, 32, 3)                    32×4×4
    12    BatchNorm2d(32)                      32×4×4
    13    ReLU                                 32×4×4
    14    MaxPool2d(2, 2)                      32×2×2
    15    Flatten                              128
    16    Linear(128, 64)                      64
    17    ReLU                                 64
    18    Linear(64, 1)                        1
    19    Sigmoid                              1

Both are initialised as the article does: Xavier-normal weights for every Conv2d and Linear,
zero biases, BatchNorm weight ~ N(1.0, 0.02) and bias 0. Pass ``rng`` (a numpy Generator or an
int seed) for a reproducible model; ``None`` uses ``convviz.nn.init``'s default generator.
"""

from __future__ import annotations

import numpy as np

from . import nn
from .nn import init

__all__ = ["catdog_cnn", "catdog_cnn_small", "init_catdog_", "output_shapes"]

CATDOG_INPUT_SHAPE = (3, 224, 224)
CATDOG_SMALL_INPUT_SHAPE = (3, 64, 64)


def init_catdog_(model: nn.Module, rng=None) -> nn.Module:
    """The article's initialisation, in place: Xavier-normal Conv2d/Linear weights, zero biases,
    BatchNorm weight ~ N(1.0, 0.02) and bias 0. Returns the model."""
    rng = init.default_rng(rng)
    for layer in model.modules():
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            init.xavier_normal_(layer.weight, rng=rng)
            if layer.bias is not None:
                init.zeros_(layer.bias)
        elif isinstance(layer, nn.BatchNorm2d) and layer.affine:
            init.normal_(layer.weight, 1.0, 0.02, rng=rng)
            init.zeros_(layer.bias)
    return model


def catdog_cnn(rng=None) -> nn.Sequential:
    """The article's cat/dog CNN for N×3×224×224 input (see the module docstring for its layers)."""
    rng = init.default_rng(rng)
    model = nn.Sequential(
        nn.Conv2d(3, 16, 11, stride=3, rng=rng), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(16, 32, 5, rng=rng), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(32, 64, 3, padding=1, rng=rng), nn.BatchNorm2d(64), nn.ReLU(),
        nn.Conv2d(64, 64, 3, rng=rng), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Flatten(),
        nn.Linear(64 * 7 * 7, 2048, rng=rng), nn.ReLU(),
        nn.Linear(2048, 1, rng=rng),
        nn.Sigmoid(),
    )
    return init_catdog_(model, rng)


def catdog_cnn_small(rng=None) -> nn.Sequential:
    """The small variant for N×3×64×64 input, for live training demos (see the module docstring)."""
    rng = init.default_rng(rng)
    model = nn.Sequential(
        nn.Conv2d(3, 16, 5, stride=2, rng=rng), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(16, 32, 3, rng=rng), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(32, 32, 3, padding=1, rng=rng), nn.BatchNorm2d(32), nn.ReLU(),
        nn.Conv2d(32, 32, 3, rng=rng), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Flatten(),
        nn.Linear(32 * 2 * 2, 64, rng=rng), nn.ReLU(),
        nn.Linear(64, 1, rng=rng),
        nn.Sigmoid(),
    )
    return init_catdog_(model, rng)


def output_shapes(model: nn.Sequential, input_shape: tuple[int, ...]) -> list[tuple[str, tuple[int, ...]]]:
    """(layer repr, output shape per image) for each layer of a Sequential, from one forward pass
    of a single zero image in evaluation mode (the model's mode and statistics are unchanged)."""
    was_training = model.training
    model.eval()
    try:
        x = np.zeros((1,) + tuple(input_shape), dtype=next(model.parameters()).dtype)
        shapes = []
        for layer in model:
            x = layer(x)
            shapes.append((repr(layer), x.shape[1:]))
    finally:
        model.train(was_training)
    return shapes
