"""Weight initialisation with torch.nn.init's formulas, filling NumPy arrays in place.

Fan-in and fan-out of a weight, as torch computes them:

    Linear  weight (out_features, in_features)       fan_in = in_features,       fan_out = out_features
    Conv2d  weight (out_channels, in/groups, KH, KW) fan_in = in/groups·KH·KW,    fan_out = out_channels·KH·KW

that is ``fan_in = shape[1] · receptive field`` and ``fan_out = shape[0] · receptive field`` with
``receptive field = prod(shape[2:])``.

    xavier (Glorot)   std = gain · sqrt(2 / (fan_in + fan_out))
    kaiming (He)      std = gain / sqrt(fan)            fan = fan_in or fan_out (``mode``)
    uniform variants  U(-bound, bound) with bound = sqrt(3) · std (a uniform of that std)

Every function takes an ndarray (or a ``Parameter``, whose ``.data`` it fills), changes it in
place and returns what it was given. Randomness comes from a ``numpy.random.Generator``: pass
``rng=`` (a Generator or an int seed) or leave it ``None`` for this module's default generator,
which ``manual_seed`` resets.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .functional.checks import as_float_array
from .parameter import Parameter

__all__ = [
    "calculate_gain", "constant_", "default_rng", "manual_seed", "fan_in_and_fan_out", "kaiming_normal_",
    "kaiming_uniform_", "normal_", "ones_", "uniform_", "xavier_normal_", "xavier_uniform_", "zeros_",
]

_default_generator = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Reset the default generator (used when ``rng`` is None), like ``torch.manual_seed``."""
    global _default_generator
    _default_generator = np.random.default_rng(seed)


def default_rng(rng=None) -> np.random.Generator:
    """``rng`` as a Generator: None -> this module's default, an int -> a new seeded Generator."""
    if rng is None:
        return _default_generator
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(f"rng must be None, an int seed or a numpy.random.Generator, got {type(rng).__name__}")


def _array(value) -> np.ndarray:
    return value.data if isinstance(value, Parameter) else as_float_array(value, "array")


# ----------------------------------------------------------------------------------------------
# Gains and fans.

_LINEAR_GAIN_NAMES = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                      "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity: str, param=None) -> float:
    """The recommended gain for a nonlinearity (torch.nn.init.calculate_gain).

    linear, conv*, sigmoid: 1;  tanh: 5/3;  relu: sqrt(2);  selu: 3/4;
    leaky_relu: sqrt(2 / (1 + slope²)) with ``param`` the negative slope (0.01 when None).
    """
    if nonlinearity in _LINEAR_GAIN_NAMES:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, numbers.Real) and not isinstance(param, bool):
            slope = float(param)
        else:
            raise ValueError(f"negative_slope (param) must be a number, got {param!r}")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(
        f"nonlinearity must be one of {', '.join(_LINEAR_GAIN_NAMES)}, tanh, relu, leaky_relu or selu, "
        f"got {nonlinearity!r}"
    )


def fan_in_and_fan_out(shape) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of this shape: shape[1]·rf and shape[0]·rf, rf = prod(shape[2:])."""
    shape = tuple(shape)
    if len(shape) < 2:
        raise ValueError(
            f"fan in and fan out can not be computed for an array with fewer than 2 dimensions, got shape {shape}"
        )
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


def _fan(shape, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = fan_in_and_fan_out(shape)
    return fan_in if mode == "fan_in" else fan_out


# ----------------------------------------------------------------------------------------------
# Filling arrays.


def _fill_standard_normal(a: np.ndarray, rng: np.random.Generator) -> None:
    if a.flags.c_contiguous:
        rng.standard_normal(out=a.reshape(-1), dtype=a.dtype)  # straight into the array
    else:
        a[...] = rng.standard_normal(a.shape, dtype=a.dtype)


def _fill_unit_uniform(a: np.ndarray, rng: np.random.Generator) -> None:
    if a.flags.c_contiguous:
        rng.random(out=a.reshape(-1), dtype=a.dtype)
    else:
        a[...] = rng.random(a.shape, dtype=a.dtype)


def uniform_(array, a: float = 0.0, b: float = 1.0, rng=None):
    """Fill with values drawn from U(a, b)."""
    if not a <= b:
        raise ValueError(f"uniform_ needs a <= b, got a={a}, b={b}")
    x = _array(array)
    _fill_unit_uniform(x, default_rng(rng))
    x *= b - a
    x += a
    return array


def normal_(array, mean: float = 0.0, std: float = 1.0, rng=None):
    """Fill with values drawn from N(mean, std²)."""
    if not std >= 0:
        raise ValueError(f"normal_ needs std >= 0, got std={std}")
    x = _array(array)
    _fill_standard_normal(x, default_rng(rng))
    x *= std
    x += mean
    return array


def constant_(array, val: float):
    """Fill with ``val``."""
    _array(array).fill(val)
    return array


def zeros_(array):
    """Fill with 0."""
    return constant_(array, 0.0)


def ones_(array):
    """Fill with 1."""
    return constant_(array, 1.0)


def xavier_uniform_(array, gain: float = 1.0, rng=None):
    """Glorot uniform: U(-bound, bound), bound = gain · sqrt(6 / (fan_in + fan_out))."""
    if _array(array).size == 0:
        return array  # nothing to fill (torch warns and returns)
    fan_in, fan_out = fan_in_and_fan_out(_array(array).shape)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return uniform_(array, -bound, bound, rng=rng)


def xavier_normal_(array, gain: float = 1.0, rng=None):
    """Glorot normal: N(0, std²), std = gain · sqrt(2 / (fan_in + fan_out))."""
    if _array(array).size == 0:
        return array
    fan_in, fan_out = fan_in_and_fan_out(_array(array).shape)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(array, 0.0, std, rng=rng)


def kaiming_uniform_(array, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", rng=None):
    """He uniform: U(-bound, bound), bound = sqrt(3) · gain / sqrt(fan), gain = calculate_gain(nonlinearity, a).

    ``kaiming_uniform_(w, a=sqrt(5))`` is torch's default for Conv2d and Linear weights: its gain
    is sqrt(2 / 6) so the bound is 1 / sqrt(fan_in).
    """
    if _array(array).size == 0:
        return array
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(_array(array).shape, mode))
    bound = math.sqrt(3.0) * std
    return uniform_(array, -bound, bound, rng=rng)


def kaiming_normal_(array, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", rng=None):
    """He normal: N(0, std²), std = gain / sqrt(fan), gain = calculate_gain(nonlinearity, a)."""
    if _array(array).size == 0:
        return array
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(_array(array).shape, mode))
    return normal_(array, 0.0, std, rng=rng)
