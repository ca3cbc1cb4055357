"""numpy implementations of ``torch.nn.functional``, NCHW, float64-safe.

Names and argument names follow PyTorch, so code moves between the two
without renaming; tests compare every function with ``torch`` in float64.
"""

from .activation import (
    leaky_relu,
    leaky_relu_derivative,
    log_softmax,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    softmax,
    softmax_jacobian,
    tanh,
    tanh_derivative,
)
from .conv import conv2d
from .linear import linear
from .normalization import batch_norm
from .pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d

__all__ = [
    "adaptive_avg_pool2d",
    "avg_pool2d",
    "batch_norm",
    "conv2d",
    "leaky_relu",
    "leaky_relu_derivative",
    "linear",
    "log_softmax",
    "max_pool2d",
    "relu",
    "relu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "softmax",
    "softmax_jacobian",
    "tanh",
    "tanh_derivative",
]
