"""Applying a frame to a state: the one place that knows what a frame's ``adds``, ``zeros`` and
``crop`` mean. ``Trace.state`` plays forward with it, and so may a view or a test."""

from __future__ import annotations

from collections.abc import MutableMapping

import numpy as np

from .frames import Frame


def apply_frame(arrays: MutableMapping[str, np.ndarray], written: MutableMapping[str, np.ndarray],
                frame: Frame) -> None:
    """Change the state ``arrays`` / ``written`` from "before ``frame``" to "after ``frame``", in place.

    ``arrays`` and ``written`` map the names of ``TraceState`` ("output", "grad_input",
    "grad_weight", "grad_bias") to writable arrays in the layout ``Trace.state`` returns (no batch
    axis for an unbatched input; "grad_input" padded until the crop), e.g. copies of a state's::

        arrays = {name: a.copy() for name, a in trace.state(i - 1).arrays.items()}
        written = {name: w.copy() for name, w in trace.state(i - 1).written.items()}
        apply_frame(arrays, written, trace[i])   # now equal to trace.state(i)

    In this order: every ``Addition`` in ``frame.adds`` is added (``np.add.at``: a cell may be
    indexed more than once), every ``Zeroing`` in ``frame.zeros`` sets its cells to exactly 0,
    and both mark their cells written; then ``frame.crop``, if any, replaces its array and mask
    by new, cropped ones.
    """
    for addition in frame.adds:
        np.add.at(arrays[addition.array], addition.index, addition.amount)
        written[addition.array][addition.index] = True
    for zeroing in frame.zeros:
        arrays[zeroing.array][zeroing.index] = 0
        written[zeroing.array][zeroing.index] = True
    crop = frame.crop
    if crop is not None:
        cut = (..., slice(crop.rows.start, crop.rows.stop), slice(crop.columns.start, crop.columns.stop))
        arrays[crop.array] = arrays[crop.array][cut].copy()
        written[crop.array] = written[crop.array][cut].copy()


def arrays_changed_by(frame: Frame) -> set[str]:
    """The names of the state arrays ``apply_frame(..., frame)`` changes or replaces."""
    names = {addition.array for addition in frame.adds} | {zeroing.array for zeroing in frame.zeros}
    if frame.crop is not None:
        names.add(frame.crop.array)
    return names
