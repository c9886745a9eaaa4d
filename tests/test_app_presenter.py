"""Presenter mode and the palettes: on and off, large text, clicker keys, colours swapped and kept."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

from convviz.scene import palette


def press(qtbot, window, key) -> None:
    """A key as the window's shortcuts receive it: the window active (going full screen can leave
    the offscreen platform without an active window) and the scene focused, as after a click."""
    window.windowHandle().requestActivate()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    window.scene.setFocus()
    qtbot.keyClick(window.scene, key)


def test_presenter_mode_goes_full_screen_with_large_text_and_comes_back(make_window, qtbot):
    window = make_window()
    docks = [dock for dock in window.findChildren(QDockWidget) if dock.isVisible()]
    assert docks
    window.presenter_action.trigger()  # F11's action
    assert window.presenter and window.isFullScreen()
    assert not any(dock.isVisible() for dock in window.findChildren(QDockWidget))
    assert not window.menuBar().isVisible()
    assert window.scene.text_scale == 1.7 and "pt" in window.scene.header.text
    assert all(label.opts["size"] != "9pt" for label in (window.scene.header, window.scene.math))
    frame = window.player.frame
    press(qtbot, window, Qt.Key_PageDown)
    assert window.player.frame == frame + 1
    press(qtbot, window, Qt.Key_PageUp)
    assert window.player.frame == frame
    press(qtbot, window, Qt.Key_Escape)
    assert not window.presenter and not window.isFullScreen()
    assert all(dock.isVisible() for dock in docks) and window.menuBar().isVisible()
    assert window.scene.text_scale == 1.0 and window.scene.header.opts["size"] == "9pt"


def test_a_palette_recolours_the_scene_and_is_remembered(make_window, app_settings_file):
    window = make_window()
    window.set_palette("colour_blind")
    try:
        assert window.scene.grids["output"].images[0].lut is palette.DIVERGING_LUT
        assert palette.DIVERGING_LUT[0].tolist() == [33, 102, 172]  # blue-orange, not blue-red
        taps = set(window.scene.grids["input"].outlined("frame").values())
        assert taps and taps <= set(palette.OKABE_ITO)
        assert window.settings.palette() == "colour_blind"
        again = make_window(settings_file=app_settings_file)
        assert palette.current_palette == "colour_blind" and again.palette_actions["colour_blind"].isChecked()
    finally:
        palette.use("standard")  # the palette is the process's: leave it as the other tests expect
