"""Image headers (convviz.data.image_header): format, size and grayness read without decoding, for
every format OpenCV writes, and nothing for a file that is none of them."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from convviz.data.image_header import read_header


@pytest.mark.parametrize(("suffix", "params", "channels", "gray"), [
    (".png", [], 3, False), (".png", [], 1, True), (".jpg", [], 3, False), (".jpg", [], 1, True),
    (".bmp", [], 3, None), (".tiff", [], 3, False), (".tiff", [], 1, True),
    (".webp", [cv2.IMWRITE_WEBP_QUALITY, 101], 3, False), (".webp", [cv2.IMWRITE_WEBP_QUALITY, 80], 3, False),
    (".webp", [cv2.IMWRITE_WEBP_QUALITY, 80], 4, False),
])
def test_headers_give_format_size_and_grayness_without_decoding(suffix, params, channels, gray):
    image = np.zeros((37, 53, channels), np.uint8)
    ok, encoded = cv2.imencode(suffix, image[..., 0] if channels == 1 else image, params)
    header = read_header(encoded.tobytes())
    assert (header.height, header.width, header.gray) == (37, 53, gray)
    assert header.format == {".png": "PNG", ".jpg": "JPEG", ".bmp": "BMP", ".tiff": "TIFF", ".webp": "WebP"}[suffix]


def test_headers_of_non_images_and_short_files():
    assert read_header(b"hello") is None and read_header(b"") is None
    assert read_header(b"\x89PNG\r\n\x1a\n").height is None
    assert read_header(b"\xff\xd8\xff\xe0\x00\x10JFIF").format == "JPEG"


def test_bmp_with_a_negative_height_is_a_top_down_image_of_that_height():
    ok, encoded = cv2.imencode(".bmp", np.zeros((7, 9, 3), np.uint8))
    data = bytearray(encoded.tobytes())
    data[22:26] = (-7).to_bytes(4, "little", signed=True)
    header = read_header(bytes(data))
    assert (header.format, header.height, header.width) == ("BMP", 7, 9)
