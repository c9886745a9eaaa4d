"""Exported files read back as a player reads them: a GIF and an H.264 MP4 have the frames and size
asked for, their first frame is the scene's own drawing of that frame (exactly for the GIF's
palette here; within H.264's error for the MP4, and nearer it than the next frame), held frames
are one image with a longer delay, a PNG sequence is numbered by trace frame, and a cancelled or
failed export leaves nothing behind (and an existing file as it was)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from export_helpers import SIZE, closer_to, ffmpeg_stream_info, read_gif, read_video, scene_frames, small_build

from convviz.export import writers
from convviz.export.animation import export_animation
from convviz.export.gif import frame_delays
from convviz.export.options import phase_frames
from convviz.export.writers import ExportCancelled, ExportError

pytestmark = pytest.mark.usefixtures("qapp")
FPS = 10
HOLD = 0.5   # seconds: 5 frame times at 10 fps


@pytest.fixture(scope="module")
def built():
    return small_build()


@pytest.fixture(scope="module")
def forward(built):
    frames = phase_frames(built.trace, "forward")
    return frames, scene_frames(built, frames[:2])


def test_the_renderer_draws_the_same_frame_twice_the_same(built, forward):
    frames, (first, second) = forward
    again = scene_frames(built, [frames[1], frames[0]])
    assert np.array_equal(again[0], second) and np.array_equal(again[1], first)
    assert first.shape == (SIZE[1], SIZE[0], 3) and not np.array_equal(first, second)


def test_a_frame_is_drawn_the_same_whatever_was_drawn_before_it():
    # At 1280×720 the cells of this 9-pixel picture are near the size the scene writes numbers
    # in; the panels' size moves with each frame's text, so a frame drawn once after another
    # frame came out without its numbers until the renderer drew it until it stood still.
    from convviz.export.frames import FrameRenderer
    from convviz.state.spec import ConvSpec

    built = small_build(ConvSpec(size=9, dilation=(2, 2), padding=(0, 0), mode="backward"))
    picks = [0, 20, 42, len(built.trace) - 1]
    alone = scene_frames(built, picks, size=(1280, 720), caption=False)
    renderer = FrameRenderer(built, 1280, 720)
    try:
        in_sequence = [renderer.rgb(i) for i in [5, *picks[:2], 30, *picks[2:]]]
    finally:
        renderer.close()
    kept = [in_sequence[1], in_sequence[2], in_sequence[4], in_sequence[5]]
    for index, first, second in zip(picks, alone, kept):
        assert np.array_equal(first, second), f"frame {index} depends on the frames drawn before it"


def test_a_gif_has_every_frame_its_size_and_the_scene_s_first_frame(tmp_path, built, forward):
    frames, (first, second) = forward
    result = export_animation(built, tmp_path / "slide.gif", frames, fps=FPS, size=SIZE, hold_last=HOLD)
    decoded, durations = read_gif(tmp_path / "slide.gif")
    assert len(decoded) == len(frames) == result.images == 36
    assert decoded[0].shape == (SIZE[1], SIZE[0], 3)
    # A palette of 256 colours holds every colour of these small frames: equal to the pixel.
    np.testing.assert_array_equal(decoded[0], first)
    np.testing.assert_array_equal(decoded[1], second)
    # 100 ms a frame; the last one held HOLD seconds longer, in the same single image.
    assert durations[:-1] == [100] * (len(frames) - 1) and durations[-1] == 100 + HOLD * 1000
    assert result.shown == len(frames) + 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["slide.gif"]
    assert (tmp_path / "slide.gif").stat().st_mode & 0o777 == 0o644  # not the temporary file's 0600


def test_an_mp4_is_h264_yuv420p_with_every_frame_and_the_scene_s_first_frame(tmp_path, built, forward):
    frames, (first, second) = forward
    result = export_animation(built, tmp_path / "slide.mp4", frames, fps=FPS, size=SIZE, hold_last=HOLD)
    info = ffmpeg_stream_info(tmp_path / "slide.mp4")
    assert info["codec"] == "h264" and info["pix_fmt"].startswith("yuv420p")
    assert "bt709" in info["pix_fmt"] and info["fps"] == FPS and info["size"] == SIZE
    decoded = read_video(tmp_path / "slide.mp4")
    assert len(decoded) == len(frames) + 5 == result.shown  # the hold is frames of an MP4
    assert decoded[0].shape == (SIZE[1], SIZE[0], 3)
    error = np.abs(decoded[0].astype(int) - first)
    assert error.mean() < 1.5, error.mean()  # H.264 at CRF 18: chroma halved at sharp coloured edges
    assert np.mean(error.max(axis=2) > 40) < 0.01
    assert closer_to(decoded[0], first, second) and closer_to(decoded[1], second, first)
    np.testing.assert_allclose(decoded[-1].mean(), decoded[-2].mean(), atol=0.5)  # the held last frame


def test_identical_consecutive_frames_are_one_gif_image_held_longer(tmp_path, built, forward):
    frames, _ = forward
    shown = [frames[0], frames[0], frames[0], frames[1], frames[2], frames[2]]
    result = export_animation(built, tmp_path / "held.gif", shown, fps=FPS, size=SIZE, hold_last=0)
    assert result.images == 3 and result.shown == 6
    assert frame_delays((tmp_path / "held.gif").read_bytes()) == [30, 10, 20]
    decoded, durations = read_gif(tmp_path / "held.gif")
    assert len(decoded) == 3 and durations == [300, 100, 200]


def test_a_png_sequence_is_numbered_by_trace_frame_and_is_the_scene(tmp_path, built, forward):
    import cv2

    frames, (first, _) = forward
    result = export_animation(built, tmp_path / "pngs", frames[:3], size=SIZE)
    names = sorted(p.name for p in (tmp_path / "pngs").iterdir())
    assert names == [f"frame_{i + 1:04d}.png" for i in frames[:3]] and result.format == "png"
    decoded = cv2.cvtColor(cv2.imread(str(tmp_path / "pngs" / names[0])), cv2.COLOR_BGR2RGB)
    np.testing.assert_array_equal(decoded, first)


def test_the_input_gradient_phase_is_the_scatter_then_the_fold(built):
    backward = small_build(dataclasses.replace(built.spec, mode="backward"))
    trace = backward.trace
    scatter, fold = trace.phase("scatter"), trace.phase("fold")
    assert phase_frames(trace, "grad_input") == [*range(scatter.first, scatter.last + 1), fold.first]
    assert phase_frames(trace, "grad_weight") == list(range(trace.phase("weight_grad").first,
                                                            trace.phase("weight_grad").last + 1))
    with pytest.raises(ValueError, match="grad_input needs the backward pass"):
        phase_frames(built.trace, "grad_input")


# ----------------------------------------------------------------------------------------------
# Nothing left behind

def _cancel_after(count):
    return lambda done, total: done < count


@pytest.mark.parametrize("name", ["cancel.gif", "cancel.mp4", "cancel_pngs/"])
def test_a_cancelled_export_leaves_nothing(tmp_path, built, forward, name):
    frames, _ = forward
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(ExportCancelled):
        export_animation(built, str(folder / name), frames, fps=FPS, size=SIZE, progress=_cancel_after(4))
    assert list(folder.iterdir()) == []  # no file, no hidden temporary, no PNG folder


def test_a_cancelled_export_keeps_the_file_it_would_have_replaced(tmp_path, built, forward):
    frames, _ = forward
    target = tmp_path / "slide.gif"
    target.write_bytes(b"the slide of last year")
    with pytest.raises(ExportCancelled):
        export_animation(built, target, frames, fps=FPS, size=SIZE, progress=_cancel_after(2))
    assert target.read_bytes() == b"the slide of last year"
    assert [p.name for p in tmp_path.iterdir()] == ["slide.gif"]


def test_a_cancelled_png_sequence_keeps_the_folder_s_other_files_and_removes_a_folder_it_made(tmp_path, built,
                                                                                               forward):
    frames, _ = forward
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    for target in (tmp_path / "mine", tmp_path / "new" / "deeper"):
        with pytest.raises(ExportCancelled):
            export_animation(built, str(target) + "/", frames, size=SIZE, progress=_cancel_after(2))
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]


def test_an_ffmpeg_that_fails_gives_its_reason_and_leaves_nothing(tmp_path, built, forward, monkeypatch):
    frames, _ = forward
    monkeypatch.setattr(writers, "ffmpeg_exe", lambda: "false")  # exits 1 at once, reading nothing
    with pytest.raises(ExportError, match="cannot write broken.mp4: ffmpeg exited with status 1"):
        export_animation(built, tmp_path / "broken.mp4", frames, fps=FPS, size=SIZE)
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_format_an_odd_mp4_and_a_fast_gif_are_refused_before_anything_is_written(tmp_path, built,
                                                                                            forward):
    frames, _ = forward
    with pytest.raises(ExportError, match="cannot tell the format from 'x.avi'"):
        export_animation(built, tmp_path / "x.avi", frames, size=SIZE)
    with pytest.raises(ExportError, match="even width and height"):
        export_animation(built, tmp_path / "x.mp4", frames, size=(321, 240))
    with pytest.raises(ExportError, match="at most 50 frames per second"):
        export_animation(built, tmp_path / "x.gif", frames, size=SIZE, fps=60)
    with pytest.raises(ValueError, match="WIDTHxHEIGHT from 160x120"):
        export_animation(built, tmp_path / "x.gif", frames, size=(100, 100))
    with pytest.raises(ValueError, match="outside the trace"):
        export_animation(built, tmp_path / "x.gif", [len(built.trace)], size=SIZE)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("operation, phase", [("max_pool", "grad_input"), ("conv_transpose", "forward")])
def test_the_other_operations_export_their_frames_drawn_by_their_own_scene(tmp_path, operation, phase):
    """A pooling's route and a transposed convolution's scatter export like a convolution: the
    frames of the phase, each the scene's drawing of that frame (a PoolScene / TransposedScene)."""
    from convviz.export.frames import FrameRenderer
    from convviz.scene.scenes import scene_class
    from convviz.state.spec import ConvSpec

    spec = dataclasses.replace(ConvSpec(size=6).with_operation(operation), mode="backward" if phase != "forward"
                               else "forward")
    built = small_build(spec)
    frames = phase_frames(built.trace, phase, built.operation)
    names = {"grad_input": ("route",), "forward": ("scatter", "crop")}[phase]
    assert frames == [i for p in built.trace.phases if p.name in names for i in range(p.first, p.last + 1)]
    renderer = FrameRenderer(built, *SIZE)
    try:
        assert type(renderer.scene) is scene_class(operation)
    finally:
        renderer.close()
    result = export_animation(built, tmp_path / "frames", frames[:3], fps=FPS, size=SIZE)
    written = sorted((tmp_path / "frames").glob("*.png"))
    assert result.frames == 3 and len(written) == 3
    drawn = scene_frames(built, frames[:3])
    import cv2

    for path, expected in zip(written, drawn):
        image = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
        np.testing.assert_array_equal(image, expected)
    assert not np.array_equal(drawn[0], drawn[1])
    with pytest.raises(ValueError, match="phase of a"):
        phase_frames(built.trace, "grad_weight", built.operation)
