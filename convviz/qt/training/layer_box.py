"""The "Open in the visualizer" controls: a convolution layer, an image of the batch, and the
input channels and filters to take (first and count)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QSpinBox

from .jobs import layer_name

__all__ = ["LayerPassBox"]


def _spin(low: int, high: int, value: int, tip: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setValue(value)
    spin.setToolTip(tip)
    return spin


class LayerPassBox(QGroupBox):
    """``openRequested(layer index, sample, channels range, filters range)`` when Open is pressed."""

    openRequested = Signal(int, int, object, object)

    def __init__(self, parent=None):
        super().__init__(self.tr("Backward pass of a layer"), parent)
        form = QFormLayout(self)
        form.setContentsMargins(6, 6, 6, 6)
        self.layer = QComboBox()
        form.addRow(self.tr("Layer"), self.layer)
        self.sample = _spin(0, 15, 0, self.tr("which image of the next batch"))
        form.addRow(self.tr("Image of the batch"), self.sample)
        self.channel_first = _spin(0, 0, 0, self.tr("the first input channel"))
        self.channel_count = _spin(1, 1, 3, self.tr("how many input channels"))
        self.filter_first = _spin(0, 0, 0, self.tr("the first filter"))
        self.filter_count = _spin(1, 1, 2, self.tr("how many filters"))
        for label, first, count in ((self.tr("Input channels from, count"), self.channel_first, self.channel_count),
                                    (self.tr("Filters from, count"), self.filter_first, self.filter_count)):
            row = QHBoxLayout()
            row.addWidget(first)
            row.addWidget(count)
            form.addRow(label, row)
        self.open_button = QPushButton(self.tr("Open in the visualizer"))
        self.open_button.setToolTip(self.tr("While paused: the real input, weights and ∂L/∂y of this layer for the "
                                            "next batch, played frame by frame in the visualizer"))
        self.open_button.clicked.connect(self._open)
        self.hint = QLabel(self.tr("Pause the run to open a layer."))
        self.hint.setWordWrap(True)
        form.addRow(self.open_button)
        form.addRow(self.hint)
        self.layers: list[tuple[int, int, int]] = []
        self.layer.currentIndexChanged.connect(self._layer_chosen)
        for first, count in ((self.channel_first, self.channel_count), (self.filter_first, self.filter_count)):
            first.valueChanged.connect(lambda value, first=first, count=count: self._limit(first, count))

    def set_layers(self, layers, batch_size: int) -> None:
        """``layers``: (layer index, in_channels, out_channels) of every Conv2d layer."""
        self.layers = list(layers)
        self.layer.blockSignals(True)
        self.layer.clear()
        for order, (index, _, _) in enumerate(self.layers):
            self.layer.addItem(layer_name(order, index), index)
        self.layer.blockSignals(False)
        self.sample.setMaximum(max(batch_size - 1, 0))
        self._layer_chosen(0)
        self.channel_count.setValue(3)  # the first layer's RGB, and two filters: about 400 frames
        self.filter_count.setValue(2)

    def _layer_chosen(self, row: int) -> None:
        if not 0 <= row < len(self.layers):
            return
        _, in_channels, out_channels = self.layers[row]
        for first, count, total in ((self.channel_first, self.channel_count, in_channels),
                                    (self.filter_first, self.filter_count, out_channels)):
            first.setMaximum(total - 1)
            self._limit(first, count, total)

    def _limit(self, first: QSpinBox, count: QSpinBox, total: int | None = None) -> None:
        """At most the channels that exist after ``first``."""
        if total is None:
            total = first.maximum() + 1
        count.setMaximum(max(total - first.value(), 1))

    def set_ready(self, ready: bool) -> None:
        self.open_button.setEnabled(ready and bool(self.layers))
        self.hint.setVisible(not ready)

    def _open(self) -> None:
        if not self.layers:
            return
        channels = range(self.channel_first.value(), self.channel_first.value() + self.channel_count.value())
        filters = range(self.filter_first.value(), self.filter_first.value() + self.filter_count.value())
        self.openRequested.emit(self.layer.currentData(), self.sample.value(), channels, filters)
