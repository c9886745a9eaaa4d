"""The engine imports numpy only (and threadpoolctl): no Qt, no pyqtgraph, no OpenCV and no torch.

Each import runs in a fresh interpreter (pytest itself has torch and maybe Qt loaded already), which
then lists every module in sys.modules that belongs to a forbidden package.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("PySide6", "shiboken6", "pyqtgraph", "cv2", "torch")
ENGINE_MODULES = ["convviz.nn", "convviz.nn.functional", "convviz.optim", "convviz.models", "convviz.trace", "convviz.cli"]

PROBE = """
import importlib, json, sys
sys.path.insert(0, {root!r})
importlib.import_module({module!r})
forbidden = {forbidden!r}
loaded = sorted(name for name in sys.modules if name.split(".")[0] in forbidden)
print(json.dumps(loaded))
"""


def loaded_forbidden_modules(*modules: str) -> list[str]:
    """Import ``modules`` in a new interpreter; return the forbidden modules that got loaded."""
    code = "".join(PROBE.format(root=str(ROOT), module=m, forbidden=FORBIDDEN) for m in modules)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, f"importing {', '.join(modules)} failed:\n{result.stderr}"
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", ENGINE_MODULES)
def test_engine_module_imports_without_qt_opencv_or_torch(module):
    assert loaded_forbidden_modules(module) == []


def test_all_engine_modules_together_import_without_qt_opencv_or_torch():
    assert loaded_forbidden_modules(*ENGINE_MODULES) == []


def test_the_probe_sees_a_forbidden_import():
    """The check can fail: importing torch (the parity tests' reference) next to the engine is seen."""
    code = PROBE.format(root=str(ROOT), module="convviz.nn.functional", forbidden=FORBIDDEN) + "import torch\n"
    code += PROBE.format(root=str(ROOT), module="json", forbidden=FORBIDDEN)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    last = json.loads(result.stdout.strip().splitlines()[-1])
    assert "torch" in last


ALLOWED_THIRD_PARTY = {"numpy", "threadpoolctl", "convviz"}
ALLOW_LIST_PROBE = """
import importlib, json, sys
sys.path.insert(0, {root!r})
before = set(sys.modules)  # whatever the interpreter and site-packages' start-up hooks loaded
for module in {modules!r}:
    importlib.import_module(module)
extra = {{name.split(".")[0] for name in set(sys.modules) - before}}
extra = {{name for name in extra if not name.startswith(("_cython_", "cython_runtime"))}}  # numpy's compiled parts
print(json.dumps(sorted(extra - set(sys.stdlib_module_names) - {allowed!r})))
"""


def third_party_modules_loaded_by(*modules: str) -> list[str]:
    code = ALLOW_LIST_PROBE.format(root=str(ROOT), modules=list(modules), allowed=ALLOWED_THIRD_PARTY)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_engine_loads_nothing_but_numpy_threadpoolctl_and_the_standard_library():
    assert third_party_modules_loaded_by(*ENGINE_MODULES) == []


def test_the_allow_list_probe_sees_another_package():
    assert "hypothesis" in third_party_modules_loaded_by("convviz.nn", "hypothesis")
