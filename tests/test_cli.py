"""The terminal door: ``python main.py conv`` reports sizes with the formula, and bad input gets
the engine's message on stderr with exit status 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from convviz.cli import describe_conv, main
from convviz.nn.functional import conv2d

ROOT = Path(__file__).resolve().parent.parent


def run_main(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "main.py", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120, stdin=subprocess.DEVNULL)


def test_main_reports_the_first_layer_of_the_catdog_cnn():
    result = run_main("conv", "--input", "16,3,224,224", "--weight", "16,3,11,11", "--stride", "3")
    assert result.returncode == 0, result.stderr
    assert "output  (16, 16, 72, 72)" in result.stdout
    assert "floor((224 + 0 + 0 - 1·(11 - 1) - 1) / 3) + 1 = 72" in result.stdout
    assert "481,738,752 multiply-adds" in result.stdout  # 16·16·72·72·3·11·11
    assert result.stderr == ""


def test_main_names_the_broken_rule_on_stderr():
    result = run_main("conv", "--input", "1,3,5,5", "--weight", "8,3,3,3", "--groups", "2")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "groups must divide both channel counts: groups=2, in_channels=3, out_channels=8" in result.stderr


@pytest.mark.parametrize("args", [
    dict(input_shape=(2, 4, 8, 8), weight_shape=(2, 2, 3, 3), stride=(3, 2), padding=(2, 1), dilation=(4, 4), groups=2),
    dict(input_shape=(1, 4, 5, 5), weight_shape=(1, 4, 2, 3), padding="same", dilation=3),
    dict(input_shape=(4, 9, 7), weight_shape=(8, 1, 3, 2), groups=4, padding_mode="reflect", padding=1),
])
def test_the_reported_shape_is_the_shape_conv2d_returns(args):
    text = describe_conv(**args)
    keywords = {k: v for k, v in args.items() if k not in ("input_shape", "weight_shape")}
    y = conv2d(np.zeros(args["input_shape"], np.float32), np.zeros(args["weight_shape"], np.float32), **keywords)
    assert f"output  {y.shape}" in text


def test_the_kernel_that_does_not_fit_shows_the_formula_with_numbers(capsys):
    assert main(["conv", "--input", "1,3,5,5", "--weight", "8,3,7,7"]) == 2
    err = capsys.readouterr().err
    assert "floor((5 + 0 + 0 - 1·(7 - 1) - 1) / 1) + 1 = -1" in err


def test_a_huge_input_costs_no_memory():
    # conv_geometry sees zero-stride stand-ins, so a 64 GB input is described instantly.
    text = describe_conv((1024, 64, 512, 512), (64, 64, 3, 3), padding=1)
    assert "output  (1024, 64, 512, 512)" in text
