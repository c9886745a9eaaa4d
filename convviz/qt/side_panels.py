"""The panels beside the picture: groups (who connects to whom), im2col (the same sum as a matrix
product), and the two roads to the input gradient. Each draws from the build on screen and the
current frame; none changes a number."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from convviz.state.torch_code import torch_code

from ..scene import palette
from ..scene.planes import WrappedLabel


def _view(layout: pg.GraphicsLayout, row: int, title: str) -> tuple[pg.ViewBox, pg.ImageItem, pg.LabelItem]:
    label = WrappedLabel(title)
    layout.addItem(label, row=row, col=0)
    view = layout.addViewBox(row=row + 1, col=0, enableMenu=False)
    view.invertY(True)
    view.setMenuEnabled(False)
    image = pg.ImageItem(axisOrder="row-major")
    view.addItem(image)
    return view, image, label


def _box(view: pg.ViewBox, colour: str) -> pg.QtWidgets.QGraphicsRectItem:
    rect = pg.QtWidgets.QGraphicsRectItem()
    rect.setPen(pg.mkPen(colour, width=2, cosmetic=True))
    rect.setZValue(10)
    view.addItem(rect)
    return rect


def convolution_only(built) -> bool:
    """Whether ``built`` is a convolution trace (the groups, im2col and two-roads panels read one)."""
    return built.operation == "conv"


def _symmetric(array) -> tuple[float, float]:
    level = float(np.max(np.abs(array), initial=0.0)) or 1.0
    return -level, level


class DrawnWhenSeen:
    """A side panel that draws a build only while its tab is in front: ``show_built`` keeps the
    build, and ``draw()`` runs once per build, now if the panel is seen or when it comes to the
    front (most parameter changes happen with another tab in front)."""

    built = None
    _drawn = False

    def show_built(self, built) -> None:
        self.built, self._drawn = built, False
        if self.isVisible():
            self._draw_once()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._draw_once()

    def _draw_once(self) -> None:
        if self.built is not None and not self._drawn:
            self._drawn = True
            self.draw()


class GroupsPanel(QWidget):
    """The input-channel × filter connectivity matrix coloured by group, with the counts."""

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.plot = pg.GraphicsLayoutWidget()
        self.view, self.image, self.title = _view(self.plot.ci, 0, "")
        self.view.setAspectLocked(True)
        self.plot.setMaximumHeight(320)  # a 1×1 matrix need not fill the whole dock
        layout.addWidget(self.plot, 1)
        self.counts = QLabel()
        self.counts.setWordWrap(True)
        layout.addWidget(self.counts)
        self.matrix = None

    def show_built(self, built) -> None:
        self.plot.setVisible(convolution_only(built))
        if not convolution_only(built):
            self.matrix = None
            self.image.clear()
            self.title.setText("")
            self.counts.setText(self.tr("A pooling has no weights and no groups: each output channel is its "
                                        "input channel, pooled.") if built.spec.is_pooling else
                                self.tr("Choose the direct road to see the groups of the convolution it becomes."))
            return
        g = built.trace.geometry
        kh, kw = g.kernel_size
        groups = np.arange(g.in_channels)[:, None] // g.in_per_group
        filters = np.arange(g.out_channels)[None, :] // g.out_per_group
        matrix = np.where(groups == filters, groups, -1)  # (C, F): the group, -1 where not connected
        self.matrix = matrix
        rgba = np.full(matrix.shape + (4,), 240, dtype=np.uint8)
        for group in range(g.groups):
            colour = pg.mkColor(palette.GROUP_COLOURS[group % len(palette.GROUP_COLOURS)])
            rgba[matrix == group] = colour.getRgb()
        self.image.setImage(rgba, autoLevels=False, levels=(0, 255))
        self.view.setRange(QRectF(0, 0, matrix.shape[1], matrix.shape[0]), padding=0.05)
        self.title.setText(self.tr("rows: %1 input channels · columns: %2 filters · %3 group(s)")
                           .replace("%1", str(g.in_channels)).replace("%2", str(g.out_channels))
                           .replace("%3", str(g.groups)))
        params = g.out_channels * g.in_per_group * kh * kw
        dense = g.out_channels * g.in_channels * kh * kw
        macs = g.out_channels * g.out_height * g.out_width * g.in_per_group * kh * kw
        self.counts.setText(self.tr(
            "Each filter reads %1 of the %2 input channels. Weights: F·(C/G)·KH·KW = %3·%4·%5·%6 = %7 "
            "(%8 with groups=1). Multiply-adds: F·OH·OW·(C/G)·KH·KW = %9.")
            .replace("%1", str(g.in_per_group)).replace("%2", str(g.in_channels)).replace("%3", str(g.out_channels))
            .replace("%4", str(g.in_per_group)).replace("%5", str(kh)).replace("%6", str(kw))
            .replace("%7", f"{params:,}").replace("%8", f"{dense:,}").replace("%9", f"{macs:,}"))


class Im2colPanel(QWidget):
    """The group's weight matrix and column matrix, with the current frame's row and column lit."""

    MAX_CELLS = 2_000_000  # column-matrix entries drawn at most (16 MB of float64)

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.plot = pg.GraphicsLayoutWidget()
        self.weight_view, self.weight_image, self.weight_title = _view(self.plot.ci, 0, "")
        self.column_view, self.column_image, self.column_title = _view(self.plot.ci, 2, "")
        self.weight_row, self.column_box = _box(self.weight_view, palette.CURRENT), _box(self.column_view,
                                                                                      palette.CURRENT)
        self.tap_box = _box(self.column_view, palette.HOVER)
        layout.addWidget(self.plot, 1)
        self.note = QLabel()
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.built, self.group, self.matrices = None, None, None

    def show_built(self, built) -> None:
        self.built, self.group, self.matrices = built, None, None

    def show_frame(self, index: int) -> None:
        if self.built is None or not self.isVisible():
            return
        if not convolution_only(self.built):
            self.note.setText(self.tr("im2col turns a convolution into a matrix product; this operation is "
                                      "not one (for the transposed convolution, choose the direct road)."))
            self.weight_image.clear()
            self.column_image.clear()
            return
        position = self.built.trace.im2col_position(index)
        if position is None:
            self.note.setText(self.tr("This frame is not a window of the sliding phases."))
            return
        rows, cols = position.column_matrix_shape
        if rows * cols > self.MAX_CELLS:  # built on the GUI thread: a 256×256 7×7 one is 77 MB
            self.note.setText(self.tr("The column matrix would be %1×%2, too large to draw here; choose a "
                                      "smaller working size to see it.").replace("%1", f"{rows:,}")
                              .replace("%2", f"{cols:,}"))
            self.weight_image.clear()
            self.column_image.clear()
            self.group = None
            return
        if position.group != self.group:
            self.group = position.group
            self.matrices = self.built.trace.im2col_matrices(position.group)
            weights, columns = self.matrices
            self.weight_image.setImage(weights, autoLevels=False, levels=_symmetric(weights),
                                       lut=palette.DIVERGING_LUT)
            self.column_image.setImage(columns, autoLevels=False, levels=(0.0, max(1.0, float(columns.max(initial=1)))),
                                       lut=palette.GRAY_LUT)
            self.weight_title.setText(self.tr("weight matrix of group %1: %2×%3").replace("%1", str(position.group))
                                      .replace("%2", str(weights.shape[0])).replace("%3", str(weights.shape[1])))
            self.column_title.setText(self.tr("column matrix (im2col): %1×%2, one column per window")
                                      .replace("%1", str(columns.shape[0])).replace("%2", str(columns.shape[1])))
            self.weight_view.autoRange()
            self.column_view.autoRange()
        self.weight_row.setRect(QRectF(0, position.weight_row, position.weight_matrix_shape[1], 1))
        self.column_box.setRect(QRectF(position.column, 0, 1, rows))
        if position.tap_row is not None:
            self.tap_box.setRect(QRectF(position.column, position.tap_row, 1, 1))
            self.tap_box.show()
        else:
            self.tap_box.hide()
        self.note.setText(self.tr("This output is row %1 of the weight matrix times column %2 of the column "
                                  "matrix: the same %3 products as the window.")
                          .replace("%1", str(position.weight_row)).replace("%2", str(position.column))
                          .replace("%3", str(rows)))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.group = None


class RoadsPanel(DrawnWhenSeen, QWidget):
    """Backward: the input gradient by the scatter-add and by a transposed convolution."""

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.plot = pg.GraphicsLayoutWidget()
        self.spread_view, self.spread_image, self.spread_title = _view(self.plot.ci, 0, "")
        self.kernel_view, self.kernel_image, self.kernel_title = _view(self.plot.ci, 2, "")
        self.result_view, self.result_image, self.result_title = _view(self.plot.ci, 4, "")
        for view in (self.spread_view, self.kernel_view, self.result_view):
            view.setAspectLocked(True)
        layout.addWidget(self.plot, 1)
        self.check = QLabel()
        self.check.setWordWrap(True)
        layout.addWidget(self.check)

    def draw(self) -> None:
        trace = self.built.trace
        if not convolution_only(self.built):
            self.check.setText(self.tr("The two roads to ∂L/∂x belong to a convolution's backward pass."))
            for image in (self.spread_image, self.kernel_image, self.result_image):
                image.clear()
            return
        if not trace.has_backward:
            self.check.setText(self.tr("Choose the backward mode to see the two roads to ∂L/∂x."))
            for image in (self.spread_image, self.kernel_image, self.result_image):
                image.clear()
            return
        # The engine's fast algorithm: at 256×256×3 with 16 filters of 7×7 "banded" takes 0.07 s, the
        # default "strided" 1.3 s, on the GUI thread.
        roads = trace.input_gradient_roads("banded")
        spread = roads.spread_grad_output[0, 0]
        self.spread_image.setImage(spread, autoLevels=False, levels=_symmetric(spread), lut=palette.DIVERGING_LUT)
        kernel = roads.transposed_kernel[0, 0]
        self.kernel_image.setImage(kernel, autoLevels=False, levels=_symmetric(kernel), lut=palette.DIVERGING_LUT)
        result = roads.transposed[0, 0]
        self.result_image.setImage(result, autoLevels=False, levels=_symmetric(result), lut=palette.DIVERGING_LUT)
        self.spread_title.setText(self.tr("∂L/∂y spread: stride−1 zeros between, padded by the kernel's reach "
                                          "(filter 0) %1").replace("%1", "×".join(map(str, spread.shape))))
        self.kernel_title.setText(self.tr("the kernel turned 180°, filters ↔ channels (channel 0, filter 0)"))
        self.result_title.setText(self.tr("transposed convolution = ∂L/∂x̃ (channel 0) %1")
                                  .replace("%1", "×".join(map(str, result.shape))))
        for view in (self.spread_view, self.kernel_view, self.result_view):
            view.autoRange()
        verdict = self.tr("agree") if roads.agree else self.tr("DISAGREE")
        self.check.setText(self.tr("Scatter-add and transposed convolution %1: largest difference %2 "
                                   "(rounding allows %3).").replace("%1", verdict)
                           .replace("%2", f"{roads.max_abs_difference:.3g}").replace("%3", f"{roads.tolerance:.3g}"))


class CodePanel(DrawnWhenSeen, QWidget):
    """The PyTorch code that reproduces what is on screen, with a Copy button."""

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.note = QLabel(self.tr("Run this with PyTorch: y, x.grad and conv.weight.grad equal the last frame's "
                                   "arrays."))
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        layout.addWidget(self.text, 1)
        self.copy = QPushButton(self.tr("Copy"))
        self.copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.text.toPlainText()))
        layout.addWidget(self.copy)

    def draw(self) -> None:
        """The code of the build (a large kernel's is thousands of literals: written when seen)."""
        built = self.built
        if built.label:
            self.text.setPlainText(self.tr("# These arrays come from a training run (%1); the code reproduces the "
                                           "visualizer's own pictures only.").replace("%1", built.label))
            self.copy.setEnabled(False)
            return
        spec = built.spec
        if spec.is_pooling:
            self.note.setText(self.tr("Run this with PyTorch: y and x.grad equal the last frame's arrays."))
        elif spec.operation == "conv_transpose":
            self.note.setText(self.tr("Run this with PyTorch: y equals the last frame's output, by either road."))
        else:
            self.note.setText(self.tr("Run this with PyTorch: y, x.grad and conv.weight.grad equal the last "
                                      "frame's arrays."))
        self.text.setPlainText(torch_code(spec, built.args))
        self.copy.setEnabled(True)
