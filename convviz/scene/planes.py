"""A grid of 2-D planes in one view: the building block of every panel of the scene.

A ``PlaneGrid`` shows n planes of one shape (the channels of the input, the filters of the output,
the kernels of a weight) laid out in rows with a one-cell gap, each over a hatch that shows through
wherever a cell holds NaN ("not computed yet"). On top it draws cell outlines (the taps of the
current window, the current output element, hover highlights) and numbers in cells, all with items
built once and reused, so a frame only moves and re-colours them.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsRectItem

from . import palette

GAP = 1  # empty cells between planes


def format_number(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    if abs(value) >= 100 or abs(value) < 0.01:
        return f"{value:.1e}".replace("e+0", "e").replace("e-0", "e-")
    return f"{value:.2f}".rstrip("0").rstrip(".") if abs(value) < 10 else f"{value:.1f}"


class PlaneGrid:
    """``count`` planes of ``height`` × ``width`` cells in one ViewBox, ``columns`` per row."""

    def __init__(self, view: pg.ViewBox, title: pg.LabelItem | None, offset: tuple[float, float] = (0, 0)):
        self.view, self.title = view, title
        self.offset = offset  # where plane 0 starts in the view: a second grid can sit below a first
        view.setAspectLocked(True)
        view.invertY(True)
        view.setMenuEnabled(False)
        view.setMouseEnabled(False, False)
        self.images: list[pg.ImageItem] = []
        self.backgrounds: list[QGraphicsRectItem] = []
        self.overlays: list[pg.ImageItem] = []
        self.shape = (0, 0, 0)
        self.columns = 1
        self._outlines: dict[str, OutlineLayer] = {}
        self._pens: dict = {}
        # Whether numbers fit depends on the view's size on screen, known only once it is laid out.
        self._last_numbers = None
        view.sigResized.connect(self._numbers_again)
        self._texts: list[pg.TextItem] = []
        self._font = QFont()
        self._font.setPointSizeF(8)

    # ------------------------------------------------------------------------------------------
    def set_layout(self, count: int, height: int, width: int, columns: int | None = None) -> None:
        """Make room for ``count`` planes; keeps the items when the layout is unchanged."""
        columns = max(columns or count, 1)
        if (count, height, width) == self.shape and columns == self.columns:
            return
        self.shape, self.columns = (count, height, width), columns
        # Items are kept and moved when they can be: making and adding pyqtgraph items is most of
        # what a parameter change costs.
        for item in self.images[count:] + self.backgrounds[count:] + self.overlays[count:]:
            self.view.removeItem(item)
        del self.images[count:], self.backgrounds[count:], self.overlays[count:]
        while len(self.images) < count:
            background = QGraphicsRectItem()
            background.setBrush(palette.HATCH)
            background.setPen(QPen(Qt.NoPen))
            background.setZValue(-10)
            self.view.addItem(background)
            image = pg.ImageItem(axisOrder="row-major")
            self.view.addItem(image)
            overlay = pg.ImageItem(axisOrder="row-major")
            overlay.setZValue(5)
            self.view.addItem(overlay)
            self.backgrounds.append(background)
            self.images.append(image)
            self.overlays.append(overlay)
        for k in range(count):
            x0, y0 = self.origin(k)
            self.backgrounds[k].setRect(QRectF(x0, y0, width, height))
            self.images[k].setPos(x0, y0)
            self.images[k].clear()  # the old plane's picture is not this layout's
            self.overlays[k].setPos(x0, y0)
            self.overlays[k].clear()
        self.view.setRange(self.bounds(), padding=0.02)

    def bounds(self) -> QRectF:
        """The part of the view the planes take, with half a cell around."""
        count, height, width = self.shape
        rows = math.ceil(count / self.columns) if count else 1
        x0, y0 = self.offset
        return QRectF(x0 - 0.5, y0 - 0.5, self.columns * (width + GAP) - GAP + 1, rows * (height + GAP) - GAP + 1)

    def clear(self) -> None:
        self.set_layout(0, 0, 0)
        for layer in self._outlines.values():
            layer.draw({})
        for text in self._texts:
            text.hide()

    def origin(self, k: int) -> tuple[int, int]:
        """Top-left corner of plane k in the view's coordinates."""
        count, height, width = self.shape
        row, column = divmod(k, self.columns)
        return self.offset[0] + column * (width + GAP), self.offset[1] + row * (height + GAP)

    def cell_at(self, x: float, y: float) -> tuple[int, int, int] | None:
        """(plane, row, column) under view point (x, y), or None between planes."""
        count, height, width = self.shape
        x, y = x - self.offset[0], y - self.offset[1]
        if x < 0 or y < 0 or not count:
            return None
        column, cx = divmod(int(math.floor(x)), width + GAP)
        row, cy = divmod(int(math.floor(y)), height + GAP)
        k = row * self.columns + column
        if cx >= width or cy >= height or column >= self.columns or k >= count:
            return None
        return k, cy, cx

    # ------------------------------------------------------------------------------------------
    def set_planes(self, planes, lut, levels) -> None:
        """Show ``planes`` (k, H, W); NaN cells are transparent over the hatch. A plane equal to
        what its item already shows (with the same colours) is left alone: a frame of the slide
        phase changes one cell of one plane, and re-colouring the others is most of a frame's paint."""
        for image, plane in zip(self.images, planes):
            plane = np.ascontiguousarray(plane, dtype=np.float32)
            shown = image.image
            if (shown is not None and shown.shape == plane.shape and image.lut is lut and image.levels is not None
                    and tuple(image.levels) == tuple(levels) and np.array_equal(shown, plane, equal_nan=True)):
                continue
            image.setImage(plane, autoLevels=False, levels=levels, lut=lut)

    def set_overlay(self, k: int, rgba: np.ndarray | None) -> None:
        if k < len(self.overlays):
            if rgba is None:
                self.overlays[k].clear()
            else:
                self.overlays[k].setImage(rgba, autoLevels=False, levels=(0, 255))

    def outline(self, name: str, cells, colours, width: float | None = None, z: float = 10) -> None:
        """Outline ``cells`` ((k, y, x) rows) in ``colours`` (one or one per cell); a named layer,
        replaced on each call. Each colour is one path of squares, drawn in one go however many
        cells it holds (a scatter item would paint a thousand border cells one by one)."""
        layer = self._outlines.setdefault(name, OutlineLayer(self.view, z))
        cells = np.asarray(cells, dtype=int).reshape(-1, 3)
        colours = np.full(len(cells), colours, dtype=object) if isinstance(colours, str) else \
            np.asarray(colours, dtype=object).reshape(-1)
        width = palette.OUTLINE_WIDTH if width is None else width
        count, height, width_cells = self.shape
        row, column = np.divmod(cells[:, 0], max(self.columns, 1))
        xs = self.offset[0] + column * (width_cells + GAP) + cells[:, 2]
        ys = self.offset[1] + row * (height + GAP) + cells[:, 1]
        by_colour = {}
        for colour in dict.fromkeys(colours):  # the colours in order of first use
            chosen = colours == colour
            by_colour[colour] = (self._pen(colour, width), zip(xs[chosen].tolist(), ys[chosen].tolist()))
        layer.draw(by_colour)
        layer.cells, layer.colours = cells, colours

    def _pen(self, colour: str, width: float) -> QPen:
        """One cosmetic pen (its width in screen pixels) per colour and width, made once."""
        key = (colour, width)
        if key not in self._pens:
            pen = QPen(QColor(colour), width)
            pen.setCosmetic(True)
            pen.setJoinStyle(Qt.MiterJoin)
            self._pens[key] = pen
        return self._pens[key]

    def outlined(self, name: str) -> dict[tuple[int, int, int], str]:
        """(plane, row, column) -> colour of every cell outline layer ``name`` draws now."""
        layer = self._outlines.get(name)
        if layer is None:
            return {}
        return {tuple(int(v) for v in cell): colour for cell, colour in zip(layer.cells, layer.colours)}

    def numbers(self, cells, values, colour=palette.TEXT) -> None:
        """Write ``values`` into ``cells`` ((k, y, x) rows) when the cells are big enough on screen
        to read them."""
        cells = np.asarray(cells).reshape(-1, 3)
        self._last_numbers = (cells, values, colour)  # written again when the view's size changes
        shown = len(cells) if self.cell_pixels() >= 3.2 * self._font.pointSizeF() else 0
        while len(self._texts) < shown:
            text = pg.TextItem(anchor=(0.5, 0.5))
            text.setFont(self._font)
            text.setZValue(20)
            self.view.addItem(text)
            self._texts.append(text)
        for t, text in enumerate(self._texts):
            if t < shown:
                k, y, x = (int(v) for v in cells[t])
                x0, y0 = self.origin(k)
                text.setText(format_number(float(values[t])), color=colour)
                text.setPos(x0 + x + 0.5, y0 + y + 0.5)
                text.show()
            else:
                text.hide()

    def _numbers_again(self, *_) -> None:
        if self._last_numbers is not None:
            self.numbers(*self._last_numbers)

    def set_text_size(self, points: float) -> None:
        self._font.setPointSizeF(points)
        for text in self._texts:
            text.setFont(self._font)

    def cell_pixels(self) -> float:
        """How many screen pixels one cell takes (0 before the view has a size). The view's width
        over the width of the range it shows: pyqtgraph's viewPixelSize() gives the same but maps
        points through an inverted transform, and the numbers ask for it on every resize."""
        shown = self.view.viewRect().width()
        return self.view.width() / shown if shown > 0 else 0.0


class OutlineLayer:
    """The path items of one named outline layer: one per colour, kept and reused."""

    INSET = 0.07  # a square 0.86 cells wide inside its cell, so neighbouring outlines do not touch

    def __init__(self, view: pg.ViewBox, z: float):
        self.view, self.z = view, z
        self.items: list[QGraphicsPathItem] = []
        self.cells, self.colours = np.zeros((0, 3), dtype=int), np.zeros(0, dtype=object)

    def draw(self, by_colour: dict) -> None:
        """``by_colour``: colour -> (pen, [(x, y) top-left corners of the cells])."""
        while len(self.items) < len(by_colour):
            item = QGraphicsPathItem()
            item.setZValue(self.z)
            item.setBrush(Qt.NoBrush)
            self.view.addItem(item)
            self.items.append(item)
        side = 1 - 2 * self.INSET
        for item, (pen, corners) in zip(self.items, by_colour.values()):
            path = QPainterPath()
            for x, y in corners:
                path.addRect(x + self.INSET, y + self.INSET, side, side)
            item.setPen(pen)
            item.setPath(path)
            item.show()
        for item in self.items[len(by_colour):]:
            item.hide()
        if not by_colour:
            self.cells, self.colours = np.zeros((0, 3), dtype=int), np.zeros(0, dtype=object)


class WrappedLabel(pg.LabelItem):
    """A label that wraps its text to the width the layout gives it, instead of demanding the
    width of its longest line (which would squeeze every panel beside it)."""

    def setText(self, text, **args):
        # The same text again (a title while the frames play) would lay out its HTML once more.
        if text == getattr(self, "text", None) and all(self.opts.get(k) == v for k, v in args.items()):
            return
        super().setText(text, **args)

    def updateMin(self):
        width = self.rect().width()
        if width > 20 and abs(self.item.textWidth() - width) > 1:
            self.item.setTextWidth(width)
        bounds = self.itemRect()
        self.setMinimumWidth(20)
        self.setMinimumHeight(bounds.height())
        self._sizeHint = {
            Qt.SizeHint.MinimumSize: (20, bounds.height()),
            Qt.SizeHint.PreferredSize: (20, bounds.height()),
            Qt.SizeHint.MaximumSize: (-1, -1),
            Qt.SizeHint.MinimumDescent: (0, 0),
        }
        self.updateGeometry()
