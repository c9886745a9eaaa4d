"""The built-in sample pictures: names, sizes and sources; the PNG files in assets/ equal what
convviz.data.samples draws (and the in-memory fallback of an install without assets/); each picture
is what its description claims."""

from __future__ import annotations

import numpy as np
import pytest

from convviz.data import picture as picture_module
from convviz.data.picture import load_sample, sample_names
from convviz.data.samples import SAMPLES, sample_pixels


def test_sample_names_start_with_the_default_and_each_loads_as_described():
    assert sample_names()[0] == "shapes" and sample_names() == tuple(SAMPLES)
    expected = {"shapes": ((32, 32), False), "digit": ((28, 28), True), "checker": ((24, 24), True),
                "stripes": ((24, 48), True), "gradient": ((32, 32), False)}
    assert set(expected) == set(sample_names())
    for name, (size, gray) in expected.items():
        picture = load_sample(name)
        assert picture.size == size and picture.original_size == size and picture.was_gray == gray, name
        assert picture.source == f"sample:{name}" and picture.notes == ()
        assert f"{size[1]}×{size[0]}" in SAMPLES[name]  # the tooltip states the size


def test_the_shipped_pngs_are_what_the_generator_draws(monkeypatch, tmp_path):
    shipped = {}
    for name in sample_names():
        assert picture_module.ASSETS.joinpath(f"{name}.png").is_file(), "run python assets/make_samples.py"
        shipped[name] = load_sample(name)
        drawn = sample_pixels(name)
        expected = drawn if drawn.ndim == 3 else np.dstack([drawn] * 3)
        np.testing.assert_array_equal(shipped[name].pixels, expected / np.float32(255), err_msg=name)
    monkeypatch.setattr(picture_module, "ASSETS", tmp_path / "no-assets")  # an install without assets/
    monkeypatch.setattr(picture_module, "load_picture", lambda *a, **k: pytest.fail("read a file"))
    for name in sample_names():
        fallback = load_sample(name)
        np.testing.assert_array_equal(fallback.pixels, shipped[name].pixels, err_msg=name)
        assert (fallback.source, fallback.was_gray, fallback.notes) == (f"sample:{name}", shipped[name].was_gray, ())


def test_an_unknown_sample_lists_the_samples():
    with pytest.raises(ValueError, match="unknown sample picture 'cat'; the samples are: shapes, digit, checker"):
        load_sample("cat")


def test_shapes_has_flat_regions_of_four_colours_with_distinct_luma():
    pixels = sample_pixels("shapes").astype(float)
    colours = {(24, 36, 72): "navy", (250, 200, 40): "square", (228, 58, 48): "circle", (70, 190, 95): "triangle"}
    counts = {name: np.all(pixels == colour, axis=-1).sum() for colour, name in colours.items()}
    assert counts["square"] == 121 and min(counts.values()) > 60  # the square is exactly 11×11 pixels
    lumas = sorted(np.dot(colour, [0.299, 0.587, 0.114]) for colour in colours)
    assert min(np.diff(lumas)) > 20  # a 1-channel working image keeps every edge
    assert tuple(pixels[8, 8]) == (250, 200, 40) and tuple(pixels[0, 0]) == (24, 36, 72)


def test_checker_stripes_and_gradient_are_what_they_claim():
    board = sample_pixels("checker")
    assert set(np.unique(board)) == {25, 230} and board[0, 0] == 230 and board[0, 2] == 25 and board[2, 0] == 25
    np.testing.assert_array_equal(board[::4, ::4], 230)  # stride 4 samples one colour only: aliasing
    np.testing.assert_array_equal(board[:2, :2], 230)
    bars = sample_pixels("stripes")
    assert np.all(bars == bars[0])  # vertical stripes: Sobel y is zero
    runs = np.diff(np.flatnonzero(np.diff(bars[0].astype(int)) != 0))
    assert list(runs[:3]) == [4, 4, 4] and list(runs[-3:]) == [1, 1, 1]  # finer to the right
    red = sample_pixels("gradient")[..., 0].astype(float)
    np.testing.assert_allclose(np.diff(red, axis=1), 200 / 31, atol=1.01)  # linear to the right
    np.testing.assert_allclose(np.diff(red, axis=0), 0)


def test_digit_is_a_bright_stroke_on_black():
    seven = sample_pixels("digit")
    assert seven[0].max() == 0 and seven[:, 0].max() == 0 and seven[27].max() == 0  # a clean border
    assert seven.max() == 255 and 0.1 < (seven > 128).mean() < 0.3
    assert seven[5:9, 8:21].mean() > 100  # the top bar
    assert seven[20:24, 12:17].max() > 200  # the downstroke reaches the bottom
