"""The window's door: ``python main.py [IMAGE] [--screenshot OUT.png]``.

``--screenshot`` opens the same window, builds the trace on the spot, shows a frame in the middle
of the forward pass, saves the window as a PNG and exits; it neither reads nor writes the user's
settings, so the same command gives the same picture. An IMAGE that cannot be used still gives the
window (of the default picture, the message in its status bar) and the message on stderr.
"""

from __future__ import annotations

import os
import sys


def _use_offscreen_without_display() -> None:
    """A screenshot on a machine with no display still works: Qt draws offscreen."""
    if sys.platform.startswith("linux") and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def interesting_frame(trace) -> int:
    """A frame worth a screenshot: halfway through the slide phase (or the middle of the trace)."""
    try:
        phase = trace.phase("slide")
    except KeyError:
        return len(trace) // 2
    return phase.first + phase.count // 2


def freeze_what_start_made() -> None:
    """Move every object made so far out of the garbage collector's full passes.

    By the first comparison with torch the process holds the window, pyqtgraph and torch's
    modules: hundreds of thousands of objects that live as long as the app. A full pass walks
    them all, and stopped the window for up to 140 ms at random moments (a parameter change or a
    frame would take that much longer). Frozen, they are never walked again; what the user does
    afterwards is collected as usual (a start-up object that later becomes cyclic garbage stays:
    a bounded leak, for a pause-free window). Only for the app's own process: in a test session the
    windows of earlier tests, held in reference cycles, would never be collected.
    """
    import gc

    gc.collect()
    gc.freeze()


def run_app(image: str | None = None, screenshot: str | None = None, size: tuple[int, int] | None = None,
            spec_changes: dict | None = None) -> int:
    if screenshot:
        _use_offscreen_without_display()
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from .qt.i18n import install_for
    from .qt.main_window import MainWindow
    from .qt.settings import Settings
    from .scene.conv_scene import settle_layout

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("convviz")
    app.setOrganizationName("convviz")
    # A screenshot's store is a throwaway: it neither depends on nor changes the user's settings.
    settings = Settings(QSettings(os.devnull, QSettings.IniFormat)) if screenshot else Settings()
    install_for(settings)  # the interface's language, before any widget takes its texts
    window = MainWindow(settings=settings, check_with_torch=True)
    if not screenshot:
        # The first paint comes first; torch's import (for the badge) after it.
        window.document.builder.hold_checks()
        QTimer.singleShot(1500, window.document.builder.release_checks)
        # Once torch is in (its first comparison has arrived), what start made is frozen.
        def first_check(_check) -> None:
            window.document.torchChecked.disconnect(first_check)
            freeze_what_start_made()
        window.document.torchChecked.connect(first_check)
    status = 0
    if image:
        if not window.open_path(image):
            message = window.status.text()
            print(f"convviz: {message}", file=sys.stderr)
    if spec_changes:
        import dataclasses
        window.document.propose(dataclasses.replace(window.document.spec, **spec_changes))
    if size:
        window.resize(*size)
    window.show()
    if not screenshot:
        return app.exec()
    built = window.document.build_now()
    if built is not None:
        window.player.seek(interesting_frame(built.trace))
    settle_layout()
    if not window.grab().save(screenshot, "PNG"):
        print(f"convviz: cannot write the screenshot to {screenshot!r}", file=sys.stderr)
        status = 1
    window.close()
    app.processEvents()
    return status
