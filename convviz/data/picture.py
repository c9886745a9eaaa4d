"""One picture for the visualizer: an image file (or a built-in sample) read into RGB floats.

``load_picture(path)`` reads PNG, JPEG, BMP, TIFF and WebP files, in grayscale, RGB or RGBA, 8-bit,
16-bit or float, from any path (spaces, 中文), and returns a ``Picture``: ``(H, W, 3)`` float32 RGB in
[0, 1] plus plain-English notes of what was done to get there ("alpha composited over white",
"downscaled from 3840×2160 to 1024×576"). Anything it cannot use raises ``PictureError``, whose
message names the file, the problem and the rule, ready for the status bar; it never lets a
``MemoryError`` or an OpenCV assertion escape. ``working_image`` then makes the ``(C, h, w)`` array
a convolution runs on. OpenCV decodes; nothing here imports Qt.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from convviz.data import samples
from convviz.data.image_header import read_header
from convviz.nn.functional.checks import is_int

SUPPORTED_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")
READABLE = "PNG, JPEG, BMP, TIFF or WebP"
MAX_PIXELS = 100_000_000  # larger images are refused before decoding (a 100 MP RGBA 16-bit is 800 MB)
MAX_FILE_BYTES = 1 << 30  # nor is a file over 1 GiB read into memory
MIN_WORKING_SIDE, MAX_WORKING_SIDE = 4, 256
LUMA_WEIGHTS = (0.299, 0.587, 0.114)  # ITU-R BT.601, the weights of OpenCV's and PIL's RGB -> gray
ASSETS = Path(__file__).resolve().parent.parent.parent / "assets"  # the repository's assets/ folder
ROWS_PER_BLOCK = 512  # alpha compositing goes in row blocks, so a large RGBA never needs a float copy


class PictureError(Exception):
    """A file that cannot become a picture. ``str(error)`` is the whole message for the user.

    ``path`` is the file as given and ``problem`` the reason alone, without the file name.
    """

    def __init__(self, path, problem: str):
        self.path = os.fspath(path)
        self.problem = problem
        super().__init__(f"cannot open '{Path(self.path).name or self.path}': {problem}")


@dataclass(frozen=True, eq=False)
class Picture:
    """A decoded picture. Compared by identity (``eq=False``): pixels are an array, not a value key.

    ``pixels`` is ``(H, W, 3)`` float32 RGB in [0, 1], read-only; a grayscale file has its one
    channel in all three (``was_gray``). ``source`` is the file's absolute path, or ``"sample:NAME"``.
    ``original_size`` is the file's ``(height, width)`` before any downscale. ``notes`` say in plain
    English what was done to the file's values (empty for an 8-bit RGB or gray file used as it is).
    """

    pixels: np.ndarray
    source: str
    original_size: tuple[int, int]
    notes: tuple[str, ...]
    was_gray: bool

    @property
    def size(self) -> tuple[int, int]:
        """``(height, width)`` of ``pixels``."""
        return self.pixels.shape[0], self.pixels.shape[1]


def load_picture(path, max_decode_side: int = 1024) -> Picture:
    """Read the image file at ``path`` (str or ``os.PathLike``) into a ``Picture``.

    An image whose longer side exceeds ``max_decode_side`` is downscaled to it (``INTER_AREA``;
    a big JPEG is first decoded at 1/2, 1/4 or 1/8 by libjpeg itself), and a note says so.
    JPEG EXIF orientation is applied. Raises ``PictureError`` for a missing, empty, unreadable,
    corrupt, non-image or too large file, and ``ValueError`` for a bad ``max_decode_side``.
    """
    if not is_int(max_decode_side) or max_decode_side < MIN_WORKING_SIDE:
        raise ValueError(
            f"max_decode_side must be a whole number of at least {MIN_WORKING_SIDE}, got {max_decode_side!r}"
        )
    path = os.fspath(path)
    data = read_bytes(path)
    header = read_header(data[:1 << 20].tobytes())  # a JPEG's size may follow 64 KiB of EXIF
    if header is None:
        looks = " (it looks like text)" if looks_like_text(data[:512].tobytes()) else ""
        raise PictureError(path, f"this is not an image convviz can read{looks}; it reads {READABLE} files")
    if header.height is not None and header.width is not None:
        if header.height == 0 or header.width == 0:
            size = f"{header.width}×{header.height}"
            raise PictureError(path, f"the {header.format} header says the image is {size} pixels")
        megapixels = header.height * header.width / 1e6
        if header.height * header.width > MAX_PIXELS:
            raise PictureError(
                path,
                f"the image is {header.width:,}×{header.height:,} pixels ({megapixels:,.0f} megapixels); "
                f"convviz opens images up to {MAX_PIXELS // 1_000_000} megapixels",
            )
    reduction = 1
    if header.format == "JPEG":
        # libjpeg decodes colour (EXIF orientation applied) and can scale by 1/2, 1/4, 1/8 on the way.
        longer = max(header.height or 0, header.width or 0)
        reduction = next((f for f in (8, 4, 2) if longer // f >= max_decode_side), 1)
        flags = {
            (False, 1): cv2.IMREAD_COLOR, (True, 1): cv2.IMREAD_GRAYSCALE,
            (False, 2): cv2.IMREAD_REDUCED_COLOR_2, (True, 2): cv2.IMREAD_REDUCED_GRAYSCALE_2,
            (False, 4): cv2.IMREAD_REDUCED_COLOR_4, (True, 4): cv2.IMREAD_REDUCED_GRAYSCALE_4,
            (False, 8): cv2.IMREAD_REDUCED_COLOR_8, (True, 8): cv2.IMREAD_REDUCED_GRAYSCALE_8,
        }[(bool(header.gray), reduction)]
    else:
        flags = cv2.IMREAD_UNCHANGED  # keeps alpha, 16-bit and float as they are in the file
    try:
        decoded = cv2.imdecode(data, flags)
    except cv2.error as error:  # OpenCV's own size limit, or a decoder that gave up loudly
        reason = "it is too large to decode" if "pixels" in str(error) else "OpenCV could not decode it"
        raise PictureError(path, f"{reason} ({str(error).strip().splitlines()[-1]})") from None
    except MemoryError:
        raise PictureError(path, "there is not enough memory to decode it") from None
    if decoded is None:
        raise PictureError(path, f"the {header.format} data is corrupt or truncated, so it cannot be decoded")
    del data
    original = original_size(decoded.shape[:2], header)
    try:
        image = check_channels(decoded, path, header_gray=header.gray)
        return picture_from_array(image, os.path.abspath(path), max_decode_side, original, bgr=True)
    except MemoryError:
        raise PictureError(path, "there is not enough memory to convert it") from None


def read_bytes(path: str) -> np.ndarray:
    """The file's bytes as a uint8 array (``np.fromfile`` opens any path the OS can, 中文 included)."""
    if not os.path.exists(path):
        raise PictureError(path, "there is no such file (it may have been moved or deleted)")
    if os.path.isdir(path):
        raise PictureError(path, "this is a folder, not an image file")
    try:
        size = os.path.getsize(path)
        if size == 0:
            raise PictureError(path, "the file is empty (0 bytes)")
        if size > MAX_FILE_BYTES:
            raise PictureError(path, f"the file is {size / 2**30:.1f} GiB; convviz reads image files up to 1 GiB")
        return np.fromfile(path, dtype=np.uint8)
    except PermissionError:
        raise PictureError(path, "permission denied (convviz needs to be allowed to read the file)") from None
    except MemoryError:
        raise PictureError(path, "there is not enough memory to read it") from None
    except OSError as error:
        raise PictureError(path, f"the file cannot be read ({error.strerror or error})") from None


def looks_like_text(start: bytes) -> bool:
    """True if ``start`` is UTF-8 text (the last character may be cut off by the 512-byte cut)."""
    for cut in range(4):  # a UTF-8 character is at most 4 bytes
        try:
            text = start[:len(start) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
        return all(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return False


def original_size(decoded_hw, header) -> tuple[int, int]:
    """The file's ``(height, width)``: from its header when known (turned if EXIF rotated it)."""
    if header.height is None or header.width is None:
        return int(decoded_hw[0]), int(decoded_hw[1])
    height, width = header.height, header.width
    turned = (decoded_hw[0] > decoded_hw[1]) != (height > width) and decoded_hw[0] != decoded_hw[1]
    return (width, height) if turned else (height, width)


def check_channels(decoded: np.ndarray, path: str, header_gray: bool | None) -> np.ndarray:
    """OpenCV's result -> ``(H, W)`` gray, ``(H, W, 2)`` gray + alpha, or ``(H, W, 3|4)`` BGR(A).

    The channels stay in OpenCV's order (no copy of a big image); ``picture_from_array`` turns
    them to RGB after downscaling.
    """
    if decoded.ndim == 3 and decoded.shape[2] == 1:
        decoded = decoded[:, :, 0]
    if decoded.ndim == 2:
        return decoded
    if decoded.ndim != 3 or decoded.shape[2] not in (3, 4):
        raise PictureError(path, f"it decodes to an array of shape {decoded.shape}; convviz reads 1 (gray), "
                                 f"3 (colour) or 4 (colour with alpha) channels")
    if header_gray and decoded.shape[2] == 4:  # a gray + alpha PNG arrives as BGRA with B = G = R
        return np.ascontiguousarray(decoded[:, :, [0, 3]])
    return decoded


def picture_from_array(image: np.ndarray, source: str, max_decode_side: int = 1024,
                       original: tuple[int, int] | None = None, *, bgr: bool = False) -> Picture:
    """An in-memory image -> ``Picture``: ``(H, W)`` gray, ``(H, W, 2)`` gray + alpha, ``(H, W, 3)`` RGB or
    ``(H, W, 4)`` RGBA (BGR/BGRA with ``bgr=True``, as OpenCV decodes), as uint8, uint16 or float
    (taken as [0, 1]). The road every file takes.

    ``original`` is the file's ``(height, width)`` when the decoder already reduced it (a big JPEG).
    """
    notes: list[str] = []
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (1, 2, 3, 4)) or 0 in image.shape:
        raise PictureError(source, f"an array of shape {image.shape} is not an image; convviz takes (H, W) or "
                                   f"(H, W, C) with 1 to 4 channels")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    was_gray = image.ndim == 2 or image.shape[2] == 2
    original = original or (int(image.shape[0]), int(image.shape[1]))
    image, scale = as_float_source(image, source, notes)
    if image.ndim == 3 and image.shape[2] in (2, 4):
        image = drop_or_composite_alpha(image, scale, notes)
    height, width = image.shape[:2]
    if max(height, width) > max_decode_side:
        new_height, new_width = working_shape((height, width), max_decode_side, minimum=1)
        image = cv2.resize(image, (new_width, new_height), interpolation=cv2.INTER_AREA)
    if image.shape[:2] != tuple(original):
        notes.append(f"downscaled from {original[1]}×{original[0]} to {image.shape[1]}×{image.shape[0]}")
    pixels = image.astype(np.float32) / np.float32(scale) if scale != 1 else image.astype(np.float32)
    if pixels.ndim == 2:
        pixels = np.repeat(pixels[:, :, None], 3, axis=2)
    elif bgr:
        pixels = np.ascontiguousarray(pixels[:, :, ::-1])
    pixels.flags.writeable = False
    return Picture(pixels, source, (int(original[0]), int(original[1])), tuple(notes), bool(was_gray))


def as_float_source(image: np.ndarray, source: str, notes: list[str]) -> tuple[np.ndarray, float]:
    """Check the dtype; clip float images; return the image and the value that means white."""
    if image.dtype == np.uint8:
        return image, 255.0
    if image.dtype == np.uint16:
        notes.append("16-bit scaled to [0, 1]")
        return image, 65535.0
    if image.dtype.kind == "f":
        image = image.astype(np.float32)  # float16/float64 files too; [0, 1] is the convention
        finite = np.isfinite(image)
        if not finite.all():
            notes.append(f"{image.size - np.count_nonzero(finite):,} NaN or infinite values set to 0")
            image = np.where(finite, image, np.float32(0))
        low, high = float(image.min()), float(image.max())
        if low < 0 or high > 1:
            notes.append(f"float image clipped to [0, 1] (its values ran from {low:.3g} to {high:.3g})")
            image = np.clip(image, 0, 1)
        else:
            notes.append("float values used as they are (all within [0, 1])")
        return image, 1.0
    raise PictureError(source, f"its pixels are {image.dtype} values; convviz reads 8-bit or 16-bit unsigned "
                               f"integer or floating-point images")


def drop_or_composite_alpha(image: np.ndarray, scale: float, notes: list[str]) -> np.ndarray:
    """Gray + alpha or colour + alpha -> gray or colour: composited over white, or dropped if opaque.

    ``colour × alpha + white × (1 − alpha)`` is computed by OpenCV in the file's own dtype, in row
    blocks, so a 100-megapixel RGBA needs no float copy. For integer images the product is rounded
    once and ``white − alpha`` is exact, so the result is the exact blend, rounded.
    """
    channels = image.shape[2] - 1
    alpha = image[:, :, -1]
    opaque = bool(np.all(alpha >= scale))
    notes.append("alpha channel dropped (every pixel is opaque)" if opaque else "alpha composited over white")
    result = np.empty(image.shape[:2] + ((channels,) if channels > 1 else ()), dtype=image.dtype)
    white = image.dtype.type(scale)
    for top in range(0, image.shape[0], ROWS_PER_BLOCK):
        block = np.ascontiguousarray(image[top:top + ROWS_PER_BLOCK])
        colour = block[:, :, :channels] if channels > 1 else block[:, :, 0]
        if opaque:
            result[top:top + ROWS_PER_BLOCK] = colour
            continue
        a = block[:, :, channels]
        spread = cv2.merge([a] * channels) if channels > 1 else np.ascontiguousarray(a)
        covered = cv2.multiply(np.ascontiguousarray(colour), spread, scale=1.0 / scale)
        result[top:top + ROWS_PER_BLOCK] = cv2.add(covered, white - spread)
    return result


def working_shape(image_size: tuple[int, int], size, minimum: int = MIN_WORKING_SIDE) -> tuple[int, int]:
    """``(h, w)`` for an image of ``image_size`` (height, width) at working ``size``.

    An int ``size`` is the longer side; the shorter keeps the aspect ratio, rounded, and is at least
    ``minimum`` (4: a 3×3 kernel still fits a 1000×10 strip) and at most ``size``. A ``(h, w)`` pair
    is used as it is.
    """
    if not is_int(size):
        return int(size[0]), int(size[1])
    height, width = image_size
    longer = max(height, width)
    short = lambda side: int(min(size, max(minimum, round(side * size / longer))))  # noqa: E731
    return short(height), short(width)


def check_working_size(size) -> None:
    if is_int(size):
        sides = (size,)
    elif isinstance(size, (tuple, list)) and len(size) == 2:
        sides = tuple(size)
    else:
        sides = None
    if sides is None or not all(is_int(side) and MIN_WORKING_SIDE <= side <= MAX_WORKING_SIDE for side in sides):
        raise ValueError(
            f"the working size must be a whole number from {MIN_WORKING_SIDE} to {MAX_WORKING_SIDE} (the longer "
            f"side in pixels) or a (height, width) pair of them, got {size!r}"
        )


def working_image(picture: Picture, size, channels: int) -> np.ndarray:
    """The ``(channels, h, w)`` float32 array a convolution runs on; values in [0, 1].

    ``size``: an int 4..256, the longer side (aspect kept, see ``working_shape``), or a ``(h, w)``
    pair of them. Each axis is resized on its own: ``INTER_AREA`` where it shrinks (an average, no
    aliasing), nearest neighbour where it grows (each source pixel stays a visible block of equal
    values). ``channels``: 3 for RGB, 1 for luma ``0.299 R + 0.587 G + 0.114 B`` (ITU-R BT.601);
    a grayscale file's own values are used as they are. Raises ``ValueError`` for a bad size or
    channel count.
    """
    check_working_size(size)
    if not is_int(channels) or channels not in (1, 3):
        raise ValueError(f"channels must be 1 (gray, by ITU-R BT.601 luma) or 3 (RGB), got {channels!r}")
    pixels = picture.pixels
    if channels == 1:
        pixels = pixels[:, :, 0] if picture.was_gray else pixels @ np.asarray(LUMA_WEIGHTS, dtype=np.float32)
    height, width = working_shape(picture.size, size)
    resized = resize_axis(np.ascontiguousarray(pixels), width, axis=1)
    resized = resize_axis(resized, height, axis=0)
    if resized.ndim == 2:
        resized = resized[:, :, None]
    return np.ascontiguousarray(resized.transpose(2, 0, 1), dtype=np.float32)


def resize_axis(image: np.ndarray, length: int, axis: int) -> np.ndarray:
    """Resize one axis (0 rows, 1 columns) of an ``(H, W[, C])`` image to ``length``."""
    current = image.shape[axis]
    if current == length:
        return image
    interpolation = cv2.INTER_AREA if length < current else cv2.INTER_NEAREST_EXACT
    height, width = (length, image.shape[1]) if axis == 0 else (image.shape[0], length)
    resized = cv2.resize(image, (width, height), interpolation=interpolation)
    return resized if resized.ndim == image.ndim else resized[:, :, None]  # cv2 drops a last axis of 1


def sample_names() -> tuple[str, ...]:
    """The built-in samples, the default one first (``"shapes"``)."""
    return tuple(samples.SAMPLES)


def load_sample(name: str) -> Picture:
    """The sample ``name`` from ``assets/<name>.png``; drawn in memory if the package has no assets
    folder (a non-editable install). ``source`` is ``"sample:NAME"``. ``ValueError`` if unknown."""
    if name not in samples.SAMPLES:
        raise ValueError(f"unknown sample picture {name!r}; the samples are: {', '.join(samples.SAMPLES)}")
    path = ASSETS / f"{name}.png"
    if path.is_file():
        return dataclasses.replace(load_picture(path), source=f"sample:{name}")
    return picture_from_array(samples.sample_pixels(name), f"sample:{name}")
