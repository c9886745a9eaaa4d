"""What an image file says about itself before it is decoded: its format and its size.

``read_header(data)`` looks at the first bytes of a PNG, JPEG, BMP, TIFF or WebP file and returns
its format and, when the header can be parsed, its height and width. The loader uses this to refuse
an image too large to decode *before* asking OpenCV for gigabytes, to pick a reduced JPEG decode for
big photos, and to name the format in a message about a corrupt file. Nothing here decodes pixels.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

FORMATS = ("PNG", "JPEG", "BMP", "TIFF", "WebP")


@dataclass(frozen=True)
class Header:
    format: str  # one of FORMATS
    height: int | None = None  # None when the header is too short or unusual to parse
    width: int | None = None
    gray: bool | None = None  # True: stored as one channel (plus maybe alpha); None: not known


def read_header(data: bytes) -> Header | None:
    """The format and size of the image in ``data``; ``None`` if it is none of the five formats."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _png(data)
    if data.startswith(b"\xff\xd8\xff"):
        return _jpeg(data)
    if data.startswith(b"BM") and len(data) >= 26:
        return _bmp(data)
    if data[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return _tiff(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp(data)
    return None


def _png(data: bytes) -> Header:
    # The IHDR chunk comes first: length, "IHDR", width, height, bit depth, colour type.
    if len(data) < 26 or data[12:16] != b"IHDR":
        return Header("PNG")
    width, height = struct.unpack(">II", data[16:24])
    colour_type = data[25]
    return Header("PNG", height, width, gray=colour_type in (0, 4))  # 0 gray, 4 gray + alpha


# Start-of-frame markers carry the size; C4 (Huffman tables), C8 and CC (arithmetic) do not.
_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg(data: bytes) -> Header:
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return Header("JPEG")  # lost in the marker stream: let the decoder judge
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            position += 2
            continue
        (length,) = struct.unpack(">H", data[position + 2:position + 4])
        if marker in _JPEG_SOF and position + 10 <= len(data):
            height, width = struct.unpack(">HH", data[position + 5:position + 9])
            return Header("JPEG", height, width, gray=data[position + 9] == 1)
        if marker == 0xDA:  # start of scan before any frame header
            return Header("JPEG")
        position += 2 + length
    return Header("JPEG")


def _bmp(data: bytes) -> Header:
    (info_size,) = struct.unpack("<I", data[14:18])
    if info_size == 12:  # the old OS/2 header: 16-bit sizes
        width, height = struct.unpack("<HH", data[18:22])
    else:
        width, height = struct.unpack("<ii", data[18:26])  # a negative height means top-down rows
    return Header("BMP", abs(height), abs(width))


def _tiff(data: bytes) -> Header:
    order = "<" if data[:2] == b"II" else ">"
    if data[2:4] in (b"+\x00", b"\x00+") or len(data) < 8:  # BigTIFF: rare, left to the decoder
        return Header("TIFF")
    (offset,) = struct.unpack(order + "I", data[4:8])
    if offset + 2 > len(data):
        return Header("TIFF")
    (count,) = struct.unpack(order + "H", data[offset:offset + 2])
    size = {}
    for entry in range(count):
        start = offset + 2 + 12 * entry
        if start + 12 > len(data):
            break
        tag, kind = struct.unpack(order + "HH", data[start:start + 4])
        if tag in (256, 257, 277):  # ImageWidth, ImageLength, SamplesPerPixel
            if kind == 3:  # SHORT, stored in the first two bytes of the value field
                (value,) = struct.unpack(order + "H", data[start + 8:start + 10])
            elif kind == 4:  # LONG
                (value,) = struct.unpack(order + "I", data[start + 8:start + 12])
            else:
                continue
            size[tag] = value
    if 256 not in size or 257 not in size:
        return Header("TIFF")
    samples = size.get(277)
    return Header("TIFF", size[257], size[256], gray=None if samples is None else samples in (1, 2))


def _webp(data: bytes) -> Header:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30:  # lossy: 14-bit sizes after the frame tag and start code
        width, height = struct.unpack("<HH", data[26:30])
        return Header("WebP", height & 0x3FFF, width & 0x3FFF, gray=False)
    if chunk == b"VP8L" and len(data) >= 25:  # lossless: (width - 1) and (height - 1) in 14 bits each
        (bits,) = struct.unpack("<I", data[21:25])
        return Header("WebP", ((bits >> 14) & 0x3FFF) + 1, (bits & 0x3FFF) + 1, gray=False)
    if chunk == b"VP8X" and len(data) >= 30:  # extended: 24-bit (width - 1) and (height - 1)
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return Header("WebP", height, width, gray=False)
    return Header("WebP")
