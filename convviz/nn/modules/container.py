"""``Sequential``: layers applied one after the other; the backward visits them in reverse."""

from __future__ import annotations

import numbers
from typing import Iterator

import numpy as np

from .module import Module


class Sequential(Module):
    """``Sequential(layer0, layer1, ...)``: the children are named "0", "1", ... as in torch.

    A single dict (e.g. an OrderedDict) of name -> layer names the children instead. Indexing gives
    a layer (negative indices count from the end) and a slice a ``Sequential`` of those layers
    under their original names; ``len`` and iteration work as on a list.

    forward:  x -> layer0(x) -> layer1(...) -> ...
    backward: the chain rule in reverse, each layer turning its output's gradient into its
              input's: g -> layer_last.backward(g) -> ... -> layer0.backward(...).
    """

    def __init__(self, *layers):
        super().__init__()
        if len(layers) == 1 and isinstance(layers[0], dict):
            named = list(layers[0].items())
        else:
            named = [(str(index), layer) for index, layer in enumerate(layers)]
        for name, layer in named:
            if not isinstance(layer, Module):
                raise TypeError(f"Sequential takes Modules, but item {name!r} is a {type(layer).__name__}")
            self.add_module(str(name), layer)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, index):
        items = list(self._modules.items())
        if isinstance(index, slice):
            return Sequential(dict(items[index]))
        if not isinstance(index, numbers.Integral) or isinstance(index, bool):
            raise TypeError(f"Sequential indices must be integers or slices, got {type(index).__name__}")
        if not -len(items) <= index < len(items):
            raise IndexError(f"index {index} is out of range for a Sequential of {len(items)} layers")
        return items[index][1]

    def append(self, layer: Module) -> Sequential:
        self.add_module(str(len(self)), layer)
        return self

    def forward(self, input: np.ndarray) -> np.ndarray:
        for layer in self:
            input = layer(input)
        return input

    def backward(self, grad_output: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        """``need_input_grad=False`` when nothing needs the gradient of the network's input (the
        images, in training): its first layer may then skip computing it and return None."""
        layers = list(self)
        for index in reversed(range(len(layers))):
            if index == 0 and not need_input_grad:
                return layers[0].backward(grad_output, need_input_grad=False)
            grad_output = layers[index].backward(grad_output)
        return grad_output
