"""``Parameter``: an array the optimiser learns, with the gradient that backward accumulates."""

from __future__ import annotations

import numpy as np

from .functional.checks import as_float_array


class Parameter:
    """A learnable array.

    ``data``  the values (a float32 or float64 ndarray); the optimiser changes them in place,
              ``load_state_dict`` copies into them, so code may hold on to the array.
    ``grad``  ``None`` until a backward pass reaches this parameter, then an array of ``data``'s
              shape and dtype to which every further backward adds (``+=``), as torch accumulates
              ``.grad``. ``zero_grad()`` sets it back to ``None``.
    """

    __slots__ = ("data", "grad")

    def __init__(self, data: np.ndarray):
        self.data = as_float_array(data, "data")
        self.grad: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def ndim(self) -> int:
        return self.data.ndim

    def accumulate_grad(self, grad: np.ndarray, *, take: bool = False) -> None:
        """Add ``grad`` to ``self.grad`` (the first gradient is stored, later ones are summed).

        The first gradient is stored as a copy, since the caller's array may be a view of, or be
        reused by, something else. ``take=True`` is the caller's promise that nothing else holds
        or will change ``grad`` (the layers pass it for the fresh arrays their functional
        backward returns): it is then stored as it is when it is already C-contiguous in the
        parameter's dtype, which saves copying it (26 MB for the cat/dog CNN's first Linear).
        """
        if grad.shape != self.data.shape:
            raise ValueError(f"gradient of shape {grad.shape} does not match the parameter's shape {self.data.shape}")
        if self.grad is None:
            if (take and isinstance(grad, np.ndarray) and grad.dtype == self.data.dtype
                    and grad.flags.c_contiguous and grad.flags.writeable):
                self.grad = grad
            else:
                self.grad = np.array(grad, dtype=self.data.dtype, order="C")
        else:
            self.grad += grad

    def __repr__(self) -> str:
        grad = "None" if self.grad is None else "array"
        return f"Parameter(shape={self.data.shape}, dtype={self.data.dtype}, grad={grad})"
