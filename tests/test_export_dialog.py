"""File > Export animation… and Export picture…, driven as a user would (offscreen): the dialog
starts on the phase the player is in, at its speed; a phase or the whole trace sets the range; it
refuses what cannot be written before starting; Export writes exactly the scene's frames; Cancel in
the progress dialog leaves nothing; Export picture saves what is on screen."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest
from export_helpers import read_gif, scene_frames

from convviz.export.options import caption_for
from convviz.qt.export_dialog import ExportDialog, export_picture
from convviz.state.spec import ConvSpec

pytestmark = pytest.mark.usefixtures("no_threads_left")
SPEC = ConvSpec(size=6, padding=(1, 1), mode="backward")   # pad, slide 36, scatter 36, weight_grad 36, fold 1


@pytest.fixture
def window(make_window):
    return make_window(SPEC, check_with_torch=False)


@pytest.fixture
def out(tmp_path):
    """An empty folder for the exports (tmp_path also holds the window's settings file)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def open_dialog(window, qtbot) -> ExportDialog:
    window.export_animation_action.trigger()
    dialog = window.findChild(ExportDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


def set_up(dialog, path, first, last, size=(320, 240)) -> None:
    dialog.path.setText(str(path))
    dialog.width_.setValue(size[0])
    dialog.height_.setValue(size[1])
    dialog.first.setValue(first)
    dialog.last.setValue(last)


def test_the_dialog_starts_on_the_player_s_phase_and_speed(window, qtbot):
    trace = window.document.built.trace
    scatter = trace.phase("scatter")
    window.player.seek(scatter.first + 5)
    window.player.set_speed(20.0)
    dialog = open_dialog(window, qtbot)
    assert dialog.phase.currentData() == "scatter"
    assert (dialog.first.value(), dialog.last.value()) == (scatter.first + 1, scatter.last + 1)
    assert dialog.fps.value() == 20.0 and dialog.caption.isChecked()
    dialog.phase.setCurrentIndex(dialog.phase.findData("whole"))
    assert (dialog.first.value(), dialog.last.value()) == (1, len(trace))
    dialog.phase.setCurrentIndex(dialog.phase.findData("weight_grad"))
    assert dialog.frames() == range(trace.phase("weight_grad").first, trace.phase("weight_grad").last + 1)
    dialog.close()


def test_what_cannot_be_written_is_refused_before_it_starts(window, qtbot, out):
    dialog = open_dialog(window, qtbot)
    dialog.path.setText(str(out / "slide.avi"))
    assert not dialog.export_button.isEnabled() and "cannot tell the format" in dialog.format_label.text()
    dialog.path.setText(str(out / "slide.mp4"))
    dialog.width_.setValue(321)
    assert not dialog.export_button.isEnabled() and "even width and height" in dialog.format_label.text()
    dialog.width_.setValue(320)
    assert dialog.export_button.isEnabled() and "H.264" in dialog.format_label.text()
    dialog.first.setValue(9)
    dialog.last.setValue(3)
    assert not dialog.export_button.isEnabled() and "after the last" in dialog.format_label.text()
    assert dialog.start_export() is None and list(out.iterdir()) == []
    dialog.close()


def test_export_writes_the_scene_s_frames_and_closes(window, qtbot, out):
    built = window.document.built
    dialog = open_dialog(window, qtbot)
    set_up(dialog, out / "slide.gif", 2, 6)
    with qtbot.waitSignal(dialog.exported) as exported:
        qtbot.mouseClick(dialog.export_button, qtbot_left())
    result = exported.args[0]
    assert result.frames == 5 and result.path == out / "slide.gif"
    frames, _ = read_gif(out / "slide.gif")
    assert len(frames) == 5
    np.testing.assert_array_equal(frames[0], scene_frames(built, [1])[0])  # frame 2 of the trace
    assert "Exported" in window.status.text()
    qtbot.waitUntil(lambda: window.findChild(ExportDialog) is None)  # closed, and deleted


def test_the_caption_can_be_left_out(window, qtbot, out):
    built = window.document.built
    dialog = open_dialog(window, qtbot)
    set_up(dialog, out / "bare.gif", 3, 3)
    dialog.caption.setChecked(False)
    result = dialog.start_export()
    assert result is not None and "stride 1" in caption_for(built)
    frames, _ = read_gif(out / "bare.gif")
    np.testing.assert_array_equal(frames[0], scene_frames(built, [2], caption=False)[0])
    assert not np.array_equal(frames[0], scene_frames(built, [2], caption=True)[0])


@pytest.mark.parametrize("name", ["cancel.gif", "cancel.mp4", "pngs/"])
def test_cancel_in_the_progress_dialog_leaves_nothing_and_keeps_the_dialog(window, qtbot, out, name):
    dialog = open_dialog(window, qtbot)
    set_up(dialog, str(out / name), 1, 30)
    seen = []

    def press_cancel(done, total):
        seen.append(done)
        if done == 3:
            dialog.progress.findChild(type(dialog.export_button)).click()  # the Cancel button

    dialog.frameWritten.connect(press_cancel)
    assert dialog.start_export() is None
    assert seen == [1, 2, 3]
    assert list(out.iterdir()) == []
    assert dialog.isVisible() and "nothing was written" in dialog.format_label.text()
    dialog.close()


def test_export_picture_saves_the_scene_as_it_is_on_screen(window, out):
    window.player.seek(7)
    saved = export_picture(window, out / "frame")
    assert saved == out / "frame.png" and [p.name for p in out.iterdir()] == ["frame.png"]
    picture = cv2.imread(str(saved))
    on_screen = window.scene.render_image()
    assert picture.shape[:2] == (on_screen.height(), on_screen.width())
    from convviz.export.frames import qimage_to_rgb

    np.testing.assert_array_equal(cv2.cvtColor(picture, cv2.COLOR_BGR2RGB), qimage_to_rgb(on_screen))
    assert "Saved" in window.status.text()


def test_a_spec_that_cannot_run_has_nothing_to_export(make_window):
    window = make_window(dataclasses.replace(SPEC, size=4, kernel_size=(7, 7), padding=(0, 0)),
                         check_with_torch=False)
    if window.document.built is None:
        window.export_animation_action.trigger()
        assert window.findChild(ExportDialog) is None and "Nothing to export" in window.status.text()


def qtbot_left():
    from PySide6.QtCore import Qt

    return Qt.LeftButton
