"""The kernel's values as an editable grid, one filter and one of its input channels at a time.

Typing a number makes a new spec with that weight (``ConvSpec.with_edit``), so it is undoable like
every other edit; text that is not a finite number is refused with a message, and the cell goes
back to the value it had.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from convviz.state.build import weight_of
from convviz.state.spec import ConvSpec

from ..scene.palette import tap_colour


class KernelEditor(QWidget):
    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.filter, self.channel = 0, 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        chooser = QHBoxLayout()
        self.filter_box, self.channel_box = QSpinBox(), QSpinBox()
        self.filter_box.setToolTip(self.tr("Which filter's weights the grid shows and edits"))
        self.channel_box.setToolTip(self.tr("Which of the filter's input channels the grid shows"))
        chooser.addWidget(QLabel(self.tr("filter f")))
        chooser.addWidget(self.filter_box)
        chooser.addWidget(QLabel(self.tr("channel c")))
        chooser.addWidget(self.channel_box)
        layout.addLayout(chooser)
        self.table = QTableWidget()
        self.table.horizontalHeader().setDefaultSectionSize(52)
        self.table.verticalHeader().setDefaultSectionSize(24)
        layout.addWidget(self.table)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        self.filter_box.valueChanged.connect(self._choose)
        self.channel_box.valueChanged.connect(self._choose)
        self.table.itemChanged.connect(self._edited)
        document.specChanged.connect(self.show_spec)
        self.show_spec(document.spec)

    def _choose(self) -> None:
        self.filter, self.channel = self.filter_box.value(), self.channel_box.value()
        self.show_spec(self.document.spec)

    def show_spec(self, spec: ConvSpec) -> None:
        kh, kw = spec.kernel_size
        with QSignalBlocker(self.filter_box), QSignalBlocker(self.channel_box), QSignalBlocker(self.table):
            self.filter_box.setRange(0, spec.out_channels - 1)
            self.channel_box.setRange(0, max(spec.in_per_group - 1, 0))
            self.filter, self.channel = self.filter_box.value(), self.channel_box.value()
            weight = weight_of(spec)
            self.table.setRowCount(kh)
            self.table.setColumnCount(kw)
            self.table.setHorizontalHeaderLabels([f"j={j}" for j in range(kw)])
            self.table.setVerticalHeaderLabels([f"i={i}" for i in range(kh)])
            for i in range(kh):
                for j in range(kw):
                    item = self.table.item(i, j)
                    if item is None:
                        item = QTableWidgetItem()
                        self.table.setItem(i, j, item)
                    item.setText(f"{weight[self.filter, self.channel, i, j]:.3g}")
                    item.setToolTip(repr(float(weight[self.filter, self.channel, i, j])))
                    item.setTextAlignment(Qt.AlignCenter)
                    colour = QColor(tap_colour(i, j, kw))
                    colour.setAlpha(60)
                    item.setBackground(colour)
            self.table.setFixedHeight(min(26 + 24 * kh, 26 + 24 * 7))

    def _edited(self, item: QTableWidgetItem) -> None:
        text = item.text().strip().replace(",", ".").replace("−", "-")
        try:
            value = float(text)
            if not math.isfinite(value):
                raise ValueError
        except ValueError:
            self.error.setText(self.tr("A kernel value must be a finite number such as -1, 0.25 or 2e-3, got "
                                       "'%1'").replace("%1", item.text()))
            self.error.show()
            self.show_spec(self.document.spec)
            return
        self.error.hide()
        spec = self.document.spec
        self.document.propose(spec.with_edit(self.filter, self.channel, item.row(), item.column(), value))
