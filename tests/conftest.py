"""Shared test setup: offscreen Qt, hypothesis profiles and torch as the reference."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# OpenBLAS threads that spin after a NumPy call slow the next torch call; tests do not need it.
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "default", deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci", deadline=None, max_examples=60, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.fixture(scope="module")
def one_torch_thread():
    """The reference runs on tiny tensors, where torch's thread pool only adds wake-up latency (50x
    more when the two cores are busy): run it single-threaded, and restore the setting after.

    Opt in per module: ``pytestmark = pytest.mark.usefixtures("one_torch_thread")``.
    """
    import torch  # here, so that a test file without torch does not pay for importing it

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# ----------------------------------------------------------------------------------------------
# Qt objects die at the end of their test

@pytest.fixture(autouse=True)
def qt_objects_destroyed_now(request):
    """After a Qt test, destroy what it closed, now: the widgets ``deleteLater()`` was called on
    (pytest-qt's and ``make_window``'s; without an event loop running, Qt would only delete them
    inside some later test's wait), then the Python cycles that still hold windows. Otherwise the
    garbage collector destroys whole pyqtgraph windows at whatever allocation it happens to run
    in, in a later test: the suite crashed in teardown now and then, and once hung a new window's
    constructor inside a signal disconnect."""
    yield
    if not {"qtbot", "qapp"} & set(request.fixturenames):
        return
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    gc.collect()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)  # what the collection let go


# ----------------------------------------------------------------------------------------------
# The window (tests/test_app_*.py)

APP_THREAD_PREFIXES = ("convviz-build", "convviz-torch", "convviz-train", "convviz-load")


def _app_threads() -> list[str]:
    import threading

    return [t.name for t in threading.enumerate() if t.name.startswith(APP_THREAD_PREFIXES)]


@pytest.fixture
def no_threads_left(qapp):
    """After the test (and after every window it made is closed): no build or torch-check thread
    alive, and no active timer or running QThread under the application's widgets."""
    yield
    from PySide6.QtCore import QThread, QTimer

    qapp.processEvents()
    assert _app_threads() == [], f"threads left running: {_app_threads()}"
    for widget in qapp.topLevelWidgets():
        running = [t for t in widget.findChildren(QThread) if t.isRunning()]
        assert running == [], f"QThreads left running under {widget!r}: {running}"
        player = getattr(widget, "player", None)
        if player is not None:  # a convviz window: closed, its timers stopped
            assert not player.playing, "the player's timer is still running"
            active = [t for t in widget.findChildren(QTimer) if t.isActive()]
            assert active == [], f"timers still active under {widget!r}: {[t.parent() for t in active]}"


@pytest.fixture
def app_settings_file(tmp_path):
    """The ini file the test's windows keep their settings in (never the user's own)."""
    from PySide6.QtCore import QStandardPaths

    QStandardPaths.setTestModeEnabled(True)
    return tmp_path / "s.ini"


@pytest.fixture
def make_window(qtbot, app_settings_file, no_threads_left):
    """``make_window(spec=None, settings_file=None, check_with_torch=True, build=True)``: a MainWindow
    on a QSettings ini in tmp_path (``spec``, when given, stored there first so the window starts
    from it), built synchronously (``document.build_now()``) so tests need no waiting. Every
    window made is closed at the end (close() runs the window's own shutdown)."""
    from PySide6.QtCore import QSettings

    from convviz.qt.main_window import MainWindow
    from convviz.qt.settings import Settings

    windows = []

    def make(spec=None, settings_file=None, check_with_torch=True, build=True):
        store = QSettings(str(settings_file or app_settings_file), QSettings.IniFormat)
        settings = Settings(store)
        if spec is not None:
            settings.set_spec(spec)
        window = MainWindow(settings=settings, check_with_torch=check_with_torch)
        windows.append(window)
        window.show()
        if build:
            window.document.build_now()
        return window

    yield make
    for window in windows:
        window.close()
        window.deleteLater()


@pytest.fixture
def window(make_window):
    """A window on a small picture (12 pixels) with the default 3×3 Sobel x kernel, built."""
    from convviz.state.spec import ConvSpec

    return make_window(ConvSpec(size=12))
