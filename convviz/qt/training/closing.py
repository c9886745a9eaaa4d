"""Stopping a widget's work when its window closes.

A page inside a QMainWindow gets no closeEvent of its own, so the Training view watches the
top-level window it is shown in (found anew each time it is shown: it may have been reparented).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject

__all__ = ["WindowCloseWatch"]


class WindowCloseWatch(QObject):
    """Calls ``on_close()`` when the window ``widget`` is shown in is closed."""

    def __init__(self, widget, on_close):
        super().__init__(widget)
        self.widget, self.on_close, self.window = widget, on_close, None
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.widget and event.type() == QEvent.Show:
            window = self.widget.window()
            if window is not self.window:
                if self.window is not None:
                    self.window.removeEventFilter(self)
                window.installEventFilter(self)
                self.window = window
        elif watched is self.window and event.type() == QEvent.Close:
            self.on_close()
        return False
