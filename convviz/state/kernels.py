"""Kernel presets: the textbook 3×3 filters, generalised to any size from 1×1 to 15×15.

``preset_kernel(name, height, width)`` returns one 2-D kernel of shape ``(height, width)`` (float64),
the weights of a single (output channel, input channel) pair. The window places it in every pair
it needs; the preset itself knows nothing about channels.

All of them come from one small family, so a student can see how they relate:

- the *binomial* row ``B(n)`` = the n-th row of Pascal's triangle (``[1]``, ``[1, 1]``, ``[1, 2, 1]``,
  ``[1, 3, 3, 1]``...), a discrete Gaussian;
- the *first difference* ``D1(n)`` = ``B(n-1)`` convolved with ``[-1, 1]`` (``[-1, 0, 1]`` at n=3,
  ``[-1, -2, 0, 2, 1]`` at n=5), a smoothed derivative;
- the *second difference* ``D2(n)`` = ``B(n-2)`` convolved with ``[1, -2, 1]`` (``[1, -2, 1]`` at n=3).

Kernels are applied as PyTorch's ``conv2d`` applies them: as a cross-correlation, not flipped, with
x (the column) increasing to the right and y (the row) increasing downwards. The *centre* of an
odd size is the middle cell; of an even size it is the cell just up and left of the middle
(index ``(size - 1) // 2``), as there is no middle cell.
"""

from __future__ import annotations

import math

import numpy as np

from convviz.nn.functional.checks import is_int

MIN_SIZE = 1
MAX_SIZE = 15  # per axis; the window's spin boxes take the same range

PRESETS: dict[str, str] = {
    "identity": "Identity: a single 1 at the centre, so the output copies the input",
    "box": "Box blur: every weight equal, summing to 1 (the mean of the window)",
    "gaussian": "Gaussian blur: binomial weights (1 2 1 at 3×3), heavier at the centre, summing to 1",
    "sobel_x": "Sobel x: a horizontal derivative; positive where the image gets brighter to the right",
    "sobel_y": "Sobel y: a vertical derivative; positive where the image gets brighter downwards",
    "laplacian": "Laplacian: the centre against its neighbours; zero on flat and linear areas, strong on edges",
    "sharpen": "Sharpen: identity minus the Laplacian, so edges are pushed apart",
    "emboss": "Emboss: a diagonal derivative plus the identity, so the picture looks carved in relief",
    "random": "Random: normal values from the seed, scaled by 1/sqrt(height × width)",
}

# Sobel and Laplacian at other sizes are scaled so that their positive weights sum to this, as in
# the textbook 3×3 ones (1 + 2 + 1 and 1 + 1 + 1 + 1): numbers stay readable at every size (the raw
# binomial 15×15 Sobel has weights in the millions) and a unit step edge gives the same response.
POSITIVE_WEIGHT_SUM = 4.0


def binomial(n: int) -> np.ndarray:
    """The n-th row of Pascal's triangle, ``(n,)`` float64: ``binomial(3)`` is ``[1, 2, 1]``."""
    row = np.ones(1)
    for _ in range(n - 1):
        row = np.convolve(row, [1.0, 1.0])
    return row


def first_difference(n: int) -> np.ndarray:
    """``(n,)``: the binomial derivative, ``[-1, 0, 1]`` at n=3; all zeros at n=1 (no neighbours)."""
    if n < 2:
        return np.zeros(n)
    return np.convolve(binomial(n - 1), [-1.0, 1.0])  # np.convolve flips [-1, 1]: left negative


def second_difference(n: int) -> np.ndarray:
    """``(n,)``: the binomial second derivative, ``[1, -2, 1]`` at n=3; all zeros below 3 (it needs three cells)."""
    if n < 3:
        return np.zeros(n)
    return np.convolve(binomial(n - 2), [1.0, -2.0, 1.0])


def laplacian_smoothing(n: int) -> np.ndarray:
    """``(n,)``: the smoothing across the second difference's axis, as wide as its binomial part.

    At n >= 3 it is ``B(n-2)`` with a zero at each end (``[0, 1, 0]`` at n=3, which is what makes the
    3×3 Laplacian the 4-neighbour one); an axis too short for a second difference keeps ``B(n)``.
    """
    if n < 3:
        return binomial(n)
    return np.pad(binomial(n - 2), 1)


def identity(height: int, width: int) -> np.ndarray:
    kernel = np.zeros((height, width))
    kernel[(height - 1) // 2, (width - 1) // 2] = 1.0
    return kernel


def scale_positive_sum(kernel: np.ndarray) -> np.ndarray:
    positive = kernel[kernel > 0].sum()
    return kernel if positive == 0 else kernel * (POSITIVE_WEIGHT_SUM / positive)


def sobel_x(height: int, width: int) -> np.ndarray:
    return scale_positive_sum(np.outer(binomial(height), first_difference(width)))


def laplacian(height: int, width: int) -> np.ndarray:
    along_y = np.outer(second_difference(height), laplacian_smoothing(width))
    along_x = np.outer(laplacian_smoothing(height), second_difference(width))
    return scale_positive_sum(along_y + along_x)


def emboss(height: int, width: int) -> np.ndarray:
    """``dy + dx`` (offsets from the geometric middle), scaled so the corners are ±2, plus the identity."""
    dy = np.arange(height) - (height - 1) / 2  # half-integers on even sizes, so the ramp sums to 0
    dx = np.arange(width) - (width - 1) / 2
    ramp = dy[:, None] + dx[None, :]
    corner = np.abs(ramp).max()
    if corner > 0:
        ramp = ramp * (2.0 / corner)
    return ramp + identity(height, width)


def random_kernel(height: int, width: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((height, width)) / math.sqrt(height * width)


def check_size(value, axis: str) -> int:
    if not is_int(value) or not MIN_SIZE <= value <= MAX_SIZE:
        raise ValueError(f"kernel {axis} must be a whole number from {MIN_SIZE} to {MAX_SIZE}, got {value!r}")
    return int(value)


def preset_kernel(name: str, height: int, width: int, seed: int = 0) -> np.ndarray:
    """The preset ``name`` as a ``(height, width)`` float64 kernel; ``height`` and ``width`` 1..15.

    At 3×3 every preset is the textbook kernel:

    ========== ===================================== ============================================
    identity   ``[[0,0,0],[0,1,0],[0,0,0]]``         a 1 at the centre (up-left of the middle on
                                                     an even size)
    box        all ``1/9``                           all ``1/(height·width)``
    gaussian   ``[1,2,1]ᵀ⊗[1,2,1] / 16``             ``B(height)ᵀ⊗B(width)``, normalised to sum 1
    sobel_x    ``[[-1,0,1],[-2,0,2],[-1,0,1]]``      ``B(height)ᵀ⊗D1(width)``; sums to 0; all
                                                     zeros at width 1 (no horizontal neighbours)
    sobel_y    its transpose (y grows downwards)     ``D1(height)ᵀ⊗B(width)``; zeros at height 1
    laplacian  ``[[0,1,0],[1,-4,1],[0,1,0]]``        ``D2(h)ᵀ⊗S(w) + S(h)ᵀ⊗D2(w)``, S = ``B(n-2)``
                                                     padded with a zero each side: the 3×3 one
                                                     smoothed by a binomial; sums to 0; all zeros
                                                     when both sides are below 3
    sharpen    ``[[0,-1,0],[-1,5,-1],[0,-1,0]]``     identity − laplacian; sums to 1
    emboss     ``[[-2,-1,0],[-1,1,1],[0,1,2]]``      ``dy + dx`` scaled to ±2 at the corners, plus
                                                     the identity; sums to 1
    random     seeded normal values                  ``N(0, 1) / sqrt(height·width)`` from
                                                     ``numpy.random.default_rng(seed)``
    ========== ===================================== ============================================

    Sobel and Laplacian kernels of every size are scaled so that their positive weights sum to 4,
    as the 3×3 ones' do, which leaves the 3×3 ones as they are. ``seed`` (an int >= 0) only
    matters for ``random``; the same seed always gives the same kernel.

    Raises ``ValueError`` for an unknown name, a size outside 1..15 or a negative seed.
    """
    if not isinstance(name, str) or name not in PRESETS:
        raise ValueError(f"unknown kernel preset {name!r}; the presets are: {', '.join(PRESETS)}")
    height = check_size(height, "height")
    width = check_size(width, "width")
    if name == "identity":
        return identity(height, width)
    if name == "box":
        return np.full((height, width), 1.0 / (height * width))
    if name == "gaussian":
        kernel = np.outer(binomial(height), binomial(width))
        return kernel / kernel.sum()
    if name == "sobel_x":
        return sobel_x(height, width)
    if name == "sobel_y":
        return sobel_x(width, height).T.copy()
    if name == "laplacian":
        return laplacian(height, width)
    if name == "sharpen":
        return identity(height, width) - laplacian(height, width)
    if name == "emboss":
        return emboss(height, width)
    if not is_int(seed) or seed < 0:
        raise ValueError(f"the random kernel's seed must be a whole number 0 or more, got {seed!r}")
    return random_kernel(height, width, int(seed))
