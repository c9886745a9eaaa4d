"""The window's model: the current spec, its undo history, the picture, and the latest good trace.

Views never change numbers: a control asks the document for a new spec (``propose``); the
document records it on the undo stack, tells every view (``specChanged``), finds its problems with
the engine's own checks, and either builds it off the GUI thread or marks the picture on screen as
not current. The last good build stays on screen until a newer one is ready.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from convviz.data.picture import Picture, PictureError, load_picture, load_sample, sample_names, working_image
from convviz.state.build import Problem, problems
from convviz.state.spec import ConvSpec

from .builder import Built, TraceBuilder

SAMPLE_PREFIX = "sample:"


def describe_change(old: ConvSpec, new: ConvSpec) -> str:
    """'stride', 'kernel values', ...: the undo menu's text for a change."""
    changed = [f.name for f in dataclasses.fields(ConvSpec) if getattr(old, f.name) != getattr(new, f.name)]
    names = {"weight_edits": "kernel values", "presets": "kernel preset", "out_channels": "filters",
             "grad_output": "grad_output", "bias_value": "bias value"}
    return ", ".join(names.get(name, name.replace("_", " ")) for name in changed) or "nothing"


class SpecCommand(QUndoCommand):
    """One edit: from one spec to the next. Edits of the same fields less than MERGE_SECONDS apart
    merge (holding a spin box's arrow through five values is one undo step); typed kernel values
    merge only for the same cell."""

    MERGE_SECONDS = 1.0

    def __init__(self, document: Document, old: ConvSpec, new: ConvSpec, clock=time.monotonic):
        # Context "Document" spelled out: lupdate reads document.tr as context "document". The
        # field names are translated for the menu only (merging compares the English ones).
        names = ", ".join(QCoreApplication.translate("Document", n) for n in describe_change(old, new).split(", "))
        super().__init__(QCoreApplication.translate("Document", "Change %1").replace("%1", names))
        self.document, self.old, self.new = document, old, new
        self._fields = describe_change(old, new)
        before = dict(old.weight_edits)
        self._cells = {key for key, value in new.weight_edits if before.get(key) != value}
        self._time = clock()

    def id(self) -> int:
        return 1

    def mergeWith(self, other) -> bool:
        if (not isinstance(other, SpecCommand) or other._fields != self._fields or "image" in self._fields
                or other._time - self._time > self.MERGE_SECONDS or other._cells != self._cells):
            return False
        self.new, self._time = other.new, other._time
        return True

    def redo(self) -> None:
        self.document._show_spec(self.new)

    def undo(self) -> None:
        self.document._show_spec(self.old)


class Document(QObject):
    specChanged = Signal(object)        # ConvSpec, the one the controls show
    problemsChanged = Signal(object)    # list[Problem]; empty when the spec can run
    builtChanged = Signal(object)       # Built: a new trace to show
    staleChanged = Signal(bool)         # True while the picture on screen is not the spec's
    message = Signal(str)               # for the status bar
    torchChecked = Signal(object)       # TorchCheck of the build on screen
    pictureChanged = Signal(object)     # Picture

    def __init__(self, spec: ConvSpec | None = None, parent=None, check_with_torch: bool = True):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.builder = TraceBuilder(self, check_with_torch=check_with_torch)
        self.builder.built.connect(self._on_built)
        self.builder.failed.connect(self._on_failed)
        self.builder.checked.connect(self._on_checked)
        self.spec = ConvSpec()
        self.built: Built | None = None
        self.problems: list[Problem] = []
        self.stale = True
        self._pictures: dict[str, Picture] = {}
        self.picture = self._picture(self.spec.image)
        if spec is not None:
            self.restore(spec)

    # ------------------------------------------------------------------------------------------
    # Pictures

    def _picture(self, source: str) -> Picture:
        """The picture named by a spec (cached); raises PictureError."""
        if source not in self._pictures:
            if source.startswith(SAMPLE_PREFIX):
                self._pictures[source] = load_sample(source[len(SAMPLE_PREFIX):])
            else:
                self._pictures[source] = load_picture(source)
        return self._pictures[source]

    def check_picture(self, source: str) -> None:
        """Load (and cache) the picture ``source`` names; raises PictureError when it cannot."""
        self._picture(source)

    def working_image(self, spec: ConvSpec | None = None) -> np.ndarray:
        spec = spec or self.spec
        return working_image(self._picture(spec.image), spec.size, spec.channels)

    def open_image(self, path: str) -> bool:
        """Use the image file at ``path``; on failure say why and keep the current image."""
        try:
            picture = load_picture(path)
        except PictureError as error:
            self.message.emit(str(error))
            return False
        self._pictures[path] = picture
        self.propose(dataclasses.replace(self.spec, image=path))
        return True

    def open_sample(self, name: str) -> None:
        self.propose(dataclasses.replace(self.spec, image=SAMPLE_PREFIX + name))

    # ------------------------------------------------------------------------------------------
    # Specs

    def propose(self, spec: ConvSpec) -> None:
        """A control's new value: recorded for undo, shown, and built if it can run."""
        if spec == self.spec:
            return
        self.undo_stack.push(SpecCommand(self, self.spec, spec))

    def restore(self, spec: ConvSpec) -> None:
        """Start from ``spec`` (the settings of the last run) without an undo step; a picture that
        is gone falls back to the default sample, with a message."""
        try:
            self._picture(spec.image)
        except PictureError as error:
            self.message.emit(f"{error}; showing the built-in sample instead")
            spec = dataclasses.replace(spec, image=ConvSpec().image)
        self._show_spec(spec)

    def _show_spec(self, spec: ConvSpec) -> None:
        changed = [f.name for f in dataclasses.fields(ConvSpec) if getattr(spec, f.name) != getattr(self.spec, f.name)]
        self.spec = spec
        self.picture = self._picture(spec.image)
        self.pictureChanged.emit(self.picture)
        self.specChanged.emit(spec)
        image = self.working_image(spec)
        self.problems = problems(spec, image.shape[1], image.shape[2], changed)
        self.problemsChanged.emit(self.problems)
        self._set_stale(True)
        if not self.problems:
            self.builder.request(spec, image)

    def show_arrays(self, args, label: str, now: bool = False) -> Built | None:
        """Show a convolution given as arrays (``ConvArguments``; a training run's layer, say)
        instead of the spec's. ``label`` says where the arrays come from and stays on screen; the
        next edit of a control goes back to the spec. ``now`` builds on this thread."""
        self._set_stale(True)
        if now:
            result = self.builder.build_now(self.spec, args=args, label=label)
            self._on_built(result)
            return result
        self.builder.request(self.spec, args=args, label=label)
        return None

    def build_now(self) -> Built | None:
        """Build the current spec on this thread and show it (``--screenshot`` and tests)."""
        if self.problems:
            return None
        result = self.builder.build_now(self.spec, self.working_image())
        self._on_built(result)
        if self.builder.check_with_torch:
            self._on_checked(result.generation, self.builder.check(result))
        return result

    def _set_stale(self, stale: bool) -> None:
        if stale != self.stale:
            self.stale = stale
            self.staleChanged.emit(stale)

    def _on_built(self, result: Built) -> None:
        if result.generation != self.builder.latest:
            return  # a newer spec is on its way
        self.built = result
        self.builtChanged.emit(result)
        self._set_stale(False)

    def _on_failed(self, generation: int, message: str) -> None:
        if generation == self.builder.latest:
            self.problems = [Problem("spec", message)]
            self.problemsChanged.emit(self.problems)

    def _on_checked(self, generation: int, outcome) -> None:
        if self.built is not None and generation == self.built.generation:
            self.torchChecked.emit(outcome)

    def shutdown(self) -> None:
        self.builder.shutdown()


__all__ = ["Document", "SpecCommand", "describe_change", "sample_names", "SAMPLE_PREFIX"]
