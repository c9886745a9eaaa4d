"""What the window remembers: the parameters, the speed, the window's geometry and the recent
files come back in a new window; a corrupt or hand-edited value falls back to its default with a
message on stderr; the tests' windows keep their settings in a tmp ini file, never the user's."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDockWidget

from convviz.qt.settings import MAX_RECENT, Settings
from convviz.state.spec import ConvSpec

pytestmark = pytest.mark.usefixtures("no_threads_left")


def write_png(path: Path, value: int) -> str:
    ok, data = cv2.imencode(".png", np.full((12, 12), value, np.uint8))
    assert ok
    data.tofile(str(path))
    return str(path)


def user_settings_file() -> Path:
    home = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    return Path(home) / "convviz" / "convviz.conf"


def test_a_new_window_comes_back_as_the_last_one_was_left(make_window, app_settings_file, tmp_path):
    user_file = user_settings_file()
    user_before = user_file.stat().st_mtime_ns if user_file.exists() else None
    picture = write_png(tmp_path / "cat.png", 200)
    first = make_window(ConvSpec(size=8))
    assert first.open_path(picture)
    first.controls.stride_h.setValue(2)
    first.controls.out_channels.setValue(2)
    first.controls.mode.setCurrentIndex(first.controls.mode.findData("backward"))
    first.document.build_now()
    spec = first.document.spec
    first.player_bar.speed.setValue(30.0)
    # The offscreen screen is 800×800 and the window's minimum width is more: Qt clamps a restored
    # width to the screen, so the test changes what fits, the height and the docks.
    first.resize(first.width(), 560)
    first.findChild(QDockWidget, "more").hide()
    geometry = first.saveGeometry()
    first.close()
    assert app_settings_file.exists() and "spec" in app_settings_file.read_text()

    second = make_window(settings_file=app_settings_file)
    assert second.document.spec == spec
    assert second.document.built.spec == spec and second.document.spec.image == picture
    assert second.player.speed == 30.0 and second.player_bar.speed.value() == 30.0
    stored = Settings(QSettings(str(app_settings_file), QSettings.IniFormat)).geometry()
    assert bytes(stored) == bytes(geometry)
    assert second.height() == 560
    assert not second.findChild(QDockWidget, "more").isVisible()
    assert second.findChild(QDockWidget, "parameters").isVisible()
    assert [a.text() for a in second.recent_menu.actions()] == [os.path.abspath(picture)]
    assert second.controls.stride_h.value() == 2 and second.controls.out_channels.value() == 2
    # never the user's own settings
    user_after = user_file.stat().st_mtime_ns if user_file.exists() else None
    assert user_after == user_before


def test_the_last_spec_that_ran_is_saved_not_an_invalid_one(make_window, app_settings_file):
    first = make_window(ConvSpec(size=8, stride=(2, 1)))
    first.controls.groups.setValue(2)   # 1 channel, 1 filter: invalid, never built
    assert first.document.problems
    first.close()
    second = make_window(settings_file=app_settings_file)
    assert second.document.spec == ConvSpec(size=8, stride=(2, 1))
    assert second.document.problems == []


def test_a_picture_that_is_gone_falls_back_to_the_sample_with_a_message(make_window, tmp_path):
    gone = str(tmp_path / "moved away.png")
    window = make_window(ConvSpec(size=8, image=gone, stride=(1, 2)))
    assert window.document.spec == ConvSpec(size=8, stride=(1, 2))   # the rest of the spec is kept
    assert "moved away.png" in window.status.text() and "built-in sample" in window.status.text()


def write_ini(path: Path, **values: str) -> None:
    """A hand-edited settings file (QSettings' ini syntax, values written as they stand)."""
    path.write_text("[General]\n" + "".join(f"{key}={value}\n" for key, value in values.items()), encoding="utf-8")


@pytest.mark.parametrize("spec_text, named", [
    ("{not json", "ignoring the saved parameters"),
    ('"[1, 2]"', "a spec must be a JSON object"),
    ('"{\\"stride\\": [0, 1]}"', "stride must be an integer from 1 to 8"),
    ('"{\\"padding_mode\\": \\"mirror\\"}"', "padding_mode must be one of"),
    ('"{\\"presets\\": [\\"nope\\"]}"', "presets must be one of"),
    ('"{\\"channels\\": 2}"', "channels must be one of 1, 3, got 2"),
])
def test_a_corrupt_saved_spec_falls_back_to_the_defaults_with_a_message(make_window, app_settings_file, capsys,
                                                                         spec_text, named):
    write_ini(app_settings_file, spec=spec_text)
    window = make_window(settings_file=app_settings_file)
    err = capsys.readouterr().err
    assert "ignoring the saved parameters" in err and named in err, err
    assert window.document.spec == ConvSpec()
    assert window.document.built is not None and window.document.problems == []


def test_corrupt_speed_geometry_and_recent_values_fall_back_to_their_defaults(make_window, app_settings_file):
    write_ini(app_settings_file, speed="fast", geometry="garbage", window_state="@ByteArray(xyz)", recent="42")
    window = make_window(settings_file=app_settings_file)
    assert window.player.speed == 10.0
    assert window.settings.recent() in ([], ["42"])  # a lone string reads as one path, never a crash
    assert window.isVisible()


def test_recent_files_are_unique_newest_first_and_bounded(app_settings_file):
    settings = Settings(QSettings(str(app_settings_file), QSettings.IniFormat))
    for k in range(MAX_RECENT + 3):
        settings.add_recent(f"/pictures/{k}.png")
    settings.add_recent("/pictures/5.png")
    recent = settings.recent()
    assert len(recent) == MAX_RECENT
    assert recent[0] == "/pictures/5.png" and recent.count("/pictures/5.png") == 1
    assert recent[1] == f"/pictures/{MAX_RECENT + 2}.png"


def test_a_spec_survives_its_json_round_trip_in_the_settings(app_settings_file):
    spec = ConvSpec(size=20, channels=3, out_channels=2, kernel_size=(5, 2), presets=("emboss", "random"),
                    seed=9, weight_edits=(((1, 2, 4, 1), -2.5),), bias=True, bias_value=0.125, stride=(2, 3),
                    dilation=(3, 1), padding="same", padding_mode="circular", mode="backward",
                    grad_output="sum_of_squares", grad_seed=6, granularity="tap")
    Settings(QSettings(str(app_settings_file), QSettings.IniFormat)).set_spec(spec)
    again = Settings(QSettings(str(app_settings_file), QSettings.IniFormat)).spec()
    assert again == spec
    assert dataclasses.replace(again, padding=(1, 2)) != spec
