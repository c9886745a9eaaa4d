"""Argument checks shared by the functional ops.

Every check raises ``TypeError`` or ``ValueError`` with a message that names the argument, the
value given and the rule it breaks, so a student (or the app's status bar) can act on it.
"""

from __future__ import annotations

import functools
import numbers

import numpy as np

__all__ = ["FLOAT_DTYPES", "MAX_SIZE", "as_float_array", "check_bool", "check_ndim", "int_pair", "is_int",
           "positive_int", "quiet_nonfinite", "real_number", "same_dtype"]

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
MAX_SIZE = 2**31 - 1  # the largest stride, padding, dilation or kernel size accepted


def as_float_array(value, name: str) -> np.ndarray:
    """Return ``value`` as a float32/float64 ndarray; refuse integers, bools and other dtypes."""
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{name} must be a numpy ndarray of float32 or float64, got {type(value).__name__}")
    if value.dtype not in FLOAT_DTYPES:
        raise TypeError(
            f"{name} must have dtype float32 or float64, got {value.dtype} "
            f"(convert it first, e.g. {name}.astype(np.float32))"
        )
    return value


def same_dtype(arrays: dict[str, np.ndarray | None]) -> np.dtype:
    """All given arrays share one dtype (as torch requires); return it."""
    present = {name: a for name, a in arrays.items() if a is not None}
    dtypes = {a.dtype for a in present.values()}
    if len(dtypes) > 1:
        described = ", ".join(f"{name} is {a.dtype}" for name, a in present.items())
        raise TypeError(f"arrays must share one dtype, but {described}")
    return next(iter(dtypes))


def is_int(value) -> bool:
    """True for Python and NumPy integers, False for bools (which are ints to Python but not sizes)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def int_pair(value, name: str, minimum: int) -> tuple[int, int]:
    """``3`` or ``(3, 2)`` -> a pair of ints, each at least ``minimum``."""
    if is_int(value):
        pair = (int(value), int(value))
    elif isinstance(value, (tuple, list)) and len(value) == 2 and all(is_int(v) for v in value):
        pair = (int(value[0]), int(value[1]))
    else:
        raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")
    if min(pair) < minimum:
        rule = "positive" if minimum == 1 else f"at least {minimum}"
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    if max(pair) > MAX_SIZE:  # beyond this NumPy itself fails, with a message naming nothing
        raise ValueError(f"{name} must be at most {MAX_SIZE:,}, got {value!r}")
    return pair


def positive_int(value, name: str) -> int:
    """A count that must be at least 1 (channels, groups, features), returned as a Python int."""
    if not is_int(value):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be positive, got {value!r}")
    return int(value)


def check_ndim(array: np.ndarray, name: str, allowed: tuple[int, ...], layout: str) -> None:
    """Refuse an array whose rank is not in ``allowed``; ``layout`` names its axes in the message."""
    if array.ndim not in allowed:
        ranks = " or ".join(f"{n}-D" for n in allowed)
        raise ValueError(f"{name} must be {ranks} {layout}, got shape {array.shape}")


def check_bool(value, name: str) -> bool:
    """Flags such as ``ceil_mode`` or ``training`` must be real booleans (as torch insists)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def real_number(value, name: str) -> float:
    """A Python or NumPy real number (not a bool), returned as a float."""
    if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    return float(value)


def quiet_nonfinite(function):
    """Decorator: NaN and inf propagate through ``function`` silently, as in torch.

    inf - inf, 0 · inf, an overflow to inf or a division by zero give NaN or inf by IEEE rules and
    the result shows them; NumPy's RuntimeWarnings would only repeat that on stderr. Argument
    errors still raise.
    """

    @functools.wraps(function)
    def quiet(*args, **kwargs):
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            return function(*args, **kwargs)

    return quiet
