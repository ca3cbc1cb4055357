"""A numpy layer API on top of :mod:`cnnbook.functional`.

Modules with ``forward``/``backward`` and parameters, named like
``torch.nn`` (so ``state_dict`` keys match a PyTorch model built the same
way), a loss, a small CNN and a training loop. Together with
:mod:`cnnbook.optim` they train a network with nothing but numpy.
"""

from .criteria import CrossEntropyLoss
from .layers import (
    AdaptiveAvgPool2d,
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    Conv2d,
    Dropout,
    Flatten,
    LeakyReLU,
    Linear,
    MaxPool2d,
    ReLU,
    Sigmoid,
    Tanh,
)
from .models import small_cnn
from .module import Module, Parameter, Sequential
from .training import predict, train_epoch

__all__ = [
    "AdaptiveAvgPool2d",
    "AvgPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv2d",
    "CrossEntropyLoss",
    "Dropout",
    "Flatten",
    "LeakyReLU",
    "Linear",
    "MaxPool2d",
    "Module",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "predict",
    "small_cnn",
    "train_epoch",
]
