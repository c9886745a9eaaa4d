"""The built-in sample pictures, drawn by this code (no photos): small, so every pixel is a visible
block in the window, and chosen so that a 3×3 kernel has something to show.

``assets/make_samples.py`` writes them to ``assets/<name>.png``; ``convviz.data.picture.load_sample``
reads those files, or calls ``sample_pixels`` directly when the package is installed without the
``assets`` folder. NumPy only, so the pictures are the same bit for bit on every machine.
"""

from __future__ import annotations

import numpy as np

SUPERSAMPLE = 4  # each pixel's coverage is measured on a 4×4 grid of points inside it

# name -> one line for a tooltip; the first is the default picture the window opens on.
SAMPLES: dict[str, str] = {
    "shapes": "A yellow square, a red circle and a green triangle on navy (32×32 RGB): "
              "crisp edges for Sobel and Laplacian",
    "digit": "A hand-drawn 7, white on black, like an MNIST digit (28×28 grayscale)",
    "checker": "A checkerboard of 2×2-pixel squares (24×24 grayscale): stride and dilation 2 or 4 alias it",
    "stripes": "Vertical stripes getting finer from left to right (48×24 grayscale): where a stride starts to alias",
    "gradient": "A smooth colour ramp, red growing to the right and green downwards (32×32 RGB): constant derivatives",
}


def pixel_grid(height: int, width: int, supersample: int = SUPERSAMPLE) -> tuple[np.ndarray, np.ndarray]:
    """Sample points ``(y, x)``, each ``(height, width, s, s)``, in pixel units (pixel (0, 0) spans [0, 1)²)."""
    offsets = (np.arange(supersample) + 0.5) / supersample
    y = np.arange(height)[:, None, None, None] + offsets[None, None, :, None]
    x = np.arange(width)[None, :, None, None] + offsets[None, None, None, :]
    return np.broadcast_to(y, (height, width, supersample, supersample)), np.broadcast_to(
        x, (height, width, supersample, supersample)
    )


def coverage(inside: np.ndarray) -> np.ndarray:
    """``(height, width, s, s)`` booleans -> the fraction of each pixel inside, ``(height, width)``."""
    return inside.mean(axis=(2, 3))


def paint(canvas: np.ndarray, alpha: np.ndarray, colour) -> None:
    """Blend ``colour`` over ``canvas`` (``(h, w, 3)`` float) with per-pixel coverage ``alpha``."""
    canvas[:] = canvas * (1 - alpha[..., None]) + np.asarray(colour, dtype=float) * alpha[..., None]


def to_uint8(values: np.ndarray) -> np.ndarray:
    return np.round(np.clip(values, 0, 255)).astype(np.uint8)


def shapes() -> np.ndarray:
    """``(32, 32, 3)`` uint8 RGB. Flat colours whose luma differ too, so a gray working image has edges."""
    height = width = 32
    y, x = pixel_grid(height, width)
    canvas = np.empty((height, width, 3))
    canvas[:] = (24, 36, 72)  # navy
    # An axis-aligned square lands exactly on pixel edges: no partial pixels, pure 0/1 steps.
    square = (x >= 3) & (x < 14) & (y >= 3) & (y < 14)
    paint(canvas, coverage(square), (250, 200, 40))
    circle = (x - 23) ** 2 + (y - 9.5) ** 2 <= 6.2**2
    paint(canvas, coverage(circle), (228, 58, 48))
    # A triangle pointing up: a point is inside when it is on the same side of all three edges.
    corners = [(16.0, 16.5), (28.0, 29.0), (4.0, 29.0)]  # (x, y): apex, bottom right, bottom left
    edges = zip(corners, corners[1:] + corners[:1])
    sides = [(bx - ax) * (y - ay) - (by - ay) * (x - ax) for (ax, ay), (bx, by) in edges]
    triangle = np.logical_and.reduce([side >= 0 for side in sides])
    paint(canvas, coverage(triangle), (70, 190, 95))
    return to_uint8(canvas)


def distance_to_segment(y, x, start, end) -> np.ndarray:
    """Distance from each point to the segment ``start``-``end`` (points given as (x, y))."""
    (ax, ay), (bx, by) = start, end
    dx, dy = bx - ax, by - ay
    t = np.clip(((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy), 0, 1)
    return np.hypot(x - (ax + t * dx), y - (ay + t * dy))


def digit() -> np.ndarray:
    """``(28, 28)`` uint8: a 7 drawn as a pen stroke of varying width along a slightly curved path."""
    height = width = 28
    y, x = pixel_grid(height, width)
    # The stroke: a top bar with a small upward flick at its start, then a bowed downstroke.
    bar = [(6.0, 8.2), (9.0, 7.2), (13.0, 6.8), (17.5, 6.6), (21.5, 6.2)]
    down = [(21.5, 6.2), (19.6, 10.5), (17.4, 15.0), (15.6, 19.0), (14.2, 22.5), (13.4, 24.0)]
    ink = np.zeros((height, width, SUPERSAMPLE, SUPERSAMPLE))
    for path, start_width, end_width in ((bar, 1.3, 1.7), (down, 1.9, 1.4)):
        for i, (a, b) in enumerate(zip(path, path[1:])):
            pen = start_width + (end_width - start_width) * i / (len(path) - 2)  # pressure changes
            ink = np.maximum(ink, np.clip(pen + 0.5 - distance_to_segment(y, x, a, b), 0, 1))
    # Coverage with a soft rim, as a scanned pen stroke has; a crossbar-free 7, as most people write.
    return to_uint8(255 * ink.mean(axis=(2, 3)))


def checker() -> np.ndarray:
    """``(24, 24)`` uint8: 2×2-pixel squares, white (230) at the top-left corner and black (25)."""
    rows, cols = np.mgrid[0:24, 0:24]
    return np.where((rows // 2 + cols // 2) % 2 == 0, 230, 25).astype(np.uint8)


def stripes() -> np.ndarray:
    """``(24, 48)`` uint8: light and dark vertical bars 4, 3, 2 and then 1 pixel wide."""
    columns = []
    for bar_width, bars in ((4, 2), (3, 2), (2, 3), (1, 4)):  # pairs of (light, dark) bars
        columns += ([220] * bar_width + [35] * bar_width) * bars
    return np.tile(np.array(columns, dtype=np.uint8), (24, 1))


def gradient() -> np.ndarray:
    """``(32, 32, 3)`` uint8 RGB: red rises linearly to the right, green downwards, blue falls along the diagonal."""
    rows, cols = np.mgrid[0:32, 0:32] / 31.0
    canvas = np.stack([40 + 200 * cols, 40 + 200 * rows, 220 - 180 * (rows + cols) / 2], axis=-1)
    return to_uint8(canvas)


_GENERATORS = {"shapes": shapes, "digit": digit, "checker": checker, "stripes": stripes, "gradient": gradient}


def sample_pixels(name: str) -> np.ndarray:
    """The sample ``name`` as uint8: ``(h, w, 3)`` RGB or ``(h, w)`` grayscale; ``ValueError`` if unknown."""
    if name not in _GENERATORS:
        raise ValueError(f"unknown sample picture {name!r}; the samples are: {', '.join(SAMPLES)}")
    return _GENERATORS[name]()
