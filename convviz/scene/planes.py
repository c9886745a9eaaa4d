"""A grid of 2-D planes in one view: the building block of every panel of the scene.

A ``PlaneGrid`` shows n planes of one shape (the channels of the input, the filters of the output,
the kernels of a weight) laid out in rows with a one-cell gap, each over a hatch that shows through
wherever a cell holds NaN ("not computed yet"). On top it draws cell outlines (the taps of the
current window, the current output element, hover highlights) and numbers in cells, all with items
built once and reused, so a frame only moves and re-colours them.

Large planes get an image item each, so a frame that changes one plane re-colours only that one.
Small planes (the 24 kernels of 3×3 of a classroom example) share one image, a mosaic of them with
NaN in the gaps: painting an item costs about the same however few pixels it has, and one per
kernel made a parameter change spend most of its paint on them.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem

from . import palette

GAP = 1  # empty cells between planes
MOSAIC_CELLS = 1024  # planes of at most this many cells share one image item,
MOSAIC_TOTAL = 16384  # when all of them hold at most this many (a frame re-colours the whole mosaic)


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
        self.images: list[pg.ImageItem] = []    # one per plane, or one mosaic of all planes
        self.overlays: list[pg.ImageItem] = []  # the same, for RGBA tints over the planes
        self.mosaic = False
        self._overlay_planes: list[np.ndarray | None] = []  # a mosaic's overlay, plane by plane
        # The hatch under every plane: one path of squares, painted in one go.
        self.background = QGraphicsPathItem()
        self.background.setBrush(palette.HATCH)
        self.background.setPen(QPen(Qt.NoPen))
        self.background.setZValue(-10)
        view.addItem(self.background)
        self.shape = (0, 0, 0)
        self.columns = 1
        self._laid_at = self.offset  # the offset the items were placed at
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
        if (count, height, width) == self.shape and columns == self.columns and self.offset == self._laid_at:
            return
        self.shape, self.columns, self._laid_at = (count, height, width), columns, self.offset
        # Items are kept and moved when they can be: making and adding pyqtgraph items is most of
        # what a parameter change costs.
        self.mosaic = count > 1 and height * width <= MOSAIC_CELLS and count * height * width <= MOSAIC_TOTAL
        items = 1 if self.mosaic else count
        for item in self.images[items:] + self.overlays[items:]:
            self.view.removeItem(item)
        del self.images[items:], self.overlays[items:]
        while len(self.images) < items:
            image = pg.ImageItem(axisOrder="row-major")
            self.view.addItem(image)
            overlay = pg.ImageItem(axisOrder="row-major")
            overlay.setZValue(5)
            self.view.addItem(overlay)
            self.images.append(image)
            self.overlays.append(overlay)
        for k in range(items):
            x0, y0 = self.offset if self.mosaic else self.origin(k)
            for item in (self.images[k], self.overlays[k]):
                item.setPos(x0, y0)
                item.clear()  # the old layout's picture is not this one's
        self._overlay_planes = [None] * count
        hatch = QPainterPath()
        for k in range(count):
            x0, y0 = self.origin(k)
            hatch.addRect(QRectF(x0, y0, width, height))
        self.background.setPath(hatch)
        if count:  # an emptied grid (the dilated kernels) leaves the view it shares alone
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
        """Show ``planes`` (k, H, W); NaN cells are transparent over the hatch. An image equal to
        what its item already shows (with the same colours) is left alone: a frame of the slide
        phase changes one cell of one plane, and re-colouring the others is most of a frame's paint."""
        if np.shape(planes)[:3] != self.shape:
            raise ValueError(f"planes of shape {np.shape(planes)} for a grid laid out for {self.shape}")
        shown_arrays = [self._mosaic_of(planes, np.nan)] if self.mosaic else planes
        for image, array in zip(self.images, shown_arrays):
            array = np.ascontiguousarray(array, dtype=np.float32)
            shown = image.image
            if (shown is not None and shown.shape == array.shape and image.lut is lut and image.levels is not None
                    and tuple(image.levels) == tuple(levels) and np.array_equal(shown, array, equal_nan=True)):
                continue
            image.setImage(array, autoLevels=False, levels=levels, lut=lut)

    def shown_planes(self) -> np.ndarray:
        """The (k, H, W) planes the image items show now (cut out of the mosaic when there is one)."""
        count, height, width = self.shape
        if not self.mosaic:
            return np.stack([np.asarray(image.image) for image in self.images[:count]])
        mosaic = np.asarray(self.images[0].image)
        x0, y0 = self.offset
        return np.stack([mosaic[y - y0:y - y0 + height, x - x0:x - x0 + width]
                         for x, y in (self.origin(k) for k in range(count))])

    def _mosaic_of(self, planes, fill) -> np.ndarray:
        """``planes`` (k, H, W, ...) laid out as the grid shows them, ``fill`` in the gaps."""
        planes = np.asarray(planes)
        count, height, width = self.shape
        rows = math.ceil(count / self.columns)
        tiles = np.full((rows * self.columns, height + GAP, width + GAP) + planes.shape[3:], fill, dtype=planes.dtype)
        tiles[:count, :height, :width] = planes
        tiles = tiles.reshape((rows, self.columns) + tiles.shape[1:]).swapaxes(1, 2)
        mosaic = tiles.reshape((rows * (height + GAP), self.columns * (width + GAP)) + planes.shape[3:])
        return mosaic[:rows * (height + GAP) - GAP, :self.columns * (width + GAP) - GAP]

    def set_overlay(self, k: int, rgba: np.ndarray | None) -> None:
        """An RGBA tint (H, W, 4) over plane ``k``, or none."""
        if k >= len(self._overlay_planes):
            return
        self._overlay_planes[k] = rgba
        if self.mosaic:
            _, height, width = self.shape
            empty = np.zeros((height, width, 4), dtype=np.uint8)
            tints = [empty if tint is None else tint for tint in self._overlay_planes]
            item, rgba = self.overlays[0], None if all(t is None for t in self._overlay_planes) else \
                self._mosaic_of(np.stack(tints).astype(np.uint8), 0)
        else:
            item = self.overlays[k]
        if rgba is None:
            item.clear()
        else:
            item.setImage(rgba, autoLevels=False, levels=(0, 255))

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
    width of its longest line (which would squeeze every panel beside it).

    With ``grow_only`` it keeps the tallest height its texts have needed at this width and text
    size: the window's math panel, whose frames need four lines in one phase and nine in another,
    would otherwise make every panel above it jump (and be laid out and painted again) at each
    phase change and at most parameter changes. An export leaves it off: each frame is drawn as it
    would be alone."""

    grow_only = False

    def setText(self, text, **args):
        # The same text again (a title while the frames play) would lay out its HTML once more.
        if text == getattr(self, "text", None) and all(self.opts.get(k) == v for k, v in args.items()):
            return
        super().setText(text, **args)

    def updateMin(self):
        width = self.rect().width()
        if width > 20 and abs(self.item.textWidth() - width) > 1:
            self.item.setTextWidth(width)
        height = self.itemRect().height()
        if self.grow_only:
            key = (round(width), self.opts.get("size"))
            if getattr(self, "_tallest", (None, 0))[0] != key:
                self._tallest = (key, 0)
            height = max(height, self._tallest[1])
            self._tallest = (key, height)
        self.setMinimumWidth(20)
        self.setMinimumHeight(height)
        self._sizeHint = {
            Qt.SizeHint.MinimumSize: (20, height),
            Qt.SizeHint.PreferredSize: (20, height),
            Qt.SizeHint.MaximumSize: (-1, -1),
            Qt.SizeHint.MinimumDescent: (0, 0),
        }
        self.updateGeometry()
