"""Frames (H, W, 3) uint8 RGB -> a GIF, an H.264 MP4, or a folder of numbered PNGs.

Every writer works on a temporary name next to the target (the same folder, so the final
``os.replace`` is atomic) and only ``finish()`` puts the file in place; ``abort()`` (a cancel, an
error, leaving a ``with`` block early) deletes what was written. So a cancelled export leaves
nothing behind, and an existing file of the same name is untouched until the new one is whole.

A writer's ``add(frame, count)`` shows ``frame`` for ``count`` frame times: the GIF writes it once
with a longer delay (a held frame costs nothing); the MP4 repeats it, which H.264 stores as
skipped blocks of a few bytes; a PNG sequence writes it once.

ffmpeg is the one bundled with imageio-ffmpeg (libx264 included), fed raw RGB through a pipe.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from . import gif

FORMATS = ("gif", "mp4", "png")
MAX_GIF_FPS = 50   # GIF delays are whole centiseconds, and browsers slow down delays under 2
MP4_QUALITY = 18   # x264's constant rate factor: 18 is visually lossless for flat colours and text


class ExportError(Exception):
    """An export that could not be written; the message names the file and the reason."""


class ExportCancelled(Exception):
    """The user cancelled; nothing was left behind."""


def format_of(path) -> str:
    """"gif", "mp4" or "png" (a folder of numbered PNGs: a path ending in a separator, an existing
    folder, or a name without a suffix). ExportError for any other suffix."""
    text = os.fspath(path)
    suffix = Path(text).suffix.lower()
    if text.endswith(("/", os.sep)) or Path(text).is_dir() or not suffix:
        return "png"
    if suffix in (".gif", ".mp4"):
        return suffix[1:]
    raise ExportError(f"cannot tell the format from {Path(text).name!r}: use a name ending in .gif or .mp4, "
                      f"or a folder (ending in /) for numbered PNGs")


def check_output(path, width: int, height: int, fps: float) -> str:
    """The format of ``path`` (``format_of``), if that format can hold width × height at ``fps``;
    else ExportError saying why (before anything is rendered or written)."""
    kind = format_of(path)
    if kind == "mp4" and (width % 2 or height % 2):
        raise ExportError(f"an H.264 MP4 (yuv420p) needs an even width and height, got {width}x{height}")
    if kind == "gif" and not 0 < fps <= MAX_GIF_FPS:
        raise ExportError(f"a GIF plays at most {MAX_GIF_FPS} frames per second, got {fps:g}")
    return kind


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def _make_folder(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; returns the ones made (deepest first)."""
    made = []
    while not folder.exists():
        made.append(folder)
        folder = folder.parent
    for new in reversed(made):
        try:
            new.mkdir()
        except OSError as error:
            raise ExportError(f"cannot create the folder {str(new)!r}: {error.strerror}") from None
    return made


def _remove_empty(folders) -> None:
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            pass  # not empty (something else was put there meanwhile): leave it


class Writer:
    """The common part: the size check, ``with`` support, finish/abort bookkeeping."""

    def __init__(self, path, width: int, height: int, fps: float):
        self.path, self.width, self.height, self.fps = Path(path), int(width), int(height), float(fps)
        self.frames_shown = 0     # frame times, counting held ones
        self.images = 0           # distinct images written
        self.done = False

    def _check(self, frame: np.ndarray) -> np.ndarray:
        if frame.shape != (self.height, self.width, 3) or frame.dtype != np.uint8:
            raise ValueError(f"a frame must be ({self.height}, {self.width}, 3) uint8 RGB, got {frame.shape} "
                             f"{frame.dtype}")
        return np.ascontiguousarray(frame)

    def add(self, frame: np.ndarray, count: int = 1) -> None:
        frame = self._check(frame)
        if count < 1:
            raise ValueError(f"count must be at least 1, got {count}")
        try:
            self._add(frame, count)
        except BaseException:
            self.abort()
            raise
        self.frames_shown += count
        self.images += 1

    def finish(self) -> Path:
        try:
            self._finish()
        except BaseException:
            self.abort()
            raise
        self.done = True
        return self.path

    def __enter__(self):
        return self

    def __exit__(self, kind, error, trace) -> None:
        if not self.done:
            self.abort()


class _FfmpegWriter(Writer):
    """Raw RGB frames piped into ffmpeg, which writes a temporary file next to the target."""

    suffix = ""

    def __init__(self, path, width, height, fps, output_options):
        super().__init__(path, width, height, fps)
        self._made = _make_folder(self.path.parent)
        handle, temporary = tempfile.mkstemp(prefix=f".{self.path.stem}.", suffix=f".part{self.suffix}",
                                             dir=self.path.parent)
        os.close(handle)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; an export is an ordinary file to share
        self.temporary = Path(temporary)
        self._log = tempfile.TemporaryFile()  # ffmpeg's messages; a file, so a full pipe never blocks it
        command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                   "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{self.width}x{self.height}",
                   "-framerate", f"{self.fps:g}", "-i", "pipe:0", *output_options, str(self.temporary)]
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._log)

    def _ffmpeg_message(self) -> str:
        self._log.seek(0)
        text = self._log.read().decode(errors="replace").strip()
        return text.splitlines()[-1] if text else f"ffmpeg exited with status {self._process.returncode}"

    def _add(self, frame, count) -> None:
        data = memoryview(frame).cast("B")
        try:
            for _ in range(count):
                self._process.stdin.write(data)
        except (BrokenPipeError, OSError):
            self._process.wait()
            raise ExportError(f"cannot write {self.path.name}: {self._ffmpeg_message()}") from None

    def _end_ffmpeg(self) -> None:
        try:
            self._process.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        if self._process.wait() != 0:
            raise ExportError(f"cannot write {self.path.name}: {self._ffmpeg_message()}")
        if not self.images:
            raise ExportError(f"cannot write {self.path.name}: no frames")

    def _place(self) -> None:
        try:
            os.replace(self.temporary, self.path)
        except OSError as error:
            raise ExportError(f"cannot write {str(self.path)!r}: {error.strerror}") from None
        self._log.close()

    def abort(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        try:
            self._process.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        self._process.wait()
        self._log.close()
        self.temporary.unlink(missing_ok=True)
        _remove_empty(self._made)


class Mp4Writer(_FfmpegWriter):
    """H.264 (libx264), yuv420p, BT.709 tagged, the index at the front (``+faststart``): what
    browsers and presentation software play. yuv420p halves the colour resolution, so the width
    and height must be even."""

    suffix = ".mp4"

    def __init__(self, path, width: int, height: int, fps: float, quality: int = MP4_QUALITY):
        check_output(path, width, height, fps)
        convert = ("scale=out_color_matrix=bt709:out_range=tv,format=yuv420p,"
                   "setparams=color_primaries=bt709:color_trc=bt709:colorspace=bt709:range=tv")
        super().__init__(path, width, height, fps, [
            "-vf", convert, "-c:v", "libx264", "-preset", "medium", "-crf", str(quality), "-tune", "animation",
            "-movflags", "+faststart", "-f", "mp4"])

    def _finish(self) -> None:
        self._end_ffmpeg()
        self._place()


class GifWriter(_FfmpegWriter):
    """A GIF with one 256-colour palette for all frames (``palette``: made by ``make_palette`` from
    a few frames of the export), no dithering (flat colours and text stay clean), each frame cropped
    to what changed, looping forever; a held frame is written once with a longer delay."""

    suffix = ".gif"

    def __init__(self, path, width: int, height: int, fps: float, palette: np.ndarray):
        check_output(path, width, height, fps)
        self._palette_file = tempfile.NamedTemporaryFile(suffix=".png", delete=False)
        self._palette_file.close()
        write_png(self._palette_file.name, palette)
        try:
            super().__init__(path, width, height, fps, [
                "-i", self._palette_file.name, "-lavfi", "[0:v][1:v]paletteuse=dither=none:diff_mode=rectangle",
                "-loop", "0", "-f", "gif"])
        except BaseException:
            os.unlink(self._palette_file.name)
            raise
        self._counts: list[int] = []

    def _add(self, frame, count) -> None:
        super()._add(frame, 1)
        self._counts.append(count)

    def _finish(self) -> None:
        self._end_ffmpeg()
        data = self.temporary.read_bytes()
        try:
            data = gif.set_frame_delays(data, gif.delays_for(self._counts, self.fps))
        except gif.GifFormatError as error:
            raise ExportError(f"ffmpeg wrote an unexpected GIF for {self.path.name}: {error}") from None
        self.temporary.write_bytes(data)
        self._place()
        os.unlink(self._palette_file.name)

    def abort(self) -> None:
        super().abort()
        if os.path.exists(self._palette_file.name):
            os.unlink(self._palette_file.name)


def make_palette(frames) -> np.ndarray:
    """(16, 16, 3) uint8: ffmpeg's best 256 colours for ``frames`` (a list of (H, W, 3) RGB, a few
    spread over the export; the scene's colours are fixed per build, so a few frames hold them)."""
    frames = [np.ascontiguousarray(f) for f in frames]
    height, width = frames[0].shape[:2]
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
               "-s", f"{width}x{height}", "-i", "pipe:0", "-vf", "palettegen=max_colors=256:stats_mode=full",
               "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]
    done = subprocess.run(command, input=b"".join(f.tobytes() for f in frames), capture_output=True)
    if done.returncode != 0 or len(done.stdout) != 16 * 16 * 3:
        raise ExportError(f"ffmpeg could not make a palette: {done.stderr.decode(errors='replace').strip()}")
    return np.frombuffer(done.stdout, dtype=np.uint8).reshape(16, 16, 3)


def encode_png(frame: np.ndarray) -> bytes:
    import cv2

    ok, data = cv2.imencode(".png", np.ascontiguousarray(frame[:, :, ::-1]))
    if not ok:
        raise ExportError("OpenCV could not encode a PNG")
    return data.tobytes()


def write_png(path, frame: np.ndarray) -> None:
    Path(path).write_bytes(encode_png(frame))


class PngWriter(Writer):
    """A folder of ``frame_0001.png``, ``frame_0002.png``, ... (``names``: the numbers to use, e.g.
    the trace's frame numbers; default 1, 2, 3, ...). The PNGs go into a hidden folder inside the
    target first and are moved out by ``finish()``; other files in the folder are left alone."""

    def __init__(self, path, width: int, height: int, fps: float = 1.0, numbers=None, prefix: str = "frame_"):
        super().__init__(path, width, height, fps)
        self._made = _make_folder(self.path)
        self.temporary = Path(tempfile.mkdtemp(prefix=".convviz-export-", suffix=".part", dir=self.path))
        self._numbers = list(numbers) if numbers is not None else None
        self._digits = max(4, len(str(max(self._numbers, default=0)))) if self._numbers else 4
        self.prefix = prefix
        self.written: list[Path] = []

    def _name(self) -> str:
        number = self._numbers[self.images] if self._numbers else self.images + 1
        return f"{self.prefix}{number:0{self._digits}d}.png"

    def _add(self, frame, count) -> None:
        try:
            write_png(self.temporary / self._name(), frame)
        except OSError as error:
            raise ExportError(f"cannot write a PNG into {str(self.path)!r}: {error.strerror}") from None

    def _finish(self) -> None:
        if not self.images:
            raise ExportError(f"no frames to write into {str(self.path)!r}")
        for part in sorted(self.temporary.iterdir()):
            os.replace(part, self.path / part.name)
            self.written.append(self.path / part.name)
        self.temporary.rmdir()

    def abort(self) -> None:
        shutil.rmtree(self.temporary, ignore_errors=True)
        _remove_empty(self._made)


def open_writer(path, width: int, height: int, fps: float, palette=None, numbers=None) -> Writer:
    """The writer for ``path``'s format (see ``format_of``); a GIF needs its ``palette``."""
    kind = format_of(path)
    if kind == "mp4":
        return Mp4Writer(path, width, height, fps)
    if kind == "gif":
        return GifWriter(path, width, height, fps, palette)
    return PngWriter(path, width, height, fps, numbers=numbers)
