"""Pure NumPy functions, each with its backward: the engine's operations (numpy only)."""

from .conv import (
    ALGORITHMS,
    DEFAULT_ALGORITHM,
    ConvGeometry,
    ConvSettings,
    check_algorithm,
    check_grad_output,
    conv2d,
    conv2d_backward,
    conv_geometry,
    conv_settings,
    im2col,
    spread_output_grad,
    transposed_conv_input_grad,
    transposed_kernel,
    window_view,
)
from .conv_transpose import conv_transpose2d, conv_transpose2d_backward, conv_transpose_settings
from .padding import PADDING_MODES, pad2d, pad2d_backward, pad_source_index
from .activation import relu, relu_backward, sigmoid, sigmoid_backward
from .linear import flatten, flatten_backward, linear, linear_backward
from .loss import (
    binary_cross_entropy,
    binary_cross_entropy_backward,
    binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_backward,
)
from .normalization import batch_norm, batch_norm_backward
from .pooling import PoolGeometry, avg_pool2d, avg_pool2d_backward, max_pool2d, max_pool2d_backward, pool_geometry

__all__ = [
    "ALGORITHMS", "DEFAULT_ALGORITHM", "PADDING_MODES", "ConvGeometry", "ConvSettings", "PoolGeometry",
    "avg_pool2d", "avg_pool2d_backward", "batch_norm", "batch_norm_backward", "binary_cross_entropy",
    "binary_cross_entropy_backward", "binary_cross_entropy_with_logits",
    "binary_cross_entropy_with_logits_backward",
    "check_algorithm", "check_grad_output", "conv2d", "conv2d_backward", "conv_geometry", "conv_settings",
    "conv_transpose2d", "conv_transpose2d_backward", "conv_transpose_settings",
    "flatten", "flatten_backward", "im2col", "linear", "linear_backward", "max_pool2d", "max_pool2d_backward",
    "pad2d", "pad2d_backward", "pad_source_index", "pool_geometry", "relu", "relu_backward", "sigmoid",
    "sigmoid_backward", "spread_output_grad", "transposed_conv_input_grad", "transposed_kernel", "window_view",
]
