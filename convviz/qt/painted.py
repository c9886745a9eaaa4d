"""Telling the builder that the build on show has been painted.

The comparison with torch for a build waits for this (``TraceBuilder.wait_for_paint``): torch's
work on the second core would otherwise share the machine with the drawing of the very picture it
checks, the slowest part of a parameter change.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer

__all__ = ["PaintReporter"]


class PaintReporter(QObject):
    """Watches the viewports of ``window``'s scenes; after the first paint of each new build of
    ``window.document`` it calls ``builder.painted(generation)``."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.reported = 0  # the newest generation reported painted

    def watch(self, scene) -> None:
        scene.viewport().installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Paint and watched is self.window.scene.viewport():
            built = self.window.document.built
            if built is not None and built.generation > self.reported:
                self.reported = generation = built.generation
                # The filter sees the paint before it happens: report once it is done.
                QTimer.singleShot(0, self, lambda: self.window.document.builder.painted(generation))
        return False
