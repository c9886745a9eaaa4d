"""Shared by the export tests: a small build, the scene's own rendering of a frame, and files read
back the way a user's player would (OpenCV, and ffmpeg through imageio-ffmpeg).

Not a test module (pytest collects only ``test_*.py``)."""

from __future__ import annotations

import cv2
import numpy as np

from convviz.data.picture import load_sample, working_image
from convviz.export.animation import build_for
from convviz.export.frames import FrameRenderer
from convviz.export.options import caption_text
from convviz.state.spec import ConvSpec

# 6×6 gray picture, padding 1, 3×3 Sobel: 36 slide frames; backward adds a scatter and a fold.
SMALL = ConvSpec(size=6, padding=(1, 1))
SIZE = (320, 240)


def small_build(spec: ConvSpec = SMALL, sample: str = "shapes"):
    return build_for(spec, working_image(load_sample(sample), spec.size, spec.channels))


def scene_frames(built, indices, size=SIZE, caption=True) -> list[np.ndarray]:
    """What the scene draws for ``indices``: (H, W, 3) RGB, rendered by a renderer of its own."""
    renderer = FrameRenderer(built, *size, caption=caption_text(built.spec) if caption else None)
    try:
        return [renderer.rgb(i) for i in indices]
    finally:
        renderer.close()


def read_video(path) -> list[np.ndarray]:
    """Every frame OpenCV decodes from ``path``, as RGB."""
    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
    capture.release()
    return frames


def read_gif(path):
    """(frames as RGB, durations in ms) as OpenCV reads an animation."""
    ok, animation = cv2.imreadanimation(str(path))
    assert ok, f"OpenCV cannot read {path}"
    frames = [cv2.cvtColor(np.ascontiguousarray(f[:, :, :3]), cv2.COLOR_BGR2RGB) for f in animation.frames]
    return frames, [int(d) for d in animation.durations]


def ffmpeg_stream_info(path) -> dict:
    """ffmpeg's description of the first video stream (codec, pix_fmt, size, fps, duration)."""
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(path))
    try:
        return next(reader)
    finally:
        reader.close()


def closer_to(decoded: np.ndarray, wanted: np.ndarray, other: np.ndarray) -> bool:
    """On the pixels where ``wanted`` and ``other`` differ, ``decoded`` is nearer ``wanted``
    (a test that the file holds this frame and not its neighbour, beyond a codec's error)."""
    changed = np.any(wanted != other, axis=2)
    assert changed.any(), "the two frames are identical: nothing to tell them apart"
    d_wanted = np.abs(decoded[changed].astype(int) - wanted[changed]).mean()
    d_other = np.abs(decoded[changed].astype(int) - other[changed]).mean()
    return d_wanted < d_other
