"""Nothing bad gets through and nothing is lost: an invalid combination is explained next to its
control while the last good picture stays, marked not current; a bad file gives a message and the
current image stays; a build that fails says why; closing while a build runs is clean."""

from __future__ import annotations

import dataclasses
import struct
import threading
import zlib

import cv2
import numpy as np
import pytest
from app_helpers import grid_planes, rebuild
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

import convviz.qt.builder as builder_module
from convviz.state.spec import ConvSpec

pytestmark = pytest.mark.usefixtures("no_threads_left")

BASE = ConvSpec(size=8)
# The function the background builder makes a trace with (the tests hold or break it there).
TRACE_MAKER = "make_built"


def visible_errors(window) -> dict[str, str]:
    return {field: label.text() for field, label in window.controls.errors.items() if label.isVisible()}


def assert_stale_but_kept(window, built, picture) -> None:
    """The last good build is still on screen, unchanged, and marked as not current."""
    assert window.document.built is built
    assert window.document.stale
    assert window.scene.shows_not_current()
    np.testing.assert_array_equal(grid_planes(window, "output"), picture)


def assert_current(window) -> None:
    rebuild(window)
    assert visible_errors(window) == {}
    assert not window.document.stale and not window.scene.shows_not_current()


INVALID = {
    # name: (start spec, the change, the field whose message shows, words the message must have)
    "groups not dividing": (
        ConvSpec(size=8, channels=3, out_channels=2, presets=("box", "box")),
        lambda c: c.groups.setValue(2), lambda c: c.groups.setValue(1), "groups",
        ["groups must divide", "3 input channels", "2 filters", "it can be 1"]),
    "groups with two choices": (
        ConvSpec(size=8, channels=3, out_channels=3, presets=("box",) * 3),
        lambda c: c.groups.setValue(2), lambda c: c.groups.setValue(3), "groups", ["it can be 1, 3"]),
    "kernel too big": (
        BASE, lambda c: c.kernel_h.setValue(15), lambda c: c.kernel_h.setValue(9), "kernel_size",
        ["does not fit", "floor((8 + 1 + 1 - 1·(15 - 1) - 1) / 1) + 1 = -4"]),
    "same with stride 2": (
        dataclasses.replace(BASE, padding="same"), lambda c: c.stride_h.setValue(2),
        lambda c: c.stride_h.setValue(1), "padding", ["same", "stride=(2, 1)"]),
    "reflect padding too large": (
        dataclasses.replace(BASE, padding=(8, 1)),
        lambda c: c.padding_mode.setCurrentIndex(c.padding_mode.findData("reflect")),
        lambda c: c.pad_h.setValue(7), "padding", ["reflect padding of 8", "greater than the padding"]),
}


@pytest.mark.parametrize("case", list(INVALID))
def test_an_invalid_combination_is_explained_and_the_last_picture_stays_marked_stale(make_window, case):
    start, break_it, fix_it, field, words = INVALID[case]
    window = make_window(start)
    window.player.end()
    built, picture = window.document.built, grid_planes(window, "output").copy()
    break_it(window.controls)
    errors = visible_errors(window)
    assert list(errors) == [field], errors
    for word in words:
        assert word in errors[field]
    assert window.document.problems and window.document.problems[0].field == field
    assert_stale_but_kept(window, built, picture)
    assert window.document.build_now() is None  # nothing is built from a spec that cannot run
    assert window.document.built is built
    # stepping still shows the old picture's frames, still marked not current
    window.player.step(-1)
    assert window.scene.shows_not_current()
    fix_it(window.controls)
    assert_current(window)


def test_a_dilated_kernel_that_no_longer_fits_is_explained_with_the_formula(make_window):
    window = make_window(BASE)
    built, picture = window.document.built, grid_planes(window, "output").copy()
    window.controls.dilation_h.setValue(8)
    errors = visible_errors(window)
    message = " ".join(errors.values())
    assert "does not fit" in message
    assert "floor((8 + 1 + 1 - 8·(3 - 1) - 1) / 1) + 1 = -6" in message
    assert "spans 17 pixels" in message
    assert_stale_but_kept(window, built, picture)
    window.controls.dilation_h.setValue(4)
    assert_current(window)


def test_the_dilation_message_shows_next_to_the_dilation(make_window):
    window = make_window(BASE)
    window.controls.dilation_h.setValue(8)
    assert window.controls.errors["dilation"].isVisible()
    assert "does not fit" in window.controls.errors["dilation"].text()
    assert not window.controls.errors["kernel_size"].isVisible()


def test_a_build_that_fails_says_why_and_keeps_the_picture(make_window, qtbot, monkeypatch):
    window = make_window(BASE)
    built, picture = window.document.built, grid_planes(window, "output").copy()

    def broken(*args, **kwargs):
        raise ValueError("the engine refused: a made-up reason")

    monkeypatch.setattr(builder_module, TRACE_MAKER, broken)
    with qtbot.waitSignal(window.document.problemsChanged, timeout=10000,
                          check_params_cb=lambda problems: bool(problems)):
        window.controls.stride_w.setValue(2)
    assert "a made-up reason" in visible_errors(window).get("spec", "")
    assert_stale_but_kept(window, built, picture)


# ----------------------------------------------------------------------------------------------
# Files


def png_bytes(image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".png", image)
    assert ok
    return data.tobytes()


def png_with_header_size(width: int, height: int) -> bytes:
    """A PNG signature and an IHDR chunk (correct CRC) claiming width × height, and no pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return b"\x89PNG\r\n\x1a\n" + chunk


def bad_file(tmp_path, kind: str) -> str:
    path = tmp_path / f"{kind}.png"
    good = png_bytes(np.full((16, 16, 3), 128, np.uint8))
    if kind == "corrupt":
        path.write_bytes(good[:40] + bytes(200) + good[240:])
    elif kind == "truncated":
        path.write_bytes(good[: len(good) // 2])
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "text":
        path.write_text("this is not a picture\n" * 20)
    elif kind == "missing":
        pass
    elif kind == "directory":
        path.mkdir()
    elif kind == "huge":
        path.write_bytes(png_with_header_size(100_000, 100_000))
    return str(path)


BAD_FILES = {"corrupt": "corrupt", "truncated": "corrupt or truncated", "empty": "empty",
             "text": "looks like text", "missing": "no such file", "directory": "folder",
             "huge": "megapixels"}


def test_every_kind_of_bad_file_gives_a_message_and_the_image_stays(window, tmp_path):
    document = window.document
    spec, built = document.spec, document.built
    image = grid_planes(window, "input").copy()
    recent = window.settings.recent()
    for kind, words in BAD_FILES.items():
        path = bad_file(tmp_path, kind)
        assert window.open_path(path) is False, kind
        message = window.status.text()
        assert f"cannot open '{kind}.png'" in message, (kind, message)
        assert words in message, (kind, message)
        assert document.spec == spec and document.built is built and not document.stale
        np.testing.assert_array_equal(grid_planes(window, "input"), image)
        assert window.settings.recent() == recent, "a file that did not open is not a recent file"
    assert document.undo_stack.count() == 0


def write_png(path, image) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.frombuffer(png_bytes(image), np.uint8).tofile(str(path))  # tofile: any characters in the path
    return str(path)


def test_a_4k_image_is_downscaled_not_refused(window, tmp_path):
    rows = np.linspace(0, 255, 2160, dtype=np.float32)[:, None]
    columns = np.linspace(0, 255, 3840, dtype=np.float32)[None, :]
    image = np.stack([np.broadcast_to(rows, (2160, 3840)), np.broadcast_to(columns, (2160, 3840)),
                      np.full((2160, 3840), 40, np.float32)], axis=-1).astype(np.uint8)
    path = write_png(tmp_path / "4k.png", image)
    assert window.open_path(path)
    document = window.document
    assert document.picture.original_size == (2160, 3840)
    assert max(document.working_image().shape[1:]) == document.spec.size
    built = rebuild(window)
    assert built.spec.image == path
    assert "2160×3840" in window.controls.scale.text()


def test_a_path_with_spaces_and_chinese_opens(window, tmp_path):
    pattern = (np.indices((8, 8)).sum(axis=0) % 2 * 200 + 20).astype(np.uint8)  # a checkerboard
    path = write_png(tmp_path / "my pictures 中文" / "棋盘 1.png", pattern)
    window.document.restore(dataclasses.replace(window.document.spec, size=8, padding=(0, 0)))
    assert window.open_path(path)
    rebuild(window)
    assert window.document.spec.image == path
    np.testing.assert_allclose(grid_planes(window, "input")[0], pattern / 255.0, atol=1e-6)
    assert window.settings.recent()[0].endswith("棋盘 1.png")
    assert "棋盘 1.png" in window.controls.source.text()


def drop(window, path) -> QDropEvent:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(path)])
    enter = QDragEnterEvent(QPointF(20, 20).toPoint(), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted(), "the window accepts files dragged over it"
    event = QDropEvent(QPointF(20, 20), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(window, event)
    return event


def test_drag_and_drop_opens_a_file_and_a_bad_drop_changes_nothing(window, tmp_path):
    path = write_png(tmp_path / "dropped.png", np.full((12, 12), 90, np.uint8))
    drop(window, path)
    assert window.document.spec.image == path
    rebuild(window)
    spec, built = window.document.spec, window.document.built
    drop(window, bad_file(tmp_path, "text"))
    assert "cannot open 'text.png'" in window.status.text()
    assert window.document.spec == spec and window.document.built is built


def test_the_recent_menu_reopens_a_file(window, tmp_path):
    first = write_png(tmp_path / "first.png", np.full((12, 12), 30, np.uint8))
    second = write_png(tmp_path / "second.png", np.full((12, 12), 220, np.uint8))
    assert window.open_path(first) and window.open_path(second)
    actions = window.recent_menu.actions()
    assert [a.text() for a in actions][:2] == [second, first]
    actions[1].trigger()
    assert window.document.spec.image == first


def test_a_sample_from_the_menu_replaces_the_image(window):
    samples = window.menuBar().findChildren(type(window.recent_menu))
    menu = next(m for m in samples if m.title().replace("&", "") == "Samples")
    names = [a.text() for a in menu.actions()]
    assert len(names) >= 2
    menu.actions()[1].trigger()
    assert window.document.spec.image == f"sample:{names[1]}"
    rebuild(window)


# ----------------------------------------------------------------------------------------------
# Builds in the background


@pytest.fixture
def held_builds(monkeypatch):
    """A background build that waits, after starting, until the test lets it go: a build "in progress".
    Yields (started, release, finished) events."""
    started, release, finished = threading.Event(), threading.Event(), threading.Event()
    real = getattr(builder_module, TRACE_MAKER)

    def held(*args, **kwargs):
        if threading.current_thread() is threading.main_thread():
            return real(*args, **kwargs)  # build_now: never held
        started.set()
        assert release.wait(10), "the test never released the build"
        trace = real(*args, **kwargs)
        finished.set()
        return trace

    monkeypatch.setattr(builder_module, TRACE_MAKER, held)
    yield started, release, finished
    release.set()


def test_a_newer_change_supersedes_a_build_in_progress(window, qtbot, held_builds):
    started, release, _ = held_builds
    shown = []
    window.document.builtChanged.connect(lambda built: shown.append(built.spec))
    window.controls.stride_h.setValue(2)       # A: starts, and is held
    assert started.wait(10)
    window.controls.stride_w.setValue(3)       # B: queued behind A
    with qtbot.waitSignal(window.document.builtChanged, timeout=20000,
                          check_params_cb=lambda built: built.spec.stride == (2, 3)):
        release.set()
    assert [spec.stride for spec in shown] == [(2, 3)], "only the newest change is shown"
    assert not window.document.stale


def test_closing_while_a_build_is_in_progress_is_clean(make_window, held_builds):
    """The build is let go only once the window is closing (its settings are being saved): close()
    waits for it, and no thread is left (the no_threads_left fixture checks)."""
    started, release, finished = held_builds
    window = make_window(ConvSpec(size=12, mode="backward"))
    window.controls.kernel_h.setValue(5)
    assert started.wait(10)
    sync = window.settings.sync

    def sync_then_release():
        sync()
        release.set()

    window.settings.sync = sync_then_release
    window.close()
    assert release.is_set(), "the build was still held when the window began closing"
    assert finished.is_set(), "close() returned before the build in progress had finished"
    QApplication.processEvents()  # anything the build sent arrives at a closed window without error


def test_a_closed_window_ignores_what_arrives_late(make_window):
    """A build, a check or a picture arriving after the window closed changes nothing on it."""
    window = make_window(ConvSpec(size=8))
    built, scene, check = window.document.built, window.scene, window.last_check
    window.close()
    assert window.closed
    window.document.builtChanged.emit(built)          # a build that was on its way
    window.document.staleChanged.emit(True)
    window.document.pictureChanged.emit(window.document.picture)
    window.player.frameChanged.emit(0)
    window._show_check(None)
    QApplication.processEvents()
    assert window.scene is scene and window.last_check is check and not scene.stale
