"""Looking inside the network between steps: feature maps of one image, and the real inputs of
one convolution layer's backward pass for the batch about to be trained.

Both work on a copy of the model (same weights, same mode as training would use), so calling them
while training is paused changes nothing: not the weights, not batch norm's running statistics,
not what the layers saved for their backward.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .. import nn
from .config import build_model

__all__ = ["ConvLayerPass", "conv_layer_pass", "conv_layer_indices", "feature_maps"]


def _copy_of(trainer) -> nn.Sequential:
    model = build_model(trainer.config)
    model.load_state_dict(trainer.model.state_dict())
    return model


def conv_layer_indices(model: nn.Sequential) -> list[int]:
    """The indices of the Conv2d layers (0, 4, 8, 11 in both cat/dog networks)."""
    return [index for index, layer in enumerate(model) if isinstance(layer, nn.Conv2d)]


def feature_maps(trainer, image: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """(layer repr, output (C, H, W) or (F,)) after every layer for one image (3, S, S), in
    evaluation mode (running statistics), with the current weights."""
    model = _copy_of(trainer).eval()
    x = np.asarray(image, np.float32)[None]
    maps = []
    for layer in model:
        x = layer(x)
        maps.append((repr(layer), x[0].copy()))
    return maps


@dataclasses.dataclass(frozen=True)
class ConvLayerPass:
    """What one Conv2d layer sees in a training step's backward pass, for the whole batch:

    input        (B, C, H, W)   the layer's real input activations
    weight       (F, C // groups, KH, KW), bias (F,) or None: its weights before the update
    grad_output  (B, F, OH, OW) the gradient of the batch's loss with respect to its output
    stride, padding, dilation, groups, padding_mode: the layer's settings
    images (B, 3, S, S), labels (B, 1): the batch (augmented, if the run augments)
    loss         the batch's loss
    """

    layer_index: int
    input: np.ndarray
    weight: np.ndarray
    bias: np.ndarray | None
    grad_output: np.ndarray
    stride: tuple[int, int]
    padding: object
    dilation: tuple[int, int]
    groups: int
    padding_mode: str
    images: np.ndarray
    labels: np.ndarray
    loss: float


def conv_layer_pass(trainer, layer_index: int) -> ConvLayerPass:
    """The real forward and backward of the next step (``trainer.next_batch()``), on a copy of
    the model in training mode, stopped at Conv2d layer ``layer_index`` (see conv_layer_indices)."""
    model = _copy_of(trainer).train()
    if layer_index not in conv_layer_indices(model):
        raise ValueError(f"layer {layer_index} is not a convolution; the Conv2d layers are {conv_layer_indices(model)}")
    images, labels = trainer.next_batch()
    x, layer_input = images, None
    for index, layer in enumerate(model):
        if index == layer_index:
            layer_input = x.copy()
        x = layer(x)
    criterion = nn.BCELoss()
    loss = float(criterion(x, labels))
    grad = criterion.backward()
    for index in range(len(model) - 1, layer_index, -1):
        grad = model[index].backward(grad)
    conv = model[layer_index]
    arrays = [layer_input, conv.weight.data.copy(), None if conv.bias is None else conv.bias.data.copy(), grad.copy(),
              images, labels]
    for array in arrays:
        if array is not None:
            array.flags.writeable = False
    return ConvLayerPass(layer_index, arrays[0], arrays[1], arrays[2], arrays[3], conv.stride, conv.padding,
                         conv.dilation, conv.groups, conv.padding_mode, arrays[4], arrays[5], loss)
