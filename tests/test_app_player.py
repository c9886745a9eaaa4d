"""Time: the player's one timer, stepping, phases, speed, and a slow repaint dropping frames; the
keyboard (the window's shortcuts), the scrub bar and the buttons driving it in the window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from convviz.qt.player import SPEEDS, Player
from convviz.state.spec import ConvSpec

pytestmark = pytest.mark.usefixtures("no_threads_left")


class FakeClock:
    """A clock the test moves by hand: ``clock.now += 1.0`` is one second later."""

    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def player(qtbot, clock):
    player = Player(clock=clock)
    player.set_trace(100, [0, 10, 60])
    yield player
    player.pause()


def test_steps_seek_and_phases(player):
    frames = []
    player.frameChanged.connect(frames.append)
    player.step(1)
    player.step(1)
    player.step(-1)
    assert player.frame == 1 and frames == [1, 2, 1]
    player.seek(500)
    assert player.frame == 99
    player.seek(-3)
    assert player.frame == 0
    player.next_phase()
    assert player.frame == 10
    player.next_phase()
    assert player.frame == 60
    player.next_phase()
    assert player.frame == 99   # no later phase: the last frame
    player.previous_phase()
    assert player.frame == 60   # the start of this phase
    player.seek(65)
    player.previous_phase()
    assert player.frame == 60
    player.previous_phase()
    assert player.frame == 10   # already at a start: the phase before
    player.end()
    assert player.frame == 99
    player.home()
    assert player.frame == 0
    player.seek(0)
    assert frames.count(0) == 2, "seeking to the frame already shown emits nothing"


def test_speed_steps_and_limits(player):
    player.set_speed(10.0)
    player.faster()
    assert player.speed == 20.0
    player.slower()
    player.slower()
    assert player.speed == 5.0
    for _ in range(20):
        player.faster()
    assert player.speed == SPEEDS[-1] == 120.0
    for _ in range(20):
        player.slower()
    assert player.speed == SPEEDS[0] == 0.5
    player.set_speed(1000)
    assert player.speed == 120.0
    player.set_speed(0)
    assert player.speed == 0.5


def test_play_moves_by_the_time_elapsed_times_the_speed(qtbot, player, clock):
    player.set_speed(10.0)
    player.play()
    assert player.playing
    clock.now += 1.0  # one second at 10 frames/s
    with qtbot.waitSignal(player.frameChanged, timeout=2000) as moved:
        pass
    assert moved.args == [10] and player.frame == 10
    clock.now += 0.25  # a quarter second: 2.5 frames, 2 now and the half carried
    qtbot.waitUntil(lambda: player.frame == 12, timeout=2000)
    clock.now += 0.0625  # the carried half plus 0.625: one more frame (dyadic times: exact sums)
    qtbot.waitUntil(lambda: player.frame == 13, timeout=2000)
    player.pause()
    assert not player.playing


def test_a_slow_repaint_drops_frames_instead_of_queueing_them(qtbot, player, clock):
    """Each repaint takes a second (the slot moves the fake clock): at 10 frames/s each tick jumps
    10 frames, so the picture keeps up with the clock instead of falling behind."""
    shown = []

    def slow_repaint(frame):
        shown.append(frame)
        clock.now += 1.0

    player.frameChanged.connect(slow_repaint)
    player.set_speed(10.0)
    player.play()
    clock.now += 1.0
    qtbot.waitUntil(lambda: len(shown) >= 4, timeout=3000)
    player.pause()
    assert shown[:4] == [10, 20, 30, 40]


def test_play_stops_at_the_end_and_space_at_the_end_plays_again(qtbot, player, clock):
    player.seek(95)
    player.play()
    clock.now += 1000.0
    with qtbot.waitSignal(player.playingChanged, timeout=2000) as stopped:
        pass
    assert stopped.args == [False]
    assert player.frame == 99 and not player.playing
    player.toggle()  # at the end, play starts over
    assert player.playing and player.frame == 0
    player.toggle()
    assert not player.playing


def test_play_with_the_real_clock(qtbot):
    player = Player()
    player.set_trace(1000, [0])
    player.set_speed(120.0)
    player.play()
    qtbot.waitUntil(lambda: player.frame > 5, timeout=5000)
    player.pause()
    assert not player.playing


def test_stepping_pauses_and_an_empty_trace_never_plays(qtbot, player, clock):
    player.play()
    player.step(1)
    assert not player.playing
    empty = Player(clock=clock)
    empty.set_trace(0, [])
    empty.play()
    assert not empty.playing


# ----------------------------------------------------------------------------------------------
# In the window


def press(qtbot, window, key, modifiers=Qt.NoModifier) -> None:
    window.activateWindow()
    window.scene.setFocus()
    qtbot.keyClick(window.scene, key, modifiers)


def test_the_keyboard_drives_the_player(window, qtbot):
    player, trace = window.player, window.document.built.trace
    slide = trace.phase("slide")
    press(qtbot, window, Qt.Key_Right)
    press(qtbot, window, Qt.Key_Right)
    assert player.frame == 2
    press(qtbot, window, Qt.Key_Left)
    assert player.frame == 1
    assert f"frame 2 / {len(trace)}" in window.scene.header.text
    press(qtbot, window, Qt.Key_End)
    assert player.frame == len(trace) - 1
    press(qtbot, window, Qt.Key_Home)
    assert player.frame == 0
    press(qtbot, window, Qt.Key_Right, Qt.ShiftModifier)
    assert player.frame == slide.first
    press(qtbot, window, Qt.Key_Right, Qt.ShiftModifier)
    assert player.frame == len(trace) - 1   # the last phase: to the end
    press(qtbot, window, Qt.Key_Left, Qt.ShiftModifier)
    assert player.frame == slide.first
    press(qtbot, window, Qt.Key_Left, Qt.ShiftModifier)
    assert player.frame == 0
    speed = player.speed
    press(qtbot, window, Qt.Key_Plus)
    assert player.speed > speed
    press(qtbot, window, Qt.Key_Minus)
    press(qtbot, window, Qt.Key_Minus)
    assert player.speed < speed
    assert window.player_bar.speed.value() == pytest.approx(player.speed)
    press(qtbot, window, Qt.Key_Space)
    assert player.playing
    press(qtbot, window, Qt.Key_Space)
    assert not player.playing


def test_the_scrub_bar_and_the_buttons(window, qtbot):
    player, bar, trace = window.player, window.player_bar, window.document.built.trace
    assert (bar.slider.minimum(), bar.slider.maximum()) == (0, len(trace) - 1)
    assert [p.name for p in bar.slider.phases] == [p.name for p in trace.phases]
    bar.slider.setValue(40)
    assert player.frame == 40 and window.scene.frame_index == 40
    assert f"frame 41 / {len(trace)}" in window.scene.header.text
    player.play()
    bar.slider.sliderPressed.emit()  # grabbing the handle stops playing
    assert not player.playing
    player.seek(7)
    assert bar.slider.value() == 7   # the bar follows the player
    qtbot.mouseClick(bar.forward, Qt.LeftButton)
    assert player.frame == 8
    qtbot.mouseClick(bar.back, Qt.LeftButton)
    assert player.frame == 7
    qtbot.mouseClick(bar.next_phase, Qt.LeftButton)
    assert player.frame == len(trace) - 1
    qtbot.mouseClick(bar.previous_phase, Qt.LeftButton)
    assert player.frame == trace.phase("slide").first
    qtbot.mouseClick(bar.play, Qt.LeftButton)
    assert player.playing
    qtbot.mouseClick(bar.play, Qt.LeftButton)
    assert not player.playing
    bar.speed.setValue(30.0)
    assert player.speed == 30.0


def test_play_in_the_window_advances_the_picture_and_stops_at_the_end(window, qtbot):
    player, trace = window.player, window.document.built.trace
    player.set_speed(120.0)
    player.seek(len(trace) - 8)
    with qtbot.waitSignal(player.playingChanged, timeout=10000, check_params_cb=lambda playing: not playing):
        player.play()
    assert player.frame == len(trace) - 1
    assert window.scene.frame_index == len(trace) - 1
    assert f"frame {len(trace)} / {len(trace)}" in window.scene.header.text


def test_a_change_that_shortens_the_trace_keeps_a_frame_that_exists(window):
    """At the end of a long trace, a change to a shorter one (a bigger kernel, a stride) shows the
    new trace's last frame (this once raised IndexError in the player bar)."""
    player = window.player
    player.end()
    long = len(window.document.built.trace)
    window.controls.stride_h.setValue(2)
    built = window.document.build_now()
    assert len(built.trace) < long
    assert player.frame == len(built.trace) - 1
    assert window.scene.frame_index == player.frame
    assert window.player_bar.frame_label.text() == f"frame {len(built.trace):,} of {len(built.trace):,}"
    # and a change that keeps the frame in range keeps the student where they were
    player.seek(5)
    window.controls.bias.setChecked(True)
    window.document.build_now()
    assert player.frame == 5


def test_the_phase_explanation_keeps_its_height_so_the_scene_does_not_jump(make_window):
    """Each phase's explanation wraps to its own number of lines; once a height has been needed
    at this width the label keeps it, so the scene above stays the same size."""
    from convviz.scene.scene_base import settle_layout

    window = make_window(ConvSpec(size=24, channels=3, out_channels=4, mode="backward"))
    window.resize(1300, 900)  # the player bar about 620 pixels wide: explanations of 2 and 3 lines
    trace, bar = window.document.built.trace, window.player_bar
    lines = set()
    firsts = [phase.first for phase in trace.phases]
    heights = {}
    for _ in range(2):
        for first in firsts:
            window.player.seek(first)
            settle_layout()
            assert bar.explanation.height() >= bar.explanation.heightForWidth(bar.explanation.width())  # all shown
            heights.setdefault(first, []).append(window.scene.height())
            lines.add(bar.explanation.heightForWidth(bar.explanation.width()))
    assert len(lines) > 1  # the phases do need different heights here
    second_round = [seen[1] for seen in heights.values()]
    assert len(set(second_round)) == 1  # the scene kept one size through every phase


def test_closing_during_playback_stops_the_timer(make_window, qtbot):
    window = make_window(ConvSpec(size=8))
    window.player.set_speed(0.5)
    window.player.play()
    assert window.player.playing
    window.close()
    assert not window.player.playing


def test_the_thread_check_sees_a_build_thread_left_running():
    """The no_threads_left fixture can fail: a worker named like the builder's is seen until joined."""
    from concurrent.futures import ThreadPoolExecutor

    from conftest import _app_threads

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="convviz-build")
    pool.submit(lambda: None).result()
    assert any(name.startswith("convviz-build") for name in _app_threads())
    pool.shutdown(wait=True)
    assert _app_threads() == []
