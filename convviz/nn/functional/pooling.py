"""2-D max and average pooling, forward and backward.

Notation, as in conv.py:

    x       input            (N, C, H, W)        or unbatched (C, H, W)
    y       output           (N, C, OH, OW)
    k, s, p kernel size, stride, padding (per axis: kh/kw, sh/sw, ph/pw); d dilation (max only)

A window's top-left corner sits at (oy·sh - ph, ox·sw - pw) and its tap (i, j) reads the pixel
(oy·sh - ph + i·dh, ox·sw - pw + j·dw). Taps that fall outside the input are skipped:

    max:  y[n, c, oy, ox] = max over the window's taps inside the input
    avg:  y[n, c, oy, ox] = (sum over the window's taps inside the input) / divisor

    OH = floor((H + 2·ph - dh·(kh - 1) - 1 + (sh - 1 if ceil_mode else 0)) / sh) + 1   (OW alike)

and with ceil_mode the last window is dropped if it would start past the input and its left
(top) padding: torch's rule, so that no window holds padding only.

Both forwards walk the kernel tap by tap: tap (i, j) of every window at once is one strided
slice of the (padded) input, so the Python loop runs kh·kw times, never over pixels. Max pooling
with 2×2 windows at stride 2 (the cat/dog CNN's) has a shorter road, ``_max_pool_2x2``: a
maximum of column pairs, then of row pairs, with the winner's index read off the comparisons.
Large inputs take that road on all cores at once, split by images (``convviz.nn.parallel``).
"""

from __future__ import annotations

import numpy as np

from .. import parallel
from .checks import as_float_array, check_bool, check_ndim, quiet_nonfinite
from .pool_geometry import PoolGeometry, pool_geometry

__all__ = ["PoolGeometry", "avg_pool2d", "avg_pool2d_backward", "max_pool2d", "max_pool2d_backward",
           "pool_geometry"]

# Inputs of at least this many values are split by images over the cores (2×2 max pooling);
# below it the threads' hand-over costs more than they save.
PARALLEL_MIN_VALUES = 2**18


def _check_input_shape(shape, name: str) -> tuple[int, ...]:
    """A shape given as an argument (to the backward functions): 3 or 4 non-negative ints."""
    if not isinstance(shape, (tuple, list)) or not all(isinstance(v, (int, np.integer)) for v in shape):
        raise TypeError(f"{name} must be a tuple of ints such as (N, C, H, W), got {shape!r}")
    shape = tuple(int(v) for v in shape)
    if len(shape) not in (3, 4) or min(shape) < 0:
        raise ValueError(f"{name} must be (N, C, H, W) or unbatched (C, H, W), got {shape}")
    return shape


def _pool_input(input, name="input") -> np.ndarray:
    as_float_array(input, name)
    check_ndim(input, name, (3, 4), "(N, C, H, W) or unbatched (C, H, W)")
    return input


def _padded(x: np.ndarray, geo: PoolGeometry, fill: float) -> np.ndarray:
    """x (N, C, H, W) with ``fill`` around it, enough for every tap of every window.

    For max pooling the fill is -inf, which no pixel beats; for average pooling it is 0, which
    adds nothing to a window's sum. Without padding the input itself is returned, not a copy.
    """
    top, bottom, left, right = geo.padded_extent
    if not (top or bottom or left or right):
        return x
    out = np.full(x.shape[:2] + (top + geo.height + bottom, left + geo.width + right), fill, dtype=x.dtype)
    out[:, :, top : top + geo.height, left : left + geo.width] = x
    return out


def _taps(x_pad: np.ndarray, geo: PoolGeometry):
    """Yield, in torch's scan order (row by row within the window), the view
    x_pad[:, :, oy·sh + i·dh, ox·sw + j·dw] over all (oy, ox) for each tap (i, j): (N, C, OH, OW)."""
    (kh, kw), (sh, sw), (dh, dw) = geo.kernel_size, geo.stride, geo.dilation
    for i in range(kh):
        for j in range(kw):
            yield x_pad[:, :, i * dh : i * dh + (geo.out_height - 1) * sh + 1 : sh,
                              j * dw : j * dw + (geo.out_width - 1) * sw + 1 : sw]


# ----------------------------------------------------------------------------------------------
# Max pooling.


def _first_inside_index(geo: PoolGeometry) -> np.ndarray:
    """(OH, OW) flat index of each window's first tap inside the input: where torch's scan
    starts, and so the index it reports when nothing in the window beats -inf."""
    firsts = []
    for axis, size in ((0, geo.height), (1, geo.width)):
        positions = geo.tap_positions(axis)
        inside = (positions >= 0) & (positions < size)
        firsts.append(positions[np.arange(len(positions)), np.argmax(inside, axis=1)])
    return firsts[0][:, None] * geo.width + firsts[1][None, :]


def _max_with_indices(taps: list[np.ndarray], geo: PoolGeometry):
    """Each window's maximum and the flat index (into the input's H·W plane) of the pixel it
    came from, chosen as torch chooses it. torch scans a window in order and keeps a new value
    when ``value > max`` or the value is NaN. Hence the tie rule:

    - equal maxima: the FIRST in scan order wins (a later equal value is not greater);
    - NaN: the window's maximum is NaN and the LAST NaN in scan order wins;
    - a window whose inside pixels are all -inf reports its first inside pixel.
    """
    # winner[n, c, oy, ox] = number of the winning tap, k = i·kw + j. A forward scan with a strict
    # '>' implements "first maximum wins": a tap takes over only when it beats every earlier one,
    # and since k grows along the scan, the latest takeover is max(winner, k·took).
    winner = np.zeros(taps[0].shape, dtype=np.min_scalar_type(len(taps)))
    best = taps[0].copy()
    for k, tap in enumerate(taps[1:], start=1):
        took = tap > best
        np.maximum(best, tap, out=best)  # np.maximum propagates NaN, as torch does
        np.maximum(winner, took * winner.dtype.type(k), out=winner)

    if np.isnan(best).any():  # NaN never compares greater: redo those windows, the last NaN winning
        for k, tap in enumerate(taps):
            np.copyto(winner, k, where=np.isnan(tap))

    # Tap k of the window whose corner is (r0, c0) is the pixel (r0 + i·dh, c0 + j·dw), so its
    # flat index is the corner's, r0·W + c0, plus a fixed offset i·dh·W + j·dw.
    (kh, kw), (dh, dw) = geo.kernel_size, geo.dilation
    offsets = (np.arange(kh)[:, None] * dh * geo.width + np.arange(kw)[None, :] * dw).ravel()
    corners = geo.window_starts(0)[:, None] * geo.width + geo.window_starts(1)[None, :]
    indices = np.take(offsets, winner)
    indices += corners

    if geo.reaches_outside:
        # The -inf fill of the padding ties with an all -inf window, so the winner may be a
        # padding cell there; torch reports the window's first inside pixel instead.
        dead = best == -np.inf
        if dead.any():
            np.copyto(indices, np.broadcast_to(_first_inside_index(geo), indices.shape), where=dead)
    return best, indices


def _split(count: int, values: int) -> list[slice]:
    """Slices of ``range(count)`` (images), one per core when ``values`` is large."""
    parts = min(parallel.CORES, count) if values >= PARALLEL_MIN_VALUES else 1
    bounds = [count * i // parts for i in range(parts + 1)]
    return [slice(start, stop) for start, stop in zip(bounds[:-1], bounds[1:])]


def _run(function, slices: list[slice]) -> None:
    if len(slices) == 1:
        function(slices[0])
    else:
        parallel.map_on_all_cores(function, slices)


def _is_2x2(geo: PoolGeometry) -> bool:
    """2×2 windows at stride 2 that tile the input (no padding, no dilation, none hanging out)."""
    return (geo.kernel_size == (2, 2) and geo.stride == (2, 2) and geo.dilation == (1, 1)
            and geo.padding == (0, 0) and not geo.reaches_outside)


def _max_pool_2x2(x: np.ndarray, geo: PoolGeometry):
    """max_pool2d of x (N, C, H, W) with 2×2 windows at stride 2: (best, indices), or None when a
    window holds a NaN (then the general ``_max_with_indices`` picks the NaN torch picks).

    Window (oy, ox) holds the taps a b / c d at rows 2·oy, 2·oy + 1 and columns 2·ox, 2·ox + 1.
    First each row's pair: right = (b > a), max(a, b); (d > c), max(c, d). Then the rows:
    down = (max(c, d) > max(a, b)). Strict comparisons keep the earlier tap on a tie, and since
    the row pairs are compared in row order, the winner is the first maximum in scan order
    a, b, c, d, as torch's. Its flat index is (2·oy + down)·W + 2·ox + (right of its row).
    """
    best = np.empty(geo.output_shape if not geo.unbatched else (1,) + geo.output_shape, dtype=x.dtype)
    indices = np.empty(best.shape, dtype=np.int64)
    oh, ow, width = geo.out_height, geo.out_width, geo.width
    corners = (np.arange(oh) * 2 * width)[:, None] + np.arange(ow) * 2  # flat index of each tap a

    def pool(images: slice) -> None:
        part = x[images, :, : 2 * oh, : 2 * ow]
        left, right_pixel = part[..., 0::2], part[..., 1::2]  # (n, C, 2·OH, OW)
        right = np.greater(right_pixel, left)  # per row of a window: the right pixel wins
        rows = np.maximum(left, right_pixel)  # each window row's maximum (NaN propagates)
        top, bottom = rows[:, :, 0::2], rows[:, :, 1::2]
        down = np.greater(bottom, top)
        np.maximum(top, bottom, out=best[images])
        right_top, right_bottom = right[:, :, 0::2], right[:, :, 1::2]
        column = np.bitwise_xor(right_top, right_bottom)  # right of the winning row:
        column &= down  # right_top, or right_bottom where down
        column ^= right_top
        out = indices[images]
        np.multiply(down, width, out=out)
        out += column
        out += corners

    _run(pool, _split(geo.batch, x.size))
    if best.size and np.isnan(best.max()):  # NaN is the maximum of some window
        return None
    return best, indices


@quiet_nonfinite
def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """2-D max pooling with torch.nn.functional.max_pool2d's semantics.

    input: (N, C, H, W) or (C, H, W); kernel_size, stride, padding, dilation: int or pair
    (stride None means kernel_size; padding at most half the kernel).
    Returns y (N, C, OH, OW), or (C, OH, OW) unbatched, in the input's dtype; with
    ``return_indices`` also the int64 flat index (row·W + column, into the input's H·W plane)
    of each window's maximum, ties broken as torch breaks them (see ``_max_with_indices``).
    """
    _pool_input(input)
    geo = pool_geometry(input.shape, kernel_size, stride, padding, dilation, ceil_mode)
    return_indices = check_bool(return_indices, "return_indices")
    x = input[None] if geo.unbatched else input
    pooled = _max_pool_2x2(x, geo) if _is_2x2(geo) and x.size else None
    taps = None if pooled is not None else list(_taps(_padded(x, geo, -np.inf), geo))

    if pooled is not None:
        best, indices = pooled
        indices = indices if return_indices else None
    elif return_indices:
        best, indices = _max_with_indices(taps, geo)
    else:
        # np.maximum propagates NaN, as torch does.
        best = taps[0].copy() if len(taps) == 1 else np.maximum(taps[0], taps[1])
        for tap in taps[2:]:
            np.maximum(best, tap, out=best)
        indices = None

    if geo.unbatched:
        best = best[0]
        indices = None if indices is None else indices[0]
    return (best, indices) if return_indices else best


@quiet_nonfinite
def max_pool2d_backward(grad_output, input_shape, indices):
    """Gradient of max_pool2d: each window's gradient goes to the pixel its maximum came from.

    grad_output, indices: (N, C, OH, OW) or (C, OH, OW), indices as returned by max_pool2d.
    Returns grad_input of ``input_shape`` in grad_output's dtype. Where overlapping windows picked
    the same pixel, their gradients add up.
    """
    as_float_array(grad_output, "grad_output")
    input_shape = _check_input_shape(input_shape, "input_shape")
    if not isinstance(indices, np.ndarray) or not np.issubdtype(indices.dtype, np.integer):
        raise TypeError(f"indices must be an integer ndarray (as returned by max_pool2d), got "
                        f"{type(indices).__name__ if not isinstance(indices, np.ndarray) else indices.dtype}")
    if indices.shape != grad_output.shape:
        raise ValueError(f"indices must have grad_output's shape {grad_output.shape}, got {indices.shape}")
    if grad_output.ndim != len(input_shape) or grad_output.shape[:-2] != input_shape[:-2]:
        raise ValueError(
            f"grad_output {grad_output.shape} does not match input_shape {input_shape}: both must be "
            f"(N, C, ...) or (C, ...) with the same leading axes"
        )
    height, width = input_shape[-2:]
    plane = height * width
    if indices.size and (indices.min() < 0 or indices.max() >= plane):
        raise ValueError(
            f"indices must lie in [0, H·W) = [0, {plane}) for input_shape {input_shape}, "
            f"got values from {indices.min()} to {indices.max()}"
        )

    planes = int(np.prod(input_shape[:-2]))  # N·C (or C unbatched)
    # Index of each window's maximum in the whole flattened grad_input, plane by plane.
    flat = indices.reshape(planes, -1 if planes else 0) + (np.arange(planes) * plane)[:, None]
    grad_input = np.zeros(planes * plane, dtype=grad_output.dtype)
    # np.add.at accumulates repeated indices (overlapping windows that chose the same pixel)
    # in the order of the windows, exactly like torch's loop over output positions.
    np.add.at(grad_input, flat.ravel(), grad_output.ravel())
    return grad_input.reshape(input_shape)


# ----------------------------------------------------------------------------------------------
# Average pooling.


def _avg_divisor(geo: PoolGeometry, count_include_pad: bool, divisor_override, dtype) -> np.ndarray:
    """(OH, OW) divisor of each window, as torch counts it.

    count_include_pad: taps inside the input or its padding, but not the part of a ceil_mode
    window that hangs beyond the padding; otherwise: taps inside the input only. Both counts
    factor into (rows counted) · (columns counted).
    """
    if divisor_override is not None:
        return np.asarray(divisor_override, dtype=dtype)
    counts = []
    for axis, size in ((0, geo.height), (1, geo.width)):
        start = geo.window_starts(axis)
        end = start + geo.kernel_size[axis]
        if count_include_pad:
            counts.append(np.minimum(end, size + geo.padding[axis]) - start)
        else:
            counts.append(np.minimum(end, size) - np.maximum(start, 0))
    return (counts[0][:, None] * counts[1][None, :]).astype(dtype)


def _avg_arguments(count_include_pad, divisor_override):
    count_include_pad = check_bool(count_include_pad, "count_include_pad")
    if divisor_override is not None:
        if not isinstance(divisor_override, (int, np.integer)) or isinstance(divisor_override, (bool, np.bool_)):
            raise TypeError(f"divisor_override must be None or an int, got {divisor_override!r}")
        if divisor_override == 0:
            raise ValueError("divisor_override must not be zero: every window's sum is divided by it")
    return count_include_pad, divisor_override


@quiet_nonfinite
def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """2-D average pooling with torch.nn.functional.avg_pool2d's semantics.

    input: (N, C, H, W) or (C, H, W). Each output is its window's sum (padding adds zeros)
    divided by ``divisor_override`` if given, else by the number of taps counted as described
    in ``_avg_divisor``. Returns (N, C, OH, OW) or (C, OH, OW) in the input's dtype.
    """
    _pool_input(input)
    geo = pool_geometry(input.shape, kernel_size, stride, padding, 1, ceil_mode)
    count_include_pad, divisor_override = _avg_arguments(count_include_pad, divisor_override)
    x = input[None] if geo.unbatched else input
    taps = _taps(_padded(x, geo, 0.0), geo)
    total = next(taps).copy()
    for tap in taps:  # summed in the window's scan order, as torch sums it
        total += tap
    total /= _avg_divisor(geo, count_include_pad, divisor_override, input.dtype)
    return total[0] if geo.unbatched else total


@quiet_nonfinite
def avg_pool2d_backward(grad_output, input_shape, kernel_size, stride=None, padding=0, ceil_mode=False,
                        count_include_pad=True, divisor_override=None):
    """Gradient of avg_pool2d: each window spreads grad / divisor evenly over its taps; taps in
    the padding drop their share, and pixels shared by overlapping windows add up the shares.

    grad_output: the output's shape. Returns grad_input of ``input_shape`` in grad_output's dtype.
    """
    as_float_array(grad_output, "grad_output")
    input_shape = _check_input_shape(input_shape, "input_shape")
    geo = pool_geometry(input_shape, kernel_size, stride, padding, 1, ceil_mode)
    count_include_pad, divisor_override = _avg_arguments(count_include_pad, divisor_override)
    if grad_output.shape != geo.output_shape:
        raise ValueError(
            f"grad_output must have the output's shape {geo.output_shape} for input_shape {input_shape}, "
            f"got {grad_output.shape}"
        )
    gy = grad_output[None] if geo.unbatched else grad_output
    share = gy / _avg_divisor(geo, count_include_pad, divisor_override, grad_output.dtype)
    top, bottom, left, right = geo.padded_extent
    grad_pad = np.zeros((geo.batch, geo.channels, top + geo.height + bottom, left + geo.width + right),
                        dtype=grad_output.dtype)
    for tap in _taps(grad_pad, geo):  # each tap view is writeable: add the share to its pixels
        tap += share
    grad_input = np.ascontiguousarray(grad_pad[:, :, top : top + geo.height, left : left + geo.width])
    return grad_input[0] if geo.unbatched else grad_input
