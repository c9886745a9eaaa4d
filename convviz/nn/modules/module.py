"""``Module``: the base of every layer, with torch.nn.Module's bookkeeping and an explicit backward.

A module owns three kinds of named things, in the order they were assigned:

- parameters  ``Parameter`` objects the optimiser learns (``conv.weight``),
- buffers     plain arrays that are state but not learnt (``bn.running_mean``),
- children    sub-modules (the layers of a ``Sequential``, named "0", "1", ...).

Assigning ``self.weight = Parameter(...)`` or ``self.block = Conv2d(...)`` registers it, as in
torch; buffers are registered with ``register_buffer``. ``state_dict()`` walks the module the way
torch does: its own parameters, then its own buffers, then each child with the prefix
``"<child name>."``. That is what makes the keys of a convviz ``Sequential`` and of the same torch
``nn.Sequential`` equal ("0.weight", "0.bias", "1.weight", ..., "1.num_batches_tracked").

Forward and backward. Calling a module runs ``forward`` and keeps what the backward will need (the
input, the pooling indices, ...). ``backward(grad_output)`` returns the gradient for the input and
*adds* each parameter's gradient to ``parameter.grad``; it never changes a weight, which is the
optimiser's job. The backward uses the weights as they are when it runs, so call the optimiser's
``step()`` after the backward, as in torch.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Iterator

import numpy as np

from ..functional.checks import FLOAT_DTYPES
from ..parameter import Parameter

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


def check_float_dtype(dtype) -> np.dtype:
    """``dtype`` as given to a layer's constructor: float32 or float64."""
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved not in FLOAT_DTYPES:
        raise TypeError(f"dtype must be float32 or float64, got {dtype!r}")
    return resolved


def _addindent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line if line.strip() else "" for line in lines[1:])


class Module:
    """Base class of every layer. Subclasses define ``forward`` and ``backward``."""

    def __init__(self) -> None:
        # object.__setattr__ because our own __setattr__ relies on these dictionaries.
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)

    # ------------------------------------------------------------------------------------------
    # Registration: attributes that are parameters, buffers or modules live in the dictionaries.

    def __setattr__(self, name: str, value) -> None:
        parameters = self.__dict__.get("_parameters")
        if parameters is None:
            raise AttributeError(f"{type(self).__name__}.__init__ must call Module.__init__() before setting {name!r}")
        if isinstance(value, Parameter):
            self._forget(name)
            parameters[name] = value
        elif name in parameters:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} as parameter {name!r}: "
                                f"a Parameter or None is expected")
            parameters[name] = None
        elif isinstance(value, Module):
            self._forget(name)
            self._modules[name] = value
        elif name in self._modules:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} as child module {name!r}: "
                                f"a Module or None is expected")
            self._modules[name] = None
        elif name in self._buffers:
            if value is not None and not isinstance(value, np.ndarray):
                raise TypeError(f"cannot assign {type(value).__name__} as buffer {name!r}: "
                                f"an ndarray or None is expected")
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str):
        # Only reached when ordinary lookup fails, i.e. for registered names.
        for table in ("_parameters", "_buffers", "_modules"):
            entries = self.__dict__.get(table)
            if entries is not None and name in entries:
                return entries[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for table in (self._parameters, self._buffers, self._modules):
            if name in table:
                del table[name]
                return
        object.__delattr__(self, name)

    def _forget(self, name: str) -> None:
        for table in (self.__dict__, self._parameters, self._buffers, self._modules):
            table.pop(name, None)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"parameter {name!r} must be a Parameter or None, got {type(param).__name__}")
        self._forget(name)
        self._parameters[name] = param

    def register_buffer(self, name: str, array: np.ndarray | None) -> None:
        """Register a state array that is saved in ``state_dict`` but not learnt (None: absent)."""
        if array is not None and not isinstance(array, np.ndarray):
            raise TypeError(f"buffer {name!r} must be an ndarray or None, got {type(array).__name__}")
        self._forget(name)
        self._buffers[name] = array

    def add_module(self, name: str, module: Module | None) -> None:
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"child {name!r} must be a Module or None, got {type(module).__name__}")
        self._forget(name)
        self._modules[name] = module

    # ------------------------------------------------------------------------------------------
    # Walking the tree.

    def named_children(self) -> Iterator[tuple[str, Module]]:
        for name, module in self._modules.items():
            if module is not None:
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module (named ``prefix``) and every descendant, depth first, as torch orders them."""
        yield prefix, self
        for name, child in self.named_children():
            yield from child.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def _named_members(self, table: str) -> Iterator[tuple[str, object]]:
        seen = set()
        for prefix, module in self.named_modules():
            for name, value in getattr(module, table).items():
                if value is None or id(value) in seen:
                    continue
                seen.add(id(value))
                yield (f"{prefix}.{name}" if prefix else name), value

    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        """("0.weight", Parameter), ... in state_dict order, each parameter once."""
        return self._named_members("_parameters")

    def parameters(self) -> Iterator[Parameter]:
        for _, param in self.named_parameters():
            yield param

    def named_buffers(self) -> Iterator[tuple[str, np.ndarray]]:
        return self._named_members("_buffers")

    def buffers(self) -> Iterator[np.ndarray]:
        for _, buffer in self.named_buffers():
            yield buffer

    # ------------------------------------------------------------------------------------------
    # Modes, gradients, dtype.

    def train(self, mode: bool = True) -> Module:
        """Training mode (BatchNorm uses batch statistics and updates its running ones)."""
        if not isinstance(mode, bool):
            raise TypeError(f"train(mode) expects a bool, got {type(mode).__name__}")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode (BatchNorm uses its running statistics), the same as ``train(False)``."""
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the accumulated gradients: ``grad = None`` (torch's default) or zeros."""
        for param in self.parameters():
            if set_to_none:
                param.grad = None
            elif param.grad is not None:
                param.grad.fill(0)

    def to(self, dtype) -> Module:
        """Convert every parameter and floating buffer to ``dtype`` (float32 or float64), in place.

        The Parameter objects stay the same (their ``.data`` is replaced), so build the optimiser
        afterwards: its state is sized and typed for the arrays it saw first.
        """
        dtype = check_float_dtype(dtype)
        for module in self.modules():
            for param in module._parameters.values():
                if param is not None:
                    param.data = param.data.astype(dtype)
                    param.grad = None if param.grad is None else param.grad.astype(dtype)
            for name, buffer in module._buffers.items():
                if buffer is not None and buffer.dtype in FLOAT_DTYPES:
                    module._buffers[name] = buffer.astype(dtype)
        return self

    def float(self) -> Module:
        return self.to(np.float32)

    def double(self) -> Module:
        return self.to(np.float64)

    # ------------------------------------------------------------------------------------------
    # State dictionaries.

    def _state_entries(self) -> dict[str, np.ndarray]:
        """Key -> the live array behind it, in torch's order: parameters, buffers, then children."""
        entries = {}
        for prefix, module in self.named_modules():
            dot = f"{prefix}." if prefix else ""
            for name, param in module._parameters.items():
                if param is not None:
                    entries[dot + name] = param.data
            for name, buffer in module._buffers.items():
                if buffer is not None:
                    entries[dot + name] = buffer
        return entries

    def state_dict(self) -> dict[str, np.ndarray]:
        """Every parameter and buffer as a copy, with torch's keys in torch's order (to torch:
        ``{k: torch.from_numpy(v) for k, v in sd.items()}``; ``num_batches_tracked`` is 0-d int64)."""
        return {key: array.copy() for key, array in self._state_entries().items()}

    def load_state_dict(self, state_dict, strict: bool = True) -> IncompatibleKeys:
        """Copy the values of ``state_dict`` into this module's parameters and buffers.

        The parameter objects and their arrays stay the same (an optimiser holds them); values are
        copied in and cast to the module's dtype. Every key, shape and dtype is checked before
        anything is copied, so a failed load changes nothing. With ``strict=True`` (the default,
        as in torch) missing or unexpected keys are errors; with ``strict=False`` they are
        returned as ``(missing_keys, unexpected_keys)`` and the matching keys are loaded.
        Values may be ndarrays or anything ``np.asarray`` accepts (numbers, CPU torch tensors).
        """
        if not hasattr(state_dict, "keys") or not hasattr(state_dict, "__getitem__"):
            raise TypeError(f"state_dict must be a mapping from names to arrays, got {type(state_dict).__name__}")
        targets = self._state_entries()
        missing = [key for key in targets if key not in state_dict]
        unexpected = [key for key in state_dict if key not in targets]
        errors, values = [], {}
        for key, target in targets.items():
            if key not in state_dict:
                continue
            value = np.asarray(state_dict[key])
            if value.shape != target.shape:
                errors.append(f"size mismatch for {key}: the state_dict gives shape {value.shape}, "
                              f"the model's is {target.shape}")
            elif not np.can_cast(value.dtype, target.dtype, casting="same_kind"):
                errors.append(f"dtype mismatch for {key}: cannot copy {value.dtype} into the model's {target.dtype}")
            else:
                values[key] = value
        if strict:
            key_errors = []
            if missing:
                key_errors.append("missing key(s) in state_dict: " + ", ".join(repr(k) for k in missing))
            if unexpected:
                key_errors.append("unexpected key(s) in state_dict: " + ", ".join(repr(k) for k in unexpected))
            errors = key_errors + errors
        if errors:
            raise ValueError(f"error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(errors))
        for key, value in values.items():
            np.copyto(targets[key], value, casting="same_kind")
        return IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------------------------------
    # Forward, backward and what they save.

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def backward(self, grad_output, need_input_grad: bool = True):
        """The gradient for this layer's input, given its output's; parameter gradients are
        accumulated, weights never change. ``need_input_grad=False`` tells a layer that nothing
        upstream wants its input gradient (a network's first layer, whose input is the image):
        a layer for which it is expensive (Conv2d) then skips it and returns None."""
        raise NotImplementedError(f"{type(self).__name__} does not define backward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def _save_for_backward(self, *values) -> None:
        object.__setattr__(self, "_saved", values)

    def _saved_for_backward(self) -> tuple:
        saved = self.__dict__.get("_saved")
        if saved is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward() was called before forward(): the forward pass saves "
                f"what the backward needs (its input, pooling indices, ...), so call the layer on an input first"
            )
        return saved

    # ------------------------------------------------------------------------------------------
    # Printing, as torch prints.

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        extra_lines = self.extra_repr().split("\n") if self.extra_repr() else []
        child_lines = [f"({name}): " + _addindent(repr(module), 2) for name, module in self._modules.items()]
        lines = extra_lines + child_lines
        text = type(self).__name__ + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                text += extra_lines[0]
            else:
                text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"
