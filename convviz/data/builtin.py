"""The built-in dataset: cartoon cat and dog faces drawn from a seed, so training works on a fresh
machine with no download.

Both classes share everything but what tells them apart, as in photos:

    both   a background (random colour and gradient, a few random blobs), a round head of a random
           colour, size, position and tilt, two eyes, noise of a random strength
    cat    pointed triangular ears standing up, a small nose, whiskers; slit pupils
    dog    rounded ears hanging down the sides of the head, a big light snout with a big dark nose,
           sometimes a tongue; round pupils

Shapes are drawn with NumPy on whole batches at once: each shape is a coverage mask (1 inside,
0 outside, a one-pixel ramp at the edge so edges are smooth) from a distance computed for every
pixel, and painting blends a colour in by that mask. Faces are mirror-symmetric, so each pair of
ears, eyes or whiskers is one shape evaluated at ``|x|``.

Coordinates: ``(x, y)`` in units of the image size, (0, 0) the top-left corner, y downward; the
face's shapes are placed in the head's own frame (origin at its centre, unit = its radius).
"""

from __future__ import annotations

import numpy as np

from ..nn.functional.checks import is_int, positive_int
from ..nn.parallel import map_on_all_cores
from .dataset import CAT, DOG, Dataset, Split

__all__ = ["builtin_dataset", "draw_faces"]

CHUNK = 128  # faces drawn per task: the masks of a chunk at 64x64 stay within a few MB
# Larger images are drawn at this size and enlarged (bilinear) before the noise is added: drawing
# costs about 150 ns per pixel, so 2,400 faces drawn at 224x224 would take half a minute.
DRAW_SIZE = 96
MIN_SIZE, MAX_SIZE = 16, 512  # smaller has no room for whiskers; larger is slower than photos


def builtin_dataset(size=64, train_per_class=1000, test_per_class=200, seed=0) -> Dataset:
    """Cartoon cats (label 1) and dogs (label 0), ``train_per_class`` + ``test_per_class`` of each.

    Each split lists its cats first, then its dogs. The same arguments give the same images; the
    training and test images (and the two classes) come from separate random streams of ``seed``,
    so the test images are never training images. Arrays are read-only.
    """
    size = positive_int(size, "size")
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise ValueError(f"size must be between {MIN_SIZE} and {MAX_SIZE} pixels, got {size}")
    for name, value in (("train_per_class", train_per_class), ("test_per_class", test_per_class)):
        if not is_int(value) or value < 0:
            raise ValueError(f"{name} must be a non-negative int, got {value!r}")
    if not is_int(seed) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")

    def split(split_id: int, per_class: int) -> Split:
        cats = draw_faces("cat", per_class, size, np.random.default_rng([seed, split_id, 1]))
        dogs = draw_faces("dog", per_class, size, np.random.default_rng([seed, split_id, 0]))
        images = np.concatenate([cats, dogs])
        labels = np.repeat(np.array([CAT, DOG], np.float32), per_class)
        images.flags.writeable = labels.flags.writeable = False
        return Split(images, labels, ("",) * (2 * per_class))

    return Dataset(train=split(0, int(train_per_class)), test=split(1, int(test_per_class)),
                   skipped=(), source="builtin")


def draw_faces(kind: str, n: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` faces of ``kind`` ("cat" or "dog"): (n, 3, size, size) float32 in [0, 1], RGB.

    Every random choice is drawn from ``rng`` here, up front and in a fixed order, so the result
    depends on the arguments only, not on how the chunks are spread over the cores.
    """
    if kind not in ("cat", "dog"):
        raise ValueError(f'kind must be "cat" or "dog", got {kind!r}')
    params = _face_parameters(kind, n, rng)
    starts = range(0, n, CHUNK)
    noise_seeds = rng.integers(2**63, size=len(starts))

    def draw_chunk(job):
        start, noise_seed = job
        part = {name: value[start:start + CHUNK] for name, value in params.items()}
        image = _draw(kind, part, min(size, DRAW_SIZE))
        if size > DRAW_SIZE:
            image = _enlarge(image, size)
        _add_noise(image, part["noise"], np.random.default_rng(noise_seed))
        return np.clip(image, 0, 1, out=image)

    chunks = map_on_all_cores(draw_chunk, zip(starts, noise_seeds))
    return np.concatenate(chunks) if chunks else np.zeros((0, 3, size, size), np.float32)


def _face_parameters(kind: str, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Every random choice for ``n`` faces, one array of ``n`` values (or ``n`` colours) each."""
    u = lambda low, high: rng.uniform(low, high, n).astype(np.float32)  # noqa: E731
    colour = lambda: rng.uniform(0, 1, (n, 3)).astype(np.float32)  # noqa: E731
    p = {
        "radius": u(0.17, 0.25), "cx": u(0.36, 0.64), "cy": u(0.42, 0.62), "tilt": u(-0.3, 0.3),
        "squash": u(0.88, 1.12),  # head width / height
        "head": colour(), "background": colour(), "gradient": u(-0.25, 0.25),
        "gradient_angle": u(0, 2 * np.pi),
        "blobs": rng.uniform(0, 1, (n, 3, 4)).astype(np.float32),  # x, y, radius, on/off of 3 blobs
        "blob_colours": rng.uniform(0, 1, (n, 3, 3)).astype(np.float32),
        "eye_x": u(0.32, 0.45), "eye_y": u(-0.25, -0.05), "eye_r": u(0.12, 0.18), "iris": colour(),
        "noise": u(0.01, 0.07),
    }
    # A head the colour of its background would be invisible: push such backgrounds away.
    too_close = np.linalg.norm(p["head"] - p["background"], axis=1) < 0.45
    p["background"][too_close] = 1 - p["head"][too_close]
    if kind == "cat":
        p.update({
            "ear_angle": u(0.55, 0.9),  # where the ear's base sits on the head, radians from the top
            "ear_width": u(0.5, 0.75), "ear_length": u(0.65, 1.0),
            "inner_ear": colour(), "nose": colour(),
            "whisker_colour": np.where(rng.random((n, 1)) < 0.5, 0.05, 0.95).astype(np.float32)
            + np.zeros((n, 3), np.float32),
            "whisker_spread": u(0.12, 0.25), "whisker_length": u(1.05, 1.45),
        })
    else:
        p.update({
            "ear_x": u(0.7, 0.95), "ear_y": u(-0.45, -0.1), "ear_length": u(0.7, 1.0),
            "ear_width": u(0.3, 0.45), "ear_swing": u(0.0, 0.45),
            "ear_colour": p["head"] * u(0.3, 0.75)[:, None],
            "snout_whiteness": u(0.35, 0.8), "snout_w": u(0.5, 0.62), "snout_h": u(0.34, 0.44),
            "nose_w": u(0.18, 0.26), "tongue": (rng.random(n) < 0.4).astype(np.float32),
        })
    return p


def _draw(kind: str, p: dict[str, np.ndarray], size: int) -> np.ndarray:
    """The faces described by ``p`` (see ``_face_parameters``) without noise, (m, 3, size, size)
    float32 in [0, 1] (every paint is a mix of the image and a colour in [0, 1])."""
    m = len(p["radius"])
    col = lambda name: p[name][:, :, None, None]  # noqa: E731  (m, 3) -> (m, 3, 1, 1)
    per = lambda name: p[name][:, None, None]  # noqa: E731  (m,) -> (m, 1, 1)
    grid = (np.arange(size, dtype=np.float32) + 0.5) / size
    y, x = grid[None, :, None], grid[None, None, :]  # (1, size, 1) and (1, 1, size)

    angle = per("gradient_angle")
    ramp = (np.cos(angle) * (x - 0.5) + np.sin(angle) * (y - 0.5)) * per("gradient")
    image = np.clip(col("background") + ramp[:, None], 0, 1).astype(np.float32)  # (m, 3, size, size)
    for b in range(p["blobs"].shape[1]):
        bx, by, br, on = (p["blobs"][:, b, k][:, None, None] for k in range(4))
        blob = _disc(x - bx, y - by, 0.05 + 0.12 * br, 1 / size) * (on < 0.6)
        _paint(image, blob, p["blob_colours"][:, b])

    # The head's frame: origin at its centre, unit = its radius, turned by its tilt.
    r = per("radius")
    dx, dy = (x - per("cx")) / r, (y - per("cy")) / r
    cos, sin = np.cos(per("tilt")), np.sin(per("tilt"))
    hx, hy = dx * cos + dy * sin, -dx * sin + dy * cos
    ax = np.abs(hx)  # mirrored: one shape at |x| draws the left and right one
    edge = 1 / (size * r)  # one pixel, in head units

    if kind == "cat":
        _paint(image, _cat_ears(ax, hy, p, edge, inner=False), p["head"])
        _paint(image, _cat_ears(ax, hy, p, edge, inner=True), p["inner_ear"])
    _paint(image, _ellipse(hx, hy, per("squash"), 1.0, edge), p["head"])
    if kind == "dog":
        ear_x, ear_y, swing = per("ear_x"), per("ear_y"), per("ear_swing")
        length, width = per("ear_length"), per("ear_width")
        # An ear hangs from its top at (ear_x, ear_y), swung outward by ``swing`` radians.
        ex, ey = ax - ear_x - np.sin(swing) * length / 2, hy - ear_y - np.cos(swing) * length / 2
        ux, uy = ex * np.cos(swing) - ey * np.sin(swing), ex * np.sin(swing) + ey * np.cos(swing)
        _paint(image, _ellipse(ux, uy, width, length / 2 + 0.1, edge), p["ear_colour"])
        snout = p["head"] + (1 - p["head"]) * p["snout_whiteness"][:, None]
        _paint(image, _ellipse(hx, hy - 0.45, per("snout_w"), per("snout_h"), edge), snout)
        _paint(image, _ellipse(hx, hy - 0.8, 0.14, 0.12, edge) * per("tongue"),
               np.array([0.9, 0.35, 0.45], np.float32))
        _paint(image, _ellipse(hx, hy - 0.28, per("nose_w"), 0.65 * per("nose_w"), edge),
               np.array([0.08, 0.06, 0.06], np.float32))
    else:
        _paint(image, _triangle(hx, hy, ((-0.1, 0.18), (0.1, 0.18), (0.0, 0.3)), edge), p["nose"])
        _paint(image, _whiskers(ax, hy, p, edge), p["whisker_colour"])

    eye_x, eye_y, eye_r = per("eye_x"), per("eye_y"), per("eye_r")
    _paint(image, _disc(ax - eye_x, hy - eye_y, eye_r, edge), np.array([0.97, 0.97, 0.92], np.float32))
    _paint(image, _disc(ax - eye_x, hy - eye_y, 0.75 * eye_r, edge), p["iris"])
    pupil_width = 0.22 if kind == "cat" else 0.5  # cats' slits, dogs' round pupils
    _paint(image, _ellipse(ax - eye_x, hy - eye_y, pupil_width * eye_r, 0.6 * eye_r, edge),
           np.array([0.03, 0.03, 0.03], np.float32))

    return image


def _add_noise(image: np.ndarray, strength: np.ndarray, rng: np.random.Generator) -> None:
    """Add noise of standard deviation ``strength`` (m,) to each of the images (m, 3, H, W), in
    place: uniform noise, 4x faster to draw than Gaussian and as good for this."""
    noise = rng.random(image.shape, dtype=np.float32)
    noise -= 0.5
    noise *= np.sqrt(np.float32(12)) * strength[:, None, None, None]
    image += noise


def _enlarge(image: np.ndarray, size: int) -> np.ndarray:
    """Bilinear enlargement of (m, 3, h, h) images to (m, 3, size, size).

    Each output pixel mixes the two input pixels nearest its centre, along x and then along y:
    ``mix`` (size, h) holds those weights, and each pass is one large matrix product over all the
    rows of the batch (large products keep BLAS efficient; thousands of tiny ones do not).
    """
    m, channels, h, _ = image.shape
    centres = (np.arange(size) + 0.5) * h / size - 0.5  # each output pixel's centre, in input pixels
    below = np.clip(np.floor(centres).astype(int), 0, h - 1)
    above = np.minimum(below + 1, h - 1)
    weight = np.clip(centres - below, 0, 1).astype(np.float32)
    mix = np.zeros((size, h), np.float32)
    np.add.at(mix, (np.arange(size), below), 1 - weight)
    np.add.at(mix, (np.arange(size), above), weight)
    wide = image.reshape(-1, h) @ mix.T  # along x: (m * 3 * h, size), rows are (image, channel, y)
    wide = wide.reshape(m, channels, h, size).transpose(0, 1, 3, 2).reshape(-1, h)  # rows (.., x), columns y
    tall = (wide @ mix.T).reshape(m, channels, size, size)  # along y: (m, 3, x, y)
    return np.ascontiguousarray(tall.transpose(0, 1, 3, 2))


def _paint(image, coverage, colour) -> None:
    """Blend ``colour`` ((m, 3) or (3,)) into ``image`` (m, 3, H, W) where ``coverage`` (m, H, W) is 1."""
    colour = np.asarray(colour, np.float32).reshape(-1, 3, 1, 1)
    change = np.subtract(colour, image)
    change *= coverage[:, None]
    image += change


def _coverage(inside_distance, edge):
    """1 well inside a shape, 0 well outside, a ramp one pixel wide across its edge."""
    ramp = inside_distance / edge
    ramp += 0.5
    return np.clip(ramp, 0, 1, out=ramp)


def _disc(dx, dy, radius, edge):
    return _coverage(radius - np.sqrt(dx * dx + dy * dy), edge)


def _ellipse(dx, dy, half_width, half_height, edge):
    """An axis-aligned ellipse centred at the origin (its distance approximated by the scaled radius)."""
    scaled = np.sqrt((dx / half_width) ** 2 + (dy / half_height) ** 2)
    return _coverage((1 - scaled) * _f32(np.minimum(half_width, half_height)), edge)


def _triangle(x, y, corners, edge):
    """A triangle; each corner a pair of numbers or of (m, 1, 1) arrays, in any winding order."""
    (x0, y0), (x1, y1), (x2, y2) = [(_f32(cx), _f32(cy)) for cx, cy in corners]
    winding = np.sign((x1 - x0) * (y2 - y0) - (y1 - y0) * (x2 - x0))
    inside = None
    for (ax_, ay_), (bx, by) in (((x0, y0), (x1, y1)), ((x1, y1), (x2, y2)), ((x2, y2), (x0, y0))):
        # The inward unit normal of edge a -> b: distance = (p - a) . normal, positive inside.
        length = np.sqrt((bx - ax_) ** 2 + (by - ay_) ** 2)
        nx, ny = winding * (ay_ - by) / length, winding * (bx - ax_) / length
        distance = (x - ax_) * nx + (y - ay_) * ny
        inside = distance if inside is None else np.minimum(inside, distance, out=inside)
    return _coverage(inside, edge)


def _f32(value):
    """A number or array as float32, so that float64 scalars do not turn whole masks into float64."""
    return np.asarray(value, dtype=np.float32)


def _cat_ears(ax, hy, p, edge, inner):
    """Two pointed ears standing on the head: the base on the head's outline around ``ear_angle``
    from the top, the tip ``ear_length`` further out. ``inner`` gives the smaller inner ear."""
    angle, width, length = (p[k][:, None, None] for k in ("ear_angle", "ear_width", "ear_length"))
    a0, a1 = angle - width / 2, angle + width / 2
    base0, base1 = (np.sin(a0), -np.cos(a0)), (np.sin(a1), -np.cos(a1))
    tip = (np.sin(angle) * (1 + length), -np.cos(angle) * (1 + length))
    if inner:  # shrink the triangle towards a point near its base
        cx, cy = np.sin(angle) * (1 + length * 0.3), -np.cos(angle) * (1 + length * 0.3)
        shrink = lambda pt: (cx + 0.55 * (pt[0] - cx), cy + 0.55 * (pt[1] - cy))  # noqa: E731
        base0, base1, tip = shrink(base0), shrink(base1), shrink(tip)
    return _triangle(ax, hy, (base0, base1, tip), edge)


def _whiskers(ax, hy, p, edge):
    """Three straight whiskers on each side, fanning out from the cheeks past the head's outline."""
    spread, length = p["whisker_spread"][:, None, None], p["whisker_length"][:, None, None]
    thickness = np.maximum(0.045, 1.2 * edge)
    mask = None
    for k in (-1, 0, 1):
        start_x, start_y = 0.2, 0.32
        end_x, end_y = length, start_y + k * spread * 1.8 - 0.05
        segment = _segment(ax, hy, (start_x, start_y), (end_x, end_y), thickness, edge)
        mask = segment if mask is None else np.maximum(mask, segment)
    return mask


def _segment(x, y, start, end, thickness, edge):
    (x0, y0), (x1, y1) = start, end
    ex, ey = x1 - x0, y1 - y0
    t = np.clip(((x - x0) * ex + (y - y0) * ey) / (ex * ex + ey * ey), 0, 1)
    distance = np.sqrt((x - x0 - t * ex) ** 2 + (y - y0 - t * ey) ** 2)
    return _coverage(thickness / 2 - distance, edge)
