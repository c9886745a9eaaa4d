"""The receptive-field view's stack editor: 1 to 8 rows of kind, kernel, stride, padding and
dilation (one number for both axes), add / remove, and the presets.

It only edits: ``edited`` says that a row, the number of rows or the preset changed, and the
view (receptive_field_view.py) computes and draws.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QComboBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout

from convviz.trace.receptive_field import KINDS, PRESETS, Layer

from ..scene import palette
from .training.texts import fill

__all__ = ["LIMITS", "MAX_LAYERS", "PRESET_KEYS", "RowRefused", "StackEditor", "layer_colour", "swatch"]

MAX_LAYERS = 8
PRESET_KEYS = ("two_3x3", "conv_pool_conv", "dilated", "source_network")
LIMITS = {"kernel": (1, 31), "stride": (1, 8), "padding": (0, 15), "dilation": (1, 8)}


def layer_colour(index: int) -> str:
    """Layer ``index`` (1-based)'s colour: its rectangle on the picture, its row's swatch."""
    return palette.GROUP_COLOURS[(index - 1) % len(palette.GROUP_COLOURS)]


def swatch(colour: str) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


class RowRefused(Exception):
    """A row that breaks a layer's rule; ``message`` is the (translated) sentence for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class LayerRow:
    """The widgets of one layer in the editor's grid (row ``index``, 1-based)."""

    def __init__(self, editor: StackEditor, index: int):
        self.number = QLabel()
        self.number.setPixmap(swatch(layer_colour(index)).pixmap(14, 14))
        self.kind = QComboBox()
        for kind, name in editor.kind_names().items():
            self.kind.addItem(name, kind)
        self.spins = {name: QSpinBox() for name in LIMITS}
        for name, (low, high) in LIMITS.items():
            self.spins[name].setRange(low, high)
        self.widgets = [self.number, self.kind, *self.spins.values()]
        for column, widget in enumerate(self.widgets):
            editor.grid.addWidget(widget, index, column)

    def values(self) -> dict:
        """The row as shown: {"kind", "kernel", "stride", "padding", "dilation"}, valid or not."""
        return {"kind": self.kind.currentData(), **{name: spin.value() for name, spin in self.spins.items()}}

    def layer(self) -> Layer:
        """The row as a Layer (ValueError for a pooling's padding over half its kernel)."""
        kind, k = self.kind.currentData(), self.spins["kernel"].value()
        dilation = 1 if kind == "avg_pool" else self.spins["dilation"].value()
        return Layer(kind, k, self.spins["stride"].value(), self.spins["padding"].value(), dilation)

    def show(self, values: dict) -> None:
        self.kind.setCurrentIndex(self.kind.findData(values["kind"]))
        for name in LIMITS:
            self.spins[name].setValue(values[name])
        self.spins["dilation"].setEnabled(values["kind"] != "avg_pool")

    def remove(self, grid: QGridLayout) -> None:
        # Out of the grid and hidden now, deleted by Qt later; never made a top-level window meanwhile.
        for widget in self.widgets:
            grid.removeWidget(widget)
            widget.hide()
            widget.deleteLater()


def check_values(rows) -> list[dict]:
    """Rows as ``StackEditor.values()`` gives them, checked against what the editor can show."""
    rows = list(rows)
    if not 1 <= len(rows) <= MAX_LAYERS:
        raise ValueError(f"the editor shows 1 to {MAX_LAYERS} layers, got {len(rows)}")
    for row in rows:
        if not isinstance(row, dict) or row.get("kind") not in KINDS:
            raise ValueError(f"a row must be a dict whose kind is one of {', '.join(KINDS)}, got {row!r}")
        for name, (low, high) in LIMITS.items():
            value = row.get(name)
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise ValueError(f"a row's {name} must be a whole number from {low} to {high}, got {value!r}")
    return rows


def as_values(layer: Layer) -> dict:
    """A square Layer as the editor's row (ValueError for a layer the editor cannot show)."""
    if not isinstance(layer, Layer):
        raise ValueError(f"the view shows Layers, got {type(layer).__name__}")
    pairs = {name: getattr(layer, name) for name in LIMITS}
    if any(a != b for a, b in pairs.values()):
        raise ValueError(f"the view edits square layers (one number per parameter for both axes), got {layer}")
    return {"kind": layer.kind, **{name: pair[0] for name, pair in pairs.items()}}


class StackEditor(QGroupBox):
    """``edited``: a row, the number of rows or the preset changed. ``presetChosen(key)``: the
    user picked a preset in the list (the view applies it, with its input size)."""

    edited = Signal()
    presetChosen = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(self.tr("The stack, input first"))
        self.rows: list[LayerRow] = []
        self.quiet = False  # while the editor sets its own widgets: one ``edited`` at the end
        self.preset = QComboBox()
        for key, name in self.preset_names().items():
            self.preset.addItem(name, key)
        self.preset.setPlaceholderText(self.tr("your own stack"))
        self.preset.activated.connect(lambda i: self.presetChosen.emit(self.preset.itemData(i)))
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(6)
        titles = ["", self.tr("kind"), self.tr("kernel"), self.tr("stride"), self.tr("padding"), self.tr("dilation")]
        for column, title in enumerate(titles):
            self.grid.addWidget(QLabel(title), 0, column)
        self.grid.setColumnStretch(1, 1)
        self.add_button, self.remove_button = QPushButton(self.tr("Add a layer")), QPushButton(self.tr("Remove the last"))
        self.add_button.clicked.connect(self.add_layer)
        self.remove_button.clicked.connect(self.remove_layer)
        layout = QVBoxLayout(self)
        preset_row = QHBoxLayout()
        preset_row.addWidget(QLabel(self.tr("Preset")))
        preset_row.addWidget(self.preset, 1)
        layout.addLayout(preset_row)
        layout.addLayout(self.grid)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        layout.addLayout(buttons)

    def kind_names(self) -> dict[str, str]:
        return {"conv": self.tr("convolution"), "max_pool": self.tr("max pooling"),
                "avg_pool": self.tr("average pooling")}

    def preset_names(self) -> dict[str, str]:
        return {"two_3x3": self.tr("two 3×3 convolutions"), "conv_pool_conv": self.tr("3×3 conv + 2×2 pool + 3×3 conv"),
                "dilated": self.tr("dilated 3×3 stack (d = 1, 2, 4)"),
                "source_network": self.tr("the source network (224×224)")}

    def describe(self, layer: Layer) -> str:
        """"convolution 5×5, stride 2, padding 1, dilation 2" (the parameters that are not 1, 0, 1)."""
        pair = lambda p: f"{p[0]}" if p[0] == p[1] else f"{p[0]} × {p[1]}"  # noqa: E731
        text = f"{self.kind_names()[layer.kind]} {layer.kernel[0]}×{layer.kernel[1]}"
        if layer.stride != (1, 1):
            text += self.tr(", ") + fill(self.tr("stride %1"), pair(layer.stride))
        if layer.padding != (0, 0):
            text += self.tr(", ") + fill(self.tr("padding %1"), pair(layer.padding))
        if layer.dilation != (1, 1):
            text += self.tr(", ") + fill(self.tr("dilation %1"), pair(layer.dilation))
        return text

    # ------------------------------------------------------------------------------------------
    def values(self) -> list[dict]:
        """Every row as shown (valid or not): what a settings file keeps."""
        return [row.values() for row in self.rows]

    def layers(self) -> tuple[Layer, ...]:
        """The rows as Layers; ``RowRefused`` names the first row that breaks a layer's rule."""
        layers = []
        for index, row in enumerate(self.rows, start=1):
            try:
                layers.append(row.layer())
            except ValueError:  # the one rule a row can break: a pooling's padding over half its kernel
                raise RowRefused(fill(self.tr("Layer %1: a pooling's padding must be at most half its kernel "
                                              "(p ≤ k // 2, as torch requires); here p = %2 and k = %3."), index,
                                      row.spins["padding"].value(), row.spins["kernel"].value())) from None
        return tuple(layers)

    def set_values(self, rows) -> None:
        """Show ``rows`` (dicts as ``values()`` gives; ValueError, nothing changed, if one cannot be shown)."""
        rows = check_values(rows)
        self.quiet = True
        while len(self.rows) > len(rows):
            self.rows.pop().remove(self.grid)
        while len(self.rows) < len(rows):
            self._add_row()
        for row, values in zip(self.rows, rows):
            row.show(values)
        self.quiet = False
        self._edited()

    def set_layers(self, layers) -> None:
        self.set_values([as_values(layer) for layer in layers])

    def add_layer(self) -> None:
        if len(self.rows) < MAX_LAYERS:
            self._add_row().show(as_values(Layer.conv(3)))
            self._edited()

    def remove_layer(self) -> None:
        if len(self.rows) > 1:
            self.rows.pop().remove(self.grid)
            self._edited()

    def show_preset(self, layers) -> None:
        """The list shows the preset ``layers`` are, or "your own stack"."""
        matching = [key for key in PRESET_KEYS if PRESETS[key] == tuple(layers)]
        self.preset.setCurrentIndex(self.preset.findData(matching[0]) if matching else -1)

    def _add_row(self) -> LayerRow:
        row = LayerRow(self, len(self.rows) + 1)
        # The texts are set here, in the QObject whose tr() context pyside6-lupdate files them under.
        row.number.setToolTip(fill(self.tr("layer %1, drawn in this colour"), len(self.rows) + 1))
        row.spins["dilation"].setToolTip(self.tr("average pooling has no dilation (as in torch)"))
        row.kind.currentIndexChanged.connect(lambda _=0, r=row: self._kind_changed(r))
        for spin in row.spins.values():
            spin.valueChanged.connect(self._edited)
        self.rows.append(row)
        return row

    def _kind_changed(self, row: LayerRow) -> None:
        if not self.quiet and row.kind.currentData() != "conv":
            self.quiet = True  # one ``edited`` for the whole change
            row.spins["stride"].setValue(row.spins["kernel"].value())  # torch's default: windows that tile
            self.quiet = False
        row.spins["dilation"].setEnabled(row.kind.currentData() != "avg_pool")
        self._edited()

    def _edited(self, *_) -> None:
        self.add_button.setEnabled(len(self.rows) < MAX_LAYERS)
        self.remove_button.setEnabled(len(self.rows) > 1)
        if not self.quiet:
            self.edited.emit()
