"""The app's doors: ``python main.py --screenshot OUT.png`` (offscreen) writes a PNG of the window
that is not blank, also when IMAGE cannot be used (the message on stderr); ``--help`` lists the
options; the terminal commands still work. Subprocesses cost seconds each, so there are few."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from convviz.cli import main

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.usefixtures("no_threads_left")


def run_main(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "main.py", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout, stdin=subprocess.DEVNULL, env=env)


def assert_not_blank(path: Path, size: tuple[int, int]) -> None:
    """A real picture of the window: the requested size, many colours, no colour covering it all."""
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    assert image is not None, f"{path} is not a PNG OpenCV can read"
    assert image.shape[:2] == (size[1], size[0])
    colours, counts = np.unique(image.reshape(-1, 3), axis=0, return_counts=True)
    assert len(colours) > 200, f"only {len(colours)} colours"
    assert counts.max() < 0.85 * counts.sum(), "one colour covers almost everything"
    # the output panel's diverging map puts reds and blues on screen
    b, g, r = (image[..., k].astype(int) for k in range(3))
    assert np.count_nonzero((r - b > 60) & (r - g > 60)) > 50, "no red cells"
    assert np.count_nonzero((b - r > 60) & (b - g > 30)) > 50, "no blue cells"


@pytest.mark.slow
def test_the_screenshot_subprocess_writes_a_picture_of_the_window(tmp_path):
    out = tmp_path / "window shot.png"
    result = run_main("--screenshot", str(out), "--window-size", "1280x820")
    assert result.returncode == 0, result.stderr
    assert out.is_file()
    assert_not_blank(out, (1280, 820))
    assert "Traceback" not in result.stderr


def test_a_screenshot_with_an_image_it_cannot_use_still_gives_the_picture(tmp_path, capfd):
    """In this process (the same code path as the subprocess, minus the interpreter start)."""
    bad = tmp_path / "not a picture.png"
    bad.write_text("hello\n" * 50)
    out = tmp_path / "shot.png"
    assert main([str(bad), "--screenshot", str(out), "--window-size", "1100x760"]) == 0
    err = capfd.readouterr().err
    assert "convviz: cannot open 'not a picture.png'" in err and "looks like text" in err
    assert_not_blank(out, (1100, 760))


def test_help_lists_the_options_and_the_commands():
    result = run_main("--help", timeout=60)
    assert result.returncode == 0, result.stderr
    for word in ("IMAGE", "--screenshot", "OUT.png", "--window-size", "conv"):
        assert word in result.stdout


def test_the_conv_command_still_works():
    result = run_main("conv", "--input", "1,3,32,32", "--weight", "8,3,3,3", "--padding", "1", "--stride", "2",
                      timeout=60)
    assert result.returncode == 0, result.stderr
    assert "output  (1, 8, 16, 16)" in result.stdout


@pytest.mark.parametrize("argv, words", [
    (["--window-size", "huge"], "expected WIDTHxHEIGHT"),
    (["--window-size", "10x10"], "320x240 to 8192x8192"),
    (["--no-such-option"], "unrecognized arguments"),
])
def test_bad_window_arguments_are_refused_with_a_message(argv, words, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert words in capsys.readouterr().err


def test_what_start_made_is_frozen_out_of_full_collections():
    """The app calls this once torch is in; here it is undone at once (a test session must keep
    collecting its windows)."""
    import gc

    from convviz.app import freeze_what_start_made

    assert gc.get_freeze_count() == 0
    try:
        freeze_what_start_made()
        assert gc.get_freeze_count() > 10_000  # the modules, pyqtgraph's and torch's among them
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0
