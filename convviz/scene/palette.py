"""Colours of the scene: one place, so presenter mode and exports can swap them."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

BACKGROUND = "#ffffff"
TEXT = "#202020"
MUTED = "#6b6b6b"
STALE = "#b00020"
OK = "#1b7f3b"
# Cells nothing has written yet are transparent over this hatch: "not computed" is never a zero.
HATCH = QBrush(QColor("#c8c8c8"), Qt.BDiagPattern)
PADDING_TINT = (70, 130, 255, 90)    # RGBA laid over padding cells
CURRENT = "#ff8c00"                   # the output element (or weight) of the current frame
HOVER = "#00a86b"

# A kernel cell's colour: its taps are drawn in it on the input and around it in the kernel.
TAP_COLOURS = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324",
               "#469990", "#800000", "#808000", "#000075", "#bfef45", "#fabed4", "#dcbeff", "#ffd8b1"]


def tap_colour(i: int, j: int, kernel_width: int) -> str:
    return TAP_COLOURS[(i * kernel_width + j) % len(TAP_COLOURS)]


def _lut(name: str) -> np.ndarray:
    return pg.colormap.get(name).getLookupTable(nPts=256, alpha=False)


DIVERGING_LUT = _lut("CET-D1")   # blue - near white - red, for signed arrays
GRAY_LUT = _lut("CET-L1")        # black to white, for the input's values in [0, 1]
DIVERGING = pg.colormap.get("CET-D1")
GROUP_COLOURS = ["#4363d8", "#e6194b", "#3cb44b", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324"]
