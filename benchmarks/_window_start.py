"""Started by bench_window.py in a fresh interpreter: the window through the real door
(``convviz.cli.main([])``, what ``python main.py`` runs), with an application-wide event filter that
notes when the main window is shown, when its first paint is done, and when it first paints the
built picture; then it prints the marks as one JSON line after "MARKS " and closes the window.

Each mark is (wall seconds since launch, CPU seconds of this process, all threads). The wall time is
``perf_counter()`` (CLOCK_MONOTONIC on Linux, one clock for all processes) minus the parent's stamp
in CONVVIZ_BENCH_LAUNCH, taken just before it started this process, so the interpreter's own start
is included. Not a module to import.
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # this checkout

launch, marks = float(os.environ["CONVVIZ_BENCH_LAUNCH"]), {}


def mark(name):
    if name not in marks:
        marks[name] = (round(time.perf_counter() - launch, 4), round(time.process_time(), 4))


from PySide6.QtCore import QEvent, QObject, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

app = QApplication(["convviz"])
mark("PySide6 imported, QApplication made")


class FirstPaints(QObject):
    def eventFilter(self, obj, event):
        kind = event.type()
        if kind in (QEvent.Show, QEvent.Paint) and obj.isWidgetType():
            window = obj.window()
            document = getattr(window, "document", None)
            if document is not None:  # the main window, not a menu or a tooltip
                if kind == QEvent.Show:
                    mark("main window shown")
                else:
                    picture = obj is window.scene.viewport() and document.built is not None
                    QTimer.singleShot(0, lambda: self.painted(window, picture))
        return False

    def painted(self, window, picture):
        mark("first paint of the main window")
        if picture and "first paint of the built picture" not in marks:
            mark("first paint of the built picture")
            print("MARKS " + json.dumps(marks), flush=True)
            window.close()
            app.quit()


watcher = FirstPaints()
app.installEventFilter(watcher)
QTimer.singleShot(60000, app.quit)  # never hang the benchmark
from convviz.cli import main  # noqa: E402

sys.exit(main([]))
