"""How the model does on the test images: the confusion matrix, the misclassified images with
their probabilities, and the saliency of a chosen image (where the answer is most sensitive).

Saliency is |∂P(cat)/∂x| taken as the largest over the three colour channels at each pixel, scaled
by its maximum, drawn in a heat colour map over the image (the usual picture of Simonyan et al.).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from .filters import ImageGrid

__all__ = ["ConfusionTable", "MISTAKES_SHOWN", "MistakesGallery", "ResultsPanel", "SaliencyView", "saliency_map"]

MISTAKES_SHOWN = 12
CLASSES = ("cat", "dog")  # the confusion matrix's order (convviz.train.Evaluation.confusion_matrix)


def saliency_map(gradient: np.ndarray) -> np.ndarray:
    """(3, S, S) ∂P/∂x -> (S, S) float32 in [0, 1]: max over channels of |∂P/∂x|, over its max."""
    strength = np.max(np.abs(np.asarray(gradient, np.float64)), axis=0)
    top = float(strength.max())
    return (strength / top if top > 0 else strength).astype(np.float32)


class ConfusionTable(QTableWidget):
    """Rows: the true class; columns: the predicted one; each cell shaded by its share of its row."""

    def __init__(self, parent=None):
        super().__init__(2, 2, parent)
        self.setHorizontalHeaderLabels([self.tr("said cat"), self.tr("said dog")])
        self.setVerticalHeaderLabels([self.tr("is a cat"), self.tr("is a dog")])
        self.setEditTriggers(QTableWidget.NoEditTriggers)
        self.setFixedSize(250, 88)
        for column in range(2):
            self.setColumnWidth(column, 88)
        self.matrix = np.zeros((2, 2), np.int64)

    def show_matrix(self, matrix: np.ndarray) -> None:
        self.matrix = np.asarray(matrix, np.int64)
        for row in range(2):
            total = max(int(self.matrix[row].sum()), 1)
            for column in range(2):
                count = int(self.matrix[row, column])
                item = QTableWidgetItem(str(count))
                item.setTextAlignment(Qt.AlignCenter)
                share = count / total  # green for right answers, red for wrong ones, deeper for more
                strong, weak = 1 - 0.1 * share, 1 - 0.5 * share
                right = row == column
                item.setBackground(QColor.fromRgbF(weak if right else strong, strong if right else weak, weak, 1.0))
                self.setItem(row, column, item)


class MistakesGallery(QWidget):
    """The most confidently wrong test images, each with P(cat) and its true class."""

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel(self.tr("Misclassified test images: none yet"))
        self.grid = ImageGrid(columns=6, cell=76, fixed=True)
        layout.addWidget(self.title)
        layout.addWidget(self.grid)
        layout.addStretch(1)
        self.shown: list[int] = []  # test image indices on show

    def show_mistakes(self, evaluation, images: np.ndarray) -> None:
        wrong = evaluation.misclassified()
        self.shown = [int(i) for i in wrong[:MISTAKES_SHOWN]]
        is_a = {name: self.tr("#%1 is a %2, P(cat)=%3").replace("%2", self.tr(name)) for name in CLASSES}
        captions = [is_a[CLASSES[0] if evaluation.labels[i] > 0.5 else CLASSES[1]].replace("%1", str(i))
                    .replace("%3", f"{evaluation.probabilities[i]:.2f}") for i in self.shown]
        self.grid.set_images([images[i].transpose(1, 2, 0) for i in self.shown], (0.0, 1.0), captions)
        self.title.setText(self.tr("Misclassified: %1 of %2 test images (the %3 most confidently wrong shown)")
                           .replace("%1", str(len(wrong))).replace("%2", str(evaluation.total))
                           .replace("%3", str(len(self.shown))))


class SaliencyView(QWidget):
    """A test image, and |∂P(cat)/∂x| over it."""

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel(self.tr("Saliency: start a run"))
        self.title.setWordWrap(True)
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setBackground("w")
        boxes = [self.canvas.addViewBox(row=0, col=i, lockAspect=True, enableMouse=False, invertY=True) for i in range(2)]
        self.image_item, self.under_item, self.heat_item = pg.ImageItem(), pg.ImageItem(), pg.ImageItem()
        boxes[0].addItem(self.image_item)
        boxes[1].addItem(self.under_item)
        boxes[1].addItem(self.heat_item)
        self.heat_item.setColorMap(pg.colormap.get("inferno"))
        self.heat_item.setOpacity(0.65)
        self.canvas.setMinimumSize(240, 130)
        self.canvas.setMaximumHeight(200)
        layout.addWidget(self.title)
        layout.addWidget(self.canvas, 1)

    def show_saliency(self, image: np.ndarray, gradient: np.ndarray, index: int, when: str) -> None:
        picture = np.ascontiguousarray(image.transpose(1, 2, 0), dtype=np.float32)
        self.image_item.setImage(picture, autoLevels=False, levels=(0.0, 1.0))
        self.under_item.setImage(picture.mean(axis=2), autoLevels=False, levels=(0.0, 1.0))
        self.heat_item.setImage(saliency_map(gradient), autoLevels=False, levels=(0.0, 1.0))
        self.title.setText(self.tr("Saliency of test image %1, %2: |∂P(cat)/∂x| (brightest = largest)")
                           .replace("%1", str(index)).replace("%2", when))


class ResultsPanel(QWidget):
    """The confusion matrix and accuracy beside the saliency, the mistakes below."""

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        left = QVBoxLayout()
        self.title = QLabel(self.tr("Test results: after the first epoch, or when paused"))
        self.title.setWordWrap(True)
        self.confusion = ConfusionTable()
        left.addWidget(self.title)
        left.addWidget(self.confusion)
        left.addStretch(1)
        top.addLayout(left)
        self.saliency = SaliencyView()
        top.addWidget(self.saliency, 1)
        self.mistakes = MistakesGallery()
        layout.addLayout(top)
        layout.addWidget(self.mistakes, 1)

    def show_evaluation(self, evaluation, images: np.ndarray, when: str) -> None:
        self.confusion.show_matrix(evaluation.confusion_matrix)
        accuracy = (self.tr("accuracy: %1 (%2/%3)").replace("%1", f"{evaluation.accuracy:.3f}")
                    .replace("%2", str(evaluation.correct)).replace("%3", str(evaluation.total)))
        self.title.setText(self.tr("Test set, %1:\n%2, loss %3").replace("%1", when)
                           .replace("%2", accuracy).replace("%3", f"{evaluation.loss:.3f}"))
        self.mistakes.show_mistakes(evaluation, images)
