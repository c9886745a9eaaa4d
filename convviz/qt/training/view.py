"""The Training view: train the cat/dog CNN live and look inside it.

Left: the run's settings, Start / Pause / Stop, progress, checkpoints, and a layer's real
backward pass to open in the visualizer. Right: the loss and accuracy curves (click an epoch to
see the network as it was then) above the first layer's filters, the feature maps of a chosen
test image, and the test results (confusion matrix, mistakes, saliency).

The trainer lives on its own thread (session.py); this view only sends it commands and jobs and
draws what comes back, on a ~30 Hz timer that runs only while a run or a load is alive.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QFileDialog, QGroupBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QSpinBox,
                               QSplitter, QTabWidget, QVBoxLayout, QWidget)

from convviz.train import (BatchRecord, CheckpointError, EpochRecord, Evaluation, Stopped, Trainer, TrainConfigError,
                           apply_checkpoint, read_checkpoint)

from .closing import WindowCloseWatch
from .filters import FeatureMaps, FilterGrid
from .form import RunForm
from .jobs import dataset_key, load_dataset, open_layer_job, take_snapshot
from .layer_box import LayerPassBox
from .plots import CurvePlots
from .results import ResultsPanel
from .session import BackgroundLoad, Failed, Finished, Loaded, Paused, Progress, Ready, TrainingSession, restarts_steps
from .texts import clock, fill

__all__ = ["TrainingView"]

REDRAW_MS = 33  # ~30 Hz
SIDE_WIDTH = 330
ERROR, NOTE = "#b03a2e", "#2d2d2d"


class TrainingView(QWidget):
    """``openInVisualizer(ConvArguments, label)``: a paused run's layer, for ``Document.show_arrays``."""

    openInVisualizer = Signal(object, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.session: TrainingSession | None = None
        self.loader: BackgroundLoad | None = None
        self.dataset, self.dataset_key = None, None
        self.state = "idle"  # idle, loading, preparing, running, pausing, paused, ended
        self.shown_epoch: int | None = None  # None: follow the run
        self.evaluations: dict[int, Evaluation] = {}
        self.last_batch: BatchRecord | None = None
        self._close_watch = WindowCloseWatch(self, self.shutdown)
        self._epoch = self._epochs = 0  # the last epoch reported, and the run's total
        self._nan_stop = False  # the run paused itself after a NaN: keep its message on show
        self._build()
        self._connect()
        self.pump = QTimer(self)
        self.pump.setInterval(REDRAW_MS)
        self.pump.timeout.connect(self._drain)
        self._show_state()

    # ------------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.form = RunForm()
        self.start_button, self.pause_button, self.stop_button = (QPushButton(self.tr(t)) for t in
                                                                  ("Start", "Pause", "Stop"))
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.speed = QLabel(" ")
        self.speed.setWordWrap(True)
        self.message = QLabel(self.tr("Choose the settings and press Start."))
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.save_button, self.open_button = QPushButton(self.tr("Save…")), QPushButton(self.tr("Open…"))
        self.layer_box = LayerPassBox()

        left = QVBoxLayout()
        left.addWidget(self.form)
        buttons = QHBoxLayout()
        for button in (self.start_button, self.pause_button, self.stop_button):
            buttons.addWidget(button)
        left.addLayout(buttons)
        left.addWidget(self.progress)
        left.addWidget(self.speed)
        checkpoints = QGroupBox(self.tr("Checkpoint (.npz)"))
        row = QHBoxLayout(checkpoints)
        row.setContentsMargins(6, 6, 6, 6)
        row.addWidget(self.save_button)
        row.addWidget(self.open_button)
        left.addWidget(checkpoints)
        left.addWidget(self.layer_box)
        left.addWidget(self.message)
        left.addStretch(1)
        side = QWidget()
        side.setLayout(left)
        side.setFixedWidth(SIDE_WIDTH)

        self.curves = CurvePlots()
        self.filters = FilterGrid()
        self.maps = FeatureMaps()
        self.image_index = QSpinBox()
        self.image_index.setRange(0, 0)
        self.image_index.setToolTip(self.tr("the test image for the feature maps and the saliency"))
        self.live_button = QPushButton(self.tr("Follow the run"))
        self.results = ResultsPanel()
        chooser = QHBoxLayout()
        chooser.addWidget(QLabel(self.tr("Test image")))
        chooser.addWidget(self.image_index)
        chooser.addWidget(self.live_button)
        chooser.addStretch(1)
        inside = QWidget()
        inside_layout = QVBoxLayout(inside)
        inside_layout.setContentsMargins(4, 4, 4, 4)
        inside_layout.addLayout(chooser)
        inside_layout.addWidget(self.filters)
        inside_layout.addWidget(self.maps, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(inside, self.tr("Filters and feature maps"))
        self.tabs.addTab(self.results, self.tr("Test results"))
        right = QSplitter(Qt.Vertical)
        right.addWidget(self.curves)
        right.addWidget(self.tabs)
        right.setStretchFactor(0, 2)
        right.setStretchFactor(1, 3)
        self.curves.setMinimumHeight(220)
        layout = QHBoxLayout(self)
        layout.addWidget(side)
        layout.addWidget(right, 1)

    def _connect(self) -> None:
        self.form.folderRequested.connect(self._choose_folder)
        self.form.lr.valueChanged.connect(self._lr_changed)
        self.start_button.clicked.connect(lambda: self.start())
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button.clicked.connect(self.stop)
        self.save_button.clicked.connect(self._save_dialog)
        self.open_button.clicked.connect(self._open_dialog)
        self.layer_box.openRequested.connect(self.open_layer)
        self.curves.epochClicked.connect(self.show_epoch)
        self.image_index.valueChanged.connect(lambda _: self._refresh_pictures())
        self.live_button.clicked.connect(lambda: self.show_epoch(None))

    # ------------------------------------------------------------------------------------------
    # Public API (the window and the tests drive the view through these, as the buttons do).

    @property
    def trainer(self) -> Trainer | None:
        """The run's trainer: read it only while paused or after the run (it belongs to its thread)."""
        return None if self.session is None else self.session.trainer

    def start(self, paused: bool = False) -> None:
        """A new run from the settings (the images loaded first if they are not already);
        ``paused``: wait before the first step (to look at the untrained network)."""
        if self.state not in ("idle", "ended"):
            return
        try:
            config = self.form.config()
        except TrainConfigError as error:
            return self.say(str(error), error=True)
        self._begin(config, checkpoint=None, running=not paused)

    def toggle_pause(self) -> None:
        if self.state == "running":
            self.session.pause()
            self.state = "pausing"
        elif self.state == "paused":
            self.session.resume()
            self.state, self._nan_stop = "running", False
            self.say(self.tr("Training."))
        self._show_state()

    def stop(self) -> None:
        """End the run (after the current step); its trainer stays for saving and looking."""
        if self.session is not None and self.session.alive:
            self.session.stop()
            self._drain()
            self.state = "ended"
            trainer = self.session.trainer
            self.say(fill(self.tr("Stopped after %1 steps."), trainer.step_count if trainer is not None else 0))
        self._show_state()

    def shutdown(self) -> None:
        """Stop the run and any load and wait for their threads (closing the window calls this)."""
        if self.loader is not None:
            self.loader.cancel()
        if self.session is not None:
            self.session.stop()
        self.pump.stop()

    def use_folder(self, path: str) -> None:
        """Make the folder at ``path`` the data source and load it in the background."""
        previous = self.form.data.currentIndex()
        self.form.set_folder(path)
        try:
            config = self.form.config()
        except TrainConfigError as error:
            return self.say(str(error), error=True)
        self.loader = BackgroundLoad(lambda progress: load_dataset(config, progress))
        self._loading = (config, previous)
        self.loader.start()
        self.state = "loading" if self.state in ("idle", "ended") else self.state
        self.say(fill(self.tr("Loading %1…"), path))
        self._show_state()
        self.pump.start()

    def save_checkpoint(self, path: str) -> None:
        if self.session is None or self.session.trainer is None:
            return self.say(self.tr("Nothing to save yet: start a run first."), error=True)
        self.session.submit(lambda trainer: str(trainer.save(path)),
                            lambda saved: self.say(fill(self.tr("Saved %1."), saved)),
                            lambda problem: self.say(problem, error=True))

    def open_checkpoint(self, path: str) -> None:
        """Continue the run saved at ``path``: into the paused run, or as a new run (paused)."""
        if self.state in ("running", "pausing", "preparing", "loading"):
            return self.say(self.tr("Pause the run before opening a checkpoint."), error=True)
        if self.state == "paused":
            @restarts_steps
            def load(trainer):
                trainer.load(path)
                return tuple(trainer.history), trainer.lr

            return self.session.submit(load, lambda loaded: self._loaded_checkpoint(path, *loaded),
                                       lambda problem: self.say(problem, error=True))
        try:
            checkpoint = read_checkpoint(path)
        except CheckpointError as error:
            return self.say(str(error), error=True)
        self.form.set_config(checkpoint.config)
        self._begin(checkpoint.config, checkpoint, running=False)

    def show_epoch(self, epoch: int | None) -> None:
        """Show the filters, feature maps and results as they were after ``epoch`` (None: follow)."""
        self.shown_epoch = epoch
        self.curves.mark_epoch(epoch)
        self.live_button.setEnabled(epoch is not None)
        if epoch is not None and epoch in self.evaluations:
            self._show_evaluation(self.evaluations[epoch], fill(self.tr("after epoch %1"), str(epoch)))
        self._refresh_pictures()

    def open_layer(self, layer_index: int, sample: int, channels: range, filters: range) -> None:
        if self.state != "paused":
            return self.say(self.tr("Pause the run to open a layer's backward pass."), error=True)
        self.session.submit(open_layer_job(layer_index, sample, channels, filters),
                            lambda result: self.openInVisualizer.emit(*result),
                            lambda problem: self.say(problem, error=True))

    def say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {ERROR if error else NOTE};")

    # ------------------------------------------------------------------------------------------
    def _begin(self, config, checkpoint, running: bool) -> None:
        dataset = self.dataset if self.dataset_key == dataset_key(config) else None

        def prepare(progress):
            data = dataset if dataset is not None else load_dataset(config, progress)
            trainer = Trainer(data, config)
            if checkpoint is not None:
                apply_checkpoint(checkpoint, trainer)
            return trainer

        if self.session is not None:
            self.session.stop()
        self.curves.clear()
        self.evaluations.clear()
        self.shown_epoch, self.last_batch = None, None
        self.session = TrainingSession(prepare)
        self.session.start(running=running)
        self.state = "preparing"
        self.say(self.tr("Preparing the run…") if checkpoint is None else
                 fill(self.tr("Opening %1…"), checkpoint.path))
        self._show_state()
        self.pump.start()

    def _loaded_checkpoint(self, path: str, history, lr: float) -> None:
        self.form.lr.blockSignals(True)  # the checkpoint's learning rate, shown (not sent back)
        self.form.lr.setValue(lr)
        self.form.lr.blockSignals(False)
        self.curves.clear()
        self.evaluations.clear()
        for record in history:
            self.curves.add_epoch(record, with_batches=True)
        self.say(fill(self.tr("Continuing from %1 (%2 epochs done)."), path, len(history)))
        self._refresh_pictures()

    def _choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("A folder with training_set/ and test_set/"))
        if path:
            self.use_folder(path)

    def _save_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save the run"), "model.npz", self.tr("Checkpoints (*.npz)"))
        if path:
            self.save_checkpoint(path if path.endswith(".npz") else path + ".npz")

    def _open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open a run"), "", self.tr("Checkpoints (*.npz)"))
        if path:
            self.open_checkpoint(path)

    def _lr_changed(self, lr: float) -> None:
        if self.state != "paused":
            return
        self.session.submit(lambda trainer: trainer.set_lr(lr),
                            lambda _: self.say(fill(self.tr("Learning rate %1 from the next step."), f"{lr:g}")),
                            lambda problem: self.say(problem, error=True))

    # ------------------------------------------------------------------------------------------
    # What comes back from the threads (on the timer).

    def _drain(self) -> None:
        # Whether the threads are alive is read first: a thread that ended before the queue was
        # read has posted everything, so the timer may stop once it is drained.
        loading = self.loader is not None and self.loader.alive
        training = self.session is not None and self.session.alive
        if self.loader is not None:
            for message in self.loader.messages():
                self._loader_message(message)
        if self.session is not None:
            for message in self.session.messages():
                self._session_message(message)
        self.curves.refresh()
        if not loading and not training:
            self.pump.stop()

    def _loader_message(self, message) -> None:
        if isinstance(message, Progress):
            self._show_progress(message)
        elif isinstance(message, Loaded):
            config, _ = self._loading
            self.dataset, self.dataset_key = message.value, dataset_key(config)
            skipped = message.value.skipped
            text = fill(self.tr("Loaded %1 training and %2 test images from %3."), len(message.value.train),
                        len(message.value.test), config.data)
            if skipped:
                names = ", ".join(s.path.rsplit("/", 1)[-1] for s in skipped[:3]) + (" …" if len(skipped) > 3 else "")
                text += " " + fill(self.tr("Skipped %1 files (%2)."), len(skipped), names)
            self._loader_done(text, error=False)
        elif isinstance(message, Failed):
            _, previous = self._loading
            index = self.form.data.currentIndex()
            self.form.data.setCurrentIndex(previous if previous != index else 0)
            self.form.data.removeItem(index)
            self._loader_done(message.message, error=True)

    def _loader_done(self, text: str, error: bool) -> None:
        self.say(text, error)
        if self.state == "loading":
            self.state = "idle"
        self.progress.setRange(0, 1)
        self.progress.setValue(0 if error else 1)
        self._show_state()

    def _session_message(self, message) -> None:
        if isinstance(message, BatchRecord):
            self.last_batch = message
            self.curves.add_batch(message)
            self._show_batch(message)
        elif isinstance(message, EpochRecord):
            self.curves.add_epoch(message)
            self.speed.setText(fill(self.tr("epoch %1: train accuracy %2, test accuracy %3"), message.epoch,
                                    f"{message.train_accuracy:.3f}", f"{message.test_accuracy:.3f}"))
            self._epoch = message.epoch
            if self.shown_epoch is None:
                self._refresh_pictures()
        elif isinstance(message, Evaluation):
            self.evaluations[self._epoch] = message
            if self.shown_epoch is None:
                self._show_evaluation(message, fill(self.tr("after epoch %1"), str(self._epoch)))
        elif isinstance(message, Progress):
            self._show_progress(message)
        elif isinstance(message, Ready):
            self._ready(message)
        elif isinstance(message, Stopped):
            self._nan_stop = True
            self.say(message.message, error=True)
        elif isinstance(message, Paused):
            self.state = "paused"
            if not self._nan_stop:
                self.say(fill(self.tr("Paused after %1 steps: change the learning rate, open a layer in the "
                                      "visualizer, save, or resume."), message.step))
            self._refresh_pictures()
            self.session.submit(lambda trainer: trainer.evaluate("test"),
                                lambda evaluation: self._show_evaluation(evaluation, self.tr("now (paused)")))
        elif isinstance(message, Finished):
            self.state = "ended"
            self.say(fill(self.tr("Finished: %1 epochs."), str(message.epochs_done)))
        elif isinstance(message, Failed):
            self.state = "ended"
            self.say(message.message, error=True)
        self._show_state()

    def _ready(self, ready: Ready) -> None:
        self.dataset, self.dataset_key = ready.dataset, dataset_key(ready.config)
        self.state = "running" if self.state == "preparing" else self.state
        self.layer_box.set_layers(ready.conv_layers, ready.config.batch_size)
        self.curves.set_epochs(ready.config.epochs)
        self.image_index.setMaximum(len(ready.dataset.test) - 1)
        for record in ready.history:
            self.curves.add_epoch(record, with_batches=True)
        self._epoch, self._epochs = len(ready.history), ready.config.epochs
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        if self.state == "running":
            self.say(fill(self.tr("Training on %1 images (%2 per batch)."), len(ready.dataset.train),
                          ready.config.batch_size))
        self._refresh_pictures()

    def _show_progress(self, message: Progress) -> None:
        self.progress.setRange(0, max(message.total, 0))
        self.progress.setValue(message.done)
        self.speed.setText(message.text)

    def _show_batch(self, record: BatchRecord) -> None:
        epochs = self._epochs
        done = (record.epoch - 1) * record.total + record.seen
        self.progress.setRange(0, 1000)
        self.progress.setValue(int(1000 * done / max(epochs * record.total, 1)))
        self.speed.setText(fill(self.tr("epoch %1/%2 · batch %3/%4 · %5 images/s · %6 left · loss %7"), record.epoch,
                                epochs, record.batch + 1, record.batches, f"{record.images_per_second:.0f}",
                                clock(record.seconds_left), f"{record.loss:.3f}"))

    def _refresh_pictures(self) -> None:
        """Ask the run for a snapshot of what the pictures should show now."""
        if self.session is None or self.dataset is None or self.state in ("preparing",):
            return
        epoch, index = self.shown_epoch, self.image_index.value()
        self.session.submit(lambda trainer: take_snapshot(trainer, epoch, index), self._show_snapshot,
                            lambda problem: self.say(problem, error=True))

    def _show_snapshot(self, snapshot) -> None:
        if snapshot.epoch != self.shown_epoch or snapshot.image_index != self.image_index.value():
            return  # an answer to an older question
        image = self.dataset.test.images[snapshot.image_index]
        truth = self.tr("cat") if self.dataset.test.labels[snapshot.image_index] > 0.5 else self.tr("dog")
        answer = fill(self.tr("P(cat) = %1, it is a %2"), f"{snapshot.probability:.3f}", truth)
        self.filters.show_weight(snapshot.first_weight, snapshot.when)
        self.maps.show_maps(image, list(snapshot.maps), snapshot.image_index, snapshot.when, answer)
        self.results.saliency.show_saliency(image, snapshot.gradient, snapshot.image_index, snapshot.when)

    def _show_evaluation(self, evaluation: Evaluation, when: str) -> None:
        if self.dataset is not None:
            self.results.show_evaluation(evaluation, self.dataset.test.images, when)

    def _show_state(self) -> None:
        state = self.state
        idle = state in ("idle", "ended")
        self.start_button.setEnabled(idle)
        self.pause_button.setEnabled(state in ("running", "paused"))
        self.pause_button.setText(self.tr("Resume") if state == "paused" else self.tr("Pause"))
        self.stop_button.setEnabled(state in ("preparing", "running", "pausing", "paused"))
        self.form.set_editable(settings=idle, lr=idle or state == "paused")
        has_run = self.session is not None and self.session.trainer is not None
        self.save_button.setEnabled(has_run and state in ("running", "paused", "ended"))
        self.open_button.setEnabled(state in ("idle", "ended", "paused"))
        self.layer_box.set_ready(state == "paused")
        self.live_button.setEnabled(self.shown_epoch is not None)
