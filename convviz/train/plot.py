"""The loss and accuracy curves of a run as an RGB image, and a PNG writer, in NumPy alone.

``convviz train`` writes ``curves.png`` without a window and without matplotlib (not a
dependency) or OpenCV (which only convviz.data loads). Two panels: the loss (every batch's,
faint, and each epoch's train and test loss) and the accuracy (train and test per epoch),
against the epoch. Text uses a 5x7 pixel font, enough for the titles, legend and numbers.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np

from .files import replace_atomically

__all__ = ["curves_image", "png_bytes", "write_png"]

# Each glyph: 7 rows of 5 pixels, one int per row (bit 4 is the left pixel).
FONT = {
    "0": (14, 17, 19, 21, 25, 17, 14), "1": (4, 12, 4, 4, 4, 4, 14), "2": (14, 17, 1, 2, 4, 8, 31),
    "3": (31, 2, 4, 2, 1, 17, 14), "4": (2, 6, 10, 18, 31, 2, 2), "5": (31, 16, 30, 1, 1, 17, 14),
    "6": (6, 8, 16, 30, 17, 17, 14), "7": (31, 1, 2, 4, 8, 8, 8), "8": (14, 17, 17, 14, 17, 17, 14),
    "9": (14, 17, 17, 15, 1, 2, 12), ".": (0, 0, 0, 0, 0, 12, 12), "-": (0, 0, 0, 31, 0, 0, 0),
    "(": (2, 4, 8, 8, 8, 4, 2), ")": (8, 4, 2, 2, 2, 4, 8), " ": (0,) * 7,
    "a": (0, 0, 14, 1, 15, 17, 15), "b": (16, 16, 22, 25, 17, 17, 30), "c": (0, 0, 14, 16, 16, 17, 14),
    "d": (1, 1, 13, 19, 17, 17, 15), "e": (0, 0, 14, 17, 31, 16, 14), "g": (0, 15, 17, 17, 15, 1, 14),
    "h": (16, 16, 22, 25, 17, 17, 17), "i": (4, 0, 12, 4, 4, 4, 14), "l": (12, 4, 4, 4, 4, 4, 14),
    "m": (0, 0, 26, 21, 21, 17, 17), "n": (0, 0, 22, 25, 17, 17, 17), "o": (0, 0, 14, 17, 17, 17, 14),
    "p": (0, 0, 30, 17, 30, 16, 16), "r": (0, 0, 22, 25, 16, 16, 16), "s": (0, 0, 15, 16, 14, 1, 30),
    "t": (8, 8, 28, 8, 8, 9, 6), "u": (0, 0, 17, 17, 17, 19, 13), "y": (0, 0, 17, 17, 15, 1, 14),
}
SCALE = 2  # font pixels per glyph pixel

WHITE, GREY, LIGHT, BLACK = (255, 255, 255), (200, 200, 200), (235, 235, 235), (40, 40, 40)
TRAIN, TEST, BATCH = (31, 119, 180), (255, 127, 14), (170, 200, 230)


def draw_text(image: np.ndarray, text: str, x: int, y: int, colour=BLACK) -> None:
    """Write ``text`` with its top-left corner at (x, y); characters not in FONT are blanks."""
    for char in text:
        rows = FONT.get(char, FONT[" "])
        for row, bits in enumerate(rows):
            for column in range(5):
                if bits & (16 >> column):
                    top, left = y + row * SCALE, x + column * SCALE
                    image[max(top, 0):max(top + SCALE, 0), max(left, 0):max(left + SCALE, 0)] = colour
        x += 6 * SCALE


def text_width(text: str) -> int:
    return len(text) * 6 * SCALE


def draw_polyline(image: np.ndarray, xs: np.ndarray, ys: np.ndarray, colour, thickness: int = 2) -> None:
    """Connect the points (pixel coordinates) with straight lines, ``thickness`` pixels wide."""
    height, width = image.shape[:2]
    if len(xs) == 1:
        xs, ys = np.repeat(xs, 2), np.repeat(ys, 2)
    for x0, y0, x1, y1 in zip(xs[:-1], ys[:-1], xs[1:], ys[1:]):
        count = int(max(abs(x1 - x0), abs(y1 - y0))) + 2
        px = np.round(np.linspace(x0, x1, count)).astype(int)
        py = np.round(np.linspace(y0, y1, count)).astype(int)
        for dy in range(thickness):
            for dx in range(thickness):
                inside = (px + dx >= 0) & (px + dx < width) & (py + dy >= 0) & (py + dy < height)
                image[py[inside] + dy, px[inside] + dx] = colour


def _ticks(low: float, high: float, count: int = 5) -> np.ndarray:
    return np.linspace(low, high, count)


def _panel(image, box, title, x_max, y_range, series, legend, legend_at_bottom=False) -> None:
    """One plot in ``box`` = (left, top, right, bottom): axes, grid, ticks, series, legend
    (top right, or bottom right where the curves rise). ``series``: (xs, ys, colour, thickness)
    in data units; x from 0 to ``x_max`` epochs."""
    left, top, right, bottom = box
    low, high = y_range
    def to_pixels(xs, ys):
        px = left + np.asarray(xs, float) / x_max * (right - left)
        py = bottom - (np.asarray(ys, float) - low) / (high - low) * (bottom - top)
        return px, py
    for value in _ticks(low, high):
        _, py = to_pixels([0], [value])
        row = int(round(py[0]))
        image[row, left:right] = LIGHT
        label = f"{value:.2f}"
        draw_text(image, label, left - text_width(label) - 6, row - 7)
    step = max(1, int(np.ceil(x_max / 10)))
    for epoch in range(0, int(x_max) + 1, step):
        px, _ = to_pixels([epoch], [low])
        column = int(round(px[0]))
        image[top:bottom, column] = LIGHT
        draw_text(image, str(epoch), column - text_width(str(epoch)) // 2, bottom + 8)
    image[top:bottom + 1, left] = BLACK
    image[bottom, left:right + 1] = BLACK
    draw_text(image, title, (left + right - text_width(title)) // 2, top - 24)
    draw_text(image, "epoch", (left + right - text_width("epoch")) // 2, bottom + 28)
    for xs, ys, colour, thickness in series:
        ys = np.clip(np.asarray(ys, float), low, high)
        if len(xs):
            px, py = to_pixels(xs, ys)
            draw_polyline(image, px, py, colour, thickness)
            if thickness > 1:  # per-epoch values: a square on each, visible even for one epoch
                for x, y in zip(np.round(px).astype(int), np.round(py).astype(int)):
                    image[max(y - 3, 0):y + 4, max(x - 3, 0):x + 4] = colour
    first = bottom - 8 - 20 * len(legend) if legend_at_bottom else top + 8
    image[first - 4:first + 20 * len(legend), right - 156:right - 4] = WHITE
    for index, (label, colour) in enumerate(legend):
        y = first + index * 20
        image[y + 5:y + 9, right - 150:right - 130] = colour
        draw_text(image, label, right - 124, y)


def curves_image(history, width: int = 1000, height: int = 400) -> np.ndarray:
    """(height, width, 3) uint8: the loss and accuracy panels of ``history`` (EpochRecords)."""
    image = np.full((height, width, 3), WHITE, np.uint8)
    epochs = np.arange(1, len(history) + 1)
    x_max = max(1, len(history))
    batch_x, batch_y = [], []
    for record in history:
        count = len(record.batch_losses)
        batch_x += list(record.epoch - 1 + np.arange(1, count + 1) / max(count, 1))
        batch_y += list(record.batch_losses)
    losses = [r.train_loss for r in history] + [r.test_loss for r in history] + batch_y
    finite = [v for v in losses if np.isfinite(v)]
    loss_high = max(finite) * 1.05 if finite and max(finite) > 0 else 1.0
    half = width // 2
    _panel(image, (80, 40, half - 30, height - 50), "loss", x_max, (0.0, loss_high),
           [(batch_x, batch_y, BATCH, 1), (epochs, [r.train_loss for r in history], TRAIN, 2),
            (epochs, [r.test_loss for r in history], TEST, 2)],
           [("batch", BATCH), ("train", TRAIN), ("test", TEST)])
    _panel(image, (half + 80, 40, width - 30, height - 50), "accuracy", x_max, (0.0, 1.0),
           [(epochs, [r.train_accuracy for r in history], TRAIN, 2),
            (epochs, [r.test_accuracy for r in history], TEST, 2)],
           [("train", TRAIN), ("test", TEST)], legend_at_bottom=True)
    return image


def png_bytes(image: np.ndarray) -> bytes:
    """An (H, W, 3) uint8 RGB image as a PNG file's bytes (8-bit truecolour, no filtering)."""
    image = np.ascontiguousarray(image, np.uint8)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"png_bytes takes an (H, W, 3) uint8 image, got shape {image.shape}")
    height, width, _ = image.shape
    rows = np.concatenate([np.zeros((height, 1), np.uint8), image.reshape(height, width * 3)], axis=1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits, RGB, no interlace
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6))
            + chunk(b"IEND", b""))


def write_png(path, image: np.ndarray) -> Path:
    """Write the PNG atomically (temporary file in the same folder, then rename)."""
    data = png_bytes(image)
    return replace_atomically(path, lambda stream: stream.write(data))
