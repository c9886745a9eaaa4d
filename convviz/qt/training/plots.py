"""The loss and accuracy curves of a run, on one epoch axis.

The loss of every batch is drawn at x = (epoch - 1) + (batch + 1) / batches, so batch curves and
per-epoch points share the x axis: a click anywhere picks the nearest epoch (``epochClicked``).
Records are only collected when they arrive; ``refresh()`` (called by the view's ~30 Hz timer)
hands the arrays to pyqtgraph once per tick, whatever the number of records in between.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QWidget

__all__ = ["CurvePlots", "SMOOTHING", "smoothed"]

SMOOTHING = 0.9  # weight of the past in the smoothed loss (TensorBoard's default slider value)
RAW, SMOOTH, TEST, TRAIN = "#9fb7d6", "#1f4e8c", "#c0392b", "#1f4e8c"


def smoothed(values, weight: float = SMOOTHING) -> np.ndarray:
    """Exponential moving average with the start-up bias removed (as TensorBoard and Adam do):
    s_t = (w·m_{t-1} + (1 - w)·v_t) / (1 - w^t), so the first point is the first value."""
    out, mean = np.empty(len(values)), 0.0
    for t, value in enumerate(values, start=1):
        mean = weight * mean + (1 - weight) * value
        out[t - 1] = mean / (1 - weight ** t)
    return out


class CurvePlots(QWidget):
    epochClicked = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QHBoxLayout(self)  # side by side: each keeps the view's full height
        layout.setContentsMargins(0, 0, 0, 0)
        self.loss_plot = pg.PlotWidget(background="w")
        self.accuracy_plot = pg.PlotWidget(background="w")
        for plot, title in ((self.loss_plot, self.tr("Loss (BCE) per batch, and on the test set")),
                            (self.accuracy_plot, self.tr("Accuracy per epoch (chance: 0.5)"))):
            plot.setTitle(title, color="#2d2d2d", size="10pt")
            for axis in ("left", "bottom"):
                plot.getAxis(axis).setPen("#555555")
                plot.getAxis(axis).setTextPen("#2d2d2d")
            plot.setLabel("bottom", self.tr("epoch"))
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.addLegend(offset=(-8, 8), labelTextSize="8pt", verSpacing=-6)
            plot.setMouseEnabled(x=False, y=False)
            plot.scene().sigMouseClicked.connect(lambda event, p=plot: self._clicked(p, event))
            layout.addWidget(plot, 1)
        self.accuracy_plot.setYRange(0, 1.02, padding=0)
        self.accuracy_plot.addItem(pg.InfiniteLine(0.5, angle=0, pen=pg.mkPen("#999999", style=pg.QtCore.Qt.DashLine)))
        self.raw_loss = self.loss_plot.plot(name=self.tr("batch"), pen=pg.mkPen(RAW, width=1))
        self.smooth_loss = self.loss_plot.plot(name=self.tr("smoothed"), pen=pg.mkPen(SMOOTH, width=2))
        self.test_loss = self.loss_plot.plot(name=self.tr("test (epoch)"), pen=pg.mkPen(TEST, width=1.5), symbol="o",
                                             symbolSize=7, symbolBrush=TEST, symbolPen=None)
        self.train_accuracy = self.accuracy_plot.plot(name=self.tr("train"), pen=pg.mkPen(TRAIN, width=1.5),
                                                      symbol="o", symbolSize=7, symbolBrush=TRAIN, symbolPen=None)
        self.test_accuracy = self.accuracy_plot.plot(name=self.tr("test"), pen=pg.mkPen(TEST, width=1.5), symbol="s",
                                                     symbolSize=7, symbolBrush=TEST, symbolPen=None)
        for item in (self.raw_loss, self.smooth_loss):
            item.setDownsampling(auto=True, method="peak")  # thousands of batches stay cheap to draw
            item.setClipToView(True)
        self.markers = [pg.InfiniteLine(0, angle=90, pen=pg.mkPen("#e67e22", width=2)) for _ in range(2)]
        for plot, marker in zip((self.loss_plot, self.accuracy_plot), self.markers):
            plot.addItem(marker)
            marker.hide()
        self.clear()

    def clear(self) -> None:
        self.batch_x: list[float] = []
        self.batch_loss: list[float] = []
        self.epochs: list[int] = [0]  # epoch 0: the weights before training (no point drawn)
        self.epoch_train_accuracy: list[float] = []
        self.epoch_test_accuracy: list[float] = []
        self.epoch_test_loss: list[float] = []
        self._dirty = True
        self.mark_epoch(None)
        self.refresh()

    # ------------------------------------------------------------------------------------------
    def add_batch(self, record) -> None:
        self.batch_x.append(record.epoch - 1 + (record.batch + 1) / record.batches)
        self.batch_loss.append(record.loss)
        self._dirty = True

    def add_epoch(self, record, with_batches: bool = False) -> None:
        """An EpochRecord; ``with_batches`` also draws its batch losses (a run read from a checkpoint)."""
        if with_batches:
            count = len(record.batch_losses)
            for i, loss in enumerate(record.batch_losses):
                self.batch_x.append(record.epoch - 1 + (i + 1) / count)
                self.batch_loss.append(loss)
        self.epochs.append(record.epoch)
        self.epoch_train_accuracy.append(record.train_accuracy)
        self.epoch_test_accuracy.append(record.test_accuracy)
        self.epoch_test_loss.append(record.test_loss)
        self._dirty = True

    def refresh(self) -> None:
        """Hand the collected points to the plot items (once per timer tick, when something came)."""
        if not self._dirty:
            return
        self._dirty = False
        x, loss = np.asarray(self.batch_x, float), np.asarray(self.batch_loss, float)
        self.raw_loss.setData(x, loss)
        self.smooth_loss.setData(x, smoothed(loss))
        epochs = np.asarray(self.epochs[1:], float)
        self.test_loss.setData(epochs, np.asarray(self.epoch_test_loss, float))
        self.train_accuracy.setData(epochs, np.asarray(self.epoch_train_accuracy, float))
        self.test_accuracy.setData(epochs, np.asarray(self.epoch_test_accuracy, float))

    def set_epochs(self, epochs: int) -> None:
        """The x axis from 0 to the run's last epoch, so the run's length is visible from its start."""
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.setXRange(0, max(epochs, 1), padding=0.02)

    def mark_epoch(self, epoch: int | None) -> None:
        """A vertical line at the epoch whose filters are on show (None: none, following live)."""
        for marker in self.markers:
            marker.setVisible(epoch is not None)
            if epoch is not None:
                marker.setValue(epoch)

    def _clicked(self, plot: pg.PlotWidget, event) -> None:
        box = plot.getPlotItem().vb
        if not box.sceneBoundingRect().contains(event.scenePos()):
            return
        x = box.mapSceneToView(event.scenePos()).x()
        if not math.isfinite(x) or len(self.epochs) < 2:
            return
        nearest = min(self.epochs, key=lambda epoch: abs(epoch - x))
        self.epochClicked.emit(int(nearest))
