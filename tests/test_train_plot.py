"""curves.png without matplotlib or OpenCV: the PNG encoder is exact (OpenCV decodes the same
pixels) and the curves land where their values say."""

from __future__ import annotations

import numpy as np
import pytest

from convviz.train.plot import BATCH, TEST, TRAIN, curves_image, png_bytes, write_png
from convviz.train.records import EpochRecord

cv2 = pytest.importorskip("cv2")


def test_png_bytes_decode_to_the_same_pixels():
    image = np.random.default_rng(0).integers(0, 256, (7, 11, 3), dtype=np.uint8)
    decoded = cv2.imdecode(np.frombuffer(png_bytes(image), np.uint8), cv2.IMREAD_UNCHANGED)
    np.testing.assert_array_equal(decoded[..., ::-1], image)  # OpenCV gives BGR


def test_png_bytes_refuses_an_image_that_is_not_rgb():
    with pytest.raises(ValueError, match=r"\(H, W, 3\) uint8 image, got shape \(4, 4\)"):
        png_bytes(np.zeros((4, 4), np.uint8))


def history(accuracies):
    return [EpochRecord(epoch=e, train_loss=1.0 / e, train_accuracy=a, test_loss=1.2 / e, test_accuracy=a,
                        images_per_second=1.0, seconds=1.0, lr=1e-3, backend="numpy", batch_losses=(0.9, 0.8))
            for e, a in enumerate(accuracies, start=1)]


def test_the_curves_use_their_colours_and_rise_with_the_accuracy(tmp_path):
    image = curves_image(history([0.25, 0.5, 0.75, 1.0]))
    for colour in (TRAIN, TEST, BATCH):
        assert np.any(np.all(image == colour, axis=-1)), colour
    right = image[:, 500:]  # the accuracy panel: the test curve's highest pixel is at epoch 4
    rows, columns = np.nonzero(np.all(right == TEST, axis=-1))
    assert columns[np.argmin(rows)] > columns[np.argmax(rows)]
    path = write_png(tmp_path / "curves.png", image)
    np.testing.assert_array_equal(cv2.imread(str(path))[..., ::-1], image)


def test_an_empty_history_still_draws_the_axes():
    image = curves_image([])
    assert image.shape == (400, 1000, 3) and np.any(image != 255)
