"""Every control changed as a user would: the document's spec changes in exactly the fields that
control owns, the change builds, and the new trace's geometry and numbers equal torch's for the
same arrays (``conv_arguments`` gives them)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from app_helpers import FLOAT32, choose, grid_planes, rebuild, torch_answer, type_into
from PySide6.QtCore import Qt

from convviz.state.build import weight_of
from convviz.state.spec import NEW_FILTER_PRESETS, ConvSpec

pytestmark = pytest.mark.usefixtures("no_threads_left", "one_torch_thread")

BASE = ConvSpec(size=8)
RGB3 = ConvSpec(size=8, channels=3, out_channels=3, presets=("sobel_x", "sobel_y", "laplacian"))
BACKWARD = ConvSpec(size=8, mode="backward")
RANDOM = ConvSpec(size=8, presets=("random",))


def changed_fields(old: ConvSpec, new: ConvSpec) -> set[str]:
    return {f.name for f in dataclasses.fields(ConvSpec) if getattr(old, f.name) != getattr(new, f.name)}


def check_against_torch(window) -> None:
    """The built trace is the spec's, with torch's output shape and numbers (and gradients)."""
    built = rebuild(window)
    spec = window.document.spec
    assert built.spec == spec
    expected = torch_answer(spec, window.document.working_image())
    trace = built.trace
    final = trace.state(len(trace) - 1)
    assert trace.geometry.output_shape[-3:] == expected["output"].shape
    np.testing.assert_allclose(final["output"], expected["output"], rtol=1e-12, atol=1e-12)
    window.player.end()
    np.testing.assert_allclose(grid_planes(window, "output"), expected["output"], **FLOAT32)
    if spec.mode == "backward":
        for name in ("grad_input", "grad_weight"):
            np.testing.assert_allclose(final[name], expected[name], rtol=1e-12, atol=1e-12)
    assert not window.document.stale and not window.scene.shows_not_current()


def run_cases(window, cases) -> None:
    """Each case: (start spec, the user's action, the fields that change, a check of the new spec)."""
    for name, start, act, fields, check in cases:
        window.document.restore(start)
        rebuild(window)
        before = window.document.spec
        act(window)
        after = window.document.spec
        assert changed_fields(before, after) == fields, name
        assert check(after), f"{name}: {after}"
        assert window.document.problems == [], f"{name}: {window.document.problems}"
        check_against_torch(window)


def test_the_image_controls(window, qtbot):
    c = window.controls
    run_cases(window, [
        ("channels", BASE, lambda w: choose(c.channels, 3), {"channels"}, lambda s: s.channels == 3),
        ("channels back", dataclasses.replace(BASE, channels=3), lambda w: choose(c.channels, 1), {"channels"},
         lambda s: s.channels == 1),
        ("size typed", BASE, lambda w: type_into(qtbot, c.size, 13), {"size"}, lambda s: s.size == 13),
    ])
    # the working image follows the size, and the scale line says so
    assert window.document.working_image().shape[1:] == (13, 13)
    assert "13×13" in c.scale.text()


def test_the_kernel_controls(window, qtbot):
    c = window.controls
    run_cases(window, [
        ("kernel height", BASE, lambda w: c.kernel_h.setValue(5), {"kernel_size"}, lambda s: s.kernel_size == (5, 3)),
        ("kernel width typed", BASE, lambda w: type_into(qtbot, c.kernel_w, 1), {"kernel_size"},
         lambda s: s.kernel_size == (3, 1)),
        ("filters", BASE, lambda w: c.out_channels.setValue(3), {"out_channels", "presets"},
         lambda s: s.out_channels == 3 and s.presets == ("sobel_x",) + NEW_FILTER_PRESETS[1:3]),
        ("preset of the filter being edited", dataclasses.replace(BASE, out_channels=2, presets=("sobel_x", "sobel_y")),
         lambda w: (c.editor.filter_box.setValue(1), choose(c.preset, "box")), {"presets"},
         lambda s: s.presets == ("sobel_x", "box")),
        ("preset on all filters", dataclasses.replace(BASE, out_channels=2, presets=("sobel_x", "sobel_y")),
         lambda w: (c.preset_all.setChecked(True), choose(c.preset, "gaussian")), {"presets"},
         lambda s: s.presets == ("gaussian", "gaussian")),
        ("seed", RANDOM, lambda w: c.seed.setValue(7), {"seed"}, lambda s: s.seed == 7),
        ("bias on", BASE, lambda w: qtbot.mouseClick(c.bias, Qt.LeftButton), {"bias"}, lambda s: s.bias),
        ("bias value", dataclasses.replace(BASE, bias=True), lambda w: c.bias_value.setValue(0.75), {"bias_value"},
         lambda s: s.bias_value == 0.75),
    ])
    c.preset_all.setChecked(False)


def test_the_random_seed_changes_the_weights_and_the_bias_adds_its_value(window):
    c = window.controls
    window.document.restore(RANDOM)
    first = rebuild(window).args.weight
    c.seed.setValue(7)
    second = rebuild(window).args.weight
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(second, weight_of(window.document.spec))
    plain = torch_answer(window.document.spec, window.document.working_image())["output"]
    assert not c.bias_value.isEnabled()  # no bias, no value to type
    c.bias.setChecked(True)
    assert c.bias_value.isEnabled()
    c.bias_value.setValue(0.75)
    np.testing.assert_allclose(rebuild(window).trace.output, plain + 0.75, rtol=1e-12, atol=1e-12)


def test_the_geometry_controls(window):
    c = window.controls
    cases = [
        ("stride", BASE, lambda w: c.stride_w.setValue(2), {"stride"}, lambda s: s.stride == (1, 2)),
        ("stride height", BASE, lambda w: c.stride_h.setValue(3), {"stride"}, lambda s: s.stride == (3, 1)),
        ("padding numbers", BASE, lambda w: c.pad_h.setValue(3), {"padding"}, lambda s: s.padding == (3, 1)),
        ("padding width", BASE, lambda w: c.pad_w.setValue(0), {"padding"}, lambda s: s.padding == (1, 0)),
        ("padding valid", BASE, lambda w: choose(c.padding_choice, "valid"), {"padding"},
         lambda s: s.padding == "valid"),
        ("padding same", dataclasses.replace(BASE, kernel_size=(4, 5)), lambda w: choose(c.padding_choice, "same"),
         {"padding"}, lambda s: s.padding == "same"),
        ("padding numbers again", dataclasses.replace(BASE, padding="valid"),
         lambda w: choose(c.padding_choice, "numbers"), {"padding"}, lambda s: isinstance(s.padding, tuple)),
        ("dilation", BASE, lambda w: c.dilation_h.setValue(2), {"dilation"}, lambda s: s.dilation == (2, 1)),
        ("dilation width", BASE, lambda w: c.dilation_w.setValue(3), {"dilation"}, lambda s: s.dilation == (1, 3)),
        ("groups", RGB3, lambda w: c.groups.setValue(3), {"groups"}, lambda s: s.groups == 3),
    ]
    for mode in ("reflect", "replicate", "circular", "zeros"):
        start = BASE if mode != "zeros" else dataclasses.replace(BASE, padding_mode="circular")
        cases.append((f"padding mode {mode}", start, lambda w, m=mode: choose(c.padding_mode, m), {"padding_mode"},
                      lambda s, m=mode: s.padding_mode == m))
    run_cases(window, cases)
    # pad numbers are greyed out for valid/same
    choose(c.padding_choice, "valid")
    assert not c.pad_h.isEnabled() and not c.pad_w.isEnabled()


def test_the_mode_controls(window):
    c = window.controls
    run_cases(window, [
        ("mode", BASE, lambda w: choose(c.mode, "backward"), {"mode"}, lambda s: s.mode == "backward"),
        ("grad_output random", BACKWARD, lambda w: choose(c.grad_output, "random"), {"grad_output"},
         lambda s: s.grad_output == "random"),
        ("grad_output seed", dataclasses.replace(BACKWARD, grad_output="random"), lambda w: c.grad_seed.setValue(5),
         {"grad_seed"}, lambda s: s.grad_seed == 5),
        ("grad_output sum of squares", BACKWARD, lambda w: choose(c.grad_output, "sum_of_squares"), {"grad_output"},
         lambda s: s.grad_output == "sum_of_squares"),
        ("granularity", BASE, lambda w: choose(c.granularity, "tap"), {"granularity"},
         lambda s: s.granularity == "tap"),
    ])


def test_grad_output_choices_give_the_arrays_they_name(window):
    c = window.controls
    window.document.restore(BACKWARD)
    assert np.all(rebuild(window).args.grad_output == 1)
    assert c.grad_output.isEnabled() and not c.grad_seed.isEnabled()
    choose(c.grad_output, "random")
    assert c.grad_seed.isEnabled()
    first = rebuild(window).args.grad_output
    c.grad_seed.setValue(5)
    second = rebuild(window).args.grad_output
    assert first.shape == second.shape and not np.array_equal(first, second)
    np.testing.assert_allclose(grid_planes(window, "grad_output"), second, **FLOAT32)
    choose(c.grad_output, "sum_of_squares")
    built = rebuild(window)
    np.testing.assert_allclose(built.args.grad_output, built.trace.output, rtol=1e-12, atol=1e-12)
    choose(c.mode, "forward")
    assert not c.grad_output.isEnabled()


def test_tap_granularity_has_a_frame_per_multiply_add(window):
    forward = rebuild(window).trace
    choose(window.controls.granularity, "tap")
    tap = rebuild(window).trace
    slides = forward.phase("slide").count, tap.phase("slide").count
    assert slides[1] == slides[0] * tap.taps_per_window


def test_the_controls_show_the_spec_they_are_given(window):
    """Restoring a spec (settings, undo) sets every widget, without echoing back as an edit."""
    spec = ConvSpec(size=9, channels=3, out_channels=2, kernel_size=(2, 4), presets=("box", "emboss"), seed=4,
                    bias=True, bias_value=-1.5, stride=(2, 1), dilation=(1, 2), padding=(0, 2),
                    padding_mode="replicate", groups=1, mode="backward", grad_output="random", grad_seed=3,
                    granularity="tap")
    undo_steps = window.document.undo_stack.count()
    window.document.restore(spec)
    c = window.controls
    assert window.document.spec == spec and window.document.undo_stack.count() == undo_steps
    assert (c.channels.currentData(), c.size.value(), c.kernel_h.value(), c.kernel_w.value()) == (3, 9, 2, 4)
    assert (c.out_channels.value(), c.preset.currentData(), c.seed.value()) == (2, "box", 4)
    assert (c.bias.isChecked(), c.bias_value.value()) == (True, -1.5)
    assert (c.stride_h.value(), c.stride_w.value(), c.dilation_h.value(), c.dilation_w.value()) == (2, 1, 1, 2)
    assert (c.padding_choice.currentData(), c.pad_h.value(), c.pad_w.value()) == ("numbers", 0, 2)
    assert (c.padding_mode.currentData(), c.groups.value()) == ("replicate", 1)
    assert (c.mode.currentData(), c.grad_output.currentData(), c.grad_seed.value()) == ("backward", "random", 3)
    assert c.granularity.currentData() == "tap"
    assert "1, " not in c.groups_hint.text() and "1" in c.groups_hint.text()  # 3 and 2 share only 1


def test_reset_goes_back_to_the_default_but_keeps_the_picture(window, qtbot):
    window.document.restore(dataclasses.replace(RGB3, image="sample:shapes", stride=(2, 2)))
    qtbot.mouseClick(window.controls.reset, Qt.LeftButton)
    assert window.document.spec == ConvSpec(image="sample:shapes")
    check_against_torch(window)


def test_marking_the_picture_not_current_moves_nothing(window):
    """The "not current" line is always in the header, shown in red only while stale: the header
    keeps its height, so no panel under it is laid out and repainted again for the mark."""
    from convviz.scene.palette import STALE
    from convviz.scene.scene_base import settle_layout

    scene = window.scene
    settle_layout()
    header_height, views = scene.header.height(), [grid.view.sceneBoundingRect() for grid in scene.grids.values()]
    assert 'color:transparent"><b>not current' in scene.header.text and not scene.shows_not_current()
    scene.set_stale(True)
    settle_layout()
    assert f'color:{STALE}"><b>not current' in scene.header.text and scene.shows_not_current()
    assert scene.header.height() == header_height
    assert [grid.view.sceneBoundingRect() for grid in scene.grids.values()] == views
    scene.set_stale(False)
    assert not scene.shows_not_current()


def test_a_change_builds_in_the_background_and_shows_when_ready(window, qtbot):
    """The real path, without build_now: the picture is marked not current until the build lands."""
    before = window.document.built
    document = window.document
    with qtbot.waitSignals([document.builtChanged, document.torchChecked], timeout=20000):
        window.controls.stride_h.setValue(2)
        assert document.stale and window.scene.shows_not_current()
        assert document.built is before  # the last good picture stays until the new one is ready
    built = document.built
    assert built is not before and built.spec.stride == (2, 1)
    assert not document.stale and not window.scene.shows_not_current()
    assert window.last_check.agree and "equals torch" in window.scene.header.text
    np.testing.assert_allclose(built.trace.output, torch_answer(built.spec, document.working_image())["output"],
                               rtol=1e-12, atol=1e-12)


def test_a_builds_torch_check_starts_after_its_picture_is_painted(make_window, qtbot):
    """The comparison with torch waits for the paint of the picture it checks (both would share
    the two cores otherwise), then arrives as usual."""
    import dataclasses

    from PySide6.QtCore import QEvent, QObject

    window = make_window()
    builder, document = window.document.builder, window.document
    painted = []  # the generation on show at each paint of the scene, in order

    class Paints(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Paint and document.built is not None:
                painted.append(document.built.generation)
            return False

    paints = Paints(window)
    window.scene.viewport().installEventFilter(paints)
    started_after = []  # what had been painted when each check started (on the check thread)
    real_check = builder.check
    builder.check = lambda result: (started_after.append((result.generation, list(painted))), real_check(result))[1]
    with qtbot.waitSignals([document.builtChanged, document.torchChecked], timeout=60000):
        document.propose(dataclasses.replace(document.spec, stride=(2, 2)))
    generation = document.built.generation
    assert [g for g, _ in started_after] == [generation]
    assert generation in started_after[0][1]  # painted before its check began
    assert window.last_check.agree and "equals torch" in window.scene.header.text


def test_a_build_behind_the_training_page_is_checked_without_a_paint(make_window, qtbot):
    """With the Training page in front the scene is not painted; its build's check runs anyway."""
    import dataclasses

    window = make_window()
    document = window.document
    window.pages.setCurrentIndex(1)  # Training
    assert not window.scene.isVisible()
    with qtbot.waitSignals([document.builtChanged, document.torchChecked], timeout=60000):
        document.propose(dataclasses.replace(document.spec, stride=(2, 2)))
    assert window.last_check.agree and document.built.spec.stride == (2, 2)


def test_held_torch_checks_arrive_after_they_are_released(make_window, qtbot):
    """The app holds the comparison with torch until its first paint; released, the newest build's
    check arrives and the badge says so."""
    import dataclasses

    window = make_window()
    builder = window.document.builder
    builder.hold_checks()
    checks = []
    window.document.torchChecked.connect(checks.append)
    with qtbot.waitSignal(window.document.builtChanged, timeout=20000):
        window.document.propose(dataclasses.replace(window.document.spec, stride=(2, 2)))
    assert checks == [] and builder.held_check is window.document.built  # waiting, not started
    with qtbot.waitSignal(window.document.torchChecked, timeout=60000):
        builder.release_checks()
    assert checks[-1].agree and "equals torch" in window.scene.header.text and builder.held_check is None
