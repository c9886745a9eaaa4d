"""The receptive-field view: a stack of 1 to 8 convolutions and poolings, what one output pixel of
the last layer sees on the picture, and every number of convviz.trace.receptive_field with its
formula.

Left: the stack (kind, kernel, stride, padding, dilation per layer; presets), the working size
and the chosen output pixel. Right: the picture with the field drawn as a rectangle and each
layer's share nested inside it in the layer's colour, the last layer's output grid (click a cell
to choose it; a click on the picture chooses the output whose field is centred nearest), and the
table of n, r, j and c per layer. Hovering a row lights that layer's share and shows its formulas.
A stack that does not fit keeps the last good drawing, dashed and marked as not current.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRectF, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QFormLayout, QGridLayout, QGroupBox, QHBoxLayout, QHeaderView,
                               QLabel, QScrollArea, QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from convviz.data.picture import load_sample, resize_axis, working_shape
from convviz.trace.receptive_field import (PRESETS, SOURCE_INPUT_SIZE, Field, Layer, LayerField, ReceptiveFieldError,
                                           field_of, receptive_fields)

from ..scene import palette
from ..scene.palette import MUTED, STALE
from .receptive_field_editor import MAX_LAYERS, PRESET_KEYS, RowRefused, StackEditor, layer_colour, swatch
from .training.texts import fill

__all__ = ["MAX_LAYERS", "PRESET_KEYS", "ReceptiveFieldView"]

SIZE_RANGE = (4, 512)
COLUMNS = 6  # layer, output size, r, j, c, the formula of r
SIDE_WIDTH = 450
UNREAD_VEIL = (1.0, 1.0, 1.0, 0.6)  # RGBA over a pixel of the field that nothing reads


def _number(value) -> str:
    return f"{float(value):g}".replace("-", "−")


class ReceptiveFieldView(QWidget):
    """``changed``: the stack, the working size or the output pixel changed (what a settings file keeps).

    ``layers()`` / ``set_layers(layers)``, ``apply_preset(key)`` (a key of PRESET_KEYS),
    ``set_image(array)``, ``working_size()`` / ``set_working_size(n)``, ``output_pixel()`` /
    ``set_output_pixel(oy, ox)``, ``highlight(layer)``, ``state()`` / ``restore_state(state)``;
    ``editor`` is the StackEditor (its ``rows``, ``preset`` list, add and remove buttons).
    After each change: ``current`` (False while the stack is invalid), ``fields`` and ``field`` (the
    last valid ones, from convviz.trace.receptive_field), ``share_items`` (one QGraphicsRectItem per
    layer, in image coordinates: pixel (row r, column c) is the unit square at x = c, y = r).
    """

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.share_items: list[pg.QtWidgets.QGraphicsRectItem] = []
        self.fields: list[LayerField] = []
        self.field: Field | None = None
        self.current = True
        self.lit: int | None = None
        self._quiet = False  # while the view sets its own widgets: one update at the end
        self._source = load_sample("shapes").pixels
        self._build()
        self.set_layers(PRESETS["source_network"], size=SOURCE_INPUT_SIZE)
        self.set_output_pixel(3, 3)

    # ------------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.editor = StackEditor()
        self.editor.edited.connect(self._user_changed)
        self.editor.presetChosen.connect(self.apply_preset)
        self.size_spin = QSpinBox()
        self.size_spin.setRange(*SIZE_RANGE)
        self.size_spin.setSuffix(self.tr(" px"))
        self.size_spin.setToolTip(self.tr("the picture is resized so that its longer side has this many pixels"))
        self.out_row, self.out_column = QSpinBox(), QSpinBox()
        chosen = QGroupBox(self.tr("Input and output pixel"))
        form = QFormLayout(chosen)
        form.addRow(self.tr("Working size (longer side)"), self.size_spin)
        form.addRow(self.tr("Output row"), self.out_row)
        form.addRow(self.tr("Output column"), self.out_column)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {STALE}")
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.legend = QLabel(self.tr("k′ = d·(k−1)+1: the window's span. n: output size. j: jump, the input pixels "
                                     "between neighbouring outputs. r: receptive field, the span of input one "
                                     "output sees. c: start, the input coordinate of the centre of output 0's "
                                     "field (pixel i is centred at i). Layer 0 is the input: n₀ = its size, "
                                     "j₀ = r₀ = 1, c₀ = 0."))
        self.legend.setWordWrap(True)
        self.legend.setStyleSheet(f"color: {MUTED}")
        side = QWidget()
        left = QVBoxLayout(side)
        left.setContentsMargins(0, 0, 0, 0)
        for widget in (self.editor, chosen, self.message, self.legend):
            left.addWidget(widget)
        left.addStretch(1)
        side.setFixedWidth(SIDE_WIDTH)

        self.picture_title, self.grid_title = QLabel(), QLabel()
        for title in (self.picture_title, self.grid_title):
            title.setWordWrap(True)
        self.picture = pg.GraphicsLayoutWidget()
        self.picture_box = self._box(self.picture)
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.picture_box.addItem(self.image_item)
        # Pixels inside the field that are never read (dilation's holes, a later layer's padding): veiled.
        self.unread_item = pg.ImageItem(axisOrder="row-major")
        self.unread_item.setZValue(1)
        self.picture_box.addItem(self.unread_item)
        self.image_frame = self._rect(self.picture_box, MUTED, 1, Qt.DashLine, z=5)
        self.stale_text = pg.TextItem(color=STALE, anchor=(0, 0), fill=pg.mkBrush(255, 255, 255, 220))
        self.stale_text.setZValue(30)
        self.picture_box.addItem(self.stale_text)
        self.picture.scene().sigMouseClicked.connect(self._picture_clicked)
        self.output_grid = pg.GraphicsLayoutWidget()
        self.grid_box = self._box(self.output_grid)
        self.grid_image = pg.ImageItem(axisOrder="row-major")
        self.grid_box.addItem(self.grid_image)
        self.chosen_item = self._rect(self.grid_box, palette.CURRENT, 3, Qt.SolidLine, z=10)
        self.output_grid.scene().sigMouseClicked.connect(self._grid_clicked)
        self.output_grid.setToolTip(self.tr("click an output pixel to see its field"))

        self.table = QTableWidget(0, COLUMNS)
        self.table.setHorizontalHeaderLabels([self.tr("layer"), self.tr("output n"), self.tr("field r"),
                                              self.tr("jump j"), self.tr("start c"), self.tr("r with today's numbers")])
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.NoSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMouseTracking(True)
        self.table.cellEntered.connect(lambda row, column: self.highlight(row or None))
        self.table.viewport().installEventFilter(self)
        self.formula = QLabel()
        self.formula.setWordWrap(True)
        self.formula.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.formula.setMinimumHeight(7 * self.formula.fontMetrics().lineSpacing())
        self.formula.setAlignment(Qt.AlignTop | Qt.AlignLeft)

        pictures = QWidget()
        pictures_layout = QGridLayout(pictures)
        pictures_layout.setContentsMargins(0, 0, 0, 0)
        pictures_layout.addWidget(self.picture_title, 0, 0)
        pictures_layout.addWidget(self.grid_title, 0, 1)
        pictures_layout.addWidget(self.picture, 1, 0)
        pictures_layout.addWidget(self.output_grid, 1, 1)
        pictures_layout.setColumnStretch(0, 3)
        pictures_layout.setColumnStretch(1, 1)
        pictures_layout.setRowStretch(1, 1)
        right = QVBoxLayout()
        right.addWidget(pictures, 1)
        right.addWidget(self.table)
        right.addWidget(self.formula)
        # Inside a scroll area, so that the page never makes the window larger than a laptop screen.
        inner = QWidget()
        layout = QHBoxLayout(inner)
        layout.addWidget(side)
        layout.addLayout(right, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.NoFrame)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        self.size_spin.valueChanged.connect(self._user_changed)
        self.out_row.valueChanged.connect(self._user_changed)
        self.out_column.valueChanged.connect(self._user_changed)

    @staticmethod
    def _box(widget: pg.GraphicsLayoutWidget) -> pg.ViewBox:
        widget.setBackground(palette.BACKGROUND)
        box = widget.ci.addViewBox(enableMenu=False)
        box.invertY(True)
        box.setAspectLocked(True)
        box.setMouseEnabled(x=False, y=False)
        return box

    @staticmethod
    def _rect(box: pg.ViewBox, colour: str, width: float, style, z: float):
        item = pg.QtWidgets.QGraphicsRectItem()
        item.setPen(pg.mkPen(colour, width=width, style=style, cosmetic=True))
        item.setZValue(z)
        box.addItem(item)
        return item

    # ------------------------------------------------------------------------------------------
    # The stack
    def layers(self) -> tuple[Layer, ...]:
        """The stack as the editor shows it (``RowRefused``, a ValueError, if a row breaks a layer's rule)."""
        return self.editor.layers()

    def set_layers(self, layers, size: int | None = None) -> None:
        """Show ``layers`` (1 to 8 Layers, each square: one kernel, stride, padding and dilation for
        both axes, as the editor has) and, if given, the working ``size``. ValueError, nothing
        changed, for a stack the editor cannot show."""
        self._quiet = True
        try:
            self.editor.set_layers(layers)
            if size is not None:
                self.size_spin.setValue(size)
        finally:
            self._quiet = False
        self._user_changed()

    def apply_preset(self, key: str) -> None:
        """One of PRESET_KEYS; the source network also sets its input size, 224."""
        if key not in PRESET_KEYS:
            raise ValueError(f"unknown preset {key!r}; the presets are {', '.join(PRESET_KEYS)}")
        self.set_layers(PRESETS[key], size=SOURCE_INPUT_SIZE if key == "source_network" else None)

    # ------------------------------------------------------------------------------------------
    # The picture and the chosen output
    def set_image(self, image) -> None:
        """``image``: (H, W) or (H, W, 3) floats in [0, 1] (values outside are shown clipped)."""
        array = np.asarray(image)
        if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] != 3) or min(array.shape[:2]) < 1:
            raise ValueError(f"the picture must be (H, W) or (H, W, 3), got shape {array.shape}")
        if not np.issubdtype(array.dtype, np.floating):
            raise ValueError(f"the picture must hold floats in [0, 1], got dtype {array.dtype}")
        self._source = np.ascontiguousarray(array, dtype=np.float32)
        self._update()

    def working_size(self) -> int:
        return self.size_spin.value()

    def set_working_size(self, size: int) -> None:
        self.size_spin.setValue(size)

    @property
    def input_shape(self) -> tuple[int, int]:
        """(height, width) of the picture at the working size (aspect ratio kept)."""
        return working_shape(self._source.shape[:2], self.size_spin.value(), minimum=1)

    def output_pixel(self) -> tuple[int, int]:
        return self.out_row.value(), self.out_column.value()

    def set_output_pixel(self, oy: int, ox: int) -> None:
        """Choose output (oy, ox) of the last layer (clamped to its size)."""
        self._quiet = True
        self._choose(oy, ox)
        self._quiet = False
        self._user_changed()

    def _choose(self, oy: int, ox: int) -> None:
        # The spin boxes' ranges are the last output's; the next update clamps to the new one.
        for spin, value in ((self.out_row, oy), (self.out_column, ox)):
            spin.setMaximum(max(spin.maximum(), value))
            spin.setValue(value)

    def state(self) -> dict:
        """What a settings file would keep, as JSON-ready values: the rows as shown (an invalid
        stack too), the working size and the output pixel."""
        return {"rows": self.editor.values(), "size": self.working_size(), "output": list(self.output_pixel())}

    def restore_state(self, state: dict) -> None:
        """The reverse of ``state()``; ValueError (nothing changed) for a state it cannot show."""
        try:
            size, (oy, ox) = int(state["size"]), (int(v) for v in state["output"])
            if not SIZE_RANGE[0] <= size <= SIZE_RANGE[1]:
                raise ValueError(f"the working size must be {SIZE_RANGE[0]} to {SIZE_RANGE[1]}, got {size}")
            self._quiet = True
            self.editor.set_values(state["rows"])
            self.size_spin.setValue(size)
            self._choose(oy, ox)
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"not a receptive-field view's state: {error}") from None
        finally:
            self._quiet = False
        self._user_changed()

    def _grid_clicked(self, event) -> None:
        if self.fields and self.current:
            point = self.grid_box.mapSceneToView(event.scenePos())
            n_y, n_x = self.fields[-1].size
            if 0 <= point.y() < n_y and 0 <= point.x() < n_x:
                self.set_output_pixel(int(point.y()), int(point.x()))

    def _picture_clicked(self, event) -> None:
        """The output whose field is centred nearest the clicked pixel."""
        if self.fields and self.current:
            point = self.picture_box.mapSceneToView(event.scenePos())
            last = self.fields[-1]
            oy = round((int(point.y()) - float(last.y.start)) / last.y.jump)
            ox = round((int(point.x()) - float(last.x.start)) / last.x.jump)
            self.set_output_pixel(min(max(oy, 0), last.size[0] - 1), min(max(ox, 0), last.size[1] - 1))

    # ------------------------------------------------------------------------------------------
    # One update after every change: compute, then draw (or keep the last drawing, marked).
    def _user_changed(self, *_) -> None:
        if self._quiet:
            return
        self._update()
        self.changed.emit()

    def _update(self) -> None:
        shape = self.input_shape
        try:
            layers = self.editor.layers()
            fields = receptive_fields(layers, shape)
        except RowRefused as refusal:
            return self._show_invalid(refusal.message)
        except ReceptiveFieldError as error:
            axis = self.tr("rows") if error.axis == "y" else self.tr("columns")
            return self._show_invalid(fill(self.tr("Layer %1 does not fit: its window no longer fits the previous "
                                                   "output along the %2."), error.layer, axis) + "<br>"
                                      + error.formula + "<br>" + self.tr("An output needs at least one pixel."))
        self.editor.show_preset(layers)
        n_y, n_x = fields[-1].size
        for spin, n in ((self.out_row, n_y), (self.out_column, n_x)):
            spin.blockSignals(True)
            spin.setRange(0, n - 1)  # clamps a chosen pixel the new output no longer has
            spin.blockSignals(False)
        self.fields, self.current = fields, True
        self.field = field_of(layers, self.out_row.value(), self.out_column.value(), shape)
        self.message.setText("")
        self._draw(self._resized(shape))
        self._fill_table()
        self.highlight(self.lit)

    def _show_invalid(self, message: str) -> None:
        """Say what is wrong; keep the last good drawing, dashed and labelled as not current."""
        self.current = False
        self.message.setText(message)
        for item in self.share_items:
            pen = item.pen()
            pen.setStyle(Qt.DashLine)
            item.setPen(pen)
        if self.field is not None:
            self.stale_text.setText(self.tr("not current: the stack is invalid"))
            self.stale_text.show()
            self.stale_text.setPos(min(self.field.rect.left, 0), min(self.field.rect.top, 0))
        self.picture_title.setText(self.tr("Not current: the last valid stack's field, until the stack is fixed."))
        for r in range(self.table.rowCount()):
            for c in range(COLUMNS):
                self.table.item(r, c).setForeground(QColor(MUTED))

    def _resized(self, shape: tuple[int, int]) -> np.ndarray:
        image = resize_axis(np.ascontiguousarray(self._source), shape[1], axis=1)
        return np.clip(resize_axis(image, shape[0], axis=0), 0.0, 1.0)

    def _draw(self, image: np.ndarray) -> None:
        field, (height, width) = self.field, image.shape[:2]
        self.image_item.setImage(image, levels=(0.0, 1.0), lut=palette.GRAY_LUT if image.ndim == 2 else None)
        self.image_frame.setRect(QRectF(0, 0, width, height))
        self.stale_text.setText("")
        self.stale_text.hide()  # its white fill would show even without text
        while len(self.share_items) > len(field.shares):
            self.picture_box.removeItem(self.share_items.pop())
        while len(self.share_items) < len(field.shares):
            self.share_items.append(self._rect(self.picture_box, "#000000", 2, Qt.SolidLine, z=0))
        for item, share in zip(self.share_items, field.shares):
            rect = share.rect
            item.setRect(QRectF(rect.left, rect.top, rect.width, rect.height))
            item.setZValue(20 + len(field.shares) - share.index)  # inner shares on top of outer ones
        rect = field.rect
        seen = QRectF(min(rect.left, 0), min(rect.top, 0), max(rect.right + 1, width) - min(rect.left, 0),
                      max(rect.bottom + 1, height) - min(rect.top, 0))
        self.picture_box.setRange(seen, padding=0.03)
        n_y, n_x = self.fields[-1].size
        checker = np.where((np.add.outer(np.arange(n_y), np.arange(n_x)) % 2)[..., None] == 0, 0.94, 0.84)
        self.grid_image.setImage(np.repeat(checker, 3, axis=2), levels=(0.0, 1.0))
        oy, ox = field.output
        self.chosen_item.setRect(QRectF(ox, oy, 1, 1))
        self.grid_box.setRange(QRectF(0, 0, n_x, n_y), padding=0.04)
        self.grid_title.setText(fill(self.tr("Output of layer %1: %2×%3. Click a pixel."), len(self.fields), n_y, n_x))
        title = fill(self.tr("Input %1×%2: output (%3, %4) sees rows %5 to %6 and columns %7 to %8 (r = %9)."),
                     height, width, oy, ox, rect.top, rect.bottom, rect.left, rect.right,
                     _pair(rect.height, rect.width))
        if field.outside:
            sides = {"top": self.tr("top"), "left": self.tr("left"), "bottom": self.tr("bottom"),
                     "right": self.tr("right")}
            title += " " + fill(self.tr("It reaches past the picture's edge (%1), into the padding (zeros)."),
                                ", ".join(sides[side] for side in field.outside))
        unread = np.zeros((height, width, 4), np.float32)
        inside = rect.clipped((height, width))
        if inside is not None:
            unread[inside.top:inside.bottom + 1, inside.left:inside.right + 1] = UNREAD_VEIL
            unread[np.ix_(field.read_rows, field.read_columns)] = 0.0
        self.unread_item.setImage(unread, levels=(0.0, 1.0))
        if unread[..., 3].any():
            title += " " + self.tr("Dilation or a later layer's padding leaves some of it unread.")
        self.picture_title.setText(title)

    def _fill_table(self) -> None:
        fields, field = self.fields, self.field
        height, width = self.input_shape
        self.table.setRowCount(len(fields) + 1)
        cells = [[self.tr("0  input"), f"{height} × {width}", "1", "1", "0", "r₀ = 1"]]
        tips = [[self.tr("the picture itself"), f"n₀ = {height} × {width}", "r₀ = 1", "j₀ = 1", "c₀ = 0", ""]]
        for f in fields:
            formulas = {name: self._formula(f, name) for name in ("size", "r", "jump", "start")}
            cells.append([f"{f.index}  {self.editor.describe(f.layer)}", f"{f.y.size} × {f.x.size}", _pair(*f.r),
                          _pair(*f.jump), _pair(_number(f.y.start), _number(f.x.start)), formulas["r"]])
            tips.append(["\n".join(formulas.values()), formulas["size"], formulas["r"], formulas["jump"],
                         formulas["start"], formulas["r"]])
        for r, (row, row_tips) in enumerate(zip(cells, tips)):
            for c, (text, tip) in enumerate(zip(row, row_tips)):
                item = QTableWidgetItem(text)
                item.setToolTip(tip)
                if c == 0 and r > 0:
                    item.setIcon(swatch(layer_colour(r)))
                if c in (1, 2, 3, 4):
                    item.setTextAlignment(Qt.AlignCenter)
                self.table.setItem(r, c, item)
        # Every row shown, none scrolled away: the table is as tall as its rows.
        rows = sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        self.table.setFixedHeight(self.table.horizontalHeader().height() + rows + 2 * self.table.frameWidth())

    def _formula(self, field: LayerField, name: str) -> str:
        rows, columns = field.formulas(name)
        if rows == columns:
            return rows
        return fill(self.tr("rows: %1; columns: %2"), rows, columns)

    # ------------------------------------------------------------------------------------------
    # Hover: a row of the table lights its layer's share and shows its formulas.
    def highlight(self, layer: int | None) -> None:
        """Light layer ``layer``'s share (1-based; None or 0: none) and show its formulas."""
        self.lit = layer if layer and layer <= len(self.share_items) else None
        style = Qt.SolidLine if self.current else Qt.DashLine
        for index, item in enumerate(self.share_items, start=1):
            colour = QColor(layer_colour(index))
            if self.lit is not None and index != self.lit:
                colour.setAlpha(70)
            lit = index == self.lit
            width = 4.5 if lit else (3 if index == len(self.share_items) else 2)
            item.setPen(pg.mkPen(colour, width=width, style=style, cosmetic=True))
            fill_colour = QColor(layer_colour(index))
            fill_colour.setAlpha(55)
            item.setBrush(fill_colour if lit else Qt.NoBrush)
        for row in range(1, self.table.rowCount()):
            tint = QColor(layer_colour(row))
            tint.setAlpha(45 if row == self.lit else 0)
            for c in range(COLUMNS):
                self.table.item(row, c).setBackground(tint)
        if self.lit is None or not self.fields:
            self.formula.setText(self.tr("Hover a layer in the table to light its share of the field and see "
                                         "its formulas."))
            return
        f, share = self.fields[self.lit - 1], self.field.shares[self.lit - 1]
        lines = [f"<b>{self.lit}  {self.editor.describe(f.layer)}</b>"]
        lines += [self._formula(f, name) for name in ("size", "jump", "r", "start")]
        rect = share.rect
        lines.append(fill(self.tr("Its share: its output (%1, %2) on the way to the chosen pixel sees rows %3 to %4 "
                                  "and columns %5 to %6."), share.unit[0], share.unit[1], rect.top, rect.bottom,
                          rect.left, rect.right))
        if share.units is None:
            lines.append(self.tr("The chosen pixel reads only this layer's padding."))
        else:
            lines.append(fill(self.tr("The chosen pixel depends on %1 × %2 of this layer's outputs."),
                              share.units.height, share.units.width))
        self.formula.setText("<br>".join(lines))

    def eventFilter(self, watched, event) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Leave:
            self.highlight(None)
        return super().eventFilter(watched, event)


def _pair(a, b) -> str:
    return f"{a}" if a == b else f"{a} × {b}"
