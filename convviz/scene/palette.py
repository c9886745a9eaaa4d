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

# ----------------------------------------------------------------------------------------------
# Palettes for the room: the standard one, one for projectors in a bright room, and one that
# readers with the common colour-vision deficiencies can tell apart (Okabe & Ito's eight colours,
# a blue-orange diverging map). ``use(name)`` swaps the module's colours; the scene reads them at
# every draw, so the next frame is drawn in the new palette.

OKABE_ITO = ["#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000"]
PALETTES = {
    "standard": dict(TAP_COLOURS=list(TAP_COLOURS), CURRENT=CURRENT, HOVER=HOVER, DIVERGING_NAME="CET-D1",
                     PADDING_TINT=PADDING_TINT, OUTLINE_WIDTH=2.5),
    "high_contrast": dict(TAP_COLOURS=["#ff0000", "#00a000", "#0000ff", "#ff8000", "#a000c0", "#00b0b0",
                                       "#ff00ff", "#806000", "#000000"],
                          CURRENT="#000000", HOVER="#00c000", DIVERGING_NAME="CET-D1A",
                          PADDING_TINT=(0, 90, 255, 140), OUTLINE_WIDTH=4.0),
    "colour_blind": dict(TAP_COLOURS=OKABE_ITO, CURRENT="#000000", HOVER="#009e73", DIVERGING_NAME="blue-orange",
                         PADDING_TINT=(86, 180, 233, 110), OUTLINE_WIDTH=3.0),
}
# Blue to white to orange: the one signed pair every common colour-vision deficiency keeps apart.
BLUE_ORANGE = pg.ColorMap(pos=[0.0, 0.5, 1.0], color=[(33, 102, 172), (247, 247, 247), (230, 97, 1)])
PALETTE_NAMES = {"standard": "Standard", "high_contrast": "High contrast", "colour_blind": "Colour-blind safe"}
OUTLINE_WIDTH = 2.5
current_palette = "standard"


def use(name: str) -> None:
    """Switch every colour of the scene to palette ``name`` (a key of PALETTES)."""
    global TAP_COLOURS, CURRENT, HOVER, PADDING_TINT, OUTLINE_WIDTH, DIVERGING, DIVERGING_LUT, current_palette
    if name not in PALETTES:
        raise ValueError(f"the palette must be one of {', '.join(PALETTES)}, got {name!r}")
    chosen = PALETTES[name]
    TAP_COLOURS, CURRENT, HOVER = chosen["TAP_COLOURS"], chosen["CURRENT"], chosen["HOVER"]
    PADDING_TINT, OUTLINE_WIDTH = chosen["PADDING_TINT"], chosen["OUTLINE_WIDTH"]
    DIVERGING = BLUE_ORANGE if chosen["DIVERGING_NAME"] == "blue-orange" else pg.colormap.get(chosen["DIVERGING_NAME"])
    DIVERGING_LUT = DIVERGING.getLookupTable(nPts=256, alpha=False)
    current_palette = name
