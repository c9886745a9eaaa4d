"""`convviz train` and `convviz evaluate` from the terminal (subprocesses of main.py): the files
they write, resuming, the last line of evaluate, and the exit codes: 2 for a bad argument (named),
1 for bad data or a bad checkpoint (the path named)."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("convviz.data")

ROOT = Path(__file__).resolve().parent.parent
SMALL = ["--data", "builtin", "--train-per-class", "24", "--test-per-class", "8", "--batch-size", "16"]


def run_main(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "main.py", *map(str, args)], capture_output=True, text=True, cwd=ROOT,
                          timeout=300, stdin=subprocess.DEVNULL)


def read_metrics(path: Path) -> list[list[str]]:
    with open(path, newline="") as stream:
        return list(csv.reader(stream))


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    result = run_main("train", *SMALL, "--epochs", "1", "--out", out)
    return out, result


def test_train_writes_the_checkpoint_the_metrics_and_the_curves(run):
    out, result = run
    assert result.returncode == 0, result.stderr
    assert re.search(r"^epoch 1/1  train loss \d\.\d{4} accuracy \d\.\d{3}  test loss", result.stdout, re.M)
    assert "epoch 1/1:" in result.stderr  # tqdm's bar
    rows = read_metrics(out / "metrics.csv")
    assert rows[0][:7] == ["epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy",
                           "images_per_second", "seconds"]
    assert len(rows) == 2 and rows[1][0] == "1" and 0 <= float(rows[1][4]) <= 1
    import cv2

    curves = cv2.imread(str(out / "curves.png"))
    assert curves.shape == (400, 1000, 3) and len(np.unique(curves.reshape(-1, 3), axis=0)) > 3
    with np.load(out / "model.npz", allow_pickle=False) as npz:
        assert "model/0.weight" in npz.files


def test_evaluate_prints_the_accuracy_as_its_last_line(run):
    out, _ = run
    result = run_main("evaluate", "--checkpoint", out / "model.npz", "--data", "builtin")
    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    match = re.fullmatch(r"accuracy: (\d\.\d{3}) \((\d+)/16\)", last)
    assert match and float(match[1]) == pytest.approx(int(match[2]) / 16, abs=5e-4)
    rows = read_metrics(out / "metrics.csv")
    assert float(match[1]) == pytest.approx(float(rows[1][4]), abs=5e-4)  # the same test images as in training


def test_resume_continues_the_run_and_its_curves(run, tmp_path):
    out, _ = run
    result = run_main("train", "--resume", out / "model.npz", "--epochs", "2", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "epochs 2-2" in result.stdout and "epoch 2/2" in result.stdout
    before, after = read_metrics(out / "metrics.csv"), read_metrics(tmp_path / "metrics.csv")
    assert len(after) == 3 and after[1] == before[1]


@pytest.mark.parametrize("args, named", [
    (["--epochs", "0"], "--epochs"), (["--lr", "0"], "--lr"), (["--lr", "fast"], "--lr"),
    (["--batch-size", "-4"], "--batch-size"), (["--model", "huge"], "--model"), (["--backend", "jax"], "--backend"),
    (["--seed", "-1"], "--seed"), (["--train-per-class", "0"], "--train-per-class"),
])
def test_a_bad_argument_exits_2_naming_it(tmp_path, args, named):
    result = run_main("train", *SMALL, *args, "--out", tmp_path)
    assert result.returncode == 2
    assert f"argument {named}" in result.stderr
    assert not (tmp_path / "model.npz").exists()


def test_train_without_out_exits_2_naming_it():
    result = run_main("train", *SMALL)
    assert result.returncode == 2 and "--out" in result.stderr


def test_resume_asking_for_no_more_epochs_exits_2(run, tmp_path):
    out, _ = run
    result = run_main("train", "--resume", out / "model.npz", "--epochs", "1", "--out", tmp_path)
    assert result.returncode == 2 and "argument --epochs: the checkpoint has trained 1 epochs already" in result.stderr


def test_bad_data_exits_1_naming_the_path(tmp_path):
    missing = tmp_path / "no-such-folder"
    result = run_main("train", "--data", missing, "--epochs", "1", "--out", tmp_path / "out")
    assert result.returncode == 1 and str(missing) in result.stderr
    (tmp_path / "empty").mkdir()
    result = run_main("evaluate", "--checkpoint", tmp_path / "x.npz", "--data", tmp_path / "empty")
    assert result.returncode == 1 and "x.npz: no such checkpoint file" in result.stderr


def test_a_bad_checkpoint_exits_1_naming_it(run, tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"PK\x03\x04 truncated")
    for command in (["train", "--resume", bad, "--out", tmp_path], ["evaluate", "--checkpoint", bad]):
        result = run_main(*command)
        assert result.returncode == 1, result.stderr
        assert f"{bad}: not a readable .npz checkpoint" in result.stderr


def test_a_dataset_folder_in_the_wrong_layout_exits_1_naming_it(run, tmp_path):
    out, _ = run
    (tmp_path / "photos").mkdir()
    result = run_main("evaluate", "--checkpoint", out / "model.npz", "--data", tmp_path / "photos")
    assert result.returncode == 1
    assert str(tmp_path / "photos") in result.stderr
