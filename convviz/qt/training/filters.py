"""What the network has learnt, as pictures: the first layer's filters and the feature maps of
one image through every layer.

Filters are drawn on one scale for the whole layer, ``0.5 + 0.5 · w / max|w|`` (grey is zero), so
filters can be compared with one another and from epoch to epoch; a 3-channel filter is an RGB
picture. Each layer's feature maps share one grey scale from that layer's smallest to its largest
value among the maps shown.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

__all__ = ["FeatureMaps", "FilterGrid", "ImageGrid", "MAPS_PER_LAYER", "filter_images", "map_levels", "mosaic"]

pg.setConfigOptions(imageAxisOrder="row-major")  # arrays are (rows, columns[, RGB]), as NumPy prints them
MAPS_PER_LAYER = 8  # feature maps shown per layer (the first ones)


def filter_images(weight: np.ndarray) -> np.ndarray:
    """(F, C, KH, KW) -> (F, KH, KW, 3) float32 in [0, 1]: 0.5 + 0.5·w/max|w| over the layer, as
    RGB when C == 3, otherwise channel 0 in grey."""
    weight = np.asarray(weight, np.float64)
    scale = float(np.max(np.abs(weight))) or 1.0
    shown = 0.5 + 0.5 * weight / scale
    rgb = shown[:, :3] if weight.shape[1] == 3 else np.repeat(shown[:, :1], 3, axis=1)
    return np.ascontiguousarray(rgb.transpose(0, 2, 3, 1), dtype=np.float32)


def map_levels(maps: np.ndarray) -> tuple[float, float]:
    """(low, high) grey levels for a layer's maps (never an empty range)."""
    low, high = float(np.min(maps)), float(np.max(maps))
    return (low, high) if high > low else (low - 0.5, low + 0.5)


class ImageGrid(pg.GraphicsLayoutWidget):
    """A grid of small images, each an ImageItem placed in one shared ViewBox (a layout of
    hundreds of ViewBoxes takes seconds to build; placed items take nothing), with optional
    captions above them. Items are made once per count and only get new arrays afterwards."""

    CAPTION = 0.5  # the caption's height, in cells (two lines of 8 points in a 76-pixel cell)

    def __init__(self, columns: int, cell: int = 56, fixed: bool = False, parent=None):
        """``cell``: the side of an image in pixels; ``fixed``: as high as the images need, no more."""
        super().__init__(parent)
        self.columns, self.cell, self.fixed = columns, cell, fixed
        self.items: list[pg.ImageItem] = []
        self.captions: list[pg.TextItem] = []
        self.setBackground("w")
        self.ci.setContentsMargins(2, 2, 2, 2)
        self.box = self.addViewBox(lockAspect=True, enableMouse=False, invertY=True)
        self.box.setMenuEnabled(False)

    def set_images(self, images, levels, captions=None) -> None:
        """``images`` (k, h, w) or (k, h, w, 3); ``levels`` one (low, high) or a list, one per image."""
        if len(images) != len(self.items):
            self._build(len(images))
        pitch = 1.0 + (self.CAPTION if captions is not None else 0.0) + 0.08
        for i, (item, image) in enumerate(zip(self.items, images)):
            image = np.ascontiguousarray(image, dtype=np.float32)
            item.setImage(image, autoLevels=False, levels=levels[i] if isinstance(levels, list) else levels)
            row, column = divmod(i, self.columns)
            height, width = image.shape[:2]
            scale = 0.92 / max(height, width)  # the longer side fills the cell, less a gap
            top = row * pitch + (pitch - 1.0) + (1.0 - height * scale) / 2
            item.setRect(QRectF(column + (1.0 - width * scale) / 2, top, width * scale, height * scale))
            caption = self.captions[i]
            caption.setHtml(f'<span style="font-size:8pt">{captions[i]}</span>' if captions is not None else "")
            caption.setPos(column + 0.5, row * pitch)
        rows = max(-(-len(images) // self.columns), 1)
        self.box.setRange(xRange=(0, self.columns), yRange=(0, rows * pitch), padding=0.0)
        if self.fixed:
            self.setFixedHeight(int(rows * pitch * self.cell) + 6)

    def _build(self, count: int) -> None:
        for item in self.items + self.captions:
            self.box.removeItem(item)
        self.items = [pg.ImageItem() for _ in range(count)]
        self.captions = [pg.TextItem(color="#555555", anchor=(0.5, 0.0)) for _ in range(count)]
        for caption in self.captions:
            caption.setTextWidth(self.cell)  # long captions wrap within their cell, in any language
        for item, caption in zip(self.items, self.captions):
            self.box.addItem(item)
            self.box.addItem(caption)


class FilterGrid(QWidget):
    """The first convolution's filters, on one scale; ``title`` says from when."""

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel(self.tr("First layer's filters: not trained yet"))
        self.grid = ImageGrid(columns=16, cell=44, fixed=True)
        layout.addWidget(self.title)
        layout.addWidget(self.grid)

    @property
    def items(self) -> list[pg.ImageItem]:
        return self.grid.items

    def show_weight(self, weight: np.ndarray, when: str) -> None:
        f, c, kh, kw = weight.shape
        self.grid.set_images(filter_images(weight), (0.0, 1.0))
        self.title.setText(self.tr("First layer's %1 filters (%2×%3×%4), %5; grey = 0")
                           .replace("%1", str(f)).replace("%2", str(c)).replace("%3", str(kh))
                           .replace("%4", str(kw)).replace("%5", when))


MOSAIC_SIDE = 32  # maps are enlarged (by a whole factor, nearest pixel) to at least this many pixels


def mosaic(maps: np.ndarray) -> np.ndarray:
    """(k, h, w) -> the maps side by side, each enlarged by the whole factor f = ceil(32 / max(h, w))
    (so every pixel stays a square of f × f), with transparent (NaN) gaps of about 8% of a map
    between them; float32 of shape (h·f, k·w·f + (k-1)·gap)."""
    k, h, w = maps.shape
    factor = -(-MOSAIC_SIDE // max(h, w))
    big = np.repeat(np.repeat(np.asarray(maps, np.float32), factor, axis=1), factor, axis=2)
    gap = max(1, round(0.087 * max(h, w) * factor))
    out = np.full((h * factor, k * w * factor + (k - 1) * gap), np.nan, np.float32)
    for i in range(k):
        out[:, i * (w * factor + gap):i * (w * factor + gap) + w * factor] = big[i]
    return out


class FeatureMaps(QScrollArea):
    """One image through every layer: a row per layer with a spatial output showing its first
    MAPS_PER_LAYER channels side by side (one ImageItem per row, on that layer's grey scale), and
    the network's answer in the title."""

    NAME_WIDTH = 2.2  # the layer names' column, in cells
    CELL = 46  # pixels per map

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.setContentsMargins(2, 2, 2, 2)
        self.title = QLabel(self.tr("Feature maps: start a run"))
        self.title.setWordWrap(True)
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setBackground("w")
        self.box = self.canvas.addViewBox(lockAspect=True, enableMouse=False, invertY=True)
        self.box.setMenuEnabled(False)
        column.addWidget(self.title)
        column.addWidget(self.canvas)
        column.addStretch(1)
        self.setWidget(inner)
        self.input_item = pg.ImageItem()
        self.box.addItem(self.input_item)
        self.row_items: list[pg.ImageItem] = []  # one per layer: its maps side by side
        self.names: list[pg.TextItem] = []
        self.layers: list[tuple[str, np.ndarray]] = []  # on show: (layer name, maps shown (k, H, W))
        self.levels: list[tuple[float, float]] = []

    def show_maps(self, image: np.ndarray, maps: list[tuple[str, np.ndarray]], index: int, when: str,
                  answer: str) -> None:
        """Test image ``index`` (3, S, S) in [0, 1] and its ``maps`` (layer repr, output), from the
        first layer on; ``when`` says which weights, ``answer`` what the network says."""
        spatial = [(name.split("(")[0], np.asarray(array[:MAPS_PER_LAYER], np.float32))
                   for name, array in maps if array.ndim == 3]
        totals = [array.shape[0] for _, array in maps if array.ndim == 3]
        if len(spatial) != len(self.row_items):
            self._build(len(spatial))
        self.layers, self.levels = spatial, [map_levels(shown) for _, shown in spatial]
        self.input_item.setImage(np.ascontiguousarray(image.transpose(1, 2, 0), np.float32), autoLevels=False,
                                 levels=(0.0, 1.0))
        self.input_item.setRect(QRectF(self.NAME_WIDTH, 0.04, 0.92, 0.92))
        self.names[0].setHtml('<span style="font-size:8pt">' + self.tr("input") + "</span>")
        for row, ((name, shown), total) in enumerate(zip(spatial, totals), start=1):
            k, h, w = shown.shape
            item = self.row_items[row - 1]
            picture = mosaic(shown)
            item.setImage(picture, autoLevels=False, levels=self.levels[row - 1])
            scale = 0.92 / (picture.shape[0] * max(h, w) / h)  # one map per cell, less a gap
            item.setRect(QRectF(self.NAME_WIDTH, row + 0.04, picture.shape[1] * scale, picture.shape[0] * scale))
            self.names[row].setHtml(f'<span style="font-size:8pt">{row}. {name}<br>{total}×{h}×{w}</span>')
        for row, label in enumerate(self.names):
            label.setPos(0.0, row + 0.1)
        rows = len(spatial) + 1
        self.box.setRange(xRange=(0, self.NAME_WIDTH + MAPS_PER_LAYER), yRange=(0, rows), padding=0.0)
        self.canvas.setFixedHeight(rows * self.CELL + 6)
        self.canvas.setMinimumWidth(int((self.NAME_WIDTH + MAPS_PER_LAYER) * self.CELL))
        self.title.setText(self.tr("Test image %1 through every layer (the first %2 channels of each, one grey scale "
                                   "per layer), %3: %4").replace("%1", str(index)).replace("%2", str(MAPS_PER_LAYER))
                           .replace("%3", when).replace("%4", answer))

    def _build(self, rows: int) -> None:
        for item in self.row_items + self.names:
            self.box.removeItem(item)
        self.row_items = [pg.ImageItem() for _ in range(rows)]
        self.names = [pg.TextItem(color="#2d2d2d", anchor=(0.0, 0.0)) for _ in range(rows + 1)]
        for item in self.row_items + self.names:
            self.box.addItem(item)
