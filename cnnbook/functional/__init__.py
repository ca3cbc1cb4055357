"""numpy implementations of ``torch.nn.functional``, NCHW, float64-safe.

Names and argument names follow PyTorch, so code moves between the two
without renaming; tests compare every function with ``torch`` in float64.
Each operation ``op(...)`` has its backward pass ``op_backward(grad_output,
...)`` beside it in the same module, returning the gradient of a loss with
respect to each input, given the gradient with respect to the output.
"""

from .activation import (
    leaky_relu,
    leaky_relu_backward,
    leaky_relu_derivative,
    log_softmax,
    log_softmax_backward,
    relu,
    relu_backward,
    relu_derivative,
    sigmoid,
    sigmoid_backward,
    sigmoid_derivative,
    softmax,
    softmax_backward,
    softmax_jacobian,
    tanh,
    tanh_backward,
    tanh_derivative,
)
from .conv import conv2d, conv2d_backward
from .conv_reference import (
    conv2d_backward_reference,
    conv2d_reference,
    convolve2d,
    correlate2d,
)
from .conv_transpose import conv_transpose2d, conv_transpose2d_backward
from .dropout import (
    dropout,
    dropout_backward,
    dropout_scale_at_test,
    dropout_scale_at_test_backward,
)
from .linear import linear, linear_backward
from .normalization import batch_norm, batch_norm_backward
from .pooling import (
    adaptive_avg_pool2d,
    adaptive_avg_pool2d_backward,
    avg_pool2d,
    avg_pool2d_backward,
    max_pool2d,
    max_pool2d_backward,
)

__all__ = [
    "adaptive_avg_pool2d",
    "adaptive_avg_pool2d_backward",
    "avg_pool2d",
    "avg_pool2d_backward",
    "batch_norm",
    "batch_norm_backward",
    "conv2d",
    "conv2d_backward",
    "conv2d_backward_reference",
    "conv2d_reference",
    "conv_transpose2d",
    "conv_transpose2d_backward",
    "convolve2d",
    "correlate2d",
    "dropout",
    "dropout_backward",
    "dropout_scale_at_test",
    "dropout_scale_at_test_backward",
    "leaky_relu",
    "leaky_relu_backward",
    "leaky_relu_derivative",
    "linear",
    "linear_backward",
    "log_softmax",
    "log_softmax_backward",
    "max_pool2d",
    "max_pool2d_backward",
    "relu",
    "relu_backward",
    "relu_derivative",
    "sigmoid",
    "sigmoid_backward",
    "sigmoid_derivative",
    "softmax",
    "softmax_backward",
    "softmax_jacobian",
    "tanh",
    "tanh_backward",
    "tanh_derivative",
]
