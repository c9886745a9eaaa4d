"""Reading the window the way the tests need it: the arrays in a grid's image items, the cells a
grid outlines, torch's answer for the arrays on screen, and a control changed as a user would.

Not a test module (pytest collects only ``test_*.py``); the app tests import it as
``from app_helpers import ...``, pytest having put tests/ on sys.path.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from torch_conv_reference import torch_reference

from convviz.state.build import conv_arguments

# The scene draws float32 images: numbers on screen match the engine's float64 to float32 rounding.
FLOAT32 = dict(rtol=2e-6, atol=1e-6)


def grid_planes(window, name: str) -> np.ndarray:
    """(k, H, W): the arrays the image items of grid ``name`` hold, plane by plane (cut out of the
    one mosaic image when its planes are small)."""
    return np.asarray(window.scene.grids[name].shown_planes(), dtype=np.float64)


def outlined_cells(grid, layer: str = "hover") -> set[tuple[int, int, int]]:
    """The (plane, row, column) cells the outline layer ``layer`` of a PlaneGrid draws."""
    return set(grid.outlined(layer))


def outlined_colours(grid, layer: str = "hover") -> dict[tuple[int, int, int], str]:
    """cell -> the outline's colour as #rrggbb."""
    return {cell: QColor(colour).name() for cell, colour in grid.outlined(layer).items()}


def masked_state(trace, index: int, name: str) -> np.ndarray:
    """trace.state(index)[name] with NaN where no frame has written yet (what the view must show)."""
    state = trace.state(index)
    values = np.array(state[name], dtype=np.float64)
    values[~state.written[name]] = np.nan
    return values


def torch_answer(spec, image) -> dict:
    """torch's output (and with a backward pass its gradients) for the arrays convviz builds from
    ``spec`` on ``image`` (C, H, W), computed with F.conv2d / nn.Conv2d and autograd in float64."""
    args = conv_arguments(spec, image)
    y, _, gi, gw, gb = torch_reference(args.input[None], args.weight, args.bias,
                                       None if args.grad_output is None else args.grad_output[None],
                                       **args.conv_kwargs())
    answer = {"output": y[0], "args": args}
    if args.grad_output is not None:
        answer.update(grad_input=gi[0], grad_weight=gw, grad_bias=gb)
    return answer


def choose(combo, data) -> None:
    """Pick the entry of QComboBox ``combo`` whose data is ``data``, as a user would (so `activated`
    fires as well as `currentIndexChanged`)."""
    index = combo.findData(data)
    assert index >= 0, f"{data!r} is not an entry of {combo}"
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def type_into(qtbot, spin, value) -> None:
    """Type ``value`` into a spin box and press Enter (the spin boxes do not track each key)."""
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), str(value))
    qtbot.keyClick(spin.lineEdit(), Qt.Key_Return)


def rebuild(window):
    """Build the current spec now (the window would build it in the background) and return it."""
    built = window.document.build_now()
    assert built is not None, f"the spec cannot run: {window.document.problems}"
    return built
