"""The im2col picture: a window phase's frame as a row of the group's weight matrix times a column
of its column matrix, and those matrices themselves (built by the engine's im2col)."""

from __future__ import annotations

import numpy as np

from convviz.nn.functional import im2col

from .frames import Im2colPosition, read_only
from .hover import check_coordinate
from .record import TraceRecord


def im2col_position(record: TraceRecord, n: int, f: int, oy: int, ox: int, tap: int | None) -> Im2colPosition:
    """Where output element (n, f, oy, ox), and at tap granularity its tap, sits in the picture."""
    g = record.geometry
    group = f // g.out_per_group
    plane = g.out_height * g.out_width
    taps = record.taps_per_window
    return Im2colPosition(group, f - group * g.out_per_group, n * plane + oy * g.out_width + ox, tap,
                          (g.out_per_group, taps), (taps, g.batch * plane))


def im2col_matrices(record: TraceRecord, group) -> tuple[np.ndarray, np.ndarray]:
    """(weight matrix (F/G, C/G·KH·KW), column matrix (C/G·KH·KW, N·OH·OW)) of ``group``. The column
    matrix is about KH·KW times the input: meant for the small examples a lecturer shows."""
    g = record.geometry
    group = check_coordinate("group", group, g.groups, "the number of groups")
    filters = slice(group * g.out_per_group, (group + 1) * g.out_per_group)
    return (read_only(record.weight[filters].reshape(g.out_per_group, -1).copy()),
            read_only(np.ascontiguousarray(im2col(record.x_pad, g)[group])))
