"""Write the built-in sample pictures to assets/<name>.png (run from anywhere: python assets/make_samples.py).

The pictures are drawn by convviz.data.samples (NumPy only); this script only encodes them, so the
PNG files here and the in-memory fallback of convviz.data.picture.load_sample are the same pixels.
tests/test_samples.py checks that the files are up to date.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # this checkout's convviz, whatever pip installed

from convviz.data.samples import SAMPLES, sample_pixels  # noqa: E402


def main() -> None:
    for name in SAMPLES:
        pixels = sample_pixels(name)
        bgr = pixels[:, :, ::-1] if pixels.ndim == 3 else pixels  # OpenCV writes BGR
        ok, encoded = cv2.imencode(".png", bgr, [cv2.IMWRITE_PNG_COMPRESSION, 9])
        if not ok:
            raise SystemExit(f"could not encode {name}")
        encoded.tofile(HERE / f"{name}.png")
        print(f"assets/{name}.png  {pixels.shape[1]}×{pixels.shape[0]}  {'RGB' if pixels.ndim == 3 else 'gray'}")


if __name__ == "__main__":
    main()
