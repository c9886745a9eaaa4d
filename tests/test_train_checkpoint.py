"""Checkpoints: the round trip, resuming continues the run exactly, atomic writes, and every
refusal (missing, truncated, corrupt, not an .npz, pickled objects, other network or shapes,
newer format, bad settings, NaN weights) names the file and leaves the model untouched."""

from __future__ import annotations

import json
import pickle
import types
import zipfile

import numpy as np
import pytest

from convviz.train import CheckpointError, TrainConfig, Trainer, read_checkpoint, resume
from convviz.train import checkpoint as checkpoint_module

from test_train_loop import dataset


def state_of(trainer: Trainer):
    return trainer.backend.state_dict(), trainer.backend.optimizer_state(), list(trainer.history), trainer.step_count


def assert_same_state(one, other):
    (model_a, optim_a, history_a, steps_a), (model_b, optim_b, history_b, steps_b) = one, other
    assert model_a.keys() == model_b.keys()
    for key in model_a:
        np.testing.assert_array_equal(model_a[key], model_b[key], err_msg=key)
    assert optim_a["param_groups"] == optim_b["param_groups"]
    assert optim_a["state"].keys() == optim_b["state"].keys()
    for index, entries in optim_a["state"].items():
        for name, value in entries.items():
            np.testing.assert_array_equal(value, optim_b["state"][index][name], err_msg=f"{index} {name}")
    assert (history_a, steps_a) == (history_b, steps_b)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A run trained for one epoch and its checkpoint."""
    trainer = Trainer(dataset(32, 16), TrainConfig(epochs=1, batch_size=16, lr=2e-3, seed=4))
    list(trainer.steps())
    path = trainer.save(tmp_path_factory.mktemp("run") / "model.npz")
    return trainer, path


def test_a_checkpoint_round_trips_weights_optimizer_history_and_settings(trained):
    trainer, path = trained
    with np.load(path, allow_pickle=False) as npz:
        assert not any(npz[name].dtype.hasobject for name in npz.files)
        assert int(npz["format_version"]) == 1
        assert json.loads(str(npz["settings"]))["lr"] == 2e-3
    fresh = Trainer(dataset(32, 16), TrainConfig(epochs=1, batch_size=16, seed=9))
    fresh.load(path)
    assert_same_state(state_of(fresh), state_of(trainer))
    assert fresh.lr == 2e-3 and fresh.backend.lr == 2e-3
    assert read_checkpoint(path).config == trainer.config


def test_resuming_continues_the_run_as_if_it_had_never_stopped(tmp_path):
    config = TrainConfig(epochs=3, batch_size=16, seed=2)
    straight = Trainer(dataset(48, 16), config)
    list(straight.steps())

    first = Trainer(dataset(48, 16), config)
    steps = first.steps()
    for record in steps:
        if type(record).__name__ == "EpochRecord":
            break
    steps.close()
    first.save(tmp_path / "model.npz")
    resumed = resume(tmp_path / "model.npz", dataset(48, 16))
    records = list(resumed.steps())
    assert [r.epoch for r in records if type(r).__name__ == "EpochRecord"] == [2, 3]
    assert [r.epoch for r in resumed.history] == [1, 2, 3]  # the curves continue
    assert resumed.history[0] == first.history[0]
    for key, value in straight.model.state_dict().items():
        np.testing.assert_allclose(resumed.model.state_dict()[key], value, rtol=1e-6, atol=1e-7, err_msg=key)
    assert [r.batch_losses for r in resumed.history] == pytest.approx([r.batch_losses for r in straight.history])


def test_a_failed_write_leaves_the_old_checkpoint_and_no_temporary_file(trained, tmp_path, monkeypatch):
    trainer, _ = trained
    path = trainer.save(tmp_path / "model.npz")
    before = path.read_bytes()

    def crash(stream, **arrays):
        stream.write(b"PK half a checkpoint")
        raise OSError("disk full")

    monkeypatch.setattr(checkpoint_module.np, "savez", crash)
    with pytest.raises(OSError, match="disk full"):
        trainer.save(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]


class RunsCode:
    """Unpickling this runs ``exec``: it creates the marker file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return exec, (f"open({self.marker!r}, 'w').close()",)


def arrays_of(path) -> dict:
    with np.load(path, allow_pickle=False) as npz:
        return {name: npz[name] for name in npz.files}


def rewrite(path, target, change) -> None:
    arrays = arrays_of(path)
    change(arrays)
    np.savez(target, **arrays)


def set_entry(name, value):
    return lambda arrays: arrays.__setitem__(name, value)


def drop_entry(name):
    return lambda arrays: arrays.pop(name)


REFUSALS = {
    "missing": (None, "no such checkpoint file"),
    "truncated": (lambda path, bad: bad.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2]), "truncated or corrupt"),
    "corrupt": (lambda path, bad: bad.write_bytes(corrupt(path.read_bytes())), "truncated or corrupt"),
    "text": (lambda path, bad: bad.write_text("not a checkpoint at all"), "truncated or corrupt"),
    "npy": (lambda path, bad: np.save(bad.with_suffix(".npy"), np.zeros(3)) or bad.with_suffix(".npy").rename(bad),
            "truncated or corrupt"),
    "other format": (lambda path, bad: np.savez(bad, weights=np.zeros(3)), "not a convviz checkpoint"),
    "newer": (lambda path, bad: rewrite(path, bad, set_entry("format_version", np.array(2))), "newer convviz"),
    "other shapes": (lambda path, bad: rewrite(path, bad, set_entry("model/0.weight", np.zeros((16, 3, 11, 11), np.float32))),
                     r"another network .*'0.weight' has shape \(16, 3, 11, 11\), the model's is \(16, 3, 5, 5\)"),
    "missing weights": (lambda path, bad: rewrite(path, bad, drop_entry("model/18.bias")), r"another network .*missing '18.bias'"),
    "optimizer shapes": (lambda path, bad: rewrite(path, bad, set_entry("optimizer/state/0/exp_avg", np.zeros(3, np.float32))),
                         "optimiser state 'exp_avg' of parameter 0 has shape"),
    "settings": (lambda path, bad: rewrite(path, bad, set_entry("settings", np.array('{"model": "huge"}'))), "settings are invalid"),
    "json": (lambda path, bad: rewrite(path, bad, set_entry("history", np.array("[{"))), "'history' entry is not valid JSON"),
    "nan weights": (lambda path, bad: rewrite(path, bad, set_entry("model/16.weight", np.full((64, 128), np.nan, np.float32))),
                    "'16.weight' holds NaN"),
    "lr": (lambda path, bad: rewrite(path, bad, set_entry("optimizer/param_groups", np.array(
        '[{"lr": -1, "betas": [0.9, 0.999], "eps": 1e-08, "weight_decay": 0, "amsgrad": false, "params": []}]'))),
        "learning rate is -1"),
}


def corrupt(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes(b ^ 0xFF for b in data[middle:middle + 64]) + data[middle + 64:]


@pytest.mark.parametrize("kind", list(REFUSALS))
def test_a_bad_checkpoint_is_refused_naming_the_file_and_the_model_is_untouched(trained, tmp_path, kind):
    trainer, path = trained
    make, problem = REFUSALS[kind]
    bad = tmp_path / "bad.npz"
    if make is not None:
        make(path, bad)
    victim = Trainer(dataset(32, 16), TrainConfig(epochs=2, batch_size=16, seed=11))
    list(victim.steps())
    before = state_of(victim)
    with pytest.raises(CheckpointError, match=problem) as caught:
        victim.load(bad)
    assert str(bad) in str(caught.value) and caught.value.path == str(bad)
    assert_same_state(state_of(victim), before)
    assert victim.lr == 5e-4


def test_a_pickled_object_that_would_run_code_is_refused_and_never_unpickled(trained, tmp_path):
    trainer, path = trained
    marker = tmp_path / "code-ran"
    bad = tmp_path / "evil.npz"
    arrays = arrays_of(path)
    arrays["settings"] = np.array([RunsCode(marker)], dtype=object)
    np.savez(bad, **arrays)
    victim = Trainer(dataset(32, 16), TrainConfig(epochs=1, batch_size=16))
    before = state_of(victim)
    with pytest.raises(CheckpointError, match="entry 'settings' holds pickled Python objects"):
        victim.load(bad)
    assert not marker.exists()
    assert_same_state(state_of(victim), before)
    # The file is live: loading it the unsafe way does run the code (so the test above can fail).
    with np.load(bad, allow_pickle=True) as npz:
        npz["settings"]
    assert marker.exists()


def test_a_pickle_hidden_in_a_member_with_another_name_is_refused_too(tmp_path):
    marker = tmp_path / "code-ran"
    bad = tmp_path / "evil.npz"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("format.npy", pickle.dumps(RunsCode(marker)))
    with pytest.raises(CheckpointError, match="truncated or corrupt"):
        read_checkpoint(bad)
    assert not marker.exists()


def test_a_checkpoint_of_the_other_network_is_refused(trained, tmp_path):
    trainer, path = trained
    victim = Trainer(types.SimpleNamespace(train=trained_split(224), test=trained_split(224)),
                     TrainConfig(model="source", epochs=1))
    before = victim.model.state_dict()
    with pytest.raises(CheckpointError, match=r"saved from another network \(model 'small'\)"):
        victim.load(path)
    for key, value in before.items():
        np.testing.assert_array_equal(victim.model.state_dict()[key], value)


def trained_split(size):
    return types.SimpleNamespace(images=np.zeros((2, 3, size, size), np.float32), labels=np.array([0, 1], np.float32),
                                 paths=("", ""))


def test_a_checkpoint_name_must_end_in_npz(trained, tmp_path):
    trainer, _ = trained
    with pytest.raises(CheckpointError, match="must end in .npz"):
        trainer.save(tmp_path / "model.pt")
