"""Pure NumPy functions, each with its backward: the engine's operations (numpy only)."""

from .conv import ALGORITHMS, ConvGeometry, conv2d, conv2d_backward, conv_geometry
from .padding import PADDING_MODES, pad2d, pad2d_backward, pad_source_index
