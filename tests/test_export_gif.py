"""The GIF delays the exporter sets after ffmpeg has written the frames: read and written at the
right bytes of a GIF made by another writer (OpenCV's), rounded on the running total, at least
the 2 centiseconds browsers honour, and a file that is not the GIF expected is refused."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from convviz.export.gif import MIN_DELAY, GifFormatError, delays_for, frame_delays, set_frame_delays


@pytest.fixture(scope="module")
def three_frames(tmp_path_factory) -> bytes:
    """A 3-frame GIF written by OpenCV (not by the exporter), delays 100, 200, 300 ms."""
    path = tmp_path_factory.mktemp("gif") / "three.gif"
    animation = cv2.Animation()
    animation.frames = [np.full((8, 12, 3), value, dtype=np.uint8) for value in (0, 120, 250)]
    animation.durations = [100, 200, 300]
    animation.loop_count = 0
    assert cv2.imwriteanimation(str(path), animation)
    return path.read_bytes()


def test_the_delays_of_another_writer_s_gif_are_read(three_frames):
    assert frame_delays(three_frames) == [10, 20, 30]


def test_set_delays_are_what_a_reader_plays(three_frames, tmp_path):
    patched = set_frame_delays(three_frames, [7, 150, 1])
    assert frame_delays(patched) == [7, 150, MIN_DELAY]  # 1 cs would play as 10 in browsers
    assert len(patched) == len(three_frames)
    (tmp_path / "patched.gif").write_bytes(patched)
    (tmp_path / "original.gif").write_bytes(three_frames)
    ok, animation = cv2.imreadanimation(str(tmp_path / "patched.gif"))
    assert ok and list(animation.durations) == [70, 1500, 10 * MIN_DELAY]
    _, original = cv2.imreadanimation(str(tmp_path / "original.gif"))
    for patched_frame, original_frame in zip(animation.frames, original.frames):  # the pictures untouched
        np.testing.assert_array_equal(patched_frame, original_frame)


def test_delays_are_rounded_on_the_running_total():
    assert delays_for([1] * 30, 30) == [3, 4, 3] * 10 and sum(delays_for([1] * 30, 30)) == 100
    assert delays_for([1, 3, 1], 10) == [10, 30, 10]
    assert sum(delays_for([1] * 7, 24)) == round(7 * 100 / 24)


def test_a_gif_with_another_number_of_frames_or_not_a_gif_is_refused(three_frames):
    with pytest.raises(GifFormatError, match="the GIF has 3 frames, expected 2"):
        set_frame_delays(three_frames, [10, 10])
    with pytest.raises(GifFormatError, match="not a GIF file"):
        frame_delays(b"\x89PNG\r\n\x1a\n" + three_frames[8:])
    with pytest.raises(GifFormatError, match="ends inside a block|no end marker"):
        frame_delays(three_frames[: len(three_frames) // 2])
