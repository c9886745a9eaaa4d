"""How fast `convviz export` writes, and how big the files are: GIF and H.264 MP4 at 640×480 and
1280×720 (and a PNG sequence), against the scene's own rendering of the same frames in the same
run (the reference: an export cannot be faster than drawing its frames).

A script, not a test. The convolution is a lecture-sized one: a 10×10 gray picture, a 3×3 Sobel
kernel, padding 1, the forward pass's first ``--frames`` slide frames (one per output element).

    python benchmarks/bench_export.py [--frames 60] [--sizes 640x480,1280x720] [--no-cv2]

For each size: frames per second of rendering alone, of each export, the ratio export/render,
frames per CPU-second (this process plus ffmpeg: less disturbed by other work on the machine), the
file size (KB, and per frame), the wall and CPU time. Without ``--no-cv2``
it also writes the same frames with OpenCV's own GIF writer (``cv2.imwriteanimation``), the
alternative the exporter does not use, with its size, time and colour error against the frames.
The machine is shared: wall far above CPU means a process was waiting for a core.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)  # this checkout's convviz, whatever pip installed last

import numpy as np  # noqa: E402

from convviz.data.picture import load_sample, working_image  # noqa: E402
from convviz.export.animation import build_for, export_animation  # noqa: E402
from convviz.export.frames import FrameRenderer, application  # noqa: E402
from convviz.export.options import caption_for, phase_frames  # noqa: E402
from convviz.state.spec import ConvSpec  # noqa: E402


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (ffmpeg)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def timed(fn):
    wall, cpu = time.perf_counter(), cpu_seconds()
    value = fn()
    return value, time.perf_counter() - wall, cpu_seconds() - cpu


def render_all(built, frames, size):
    renderer = FrameRenderer(built, *size, caption=caption_for(built))
    try:
        return [renderer.rgb(i) for i in frames]
    finally:
        renderer.close()


def opencv_gif(images, path):
    import cv2

    animation = cv2.Animation()
    animation.frames = [cv2.cvtColor(image, cv2.COLOR_RGB2BGR) for image in images]
    animation.durations = [100] * len(images)
    animation.loop_count = 0
    if not cv2.imwriteanimation(str(path), animation):
        raise RuntimeError("cv2.imwriteanimation failed")
    ok, back = cv2.imreadanimation(str(path))
    decoded = cv2.cvtColor(np.ascontiguousarray(back.frames[0][:, :, :3]), cv2.COLOR_BGR2RGB)
    return np.abs(decoded.astype(int) - images[0])


def gif_error(path, image):
    import cv2

    ok, back = cv2.imreadanimation(str(path))
    decoded = cv2.cvtColor(np.ascontiguousarray(back.frames[0][:, :, :3]), cv2.COLOR_BGR2RGB)
    return np.abs(decoded.astype(int) - image)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--sizes", default="640x480,1280x720")
    parser.add_argument("--no-cv2", action="store_true", help="skip OpenCV's GIF writer")
    args = parser.parse_args()
    sizes = [tuple(int(v) for v in text.split("x")) for text in args.sizes.split(",")]
    application()
    spec = ConvSpec(size=10, padding=(1, 1))
    built = build_for(spec, working_image(load_sample("shapes"), spec.size, spec.channels))
    frames = phase_frames(built.trace, "forward")[: args.frames]
    n = len(frames)
    print(f"{n} frames of {spec.size}x{spec.size} gray, 3x3 sobel_x, padding 1 (forward slide); "
          f"QT_QPA_PLATFORM={os.environ.get('QT_QPA_PLATFORM', '')}")
    header = (f"{'size':>9} {'output':<22} {'fps':>6} {'x render':>8} {'fps/CPU':>7} {'KB':>7} {'KB/frame':>8} "
              f"{'wall s':>7} {'CPU s':>6}")
    print(header)
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            label = f"{size[0]}x{size[1]}"
            render_all(built, frames[:3], size)  # warm up: fonts, glyph caches, the first scene
            images, wall, cpu = timed(lambda: render_all(built, frames, size))
            render_fps = n / wall
            print(f"{label:>9} {'render only (reference)':<22} {render_fps:6.1f} {1.0:8.2f} {n / cpu:7.1f} {'':>7} "
                  f"{'':>8} {wall:7.2f} {cpu:6.2f}")
            for name, suffix in (("GIF", ".gif"), ("MP4 (H.264)", ".mp4"), ("PNG sequence", "/")):
                out = Path(folder) / f"{label}{suffix}" if suffix != "/" else f"{folder}/{label}-png/"
                result, wall, cpu = timed(lambda: export_animation(built, out, frames, fps=10, size=size,
                                                                   hold_last=0))
                fps = n / wall
                print(f"{label:>9} {name:<22} {fps:6.1f} {fps / render_fps:8.2f} {n / cpu:7.1f} "
                      f"{result.bytes / 1024:7.0f} {result.bytes / 1024 / n:8.1f} {wall:7.2f} {cpu:6.2f}")
                if suffix == ".gif":
                    error = gif_error(out, images[0])
                    print(f"{'':>9}   palette error of frame 1: mean {error.mean():.2f}, pixels off by > 30: "
                          f"{np.mean(error.max(axis=2) > 30):.2%}")
            if not args.no_cv2:
                path = Path(folder) / f"{label}-opencv.gif"
                error, wall, cpu = timed(lambda: opencv_gif(images, path))
                size_kb = path.stat().st_size / 1024
                print(f"{label:>9} {'cv2.imwriteanimation':<22} {n / wall:6.1f} {'':>8} {n / cpu:7.1f} {size_kb:7.0f} "
                      f"{size_kb / n:8.1f} {wall:7.2f} {cpu:6.2f}  (frames already drawn)")
                print(f"{'':>9}   its colour error of frame 1: mean {error.mean():.2f}, pixels off by > 30: "
                      f"{np.mean(error.max(axis=2) > 30):.2%}")


if __name__ == "__main__":
    main()
