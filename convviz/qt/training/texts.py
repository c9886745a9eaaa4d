"""Small text helpers of the Training view (no Qt)."""

from __future__ import annotations

__all__ = ["clock", "fill"]


def fill(text: str, *values) -> str:
    """A translated text with its %1, %2, ... filled in (Qt's own order-free placeholders)."""
    for number, value in reversed(list(enumerate(values, start=1))):
        text = text.replace(f"%{number}", str(value))
    return text


def clock(seconds: float) -> str:
    seconds = int(max(seconds, 0) + 0.5)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 else \
        f"{seconds // 60}:{seconds % 60:02d}"
