"""File > Export animation… and File > Export picture…

The dialog exports the build on screen: a phase (or the whole trace) sets the frame range, which
starts as the phase the player is in; frames per second start at the player's speed; the size,
the caption line and the file (GIF, MP4, or a folder of PNGs, by its name) are the user's. The
export itself is ``convviz.export.animation.export_animation``, drawn by a ConvScene of its own
with the window's badge, behind a QProgressDialog whose Cancel leaves no file behind. "Export
picture" saves the scene exactly as it is on screen as a PNG.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from convviz.export.animation import export_animation
from convviz.export.options import MAX_FPS, MAX_SIZE, MIN_SIZE
from convviz.export.writers import ExportCancelled, ExportError, check_output

from ..scene.palette import MUTED, STALE
from ..scene.scenes import scene_class

WHOLE = "whole"
FORMAT_TEXT = {"gif": "GIF: one palette, loops, for slides and web pages",
               "mp4": "MP4: H.264, plays in browsers and presentation software",
               "png": "numbered PNGs in this folder (frame_0001.png, ...)"}
DEFAULT_SIZE = (960, 720)


def tr(text: str) -> str:
    # pyside6-lupdate files a free function's tr("...") under the empty context.
    return QCoreApplication.translate("", text)


class ExportDialog(QDialog):
    """Export frames of ``window.document.built``. ``exported`` carries the ExportResult;
    ``frameWritten(done, total)`` fires after each frame (the progress dialog moves with it)."""

    exported = Signal(object)
    frameWritten = Signal(int, int)

    def __init__(self, window, parent: QWidget | None = None):
        super().__init__(parent or window)
        self.setWindowTitle(tr("Export animation"))
        self.window_ = window
        self.built = window.document.built
        self.badge = window.scene.badge
        self.progress: QProgressDialog | None = None
        self.result = None
        trace = self.built.trace
        titles = scene_class(self.built.operation).PHASE_TITLES

        self.phase = QComboBox()
        for phase in trace.phases:
            self.phase.addItem(tr("%1 (frames %2–%3)").replace("%1", tr(titles.get(phase.name, phase.name)))
                               .replace("%2", str(phase.first + 1)).replace("%3", str(phase.last + 1)), phase.name)
        self.phase.addItem(tr("the whole trace (frames 1–%1)").replace("%1", str(len(trace))), WHOLE)
        self.first, self.last = QSpinBox(), QSpinBox()
        for spin in (self.first, self.last):
            spin.setRange(1, len(trace))
        self.fps = QDoubleSpinBox()
        self.fps.setRange(0.5, MAX_FPS)
        self.fps.setDecimals(1)
        self.fps.setValue(min(max(window.player.speed, 0.5), MAX_FPS))
        self.width_, self.height_ = QSpinBox(), QSpinBox()
        self.width_.setRange(MIN_SIZE[0], MAX_SIZE[0])
        self.height_.setRange(MIN_SIZE[1], MAX_SIZE[1])
        self.width_.setValue(DEFAULT_SIZE[0])
        self.height_.setValue(DEFAULT_SIZE[1])
        self.caption = QCheckBox(tr("a line with the parameters under the picture"))
        self.caption.setChecked(True)
        self.path = QLineEdit(str(Path.home() / "convolution.gif"))
        browse, folder = QPushButton(tr("File…")), QPushButton(tr("PNG folder…"))
        browse.clicked.connect(self._choose_file)
        folder.clicked.connect(self._choose_folder)
        self.format_label = QLabel()
        self.format_label.setWordWrap(True)

        form = QFormLayout()
        form.addRow(tr("Frames of"), self.phase)
        form.addRow(tr("From frame"), self._row(self.first, QLabel(tr("to")), self.last))
        form.addRow(tr("Frames per second"), self.fps)
        form.addRow(tr("Size (pixels)"), self._row(self.width_, QLabel("×"), self.height_))
        form.addRow(tr("Caption"), self.caption)
        form.addRow(tr("Save as"), self._row(self.path, browse, folder))
        form.addRow("", self.format_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        self.export_button = self.buttons.addButton(tr("Export"), QDialogButtonBox.AcceptRole)
        self.buttons.accepted.connect(self.start_export)
        self.buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(self.buttons)

        self.phase.currentIndexChanged.connect(self._phase_chosen)
        for signal in (self.path.textChanged, self.fps.valueChanged, self.width_.valueChanged,
                       self.height_.valueChanged, self.first.valueChanged, self.last.valueChanged):
            signal.connect(self._check)
        current = trace.phase_at(min(window.player.frame, len(trace) - 1)).name
        self.phase.setCurrentIndex(self.phase.findData(current))
        self._phase_chosen()

    @staticmethod
    def _row(*widgets) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in widgets:
            layout.addWidget(widget)
        return row

    # ------------------------------------------------------------------------------------------
    def _phase_chosen(self) -> None:
        name = self.phase.currentData()
        trace = self.built.trace
        first, last = (0, len(trace) - 1) if name == WHOLE else (trace.phase(name).first, trace.phase(name).last)
        self.first.setValue(first + 1)
        self.last.setValue(last + 1)
        self._check()

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("Export animation"), self.path.text(),
                                              tr("GIF animation (*.gif);;MP4 video (*.mp4)"))
        if path:
            self.path.setText(path)

    def _choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, tr("Folder for the PNGs"), str(Path(self.path.text()).parent))
        if path:
            self.path.setText(path.rstrip("/") + "/")

    def problem(self) -> str:
        """Why the export cannot start as set (empty if it can)."""
        if not self.path.text().strip():
            return tr("choose where to save it")
        if self.first.value() > self.last.value():
            return tr("the first frame comes after the last")
        try:
            check_output(self.path.text(), self.width_.value(), self.height_.value(), self.fps.value())
        except ExportError as error:
            return str(error)
        return ""

    def _check(self) -> str:
        problem = self.problem()
        if problem:
            self.format_label.setText(problem)
            self.format_label.setStyleSheet(f"color: {STALE};")
        else:
            kind = check_output(self.path.text(), self.width_.value(), self.height_.value(), self.fps.value())
            count = self.last.value() - self.first.value() + 1
            self.format_label.setText(tr("%1; %2 frames, %3 s").replace("%1", tr(FORMAT_TEXT[kind]))
                                      .replace("%2", str(count)).replace("%3", f"{count / self.fps.value():.1f}"))
            self.format_label.setStyleSheet(f"color: {MUTED};")
        self.export_button.setEnabled(not problem)
        return problem

    # ------------------------------------------------------------------------------------------
    def frames(self) -> range:
        return range(self.first.value() - 1, self.last.value())

    def start_export(self):
        """Export as set, behind a cancellable progress dialog; closes the dialog when done, stays
        open with the reason when the export failed or was cancelled. Returns the ExportResult
        (None if it did not finish)."""
        if self._check():
            return None
        frames = self.frames()
        self.progress = QProgressDialog(tr("Rendering the frames…"), tr("Cancel"), 0, len(frames), self)
        self.progress.setWindowTitle(tr("Export animation"))
        self.progress.setWindowModality(Qt.WindowModal)
        self.progress.setMinimumDuration(0)
        self.progress.setAutoClose(False)
        self.progress.setValue(0)

        def progress(done: int, total: int) -> bool:
            self.progress.setValue(done)  # a modal progress dialog handles the Cancel click here
            self.frameWritten.emit(done, total)
            return not self.progress.wasCanceled()

        path = self.path.text().strip()
        try:
            self.result = export_animation(self.built, path, frames, fps=self.fps.value(),
                                           size=(self.width_.value(), self.height_.value()),
                                           caption=self.caption.isChecked(), progress=progress, badge=self.badge)
        except ExportCancelled:
            self._say(tr("Cancelled: nothing was written."))
            return None
        except (ExportError, ValueError, OSError) as error:
            self._say(str(error))
            return None
        finally:
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None
        self.window_.show_message(tr("Exported %1 (%2 frames, %3 KB)").replace("%1", str(self.result.path))
                                  .replace("%2", str(self.result.frames)).replace("%3", f"{self.result.bytes / 1024:.0f}"))
        self.exported.emit(self.result)
        self.accept()
        return self.result

    def _say(self, text: str) -> None:
        self.format_label.setText(text)
        self.format_label.setStyleSheet(f"color: {STALE};")
        self.window_.show_message(text, error=True)


def export_animation_dialog(window) -> ExportDialog | None:
    """File > Export animation…: the dialog for the build on screen (None, with a message, if the
    window has nothing built yet)."""
    if window.document.built is None:
        window.show_message(tr("Nothing to export yet: the parameters cannot run"), error=True)
        return None
    dialog = ExportDialog(window)
    dialog.setAttribute(Qt.WA_DeleteOnClose)  # a new dialog each time, for the build then on screen
    dialog.open()
    return dialog


def save_picture(window, path) -> Path:
    """The scene as it is on screen, saved as a PNG at ``path`` (written next to it first, then
    renamed, so a failure leaves no half file). ExportError if it cannot be written."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        path = path.with_name(path.name + ".png")
    image = window.scene.render_image()
    handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".part.png", dir=path.parent)
    os.close(handle)
    os.chmod(temporary, 0o644)  # mkstemp makes it private; a saved picture is an ordinary file
    try:
        if not image.save(temporary, "PNG"):
            raise ExportError(f"cannot write {str(path)!r}")
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return path


def export_picture(window, path=None) -> Path | None:
    """File > Export picture…: ask where (unless ``path`` is given) and save the current frame."""
    if path is None:
        path, _ = QFileDialog.getSaveFileName(window, tr("Export picture"), str(Path.home() / "frame.png"),
                                              tr("PNG image (*.png)"))
        if not path:
            return None
    try:
        saved = save_picture(window, path)
    except (ExportError, OSError) as error:
        window.show_message(str(error), error=True)
        return None
    window.show_message(tr("Saved %1").replace("%1", str(saved)))
    return saved
