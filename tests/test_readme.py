"""The README's example runs as written, and .ci/run reads the README's test command."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_python_example_trains_one_step():
    (example,) = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    namespace: dict = {}
    exec(compile(example, "README.md", "exec"), namespace)
    assert 0 < float(namespace["loss"]) < 10
    assert all(p.grad is not None for p in namespace["model"].parameters())


def test_ci_runs_the_readme_test_command():
    script = (
        "awk '/<!-- test-command -->/{found=1; next} found && /^```/{if (inblock) exit; inblock=1; next} "
        "inblock{print}' README.md"
    )
    command = subprocess.run(["bash", "-c", script], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    assert command == 'python -m pip install -e ".[test]" && python -m pytest -q'
    assert script.split("'")[1] in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
