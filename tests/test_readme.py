"""The README's example runs as written, and .ci/run runs the README's test command.

.ci/run is exercised in a scratch copy of the checkout layout (.ci/run beside a README.md), with
a stand-in ``python`` first on PATH that records its arguments instead of installing or testing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")

RECORDING_PYTHON = """#!/usr/bin/env bash
printf '%s\\n' "$*" >> "$CALLS"
exit "${PYTHON_EXIT:-0}"
"""


def test_the_readme_python_example_trains_one_step():
    (example,) = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    namespace: dict = {}
    exec(compile(example, "README.md", "exec"), namespace)
    assert 0 < float(namespace["loss"]) < 10
    assert all(p.grad is not None for p in namespace["model"].parameters())


def run_ci(tmp_path: Path, readme: str, python_exit: int = 0) -> tuple[subprocess.CompletedProcess, list[str]]:
    """Run a copy of .ci/run beside ``readme``; return the result and each stand-in python call."""
    (tmp_path / ".ci").mkdir()
    shutil.copy2(ROOT / ".ci" / "run", tmp_path / ".ci" / "run")
    (tmp_path / "README.md").write_text(readme, encoding="utf-8")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").write_text(RECORDING_PYTHON, encoding="utf-8")
    (bin_dir / "python").chmod(0o755)
    calls = tmp_path / "calls.txt"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "CALLS": str(calls),
           "PYTHON_EXIT": str(python_exit)}
    result = subprocess.run(["bash", str(tmp_path / ".ci" / "run")], capture_output=True, text=True,
                            env=env, cwd=tmp_path, timeout=60)
    return result, calls.read_text(encoding="utf-8").splitlines() if calls.exists() else []


def test_ci_runs_the_readme_test_command_from_the_install_to_the_tests(tmp_path):
    result, calls = run_ci(tmp_path, README)
    assert result.returncode == 0, result.stderr
    assert calls == ["-m pip install -e .[test]", "-m pytest -q"]


def test_ci_runs_whatever_the_marked_block_says(tmp_path):
    readme = ("# x\n\n```\npython -m not-this\n```\n\n<!-- test-command -->\n```\n"
              "python -m pytest -q tests/one.py\n```\n\n```\npython -m nor-this\n```\n")
    result, calls = run_ci(tmp_path, readme)
    assert result.returncode == 0, result.stderr
    assert calls == ["-m pytest -q tests/one.py"]


def test_ci_fails_when_the_command_fails(tmp_path):
    result, calls = run_ci(tmp_path, README, python_exit=3)
    assert result.returncode == 3
    assert calls == ["-m pip install -e .[test]"]  # && stops at the failed install


@pytest.mark.parametrize("readme, message", [
    ("# x\n\n```\npython -m pytest -q\n```\n", "no test command after <!-- test-command -->"),
    ("<!-- test-command -->\n```\npython -m pip install -e .\n```\n", "does not run pytest"),
])
def test_ci_refuses_a_readme_without_a_pytest_command(tmp_path, readme, message):
    result, calls = run_ci(tmp_path, readme)
    assert result.returncode == 1
    assert message in result.stderr
    assert calls == []
