"""The cache of decoded images: used on a second load, invalidated by a changed file, and never
a reason to crash (a corrupt entry is rebuilt, an unwritable folder is done without)."""

from __future__ import annotations

import os
import time
import zipfile

import numpy as np
import pytest

from convviz.data import catdog, default_cache_dir, load_folder
from convviz.data.cache import CachedGroup, prune, read_group, write_group
from data_fixtures import REAL_PHOTOS, colour_of, make_tree, write_image


@pytest.fixture
def decodes(monkeypatch):
    """Count the images OpenCV decodes: a list that grows by one path per decode."""
    seen, decode = [], catdog.decode_image

    def counting_decode(path, size):
        seen.append(path)
        return decode(path, size)

    monkeypatch.setattr(catdog, "decode_image", counting_decode)
    return seen


def assert_same(a, b):
    for split_a, split_b in ((a.train, b.train), (a.test, b.test)):
        np.testing.assert_array_equal(split_a.images, split_b.images)
        np.testing.assert_array_equal(split_a.labels, split_b.labels)
        assert split_a.paths == split_b.paths
    assert a.skipped == b.skipped


def test_a_second_load_reads_the_cache_and_decodes_nothing(tmp_path, decodes):
    root, cache = make_tree(tmp_path / "data", per_class=3), tmp_path / "cache"
    first = load_folder(root, size=16, cache_dir=cache)
    assert len(decodes) == 12
    assert len(list(cache.glob("catdog-*.npz"))) == 4  # one entry per class folder and split
    second = load_folder(root, size=16, cache_dir=cache)
    assert len(decodes) == 12
    assert_same(first, second)


def test_the_cache_remembers_images_that_failed_to_decode(tmp_path, decodes):
    root, cache = make_tree(tmp_path / "data", per_class=3, extension=".jpg"), tmp_path / "cache"
    broken = root / "training_set" / "cats" / "cat.01.jpg"
    broken.write_bytes(broken.read_bytes()[:-50])
    first = load_folder(root, size=8, cache_dir=cache)
    count = len(decodes)
    second = load_folder(root, size=8, cache_dir=cache)
    assert len(decodes) == count
    assert [s.path for s in second.skipped] == [str(broken)]
    assert_same(first, second)


def test_progress_reports_the_images_found_in_the_cache(tmp_path):
    root, cache = make_tree(tmp_path / "data", per_class=2), tmp_path / "cache"
    load_folder(root, size=8, cache_dir=cache)
    calls = []
    load_folder(root, size=8, cache_dir=cache, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(8, 8)]


def test_a_changed_file_invalidates_its_folder_only(tmp_path, decodes):
    root, cache = make_tree(tmp_path / "data", per_class=3), tmp_path / "cache"
    load_folder(root, size=8, cache_dir=cache)
    changed = root / "test_set" / "dogs" / "dog.01.png"
    write_image(changed, np.full((20, 30, 3), (30, 20, 10), np.uint8))  # B, G, R
    stat = changed.stat()
    os.utime(changed, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # a later mtime, whatever the clock
    del decodes[:]
    data = load_folder(root, size=8, cache_dir=cache)
    assert sorted(decodes) == sorted(str(p) for p in (root / "test_set" / "dogs").iterdir())
    index = data.test.paths.index(str(changed))
    assert colour_of(data.test.images[index]) == (10, 20, 30)


def test_an_added_or_removed_file_invalidates_its_folder(tmp_path, decodes):
    root, cache = make_tree(tmp_path / "data", per_class=3), tmp_path / "cache"
    load_folder(root, size=8, cache_dir=cache)
    write_image(root / "training_set" / "cats" / "cat.new.png", np.zeros((5, 5, 3), np.uint8))
    del decodes[:]
    assert len(load_folder(root, size=8, cache_dir=cache).train) == 7
    assert len(decodes) == 4
    (root / "training_set" / "cats" / "cat.00.png").unlink()
    del decodes[:]
    assert len(load_folder(root, size=8, cache_dir=cache).train) == 6
    assert len(decodes) == 3


def test_the_cache_is_keyed_by_size_count_and_seed(tmp_path, decodes):
    root, cache = make_tree(tmp_path / "data", per_class=4), tmp_path / "cache"
    load_folder(root, size=8, cache_dir=cache)
    for kwargs in ({"size": 9}, {"size": 8, "train_per_class": 2}, {"size": 8, "train_per_class": 2, "seed": 1}):
        del decodes[:]
        load_folder(root, cache_dir=cache, **kwargs)
        assert decodes, kwargs


def corrupt_by_truncating(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def corrupt_by_garbage(path):
    path.write_bytes(b"this is no zip file at all")


def corrupt_a_byte_of_the_images(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # inside the images array: the zip's CRC check catches it
    path.write_bytes(bytes(data))


def replace_with_a_pickle(path):
    """An .npz whose arrays are Python objects: unpickling them could run code; never loaded."""
    np.savez(path.with_suffix(".tmp.npz"), key=np.array(path.stem[len("catdog-"):]),
             images=np.array([object()], dtype=object), names=np.array([], dtype=str),
             failed_names=np.array([], dtype=str), failed_reasons=np.array([], dtype=str))
    os.replace(path.with_suffix(".tmp.npz"), path)


def replace_with_wrong_shapes(path):
    key = str(np.load(path)["key"])
    np.savez(path.with_suffix(".tmp.npz"), key=np.array(key), images=np.zeros((3, 3, 5, 5), np.uint8),
             names=np.array(["a", "b"]), failed_names=np.array([], dtype=str), failed_reasons=np.array([], dtype=str))
    os.replace(path.with_suffix(".tmp.npz"), path)


@pytest.mark.parametrize("corrupt", [corrupt_by_truncating, corrupt_by_garbage, corrupt_a_byte_of_the_images,
                                     replace_with_a_pickle, replace_with_wrong_shapes])
def test_a_corrupt_cache_entry_is_ignored_and_rebuilt(tmp_path, decodes, corrupt):
    root, cache = make_tree(tmp_path / "data", per_class=3, shape=(40, 40)), tmp_path / "cache"
    first = load_folder(root, size=32, cache_dir=cache)
    for entry in cache.glob("catdog-*.npz"):
        corrupt(entry)
    del decodes[:]
    second = load_folder(root, size=32, cache_dir=cache)
    assert len(decodes) == 12
    assert_same(first, second)
    del decodes[:]
    load_folder(root, size=32, cache_dir=cache)  # the rebuilt entries are good again
    assert decodes == []


def test_an_unwritable_cache_folder_is_done_without(tmp_path, decodes):
    root = make_tree(tmp_path / "data", per_class=2)
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("a file where the cache folder would go")
    first = load_folder(root, size=8, cache_dir=not_a_folder)
    second = load_folder(root, size=8, cache_dir=not_a_folder)
    assert len(decodes) == 16
    assert_same(first, second)


def test_writing_leaves_no_temporary_file_and_fails_cleanly(tmp_path, monkeypatch):
    group = CachedGroup(np.zeros((2, 3, 4, 4), np.uint8), ("a.png", "b.png"), (("c.png", "broken"),))
    assert write_group(tmp_path, "k", group)
    assert [p.name for p in tmp_path.iterdir()] == ["catdog-k.npz"]
    back = read_group(tmp_path, "k", 4)
    assert back.names == group.names and back.failed == group.failed
    np.testing.assert_array_equal(back.images, group.images)
    assert read_group(tmp_path, "k", 5) is None  # another size is not this entry

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    assert not write_group(tmp_path, "other", group)
    assert [p.name for p in tmp_path.iterdir()] == ["catdog-k.npz"]


def test_entries_are_plain_arrays_without_pickle(tmp_path):
    root, cache = make_tree(tmp_path / "data", per_class=2), tmp_path / "cache"
    load_folder(root, size=8, cache_dir=cache)
    for entry in cache.glob("catdog-*.npz"):
        with zipfile.ZipFile(entry) as archive:
            assert sorted(archive.namelist()) == sorted(
                ["key.npy", "images.npy", "names.npy", "failed_names.npy", "failed_reasons.npy"])
        with np.load(entry, allow_pickle=False) as stored:
            assert all(stored[name].dtype != object for name in stored.files)


def test_the_default_cache_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "convviz"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "convviz"


@pytest.mark.skipif(not REAL_PHOTOS.is_dir(), reason=f"the shared photos are not at {REAL_PHOTOS}")
@pytest.mark.slow
def test_a_cached_load_of_the_real_photos_is_much_faster(tmp_path, decodes):
    start = time.perf_counter()
    cold = load_folder(REAL_PHOTOS, size=32, train_per_class=300, test_per_class=100, cache_dir=tmp_path)
    cold_seconds = time.perf_counter() - start
    start = time.perf_counter()
    warm = load_folder(REAL_PHOTOS, size=32, train_per_class=300, test_per_class=100, cache_dir=tmp_path)
    warm_seconds = time.perf_counter() - start
    assert len(decodes) == 800
    assert_same(cold, warm)
    assert warm_seconds < cold_seconds / 3, (cold_seconds, warm_seconds)


def test_loading_every_image_shares_the_entry_whatever_the_seed(tmp_path, decodes):
    root, cache = make_tree(tmp_path / "data", per_class=3), tmp_path / "cache"
    first = load_folder(root, size=8, seed=0, cache_dir=cache)
    del decodes[:]
    second = load_folder(root, size=8, seed=5, cache_dir=cache)
    assert decodes == []
    assert_same(first, second)


def test_the_least_recently_used_entries_go_beyond_the_limit(tmp_path):
    group = CachedGroup(np.zeros((4, 3, 16, 16), np.uint8), ("a", "b", "c", "d"), ())
    for age, key in enumerate(["old", "middle", "new"]):
        write_group(tmp_path, key, group)
        os.utime(tmp_path / f"catdog-{key}.npz", ns=(10**18 + age * 10**9,) * 2)
    entry_bytes = (tmp_path / "catdog-old.npz").stat().st_size
    read_group(tmp_path, "old", 16)  # reading an entry makes it the most recently used
    deleted = prune(tmp_path, keep=set(), limit=2 * entry_bytes)
    assert [p.name for p in deleted] == ["catdog-middle.npz"]
    deleted = prune(tmp_path, keep={"new"}, limit=entry_bytes)
    assert [p.name for p in deleted] == ["catdog-old.npz"]
    assert [p.name for p in tmp_path.iterdir()] == ["catdog-new.npz"]


def test_a_load_keeps_the_cache_under_its_limit_but_never_drops_its_own_entries(tmp_path, monkeypatch):
    from convviz.data import cache as cache_module

    root, cache = make_tree(tmp_path / "data", per_class=2), tmp_path / "cache"
    load_folder(root, size=8, cache_dir=cache)
    monkeypatch.setattr(cache_module, "MAX_CACHE_BYTES", 1)
    load_folder(root, size=9, cache_dir=cache)
    assert len(list(cache.glob("catdog-*.npz"))) == 4  # the size-9 entries only
    assert all(read_group(cache, key, 9) is not None for key in
               [p.stem[len("catdog-"):] for p in cache.glob("catdog-*.npz")])
