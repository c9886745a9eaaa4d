"""The settings of a run, as widgets: data, model, counts, epochs, batch size, learning rate,
augmentation, seed and backend; ``config()`` makes the ``TrainConfig`` (its checks, its messages).
"""

from __future__ import annotations

import importlib.util

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QHBoxLayout, QPushButton,
                               QSpinBox)

from convviz.train import TrainConfig, torch_available

__all__ = ["RunForm", "torch_choice"]

BUILTIN = "builtin"


def torch_choice() -> tuple[bool, str]:
    """Whether the torch backend can be chosen, and why not. Importing torch takes seconds, so
    an installed torch is taken on trust here (a failure to import it later is shown then)."""
    if importlib.util.find_spec("torch") is not None:
        return True, ""
    return torch_available()


def _spin(low: int, high: int, value: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setValue(value)
    return spin


class RunForm(QGroupBox):
    folderRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(self.tr("Run"), parent)
        defaults = TrainConfig()
        form = QFormLayout(self)
        form.setContentsMargins(6, 6, 6, 6)
        self.data = QComboBox()
        self.data.addItem(self.tr("Built-in cartoon cats and dogs"), BUILTIN)
        self.data.setToolTip(self.tr("Cartoon faces drawn from the seed, or a folder in the source's layout "
                                     "(ROOT/training_set/{cats,dogs}, ROOT/test_set/{cats,dogs})"))
        self.choose_folder = QPushButton(self.tr("Choose a photo folder…"))
        self.choose_folder.clicked.connect(self.folderRequested)
        form.addRow(self.tr("Data"), self.data)
        form.addRow("", self.choose_folder)
        self.model = QComboBox()
        self.model.addItem(self.tr("small CNN, 64×64"), "small")
        self.model.addItem(self.tr("source network, 224×224"), "source")
        form.addRow(self.tr("Model"), self.model)
        self.train_per_class = _spin(1, 100_000, defaults.train_per_class)
        self.test_per_class = _spin(1, 100_000, defaults.test_per_class)
        counts = QHBoxLayout()
        counts.addWidget(self.train_per_class)
        counts.addWidget(self.test_per_class)
        self.train_per_class.setToolTip(self.tr("training images per class"))
        self.test_per_class.setToolTip(self.tr("test images per class"))
        form.addRow(self.tr("Per class (train, test)"), counts)
        self.epochs = _spin(1, 10_000, defaults.epochs)
        self.batch_size = _spin(1, 4096, defaults.batch_size)
        sizes = QHBoxLayout()
        sizes.addWidget(self.epochs)
        sizes.addWidget(self.batch_size)
        self.epochs.setToolTip(self.tr("epochs"))
        self.batch_size.setToolTip(self.tr("batch size"))
        form.addRow(self.tr("Epochs, batch size"), sizes)
        self.lr = QDoubleSpinBox()
        self.lr.setDecimals(6)
        self.lr.setRange(1e-6, 1.0)
        self.lr.setSingleStep(1e-4)
        self.lr.setValue(defaults.lr)
        self.lr.setToolTip(self.tr("Adam's learning rate; it can be changed while paused"))
        form.addRow(self.tr("Learning rate"), self.lr)
        self.augment = QCheckBox(self.tr("flips and small crops"))
        form.addRow(self.tr("Augmentation"), self.augment)
        self.seed = _spin(0, 2**31 - 1, defaults.seed)
        self.seed.setToolTip(self.tr("initial weights, batch order, augmentation and the built-in images"))
        form.addRow(self.tr("Seed"), self.seed)
        self.backend = QComboBox()
        self.backend.addItem(self.tr("numpy (convviz's engine)"), "numpy")
        self.backend.addItem(self.tr("torch"), "torch")
        available, reason = torch_choice()
        if not available:
            self.backend.model().item(1).setEnabled(False)
            self.backend.setItemData(1, reason, role=3)  # Qt.ToolTipRole
            self.backend.setItemText(1, self.tr("torch (unavailable)"))
            self.backend.setToolTip(reason)
        self.torch_reason = reason
        form.addRow(self.tr("Backend"), self.backend)

    # ------------------------------------------------------------------------------------------
    def data_source(self) -> str:
        return self.data.currentData()

    def set_folder(self, path: str) -> None:
        """Make ``path`` the data source (added to the list once)."""
        index = self.data.findData(path)
        if index < 0:
            self.data.addItem(path, path)
            index = self.data.count() - 1
        self.data.setCurrentIndex(index)

    def config(self) -> TrainConfig:
        """The settings as a TrainConfig (raises TrainConfigError naming a bad setting)."""
        return TrainConfig(model=self.model.currentData(), epochs=self.epochs.value(),
                           batch_size=self.batch_size.value(), lr=self.lr.value(), augment=self.augment.isChecked(),
                           seed=self.seed.value(), backend=self.backend.currentData(), data=self.data_source(),
                           train_per_class=self.train_per_class.value(), test_per_class=self.test_per_class.value())

    def set_config(self, config: TrainConfig) -> None:
        """Show a run's settings (one read from a checkpoint)."""
        if config.data != BUILTIN:
            self.set_folder(config.data)
        else:
            self.data.setCurrentIndex(0)
        self.model.setCurrentIndex(self.model.findData(config.model))
        for spin, value in ((self.epochs, config.epochs), (self.batch_size, config.batch_size),
                            (self.seed, config.seed), (self.train_per_class, config.train_per_class),
                            (self.test_per_class, config.test_per_class)):
            spin.setValue(value)
        self.lr.setValue(config.lr)
        self.augment.setChecked(config.augment)
        index = self.backend.findData(config.backend)
        if self.backend.model().item(index).isEnabled():
            self.backend.setCurrentIndex(index)

    def set_editable(self, settings: bool, lr: bool) -> None:
        """``settings``: everything but the learning rate (a new run); ``lr``: the learning rate."""
        for widget in (self.data, self.choose_folder, self.model, self.train_per_class, self.test_per_class,
                       self.epochs, self.batch_size, self.augment, self.seed, self.backend):
            widget.setEnabled(settings)
        self.lr.setEnabled(lr)
