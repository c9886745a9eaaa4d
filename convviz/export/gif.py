"""The GIF file format, as far as an export needs it: reading and setting each frame's delay.

ffmpeg writes the frames (a palette, each frame cropped to what changed); the delays are set
afterwards, in place, because a frame that is held (shown for several frame times) is written
once with a longer delay, and rawvideo piped into ffmpeg has no way to say how long a frame lasts.

A GIF is a header, a logical screen descriptor (with an optional global colour table), then blocks:
``0x21`` an extension (label, then sub-blocks), ``0x2C`` an image (descriptor, optional local colour
table, LZW code size, sub-blocks), ``0x3B`` the end. Each frame's delay is in its Graphic Control
Extension (label ``0xF9``): 4 bytes, the delay in centiseconds at bytes 1-2 (little-endian).
"""

from __future__ import annotations

MIN_DELAY = 2  # centiseconds; browsers show a delay of 0 or 1 as 10 (a slow GIF, not a fast one)


class GifFormatError(ValueError):
    """Bytes that are not the GIF the export expects."""


def _skip_sub_blocks(data: bytes, at: int) -> int:
    """The position after the sub-blocks starting at ``at`` (each a length byte, then that many
    bytes; a length of 0 ends them)."""
    while True:
        if at >= len(data):
            raise GifFormatError("the GIF ends inside a block")
        length = data[at]
        at += 1 + length
        if length == 0:
            return at


def _colour_table_size(packed: int) -> int:
    return 3 * (2 << (packed & 0x07)) if packed & 0x80 else 0


def delay_offsets(data: bytes) -> list[int]:
    """Where each frame's delay is: the offsets of the delay fields, one per image, in order.

    Raises GifFormatError if an image has no Graphic Control Extension before it (then it would
    have no delay of its own), or the bytes are not a whole GIF.
    """
    if data[:6] not in (b"GIF87a", b"GIF89a"):
        raise GifFormatError("not a GIF file (no GIF87a/GIF89a header)")
    at = 13 + _colour_table_size(data[10])
    offsets, pending = [], None
    while at < len(data):
        block = data[at]
        if block == 0x3B:  # the end
            return offsets
        if block == 0x21:
            label = data[at + 1]
            if label == 0xF9:
                pending = at + 4  # 0x21 0xF9 0x04 packed [delay lo, delay hi] ...
            at = _skip_sub_blocks(data, at + 2)
        elif block == 0x2C:
            if pending is None:
                raise GifFormatError(f"image {len(offsets) + 1} has no graphic control extension")
            offsets.append(pending)
            pending = None
            at += 10 + _colour_table_size(data[at + 9])
            at = _skip_sub_blocks(data, at + 1)  # after the LZW minimum code size
        else:
            raise GifFormatError(f"unknown GIF block 0x{block:02x} at byte {at}")
    raise GifFormatError("the GIF has no end marker")


def frame_delays(data: bytes) -> list[int]:
    """Each frame's delay in centiseconds."""
    return [int.from_bytes(data[at : at + 2], "little") for at in delay_offsets(data)]


def set_frame_delays(data: bytes, delays) -> bytes:
    """``data`` with frame k's delay set to ``delays[k]`` centiseconds (at least MIN_DELAY).
    GifFormatError if the file does not have exactly one frame per delay."""
    offsets = delay_offsets(data)
    delays = list(delays)
    if len(offsets) != len(delays):
        raise GifFormatError(f"the GIF has {len(offsets)} frames, expected {len(delays)}")
    patched = bytearray(data)
    for at, delay in zip(offsets, delays):
        patched[at : at + 2] = min(max(int(delay), MIN_DELAY), 0xFFFF).to_bytes(2, "little")
    return bytes(patched)


def delays_for(counts, fps: float) -> list[int]:
    """Centisecond delays for frames shown ``counts[k]`` frame times each at ``fps``: rounded on
    the running total, so 30 frames at 30 fps last exactly one second (delays 3, 3, 4, ...)."""
    delays, shown, before = [], 0, 0
    for count in counts:
        shown += count
        now = round(shown * 100 / fps)
        delays.append(now - before)
        before = now
    return delays
