"""The built-in cartoon cats and dogs: shapes, ranges, balance, determinism, and learnable."""

from __future__ import annotations

import numpy as np
import pytest

from convviz import models, nn, optim
from convviz.data import CAT, DOG, builtin_dataset
from convviz.data import builtin


@pytest.fixture(scope="module")
def small():
    return builtin_dataset(size=32, train_per_class=40, test_per_class=10, seed=3)


def test_shapes_ranges_labels_and_balance(small):
    assert small.source == "builtin" and small.skipped == ()
    for split, per_class in ((small.train, 40), (small.test, 10)):
        assert split.images.shape == (2 * per_class, 3, 32, 32) and split.images.dtype == np.float32
        assert split.labels.dtype == np.float32 and split.labels.tolist() == [CAT] * per_class + [DOG] * per_class
        assert split.paths == ("",) * (2 * per_class)
        assert split.images.min() >= 0 and split.images.max() <= 1
        assert not split.images.flags.writeable
        # Every image is a picture (not flat) and no two are the same.
        assert (split.images.std(axis=(1, 2, 3)) > 0.05).all()
        assert len({image.tobytes() for image in split.images}) == 2 * per_class


def test_the_same_seed_gives_the_same_images_and_another_seed_others(small):
    again = builtin_dataset(size=32, train_per_class=40, test_per_class=10, seed=3)
    np.testing.assert_array_equal(small.train.images, again.train.images)
    np.testing.assert_array_equal(small.test.images, again.test.images)
    other = builtin_dataset(size=32, train_per_class=40, test_per_class=10, seed=4)
    assert not np.allclose(small.train.images, other.train.images)


def test_test_images_are_not_training_images(small):
    train = {image.tobytes() for image in small.train.images}
    assert not any(image.tobytes() in train for image in small.test.images)


def test_the_result_does_not_depend_on_how_chunks_are_spread(monkeypatch):
    n = builtin.CHUNK + 7  # two chunks
    parallel = builtin.draw_faces("cat", n, 24, np.random.default_rng(5))
    monkeypatch.setattr(builtin, "map_on_all_cores", lambda function, items: [function(i) for i in items])
    serial = builtin.draw_faces("cat", n, 24, np.random.default_rng(5))
    np.testing.assert_array_equal(parallel, serial)


def test_the_two_kinds_are_drawn_differently():
    """From the same random choices, cats and dogs differ on average (ears, snout, whiskers); the
    training test below checks that a network can tell them apart."""
    cats = builtin.draw_faces("cat", 200, 32, np.random.default_rng(0))
    dogs = builtin.draw_faces("dog", 200, 32, np.random.default_rng(0))
    assert not np.allclose(cats.mean(axis=0), dogs.mean(axis=0), atol=0.02)


@pytest.mark.parametrize("size", [16, 64, 100])
def test_other_sizes(size):
    data = builtin_dataset(size=size, train_per_class=2, test_per_class=0)
    assert data.train.images.shape == (4, 3, size, size)
    assert data.test.images.shape == (0, 3, size, size) and len(data.test) == 0


@pytest.mark.parametrize("kwargs, error, words", [
    ({"size": 8}, ValueError, "size must be between 16 and 512"),
    ({"size": "64"}, TypeError, "size must be an int"),
    ({"train_per_class": -1}, ValueError, "train_per_class must be a non-negative int"),
    ({"test_per_class": None}, ValueError, "test_per_class must be a non-negative int"),
    ({"seed": 1.5}, ValueError, "seed must be a non-negative int"),
])
def test_bad_arguments_name_the_argument(kwargs, error, words):
    with pytest.raises(error, match=words):
        builtin_dataset(**kwargs)


def test_draw_faces_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match='kind must be "cat" or "dog"'):
        builtin.draw_faces("cow", 1, 32, np.random.default_rng(0))


@pytest.mark.slow
def test_the_small_model_learns_it_from_a_few_hundred_images():
    """Two passes over 300 faces per class (76 steps of batch 16, Adam(5e-4) as the source trains):
    the small network then tells newly drawn cats from dogs far better than chance (about 0.9)."""
    data = builtin_dataset(size=64, train_per_class=300, test_per_class=100, seed=1)
    model = models.catdog_cnn_small(rng=0)
    criterion, optimizer = nn.BCELoss(), optim.Adam(model.parameters(), lr=5e-4)
    rng = np.random.default_rng(0)
    for _epoch in range(2):
        order = rng.permutation(len(data.train))
        for start in range(0, len(order), 16):
            batch = order[start:start + 16]
            criterion(model(data.train.images[batch]), data.train.labels[batch, None])
            optimizer.zero_grad()
            model.backward(criterion.backward(), need_input_grad=False)
            optimizer.step()
    model.eval()
    predictions = model(data.test.images).ravel() > 0.5
    accuracy = np.mean(predictions == (data.test.labels == CAT))
    assert accuracy > 0.8, accuracy


def test_large_images_are_drawn_small_and_enlarged_bilinearly_as_opencv_does():
    import cv2

    x = np.random.default_rng(0).random((2, 3, 7, 7), dtype=np.float32)
    ours = builtin._enlarge(x, 19)
    theirs = np.stack([cv2.resize(channel, (19, 19), interpolation=cv2.INTER_LINEAR) for channel in x.reshape(-1, 7, 7)])
    np.testing.assert_allclose(ours, theirs.reshape(2, 3, 19, 19), atol=1e-6)
    data = builtin_dataset(size=builtin.DRAW_SIZE + 30, train_per_class=3, test_per_class=1)
    assert data.train.images.shape == (6, 3, builtin.DRAW_SIZE + 30, builtin.DRAW_SIZE + 30)
    assert 0 <= data.train.images.min() and data.train.images.max() <= 1
    # The noise is added after enlarging: neighbouring pixels still differ (not 2x2 blocks).
    assert np.abs(np.diff(data.train.images, axis=-1)).mean() > 0.01
