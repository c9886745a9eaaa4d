"""`convviz export` from the terminal: every bad argument exits 2 with a message naming it (and
writes nothing); a good command writes the file the phase and picture call for; with no display
at all it still works (Qt offscreen, set by the command itself)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from export_helpers import read_gif

from convviz.cli import main

ROOT = Path(__file__).resolve().parent.parent
QUICK = ["--image-size", "4", "--size", "320x240"]   # 4×4 picture, 3×3 kernel: 4 slide frames

BAD = [
    ([], "one of the arguments --out --gallery is required"),
    (["--out", "a.gif", "--gallery", "g"], "argument --gallery: not allowed with argument --out"),
    (["--out", "a.avi"], "argument --out: cannot tell the format from 'a.avi'"),
    (["--out", "a.mp4", "--size", "321x240"], "argument --size: an H.264 MP4 (yuv420p) needs an even width"),
    (["--out", "a.gif", "--size", "big"], "argument --size: expected WIDTHxHEIGHT"),
    (["--out", "a.gif", "--size", "100x100"], "argument --size: the size must be WIDTHxHEIGHT from 160x120"),
    (["--out", "a.gif", "--fps", "0"], "argument --fps: must be above 0"),
    (["--out", "a.gif", "--fps", "fast"], "argument --fps: expected a number"),
    (["--out", "a.gif", "--fps", "60"], "argument --fps: a GIF plays at most 50 frames per second"),
    (["--out", "a.gif", "--kernel", "wavelet"], "argument --kernel: unknown kernel 'wavelet'"),
    (["--out", "a.gif", "--kernel", "16x3"], "argument --kernel: a kernel side must be from 1 to 15"),
    (["--out", "a.gif", "--kernel", "gaussian:5"], "argument --kernel: expected a kernel size KHxKW"),
    (["--out", "a.gif", "--kernel", "15x15", "--image-size", "6"], "argument --kernel/--dilation: the dilated kernel"),
    (["--out", "a.gif", "--out-channels", "17"], "argument --out-channels: the number of filters must be from 1"),
    (["--out", "a.gif", "--stride", "0"], "argument --stride: the stride must be from 1 to 8"),
    (["--out", "a.gif", "--stride", "1,2,3"], "argument --stride: expected one whole number or two"),
    (["--out", "a.gif", "--padding", "middle"], "argument --padding: expected a whole number"),
    (["--out", "a.gif", "--padding", "16"], "argument --padding: the padding must be from 0 to 15"),
    (["--out", "a.gif", "--padding", "same", "--stride", "2"], "argument --padding: padding='same' is not supported"),
    (["--out", "a.gif", "--dilation", "9"], "argument --dilation: the dilation must be from 1 to 8"),
    (["--out", "a.gif", "--dilation", "5"], "argument --kernel/--dilation: the dilated kernel does not fit"),
    (["--out", "a.gif", "--groups", "2"], "argument --groups: groups must divide both the 1 input channel"),
    (["--out", "a.gif", "--groups", "0"], "argument --groups: groups must be from 1 to 256"),
    (["--out", "a.gif", "--padding-mode", "mirror"], "argument --padding-mode: invalid choice: 'mirror'"),
    (["--out", "a.gif", "--phase", "backward"], "argument --phase: invalid choice: 'backward'"),
    (["--out", "a.gif", "--grad-output", "zeros"], "argument --grad-output: invalid choice: 'zeros'"),
    (["--out", "a.gif", "--granularity", "pixel"], "argument --granularity: invalid choice: 'pixel'"),
    (["--out", "a.gif", "--channels", "2"], "argument --channels: invalid choice: 2"),
    (["--out", "a.gif", "--image-size", "3"], "argument --image-size: the image size must be from 4 to 256"),
    (["--out", "a.gif", "--image", "no-such-picture.png"], "argument --image: 'no-such-picture.png' is neither"),
    (["--out", "a.gif", "--hold", "-1"], "argument --hold: must be from 0 to 60 seconds"),
    (["--out", "a.gif", "--bias", "nan"], "argument --bias: must be a finite number"),
]


@pytest.mark.parametrize("arguments, message", BAD, ids=[" ".join(a) or "nothing" for a, _ in BAD])
def test_a_bad_argument_exits_2_naming_it_and_writes_nothing(arguments, message, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stop:
        main(["export", *arguments])
    assert stop.value.code == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_is_not_a_picture_is_refused_as_the_image_argument(tmp_path, capsys):
    (tmp_path / "notes.png").write_text("not a picture")
    with pytest.raises(SystemExit) as stop:
        main(["export", "--out", str(tmp_path / "a.gif"), "--image", str(tmp_path / "notes.png")])
    assert stop.value.code == 2
    assert "argument --image: cannot open 'notes.png'" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.png"]


@pytest.mark.usefixtures("qapp")
@pytest.mark.parametrize("phase, frames", [("forward", 4), ("grad_input", 4 + 1), ("grad_weight", 4)])
def test_each_phase_exports_its_frames(phase, frames, tmp_path, capsys):
    out = tmp_path / f"{phase}.gif"
    status = main(["export", "--out", str(out), "--phase", phase, "--padding", "0,0", *QUICK, "--hold", "0"])
    assert status == 0
    decoded, _ = read_gif(out)
    # grad_input with no padding has no fold: 4 scatter frames (and the fold only with padding).
    assert len(decoded) == (4 if phase == "grad_input" else frames)
    assert f"wrote {out}" in capsys.readouterr().out


@pytest.mark.usefixtures("qapp")
def test_the_input_gradient_with_padding_ends_with_the_fold(tmp_path):
    out = tmp_path / "fold.gif"
    assert main(["export", "--out", str(out), "--phase", "grad_input", "--padding", "1", *QUICK, "--hold", "0"]) == 0
    assert len(read_gif(out)[0]) == 4 * 4 + 1  # 16 scatter frames, then the fold


@pytest.mark.usefixtures("qapp")
def test_a_size_kernel_gives_the_default_presets_and_a_name_gives_every_filter_that_preset():
    from convviz.export.commands import spec_from_args
    from convviz.cli import build_parser

    parse = build_parser().parse_args
    spec = spec_from_args(parse(["export", "--out", "a.gif", "--kernel", "5x3", "--out-channels", "3"]))
    assert spec.kernel_size == (5, 3) and spec.presets == ("sobel_x", "sobel_y", "laplacian")
    spec = spec_from_args(parse(["export", "--out", "a.gif", "--kernel", "gaussian:5x5", "--out-channels", "2",
                                 "--stride", "2,1", "--padding", "same", "--phase", "grad_weight"]))
    assert spec.kernel_size == (5, 5) and spec.presets == ("gaussian", "gaussian")
    assert spec.stride == (2, 1) and spec.padding == "same" and spec.mode == "backward"


def test_without_a_display_the_export_still_works(tmp_path):
    environment = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    out = tmp_path / "headless.mp4"
    done = subprocess.run([sys.executable, "main.py", "export", "--out", str(out), "--image", "digit", *QUICK],
                          capture_output=True, text=True, cwd=ROOT, env=environment, timeout=300,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert out.is_file() and f"wrote {out}" in done.stdout
