"""Saved scenes: the whole state of the visualizer as a small, versioned JSON file (no Qt).

A scene holds the spec (image reference, every parameter, the kernel values, mode), the frame on
screen, the side panel to open, and for the lessons shipped in ``assets/lessons`` a title and a
short text in English and Simplified Chinese. A file from a newer version of convviz, or one that
is not a convviz scene, is refused with a message naming the file; nothing is changed by reading.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .spec import ConvSpec, SpecError

FORMAT = "convviz-scene"
VERSION = 1
LANGUAGES = ("en", "zh_CN")
PANELS = ("groups", "im2col", "roads", "code")
LESSONS = Path(__file__).resolve().parent.parent.parent / "assets" / "lessons"
MAX_BYTES = 1 << 20  # a scene is a few kilobytes; a bigger file is not one


class SceneError(ValueError):
    """A scene file that cannot be opened; the message names the file and the problem."""


@dataclass(frozen=True)
class SavedScene:
    spec: ConvSpec
    frame: int = 0
    panel: str | None = None                       # the side panel to show: one of PANELS
    title: dict = field(default_factory=dict)      # language -> title (lessons)
    text: dict = field(default_factory=dict)       # language -> a short text shown beside (lessons)

    def title_in(self, language: str) -> str:
        return self.title.get(language) or self.title.get("en", "")

    def text_in(self, language: str) -> str:
        return self.text.get(language) or self.text.get("en", "")

    def to_dict(self) -> dict:
        data = {"format": FORMAT, "version": VERSION, "spec": self.spec.to_dict(), "frame": self.frame}
        if self.panel:
            data["panel"] = self.panel
        if self.title:
            data["title"] = dict(self.title)
        if self.text:
            data["text"] = dict(self.text)
        return data


def _texts(path, data, key) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise SceneError(f"cannot open scene '{path}': '{key}' must map languages to texts")
    return value


def read_scene(path) -> SavedScene:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise SceneError(f"cannot open scene '{path}': the file is {path.stat().st_size:,} bytes, "
                             f"more than a scene's {MAX_BYTES:,}")
        raw = path.read_text(encoding="utf-8")
    except SceneError:
        raise
    except (OSError, UnicodeDecodeError) as error:
        raise SceneError(f"cannot open scene '{path}': {error.strerror if isinstance(error, OSError) else error}")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise SceneError(f"cannot open scene '{path}': it is not valid JSON ({error.msg} at line {error.lineno})")
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SceneError(f"cannot open scene '{path}': it is not a convviz scene (no \"format\": \"{FORMAT}\")")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SceneError(f"cannot open scene '{path}': its version must be a positive integer, got {version!r}")
    if version > VERSION:
        raise SceneError(f"cannot open scene '{path}': it was saved by a newer convviz (scene version {version}; "
                         f"this one reads up to version {VERSION})")
    try:
        spec = ConvSpec.from_dict(data.get("spec", {}))
    except SpecError as error:
        raise SceneError(f"cannot open scene '{path}': {error}")
    frame = data.get("frame", 0)
    if not isinstance(frame, int) or isinstance(frame, bool) or frame < 0:
        raise SceneError(f"cannot open scene '{path}': frame must be a frame number (0 or more), got {frame!r}")
    panel = data.get("panel")
    if panel is not None and panel not in PANELS:
        raise SceneError(f"cannot open scene '{path}': panel must be one of {', '.join(PANELS)}, got {panel!r}")
    image = spec.image
    if not image.startswith("sample:") and not os.path.isabs(image):
        # A picture next to the scene file travels with it.
        spec = ConvSpec.from_dict({**spec.to_dict(), "image": str((path.parent / image).resolve())})
    return SavedScene(spec, frame, panel, _texts(path, data, "title"), _texts(path, data, "text"))


def write_scene(path, scene: SavedScene) -> Path:
    """Write atomically (a temporary file, then a rename): a crash never leaves half a scene."""
    path = Path(path)
    text = json.dumps(scene.to_dict(), indent=2, ensure_ascii=False) + "\n"
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return path


def lesson_paths() -> list[Path]:
    """The lessons shipped with convviz, in their order (file names start with a number)."""
    return sorted(LESSONS.glob("*.json")) if LESSONS.is_dir() else []
