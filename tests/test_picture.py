"""Image files into pictures (convviz.data.picture): every format and depth with its pixel values in
RGB order, paths with any characters, every kind of bad file with its message, downscaling,
working images, and the built-in samples."""

from __future__ import annotations

import dataclasses
import json
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from convviz.data import picture as picture_module
from convviz.data.picture import (
    SUPPORTED_SUFFIXES, Picture, PictureError, load_picture, load_sample, picture_from_array, working_image,
    working_shape,
)

LOSSLESS = {".png": [], ".bmp": [], ".tif": [], ".tiff": [], ".webp": [cv2.IMWRITE_WEBP_QUALITY, 101]}


def write(path, bgr: np.ndarray, params=None):
    """Encode with OpenCV (BGR order, as OpenCV writes) and save through ``tofile`` (any path)."""
    suffix = path.suffix.lower()
    ok, encoded = cv2.imencode(suffix, bgr, params if params is not None else LOSSLESS.get(suffix, []))
    assert ok
    encoded.tofile(str(path))
    return path


def colour_blocks() -> np.ndarray:
    """``(16, 24, 3)`` uint8 BGR: red, green, blue, and a mixed colour, each an 8×8 block (JPEG-safe)."""
    image = np.zeros((16, 24, 3), np.uint8)
    image[:8, :8] = (0, 0, 255)  # red, in BGR
    image[:8, 8:16] = (0, 255, 0)  # green
    image[:8, 16:] = (255, 0, 0)  # blue
    image[8:, :] = (30, 90, 200)  # R=200, G=90, B=30
    return image


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def raw_png(width: int, height: int, colour_type: int, rows: bytes | None = None) -> bytes:
    """A PNG written byte by byte: any size in the header, any colour type (4 = gray + alpha)."""
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    data = zlib.compress(rows if rows is not None else b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", data) + png_chunk(b"IEND", b"")


def with_exif_orientation(jpeg: bytes, orientation: int) -> bytes:
    """Insert an EXIF segment holding only the Orientation tag (0x0112) after the JPEG's SOI."""
    tiff = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 1)
    tiff += struct.pack("<HHIHH", 0x0112, 3, 1, orientation, 0) + struct.pack("<I", 0)
    app1 = b"Exif\x00\x00" + tiff
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + jpeg[2:]


def message_of(path, **kwargs) -> str:
    with pytest.raises(PictureError) as caught:
        load_picture(path, **kwargs)
    return str(caught.value)


# --- formats, depths and channels -------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".png", ".bmp", ".tif", ".tiff", ".webp"])
def test_lossless_formats_give_the_exact_values_in_rgb_order(tmp_path, suffix):
    picture = load_picture(write(tmp_path / f"blocks{suffix}", colour_blocks()))
    assert picture.pixels.shape == (16, 24, 3) and picture.pixels.dtype == np.float32
    np.testing.assert_array_equal(picture.pixels[0, 0], [1, 0, 0])  # red comes first
    np.testing.assert_array_equal(picture.pixels[0, 8], [0, 1, 0])
    np.testing.assert_array_equal(picture.pixels[0, 23], [0, 0, 1])
    np.testing.assert_allclose(picture.pixels[15, 3], np.array([200, 90, 30]) / 255, rtol=1e-6)
    assert picture.notes == () and not picture.was_gray and picture.original_size == (16, 24)
    assert picture.source == str((tmp_path / f"blocks{suffix}").resolve())


@pytest.mark.parametrize("suffix", [".jpg", ".jpeg"])
def test_jpeg_colours_arrive_in_rgb_order_within_compression_error(tmp_path, suffix):
    picture = load_picture(write(tmp_path / f"blocks{suffix}", colour_blocks(), [cv2.IMWRITE_JPEG_QUALITY, 98]))
    np.testing.assert_allclose(picture.pixels[3, 3], [1, 0, 0], atol=0.06)
    np.testing.assert_allclose(picture.pixels[3, 11], [0, 1, 0], atol=0.06)
    np.testing.assert_allclose(picture.pixels[3, 19], [0, 0, 1], atol=0.06)
    np.testing.assert_allclose(picture.pixels[12, 12], np.array([200, 90, 30]) / 255, atol=0.03)


def test_every_supported_suffix_is_covered_and_lowercase():
    assert SUPPORTED_SUFFIXES == (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".bmp", ".tiff"])
def test_grayscale_files_fill_all_three_channels_and_say_so(tmp_path, suffix):
    gray = np.tile(np.array([0, 64, 128, 255], np.uint8).repeat(8), (16, 1))  # 16×32, bars 8 wide
    params = [cv2.IMWRITE_JPEG_QUALITY, 100] if suffix == ".jpg" else None
    picture = load_picture(write(tmp_path / f"gray{suffix}", gray, params))
    assert picture.was_gray and picture.pixels.shape == (16, 32, 3)
    np.testing.assert_array_equal(picture.pixels[..., 0], picture.pixels[..., 2])
    np.testing.assert_allclose(picture.pixels[5, 20], [128 / 255] * 3, atol=0.01 if suffix == ".jpg" else 0)
    assert working_image(picture, 32, 1)[0, 5, 20] == picture.pixels[5, 20, 0]  # its own values, not a luma


def test_rgba_is_composited_over_white_and_the_note_says_so(tmp_path):
    bgra = np.zeros((4, 4, 4), np.uint8)
    bgra[..., :3] = (0, 0, 255)  # red
    bgra[..., 3] = 255
    bgra[0, 0, 3] = 0  # transparent: white
    bgra[0, 1, 3] = 51  # 20 % red over white
    for suffix in (".png", ".webp", ".tiff"):
        picture = load_picture(write(tmp_path / f"alpha{suffix}", bgra))
        assert picture.notes == ("alpha composited over white",), suffix
        np.testing.assert_array_equal(picture.pixels[0, 0], [1, 1, 1])
        np.testing.assert_array_equal(picture.pixels[1, 1], [1, 0, 0])
        np.testing.assert_allclose(picture.pixels[0, 1], [1, 204 / 255, 204 / 255], atol=0.5 / 255)


@pytest.mark.parametrize(("dtype", "white", "suffix"), [(np.uint16, 65535, ".png"), (np.float32, 1.0, ".tiff")])
def test_deep_rgba_is_composited_in_its_own_depth(tmp_path, dtype, white, suffix):
    bgra = np.zeros((3, 5, 4), dtype)
    bgra[..., 1] = white  # green
    bgra[..., 3] = white
    bgra[0, 0, 3] = 0
    bgra[0, 1, 3] = white / 4 if dtype == np.float32 else 16384
    picture = load_picture(write(tmp_path / f"deep_alpha{suffix}", bgra))
    assert "alpha composited over white" in picture.notes
    np.testing.assert_array_equal(picture.pixels[0, 0], [1, 1, 1])
    np.testing.assert_array_equal(picture.pixels[2, 4], [0, 1, 0])
    np.testing.assert_allclose(picture.pixels[0, 1], [0.75, 1, 0.75], atol=1e-4)


def test_an_opaque_alpha_channel_is_dropped_and_the_note_says_dropped(tmp_path):
    bgra = np.dstack([colour_blocks(), np.full((16, 24), 255, np.uint8)])
    picture = load_picture(write(tmp_path / "opaque.png", bgra))
    assert picture.notes == ("alpha channel dropped (every pixel is opaque)",)
    np.testing.assert_array_equal(picture.pixels[0, 0], [1, 0, 0])


def test_gray_with_alpha_png_stays_gray_and_is_composited(tmp_path):
    rows = b"".join(b"\x00" + bytes([10, 255, 200, 0, 100, 128]) for _ in range(2))  # 3 pixels (value, alpha)
    path = tmp_path / "gray_alpha.png"
    path.write_bytes(raw_png(3, 2, colour_type=4, rows=rows))
    picture = load_picture(path)
    assert picture.was_gray and picture.notes == ("alpha composited over white",)
    np.testing.assert_allclose(picture.pixels[1, :, 0], [10 / 255, 1.0, round(100 * 128 / 255 + 127) / 255])


@pytest.mark.parametrize("suffix", [".png", ".tiff"])
def test_16_bit_is_scaled_by_65535(tmp_path, suffix):
    image = np.zeros((2, 3, 3), np.uint16)
    image[0, 0] = (0, 0, 65535)  # red
    image[0, 1] = (0, 32768, 0)
    image[1, 2] = (1, 1, 1)
    picture = load_picture(write(tmp_path / f"deep{suffix}", image))
    assert picture.notes == ("16-bit scaled to [0, 1]",)
    np.testing.assert_array_equal(picture.pixels[0, 0], [1, 0, 0])
    assert picture.pixels[0, 1, 1] == np.float32(32768 / 65535)
    assert 0 < picture.pixels[1, 2, 0] < 1 / 255  # finer than 8 bits: the depth is kept


def test_float_tiff_is_clipped_to_0_1_with_its_range_in_the_note(tmp_path):
    image = np.array([[-0.5, 0.25, 1.5]], np.float32)
    picture = load_picture(write(tmp_path / "float.tiff", image))
    assert picture.notes == ("float image clipped to [0, 1] (its values ran from -0.5 to 1.5)",)
    np.testing.assert_array_equal(picture.pixels[0, :, 0], [0, 0.25, 1])
    assert picture.was_gray


def test_float_tiff_within_0_1_is_used_as_it_is_and_nan_becomes_0(tmp_path):
    image = np.dstack([np.full((2, 2), 0.125, np.float32)] * 3)
    image[0, 0, 2] = np.nan  # the red channel (BGR)
    picture = load_picture(write(tmp_path / "float3.tif", image))
    assert picture.notes == ("1 NaN or infinite values set to 0", "float values used as they are (all within [0, 1])")
    np.testing.assert_array_equal(picture.pixels[0, 0], [0, 0.125, 0.125])
    np.testing.assert_array_equal(picture.pixels[1, 1], [0.125] * 3)


def test_signed_integer_tiff_is_refused_with_the_rule(tmp_path):
    message = message_of(write(tmp_path / "signed.tiff", np.zeros((4, 4), np.int16)))
    assert message == ("cannot open 'signed.tiff': its pixels are int16 values; convviz reads 8-bit or 16-bit "
                       "unsigned integer or floating-point images")


def test_paths_with_spaces_and_chinese_characters(tmp_path):
    folder = tmp_path / "我的 图片 folder"
    folder.mkdir()
    for suffix in (".png", ".jpg", ".webp"):
        path = write(folder / f"猫 和 狗 {suffix[1:]}{suffix}", colour_blocks())
        picture = load_picture(path)
        assert picture.source == str(path) and picture.pixels.shape == (16, 24, 3)
        np.testing.assert_allclose(picture.pixels[3, 3], [1, 0, 0], atol=0.06)
    assert load_picture(str(folder / "猫 和 狗 png.png")).size == (16, 24)  # str as well as Path


def test_the_content_decides_not_the_suffix(tmp_path):
    picture = load_picture(write(tmp_path / "really_a_png.png", colour_blocks()).rename(tmp_path / "named.jpg"))
    np.testing.assert_array_equal(picture.pixels[0, 0], [1, 0, 0])


def test_jpeg_exif_orientation_is_applied_and_original_size_is_the_upright_one(tmp_path):
    image = np.zeros((16, 32, 3), np.uint8)  # 32 wide, 16 high; the top-left 8×8 block is white
    image[:8, :8] = 255
    ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 100])
    path = tmp_path / "turned.jpg"
    path.write_bytes(with_exif_orientation(jpeg.tobytes(), 6))  # 6: rotate 90° clockwise to view
    picture = load_picture(path)
    assert picture.size == (32, 16) and picture.original_size == (32, 16)
    assert picture.pixels[4, 12].min() > 0.9 and picture.pixels[4, 3].max() < 0.1  # white block now top right


# --- large images ---------------------------------------------------------------------------

def test_a_4k_photo_is_downscaled_to_the_decode_side_and_the_note_says_so(tmp_path):
    image = np.zeros((2160, 3840, 3), np.uint8)
    image[:, 1920:] = (255, 0, 0)  # the right half blue
    for suffix in (".jpg", ".png"):
        picture = load_picture(write(tmp_path / f"4k{suffix}", image))
        assert picture.size == (576, 1024) and picture.original_size == (2160, 3840), suffix
        assert picture.notes == ("downscaled from 3840×2160 to 1024×576",)
        np.testing.assert_allclose(picture.pixels[300, 900], [0, 0, 1], atol=0.02)
        np.testing.assert_allclose(picture.pixels[300, 100], [0, 0, 0], atol=0.02)


def test_a_big_jpeg_is_decoded_reduced_by_libjpeg(tmp_path, monkeypatch):
    flags_used = []
    decode = cv2.imdecode
    monkeypatch.setattr(cv2, "imdecode", lambda data, flags: flags_used.append(flags) or decode(data, flags))
    load_picture(write(tmp_path / "colour.jpg", np.zeros((1200, 4100, 3), np.uint8)))  # 4100 // 4 >= 1024
    load_picture(write(tmp_path / "gray.jpg", np.zeros((2048, 100), np.uint8)))  # 2048 // 2 >= 1024
    gray = load_picture(write(tmp_path / "gray.jpg", np.zeros((2048, 100), np.uint8)), max_decode_side=256)
    assert flags_used == [cv2.IMREAD_REDUCED_COLOR_4, cv2.IMREAD_REDUCED_GRAYSCALE_2, cv2.IMREAD_REDUCED_GRAYSCALE_8]
    assert gray.size == (256, 13) and gray.original_size == (2048, 100) and gray.was_gray  # libjpeg: ceil(100 / 8)


def test_max_decode_side_sets_the_longer_side(tmp_path):
    path = write(tmp_path / "wide.png", np.zeros((30, 300, 3), np.uint8))
    picture = load_picture(path, max_decode_side=100)
    assert picture.size == (10, 100) and picture.notes == ("downscaled from 300×30 to 100×10",)
    assert load_picture(path, max_decode_side=300).notes == ()
    for bad in (3, 0, 100.0, True, "100"):
        with pytest.raises(ValueError, match="max_decode_side must be a whole number of at least 4"):
            load_picture(path, max_decode_side=bad)


def test_a_tiny_file_claiming_100000_by_100000_pixels_is_refused_before_decoding(tmp_path, monkeypatch):
    path = tmp_path / "bomb.png"
    path.write_bytes(raw_png(100_000, 100_000, colour_type=2))
    monkeypatch.setattr(cv2, "imdecode", lambda *a: pytest.fail("decoded a 10-gigapixel image"))
    assert message_of(path) == ("cannot open 'bomb.png': the image is 100,000×100,000 pixels (10,000 megapixels); "
                                "convviz opens images up to 100 megapixels")


def test_the_pixel_limit_applies_to_every_format(tmp_path, monkeypatch):
    monkeypatch.setattr(picture_module, "MAX_PIXELS", 999)
    for suffix in (".png", ".jpg", ".bmp", ".tiff", ".webp"):
        message = message_of(write(tmp_path / f"big{suffix}", np.zeros((25, 40, 3), np.uint8)))
        assert "the image is 40×25 pixels" in message and "up to 0 megapixels" in message, suffix


def test_opencv_refusing_or_running_out_of_memory_gives_a_message(tmp_path, monkeypatch):
    path = write(tmp_path / "fine.png", colour_blocks())

    def refuse(*args):
        raise cv2.error("OpenCV(5.0.0) loadsave.cpp:79: error: (-215) pixels <= CV_IO_MAX_IMAGE_PIXELS")

    monkeypatch.setattr(cv2, "imdecode", refuse)
    assert message_of(path).startswith("cannot open 'fine.png': it is too large to decode (OpenCV(5.0.0)")

    def no_memory(*args):
        raise MemoryError

    monkeypatch.setattr(cv2, "imdecode", no_memory)
    assert message_of(path) == "cannot open 'fine.png': there is not enough memory to decode it"
    monkeypatch.setattr(cv2, "imdecode", lambda *a: np.zeros((4, 4, 5), np.uint8))
    assert "decodes to an array of shape (4, 4, 5); convviz reads 1 (gray), 3 (colour) or 4" in message_of(path)


# --- bad files --------------------------------------------------------------------------------

def test_an_empty_file(tmp_path):
    (tmp_path / "x.png").write_bytes(b"")
    assert message_of(tmp_path / "x.png") == "cannot open 'x.png': the file is empty (0 bytes)"


def test_a_missing_file_and_a_folder(tmp_path):
    assert message_of(tmp_path / "gone.png") == ("cannot open 'gone.png': there is no such file "
                                                 "(it may have been moved or deleted)")
    (tmp_path / "photos.png").mkdir()
    assert message_of(tmp_path / "photos.png") == "cannot open 'photos.png': this is a folder, not an image file"


def test_a_text_file_renamed_png_and_other_non_images(tmp_path):
    (tmp_path / "notes.png").write_text("shopping list: milk, eggs\n", encoding="utf-8")
    assert message_of(tmp_path / "notes.png") == (
        "cannot open 'notes.png': this is not an image convviz can read (it looks like text); "
        "it reads PNG, JPEG, BMP, TIFF or WebP files")
    (tmp_path / "读我.png").write_text("这不是图片。" * 50, encoding="utf-8")  # cut mid-character at 512 bytes
    assert "(it looks like text)" in message_of(tmp_path / "读我.png")
    (tmp_path / "anim.gif").write_bytes(b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00;")
    assert message_of(tmp_path / "anim.gif") == (
        "cannot open 'anim.gif': this is not an image convviz can read; it reads PNG, JPEG, BMP, TIFF or WebP files")


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".webp", ".tiff", ".bmp"])
def test_a_truncated_file_is_corrupt_data_of_its_format(tmp_path, suffix):
    noise = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    ok, encoded = cv2.imencode(suffix, noise)
    data = encoded.tobytes()
    (tmp_path / f"cut{suffix}").write_bytes(data[: len(data) // 3])
    expected = {".png": "PNG", ".jpg": "JPEG", ".webp": "WebP", ".tiff": "TIFF", ".bmp": "BMP"}[suffix]
    assert message_of(tmp_path / f"cut{suffix}") == (
        f"cannot open 'cut{suffix}': the {expected} data is corrupt or truncated, so it cannot be decoded")


def test_a_png_signature_followed_by_garbage(tmp_path):
    (tmp_path / "junk.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert "the PNG data is corrupt or truncated" in message_of(tmp_path / "junk.png")


def test_a_header_with_zero_width(tmp_path):
    (tmp_path / "flat.png").write_bytes(raw_png(0, 10, colour_type=2))
    assert message_of(tmp_path / "flat.png") == "cannot open 'flat.png': the PNG header says the image is 0×10 pixels"


def test_a_file_the_system_will_not_let_us_read(tmp_path, monkeypatch):
    path = write(tmp_path / "locked.png", colour_blocks())

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(np, "fromfile", denied)
    assert message_of(path) == ("cannot open 'locked.png': permission denied "
                                "(convviz needs to be allowed to read the file)")

    def broken(*args, **kwargs):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(np, "fromfile", broken)
    assert message_of(path) == "cannot open 'locked.png': the file cannot be read (Input/output error)"


def test_picture_error_keeps_the_path_and_the_problem(tmp_path):
    with pytest.raises(PictureError) as caught:
        load_picture(tmp_path / "gone.png")
    assert caught.value.path == str(tmp_path / "gone.png")
    assert caught.value.problem.startswith("there is no such file")


# --- working images ---------------------------------------------------------------------------

def picture_of(rgb: np.ndarray) -> Picture:
    return picture_from_array(rgb, "test")


def test_working_size_keeps_the_aspect_ratio_and_at_least_4_pixels_a_side():
    assert working_shape((576, 1024), 64) == (36, 64)
    assert working_shape((1024, 576), 64) == (64, 36)
    assert working_shape((10, 1000), 64) == (4, 64)  # 0.64 rounds to 1, raised to 4
    assert working_shape((3, 3), 256) == (256, 256)
    assert working_shape((50, 80), (7, 9)) == (7, 9)


def test_enlarging_repeats_pixels_as_blocks_and_shrinking_averages():
    rgb = np.zeros((2, 3, 3), np.uint8)
    rgb[0, 0] = (255, 0, 0)
    rgb[1, 2] = (0, 0, 255)
    big = working_image(picture_of(rgb), 12, 3)
    assert big.shape == (3, 8, 12) and big.dtype == np.float32
    np.testing.assert_array_equal(big[0, :4, :4], 1.0)  # the red pixel is a 4×4 block of equal values
    np.testing.assert_array_equal(big[0, 4:, :], 0.0)
    np.testing.assert_array_equal(big[2, 4:, 8:], 1.0)
    assert set(np.unique(big)) == {0.0, 1.0}  # nearest neighbour: no blended values
    checker = (np.indices((16, 16)).sum(axis=0) % 2).astype(np.float32)  # 1-pixel squares
    small = working_image(picture_of(np.dstack([checker] * 3)), 4, 3)
    np.testing.assert_allclose(small, 0.5)  # each 4×4 block averaged: no aliasing


def test_each_axis_is_resized_its_own_way_when_one_grows_and_the_other_shrinks():
    rgb = np.zeros((2, 16, 3), np.float32)
    rgb[:, ::2] = 1.0  # 1-pixel vertical stripes
    rgb[1] = 0.25
    image = working_image(picture_of(rgb), (8, 4), 1)
    assert image.shape == (1, 8, 4)
    np.testing.assert_allclose(image[0, :4], 0.5)  # columns averaged four at a time
    np.testing.assert_allclose(image[0, 4:], 0.25)  # rows repeated, not blended


def test_one_channel_is_bt601_luma_and_three_channels_keep_rgb_order():
    rgb = np.array([[[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [0.2, 0.4, 0.6]]], np.float32)
    picture = picture_of(rgb)
    luma = working_image(picture, (4, 16), 1)
    assert luma.shape == (1, 4, 16)
    mixed = 0.299 * 0.2 + 0.587 * 0.4 + 0.114 * 0.6
    np.testing.assert_allclose(luma[0, 0, ::4], [0.299, 0.587, 0.114, mixed], rtol=1e-6)
    colour = working_image(picture, (4, 16), 3)
    np.testing.assert_array_equal(colour[:, 0, 0], [1, 0, 0])
    np.testing.assert_array_equal(colour[:, 2, 9], [0, 0, 1])
    colour[0, 0, 0] = 7  # the caller's own array: the picture is untouched
    assert picture.pixels[0, 0, 0] == 1


@pytest.mark.parametrize("size", [3, 257, 0, -8, 16.0, True, "64", (4,), (4, 300), (64, 64, 3), None])
def test_a_bad_working_size_names_the_range(size):
    with pytest.raises(ValueError, match=r"working size must be a whole number from 4 to 256 \(the longer side"):
        working_image(load_sample("shapes"), size, 3)


@pytest.mark.parametrize("channels", [0, 2, 4, 3.0, "3", None])
def test_bad_channels_say_1_or_3(channels):
    with pytest.raises(ValueError, match=r"channels must be 1 \(gray, by ITU-R BT.601 luma\) or 3 \(RGB\)"):
        working_image(load_sample("shapes"), 32, channels)


def test_a_picture_is_frozen_and_its_pixels_read_only():
    picture = load_sample("shapes")
    with pytest.raises(dataclasses.FrozenInstanceError):
        picture.source = "elsewhere"
    with pytest.raises(ValueError):
        picture.pixels[0, 0, 0] = 0.5


def test_an_in_memory_array_of_the_wrong_shape_or_type(tmp_path):
    with pytest.raises(PictureError, match=r"an array of shape \(3, 3, 5\) is not an image"):
        picture_from_array(np.zeros((3, 3, 5), np.uint8), "memory")
    with pytest.raises(PictureError, match="its pixels are int32 values"):
        picture_from_array(np.zeros((3, 3), np.int32), "memory")


def test_the_picture_module_loads_opencv_but_never_qt():
    code = (
        f"import sys, json; sys.path.insert(0, {str(Path(__file__).resolve().parent.parent)!r}); "
        "import convviz.data.picture as p; p.load_sample('shapes'); "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'cv2', 'PySide6', 'shiboken6', 'pyqtgraph', 'torch'})))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == ["cv2"]  # the probe sees what arrives
