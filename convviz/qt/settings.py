"""What the window remembers between runs, with one table of defaults and typed reads.

Tests give every window a QSettings on a temporary ini file, so they never touch a user's own
settings (``QStandardPaths.setTestModeEnabled`` alone is not enough: QSettings fixes its default
file the first time one is made in a process). A value that cannot be read (an older or hand-edited file) falls back to its default
with a message on stderr; it never stops the window from opening.
"""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QByteArray, QSettings

from convviz.state.spec import ConvSpec, SpecError

from ..scene.palette import PALETTES

ORGANISATION, APPLICATION = "convviz", "convviz"
MAX_RECENT = 8
DEFAULTS = {"spec": "", "speed": 10.0, "recent": [], "geometry": QByteArray(), "window_state": QByteArray(),
            "palette": "standard", "language": "", "receptive_field": ""}
LANGUAGE_CHOICES = ("", "en", "zh_CN")  # "" follows the system's locale


class Settings:
    def __init__(self, store: QSettings | None = None):
        self.store = store or QSettings(ORGANISATION, APPLICATION)

    def _get(self, key: str):
        default = DEFAULTS[key]
        value = self.store.value(key, default)
        return default if value is None else value

    def spec(self) -> ConvSpec | None:
        text = self._get("spec")
        if not text:
            return None
        try:
            return ConvSpec.from_dict(json.loads(text))
        except (ValueError, SpecError, TypeError) as error:
            print(f"convviz: ignoring the saved parameters ({error}); starting from the defaults", file=sys.stderr)
            return None

    def set_spec(self, spec: ConvSpec) -> None:
        self.store.setValue("spec", json.dumps(spec.to_dict()))

    def speed(self) -> float:
        try:
            return float(self._get("speed"))
        except (TypeError, ValueError):
            return DEFAULTS["speed"]

    def set_speed(self, speed: float) -> None:
        self.store.setValue("speed", float(speed))

    def recent(self) -> list[str]:
        value = self._get("recent")
        if isinstance(value, str):
            value = [value]
        return [v for v in value if isinstance(v, str)][:MAX_RECENT] if isinstance(value, list) else []

    def add_recent(self, path: str) -> list[str]:
        recent = [path] + [p for p in self.recent() if p != path]
        self.store.setValue("recent", recent[:MAX_RECENT])
        return recent[:MAX_RECENT]

    def geometry(self) -> QByteArray:
        value = self._get("geometry")
        return value if isinstance(value, QByteArray) else QByteArray()

    def window_state(self) -> QByteArray:
        value = self._get("window_state")
        return value if isinstance(value, QByteArray) else QByteArray()

    def set_window(self, geometry: QByteArray, state: QByteArray) -> None:
        self.store.setValue("geometry", geometry)
        self.store.setValue("window_state", state)

    def palette(self) -> str:
        value = self._get("palette")
        return value if value in PALETTES else DEFAULTS["palette"]

    def set_palette(self, name: str) -> None:
        self.store.setValue("palette", name)

    def language(self) -> str:
        """The interface language chosen in View > Language: "en", "zh_CN", or "" (the system's)."""
        value = self._get("language")
        return value if value in LANGUAGE_CHOICES else DEFAULTS["language"]

    def set_language(self, language: str) -> None:
        if language not in LANGUAGE_CHOICES:
            raise ValueError(f"unknown language {language!r}: choose one of {LANGUAGE_CHOICES}")
        self.store.setValue("language", language)

    def receptive_field(self) -> dict | None:
        """The receptive-field page's state (``ReceptiveFieldView.state()``), or None."""
        text = self._get("receptive_field")
        if not text:
            return None
        try:
            state = json.loads(text)
        except (TypeError, ValueError) as error:
            print(f"convviz: ignoring the saved receptive-field stack ({error})", file=sys.stderr)
            return None
        return state if isinstance(state, dict) else None

    def set_receptive_field(self, state: dict) -> None:
        self.store.setValue("receptive_field", json.dumps(state))

    def sync(self) -> None:
        self.store.sync()
