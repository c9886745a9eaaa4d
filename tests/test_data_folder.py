"""convviz.data.load_folder on folders built here and on the real photos in ../shared/data."""

from __future__ import annotations

import os
import threading

import cv2
import numpy as np
import pytest

from convviz.data import CAT, DOG, DataError, Skipped, catdog, load_folder
from convviz.nn.parallel import CORES
from data_fixtures import REAL_PHOTOS, colour_of, flat_colour, make_tree, write_image


def load(root, tmp_path, **kwargs):
    """load_folder with the cache in this test's own folder (never the user's)."""
    kwargs.setdefault("cache_dir", tmp_path / "cache")
    return load_folder(root, **kwargs)


# --- the layout --------------------------------------------------------------------------------

def test_loads_every_split_and_class_with_labels_shapes_and_paths(tmp_path):
    root = make_tree(tmp_path / "data", per_class=3)
    data = load(root, tmp_path, size=16)
    assert data.source == str(root)
    assert data.skipped == ()
    for split, per_class, s in ((data.train, 3, 0), (data.test, 3, 1)):
        assert split.images.shape == (6, 3, 16, 16) and split.images.dtype == np.float32
        assert split.labels.dtype == np.float32 and split.labels.tolist() == [CAT] * 3 + [DOG] * 3
        assert [os.path.basename(p) for p in split.paths] == [f"cat.{i:02d}.png" for i in range(3)] + [
            f"dog.{i:02d}.png" for i in range(3)]
        # Each image is the file its path names: the flat colour encodes split, class and index.
        for n, (image, path) in enumerate(zip(split.images, split.paths)):
            k, i = divmod(n, 3)
            assert colour_of(image) == flat_colour(s, k, i), path
    assert not data.train.images.flags.writeable and not data.train.labels.flags.writeable


def test_pixels_are_rgb_and_channels_first_by_transposing(tmp_path):
    """A 64x64 image with four coloured quadrants shrunk to 32x32: each quadrant is 16x16 pixels of
    its own colour, channel 0 red. Reading BGR as RGB would swap red and blue; a reshape instead of
    a transpose would scramble the quadrants."""
    quadrants = {(0, 0): (255, 0, 0), (0, 1): (0, 255, 0), (1, 0): (0, 0, 255), (1, 1): (255, 255, 0)}
    bgr = np.zeros((64, 64, 3), np.uint8)
    for (qy, qx), (r, g, b) in quadrants.items():
        bgr[32 * qy:32 * qy + 32, 32 * qx:32 * qx + 32] = (b, g, r)
    root = make_tree(tmp_path / "data", per_class=1)
    write_image(root / "training_set" / "cats" / "cat.00.png", bgr)
    image = load(root, tmp_path, size=32).train.images[0]
    assert image.shape == (3, 32, 32)
    for (qy, qx), rgb in quadrants.items():
        block = image[:, 16 * qy:16 * qy + 16, 16 * qx:16 * qx + 16]
        np.testing.assert_array_equal(block, np.broadcast_to(np.array(rgb, np.float32)[:, None, None] / 255, block.shape))


def test_nested_layout_of_the_download(tmp_path):
    root = make_tree(tmp_path / "data", per_class=2, nested=True)
    data = load(root, tmp_path, size=8)
    assert len(data.train) == 4 and len(data.test) == 4
    assert all(f"{os.sep}training_set{os.sep}training_set{os.sep}" in p for p in data.train.paths)


@pytest.mark.parametrize("extension", [".JPG", ".Jpeg", ".PNG", ".BMP", ".WEBP", ".TIF", ".tiff", ".webp"])
def test_every_common_extension_in_any_case(tmp_path, extension):
    root = make_tree(tmp_path / "data", per_class=2, extension=extension)
    data = load(root, tmp_path, size=8)
    assert len(data.train) == 4 and data.skipped == ()
    assert all(p.endswith(extension) for p in data.train.paths)


def test_paths_with_spaces_and_chinese_characters(tmp_path):
    root = make_tree(tmp_path / "猫 和 狗 data", per_class=2)
    write_image(root / "training_set" / "cats" / "我的 猫.jpg", np.full((10, 10, 3), 200, np.uint8))
    data = load(root, tmp_path, size=8)
    assert str(root / "training_set" / "cats" / "我的 猫.jpg") in data.train.paths
    assert len(data.train) == 5


def test_grey_sixteen_bit_and_transparent_images_become_three_8_bit_channels(tmp_path):
    root = make_tree(tmp_path / "data", per_class=1)
    cats = root / "training_set" / "cats"
    write_image(cats / "grey.png", np.full((8, 8), 100, np.uint8))
    write_image(cats / "deep.png", np.full((8, 8, 3), (0, 0, 65535), np.uint16))  # 16-bit red
    write_image(cats / "clear.png", np.full((8, 8, 4), (255, 0, 0, 0), np.uint8))  # blue, alpha 0
    data = load(root, tmp_path, size=8)
    colours = {os.path.basename(p): colour_of(image) for p, image in zip(data.train.paths, data.train.images)}
    assert colours["grey.png"] == (100, 100, 100)
    assert colours["deep.png"] == (255, 0, 0)
    assert colours["clear.png"] == (0, 0, 255)  # the colour is kept, the alpha channel dropped


# --- what is skipped and what is an error ------------------------------------------------------

def test_stray_files_are_skipped_and_reported_by_name(tmp_path):
    root = make_tree(tmp_path / "data", per_class=2)
    cats = root / "training_set" / "cats"
    (cats / "_DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (cats / "notes.txt").write_text("not a cat")
    (cats / "more").mkdir()
    (cats / "gone.jpg").symlink_to(cats / "missing-target.jpg")
    data = load(root, tmp_path, size=8)
    assert len(data.train) == 4  # the two real cats and the two dogs
    assert set(data.skipped) == {
        Skipped(str(cats / "_DS_Store"), "not an image (no extension)"),
        Skipped(str(cats / "notes.txt"), "not an image (.txt)"),
        Skipped(str(cats / "more"), "a folder, not an image"),
        Skipped(str(cats / "gone.jpg"), "not a regular file (a broken link?)"),
    }


def test_a_truncated_jpeg_is_skipped_and_replaced_by_another_image(tmp_path):
    root = make_tree(tmp_path / "data", per_class=4, extension=".jpg", shape=(64, 64))
    bad = root / "test_set" / "dogs" / "dog.01.jpg"
    bad.write_bytes(bad.read_bytes()[:-100])  # the end of the compressed data is cut off
    fake = root / "test_set" / "dogs" / "dog.02.jpg"
    fake.write_text("a text file named like a photo")
    # 3 of the 4 dogs asked for: whichever the seed chose first, both broken ones get tried.
    data = load(root, tmp_path, size=8, test_per_class=3)
    assert data.skipped == (Skipped(str(bad), "cannot be decoded (truncated or corrupt?)"),
                            Skipped(str(fake), "cannot be decoded (truncated or corrupt?)"))
    dogs = [p for p, label in zip(data.test.paths, data.test.labels) if label == DOG]
    assert sorted(dogs) == [str(root / "test_set" / "dogs" / f"dog.0{i}.jpg") for i in (0, 3)]


def test_an_empty_file_is_skipped(tmp_path):
    root = make_tree(tmp_path / "data", per_class=2)
    empty = root / "training_set" / "dogs" / "dog.09.png"
    empty.write_bytes(b"")
    data = load(root, tmp_path, size=8)
    assert data.skipped == (Skipped(str(empty), "cannot be decoded (empty file)"),)
    assert len(data.train) == 4


def test_a_class_of_only_broken_images_is_an_error(tmp_path):
    root = make_tree(tmp_path / "data", per_class=2)
    for path in (root / "test_set" / "cats").iterdir():
        path.write_bytes(b"\xff\xd8\xff garbage")
    with pytest.raises(DataError, match=r"none of the images tried in class folder .*test_set.cats could be decoded"):
        load(root, tmp_path, size=8)


def test_an_empty_class_folder_is_an_error_naming_it_and_the_layout(tmp_path):
    root = make_tree(tmp_path / "data", per_class=2)
    dogs = root / "training_set" / "dogs"
    for path in dogs.iterdir():
        path.unlink()
    (dogs / "_DS_Store").write_bytes(b"x")  # a stray file does not make it a class
    with pytest.raises(DataError) as error:
        load(root, tmp_path, size=8)
    message = str(error.value)
    assert f"class folder {dogs} holds no images" in message
    assert "ROOT/training_set/{cats,dogs}/ and ROOT/test_set/{cats,dogs}/" in message


def test_a_missing_split_is_an_error(tmp_path):
    root = make_tree(tmp_path / "data", per_class=1)
    for path in (root / "test_set").rglob("*.png"):
        path.unlink()
    for folder in ("cats", "dogs"):
        (root / "test_set" / folder).rmdir()
    (root / "test_set").rmdir()
    with pytest.raises(DataError, match=f"missing split folder {root / 'test_set'}; expected ROOT/training_set"):
        load(root, tmp_path, size=8)


def test_a_missing_class_is_an_error(tmp_path):
    root = make_tree(tmp_path / "data", per_class=1)
    (root / "test_set" / "dogs").rename(root / "test_set" / "doggos")
    with pytest.raises(DataError, match=f"missing class folder {root / 'test_set' / 'dogs'}; expected"):
        load(root, tmp_path, size=8)


def test_a_missing_root_and_a_split_folder_passed_as_root(tmp_path):
    with pytest.raises(DataError, match="does not exist or is not a folder; expected ROOT/training_set"):
        load(tmp_path / "nowhere", tmp_path)
    root = make_tree(tmp_path / "data", per_class=1)
    with pytest.raises(DataError, match="is this a split folder"):
        load(root / "training_set", tmp_path)


@pytest.mark.parametrize("kwargs, error, words", [
    ({"size": 0}, ValueError, "size must be positive"),
    ({"size": 2.5}, TypeError, "size must be an int"),
    ({"size": 5000}, ValueError, "size must be at most 1024"),
    ({"train_per_class": -1}, ValueError, "train_per_class must be a non-negative int or None"),
    ({"test_per_class": 1.0}, ValueError, "test_per_class must be a non-negative int or None"),
    ({"seed": -3}, ValueError, "seed must be a non-negative int"),
    ({"progress": "yes"}, TypeError, "progress must be a function"),
])
def test_bad_arguments_name_the_argument(tmp_path, kwargs, error, words):
    root = make_tree(tmp_path / "data", per_class=1)
    with pytest.raises(error, match=words):
        load(root, tmp_path, **kwargs)


# --- which files, and in which order ------------------------------------------------------------

def test_the_seed_chooses_the_files_and_the_same_seed_the_same_files(tmp_path):
    root = make_tree(tmp_path / "data", per_class=12)
    first = load(root, tmp_path, size=8, train_per_class=4, test_per_class=3, seed=7)
    again = load(root, tmp_path, size=8, train_per_class=4, test_per_class=3, seed=7, cache_dir=tmp_path / "other")
    other = load(root, tmp_path, size=8, train_per_class=4, test_per_class=3, seed=8)
    assert first.train.paths == again.train.paths and first.test.paths == again.test.paths
    assert first.train.paths != other.train.paths
    assert len(first.train) == 8 and len(first.test) == 6
    cats = first.train.paths[:4]
    assert list(cats) == sorted(cats)  # listed in name order whatever order chose them
    # Asking for more test images does not change which training images were chosen.
    more_tests = load(root, tmp_path, size=8, train_per_class=4, test_per_class=5, seed=7)
    assert more_tests.train.paths == first.train.paths


def test_all_images_when_fewer_than_asked_or_none(tmp_path):
    root = make_tree(tmp_path / "data", per_class=3)
    assert len(load(root, tmp_path, size=8, train_per_class=100).train) == 6
    assert len(load(root, tmp_path, size=8, train_per_class=None, test_per_class=None).test) == 6
    empty_test = load(root, tmp_path, size=8, test_per_class=0).test
    assert empty_test.images.shape == (0, 3, 8, 8) and empty_test.labels.shape == (0,)


# --- progress and threads ----------------------------------------------------------------------

def test_progress_counts_every_image_up_to_the_total(tmp_path):
    root = make_tree(tmp_path / "data", per_class=3, extension=".jpg")
    for name in ("cat.00.jpg", "cat.02.jpg"):  # 2 of the 3 cats are broken, 2 cats asked for
        broken = root / "training_set" / "cats" / name
        broken.write_bytes(broken.read_bytes()[:100])
    calls, threads = [], set()

    def progress(done, total):
        calls.append((done, total))
        threads.add(threading.get_ident())

    data = load(root, tmp_path, size=8, train_per_class=2, progress=progress)
    assert threads == {threading.get_ident()}  # called from the thread that called load_folder
    assert [done for done, _ in calls] == list(range(1, len(calls) + 1))
    assert all(done <= total for done, total in calls)
    # Every cat tried (whichever the seed chose first, a broken one was among them), then
    # 2 dogs, and 3 + 3 test images: 11, and the total ends equal to it.
    assert calls[-1] == (11, 11)
    assert len(data.train) == 3 and len(data.skipped) == 2


def test_an_exception_from_progress_stops_the_load_and_leaves_no_thread(tmp_path):
    root = make_tree(tmp_path / "data", per_class=20)

    def cancel(done, total):
        if done == 3:
            raise KeyboardInterrupt("cancelled")

    with pytest.raises(KeyboardInterrupt):
        load(root, tmp_path, size=8, progress=cancel)
    assert not [t for t in threading.enumerate() if t.name.startswith("convviz-data")]
    assert not list((tmp_path / "cache").glob("*.tmp"))


@pytest.mark.skipif(CORES < 2, reason="needs two cores to show decoding on two threads")
def test_decoding_runs_on_a_thread_per_core(tmp_path, monkeypatch):
    """The first two decodes wait for each other at a barrier. One thread cannot be both (it is
    stuck in the first), so with a single decoding thread the barrier times out and breaks."""
    root = make_tree(tmp_path / "data", per_class=4)
    barrier, lock, callers, decode = threading.Barrier(2, timeout=30), threading.Lock(), [], catdog.decode_image

    def meeting_decode(path, size):
        with lock:
            callers.append(threading.get_ident())
            arrival = len(callers)
        if arrival <= 2:
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass
        return decode(path, size)

    monkeypatch.setattr(catdog, "decode_image", meeting_decode)
    load(root, tmp_path, size=8)
    assert not barrier.broken and len(set(callers[:2])) == 2


# --- the real photos ---------------------------------------------------------------------------

needs_photos = pytest.mark.skipif(not REAL_PHOTOS.is_dir(), reason=f"the shared photos are not at {REAL_PHOTOS}")


@pytest.fixture(scope="module")
def real_photos(tmp_path_factory):
    return load_folder(REAL_PHOTOS, size=64, cache_dir=tmp_path_factory.mktemp("cache"))


@needs_photos
@pytest.mark.slow
def test_real_photos_counts_labels_and_shapes(real_photos):
    data = real_photos
    assert data.skipped == ()
    assert data.train.images.shape == (2000, 3, 64, 64) and data.test.images.shape == (400, 3, 64, 64)
    for split, per_class in ((data.train, 1000), (data.test, 200)):
        assert split.labels.tolist() == [CAT] * per_class + [DOG] * per_class
        assert all(os.sep + "cats" + os.sep in p for p in split.paths[:per_class])
        assert all(os.sep + "dogs" + os.sep in p for p in split.paths[per_class:])
        assert len(set(split.paths)) == 2 * per_class
        assert 0 <= split.images.min() and split.images.max() <= 1
    assert all(os.sep + "training_set" + os.sep in p for p in data.train.paths)


@needs_photos
@pytest.mark.slow
def test_real_photos_are_rgb_on_every_pixel_against_opencv(real_photos):
    for index in (0, 777, 1500, 1999):
        path = real_photos.train.paths[index]
        bgr = cv2.imread(path, cv2.IMREAD_COLOR)
        expected = cv2.resize(bgr, (64, 64), interpolation=cv2.INTER_AREA)[..., ::-1]  # BGR -> RGB
        expected = expected.transpose(2, 0, 1).astype(np.float32) / 255  # H, W, C -> C, H, W
        np.testing.assert_array_equal(real_photos.train.images[index], expected)
        # The source's reshape gives other pixels (and this check would see it).
        scrambled = expected.transpose(1, 2, 0)[..., ::-1].reshape(3, 64, 64)
        assert not np.array_equal(real_photos.train.images[index], scrambled)
    image, path = real_photos.test.images[10], real_photos.test.paths[10]
    y, x = 20, 41
    b, g, r = cv2.resize(cv2.imread(path), (64, 64), interpolation=cv2.INTER_AREA)[y, x]
    assert image[:, y, x].tolist() == [np.float32(r) / 255, np.float32(g) / 255, np.float32(b) / 255]
