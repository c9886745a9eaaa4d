"""convviz.data never loads Qt, and loads OpenCV only when a folder of photos is read: the
training loop (numpy only) can import it and use the built-in data and augmentation."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, sys
sys.path.insert(0, {root!r})
import numpy as np
import convviz.data as data
data.augment_batch(data.builtin_dataset(16, 2, 1).train.images, np.random.default_rng(0))
before = sorted({{m.split(".")[0] for m in sys.modules}} & {{"cv2", "PySide6", "shiboken6", "pyqtgraph", "torch"}})
{then}
after = sorted({{m.split(".")[0] for m in sys.modules}} & {{"cv2", "PySide6", "shiboken6", "pyqtgraph", "torch"}})
print(json.dumps([before, after]))
"""


def loaded(then: str = "") -> list[list[str]]:
    code = PROBE.format(root=str(ROOT), then=then)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_builtin_data_and_augmentation_load_neither_qt_nor_opencv():
    assert loaded()[0] == []


def test_reading_a_folder_loads_opencv_but_not_qt(tmp_path):
    """The probe can see a module arrive: decoding one image loads cv2, and still no Qt."""
    image = tmp_path / "one.png"
    image.write_bytes(
        bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
                      "0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082"))
    before, after = loaded(f"from convviz.data import catdog; catdog.decode_image({str(image)!r}, 4)")
    assert before == [] and after == ["cv2"]
