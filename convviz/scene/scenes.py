"""Which scene draws a build: one per kind of operation, the same for the window and the exporter."""

from __future__ import annotations

from .conv_scene import ConvScene
from .pool_scene import PoolScene
from .scene_base import SceneBase
from .transposed_scene import TransposedScene

SCENES: dict[str, type[SceneBase]] = {
    "conv": ConvScene,                   # also the transposed convolution's direct road
    "max_pool": PoolScene,
    "avg_pool": PoolScene,
    "conv_transpose": TransposedScene,   # the scatter road
}


def scene_class(operation: str) -> type[SceneBase]:
    """The scene class for ``Built.operation``."""
    return SCENES[operation]
