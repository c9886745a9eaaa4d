"""An export from start to end: a build's frames rendered by the scene, written to a file.

``export_animation(built, out, frames, fps=..., size=..., caption=True)`` renders each trace frame
of ``frames`` (indices) with a ``FrameRenderer``, merges identical consecutive images into one held
frame, holds the last image ``hold_last`` seconds (a slide's loop pauses on the finished result),
and writes a GIF, an MP4 or numbered PNGs by ``out``'s name. ``progress(done, total)`` is called
after every frame; returning False cancels (ExportCancelled; nothing is left behind).

``build_for(spec, image)`` makes the build without the window (the terminal and the gallery).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from convviz.state.build import Built, make_built

from .frames import FrameRenderer, application
from .options import MAX_FPS, caption_for, check_size
from .writers import ExportCancelled, ExportError, check_output, make_palette, open_writer

PALETTE_SAMPLES = 12   # frames, spread over the export, that the GIF's palette is made from
DEFAULT_HOLD = 1.0     # seconds the last frame stays before an animation loops


@dataclass(frozen=True)
class ExportResult:
    path: Path
    format: str        # "gif", "mp4" or "png"
    frames: int        # trace frames rendered
    images: int        # distinct images written (identical consecutive frames are one)
    shown: int         # frame times the animation lasts, holds included
    width: int
    height: int
    fps: float
    seconds: float     # wall-clock time of the export
    bytes: int         # size on disk (all PNGs for a sequence)


def build_for(spec, image: np.ndarray) -> Built:
    """The build of ``spec`` on ``image`` (C, H, W): the window's own ``make_built``, so the colours
    are the screen's; raises the engine's message for a bad spec."""
    return make_built(spec, image)


def _spread(frames: list[int], count: int) -> list[int]:
    picks = np.linspace(0, len(frames) - 1, num=min(count, len(frames))).round().astype(int)
    return [frames[int(k)] for k in dict.fromkeys(picks)]


def export_animation(built, out, frames, fps: float = 10.0, size=(960, 720), caption: bool | str = True,
                     hold_last: float = DEFAULT_HOLD, progress=None, badge: str = "") -> ExportResult:
    """Write trace frames ``frames`` (indices, in the order shown) of ``built`` to ``out``
    (``.gif``, ``.mp4`` or a folder).

    ``size``: (width, height) of every image; ``caption``: True for the parameters
    (``caption_for``), a string of your own, or False for none. ``progress(done, total)``:
    called after each frame, False to cancel. Raises ExportCancelled, ExportError (the message
    names the file), ValueError for frames outside the trace.
    """
    started = time.perf_counter()
    frames = [int(i) for i in frames]
    if not frames:
        raise ValueError("there are no frames to export (an empty range)")
    if min(frames) < 0 or max(frames) >= len(built.trace):
        raise ValueError(f"frames {min(frames) + 1}-{max(frames) + 1} go outside the trace's 1-{len(built.trace)}")
    width, height = check_size(size)
    if not 0 < fps <= MAX_FPS:
        raise ValueError(f"fps must be a number above 0 and at most {MAX_FPS}, got {fps!r}")
    kind = check_output(out, width, height, fps)
    application()
    text = caption_for(built) if caption is True else (caption or None)
    renderer = FrameRenderer(built, width, height, caption=text, badge=badge)
    writer = None
    try:
        palette = make_palette([renderer.rgb(i) for i in _spread(frames, PALETTE_SAMPLES)]) if kind == "gif" else None
        writer = open_writer(out, width, height, fps, palette=palette, numbers=[i + 1 for i in frames])
        held, count = None, 0
        for done, index in enumerate(frames, start=1):
            image = renderer.rgb(index)
            if held is not None and kind != "png" and np.array_equal(image, held):
                count += 1  # the same picture again: shown longer, not stored twice
            else:
                if held is not None:
                    writer.add(held, count)
                held, count = image, 1
            if progress is not None and progress(done, len(frames)) is False:
                raise ExportCancelled(f"the export to {Path(out).name} was cancelled")
        writer.add(held, count + (round(hold_last * fps) if kind != "png" else 0))
        path = writer.finish()
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    finally:
        renderer.close()
    size_on_disk = (sum(p.stat().st_size for p in writer.written) if kind == "png" else path.stat().st_size)
    return ExportResult(path, kind, len(frames), writer.images, writer.frames_shown, width, height, float(fps),
                        time.perf_counter() - started, size_on_disk)


__all__ = ["ExportCancelled", "ExportError", "ExportResult", "build_for", "export_animation"]
