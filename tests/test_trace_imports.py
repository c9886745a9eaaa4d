"""convviz.trace imports numpy (and the engine) only: no Qt, no pyqtgraph, no OpenCV, no torch.

The import runs in a fresh interpreter, since pytest itself has torch loaded already; the check is
shown able to fail by importing torch next to it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("PySide6", "shiboken6", "pyqtgraph", "cv2", "torch")


def forbidden_after(code: str) -> list[str]:
    probe = (f"import sys, json\nsys.path.insert(0, {str(ROOT)!r})\n{code}\n"
             f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_trace_imports_without_qt_opencv_or_torch():
    assert forbidden_after("import convviz.trace\nconvviz.trace.trace_conv2d") == []


def test_the_check_sees_a_forbidden_import():
    assert "torch" in forbidden_after("import convviz.trace\nimport torch")
