"""The encyclopedia's "simple CNN for MNIST" (section 3), in two versions.

``MnistCNN`` is the PyTorch module; :func:`mnist_cnn_forward_numpy` runs the
same network with ``cnnbook.functional`` and the module's own weights, so
chapter 3 can show the forward pass step by step and check it against
PyTorch.

Architecture (the encyclopedia's; its 3 x 3 convolutions keep 28 x 28, so
they are padded by 1, which the encyclopedia does not say)::

    input (N, 1, 28, 28)
    conv1 3x3, 32, pad 1 -> ReLU -> max-pool 2   (N, 32, 14, 14)
    conv2 3x3, 64, pad 1 -> ReLU -> max-pool 2   (N, 64, 7, 7)
    flatten                                      (N, 3136)
    fc1 128 -> ReLU -> dropout(0.5)              (N, 128)
    fc2 10                                       (N, 10) logits

Parameters: 320 + 18,496 + 401,536 + 1,290 = 421,642.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn as nn
from numpy.typing import ArrayLike

from .. import functional as cf
from .._validation import as_array, check_int, check_number
from ._base import ImageClassifier
from .registry import register

__all__ = ["MnistCNN", "mnist_cnn", "mnist_cnn_forward_numpy"]


class MnistCNN(ImageClassifier):
    """Two 3x3 conv blocks and two fully connected layers (421,642 params).

    The module returns logits; softmax is left to the loss
    (``nn.CrossEntropyLoss`` applies log-softmax itself) or to the caller.
    """

    def __init__(
        self,
        num_classes: int = 10,
        dropout: float = 0.5,
        in_channels: int = 1,
        image_size: int = 28,
    ):
        super().__init__()
        func = "MnistCNN"
        num_classes = check_int(num_classes, "num_classes", func, minimum=1)
        in_channels = check_int(in_channels, "in_channels", func, minimum=1)
        image_size = check_int(image_size, "image_size", func, minimum=4)
        dropout = check_number(dropout, "dropout", func, minimum=0, maximum=1)
        self.in_channels, self.image_size = in_channels, image_size
        self.conv1 = nn.Conv2d(in_channels, 32, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=3, padding=1)
        self.pool = nn.MaxPool2d(2)
        flat = 64 * (image_size // 4) ** 2  # two 2x2 pools: 28 -> 7
        self.fc1 = nn.Linear(flat, 128)
        self.dropout = nn.Dropout(dropout)
        self.fc2 = nn.Linear(128, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)  # rank, channels, size; up front
        x = self.pool(torch.relu(self.conv1(x)))  # (N, 32, 14, 14)
        x = self.pool(torch.relu(self.conv2(x)))  # (N, 64, 7, 7)
        x = torch.flatten(x, 1)  # (N, 3136)
        x = self.dropout(torch.relu(self.fc1(x)))  # (N, 128)
        return self.fc2(x)  # (N, 10) logits


@register("mnist_cnn")
def mnist_cnn(**kwargs: Any) -> MnistCNN:
    """The encyclopedia's simple MNIST CNN (section 3): 421,642 parameters
    for 10 classes."""
    return MnistCNN(**kwargs)


def mnist_cnn_forward_numpy(
    params: dict, images: ArrayLike, keep_activations: bool = False
) -> np.ndarray | tuple[np.ndarray, dict[str, np.ndarray]]:
    """The same forward pass as :class:`MnistCNN` (inference), in numpy.

    Parameters
    ----------
    params : dict of str -> ndarray
        The module's ``state_dict`` as numpy arrays (``conv1.weight``,
        ``conv1.bias``, ...).
    images : ndarray, shape (N, 1, 28, 28)
    keep_activations : bool
        Also return every intermediate result, keyed by layer.

    Returns
    -------
    probabilities : ndarray, shape (N, 10)
        Softmax of the logits (the encyclopedia's output layer).
    activations : dict, only if ``keep_activations``
    """
    x = as_array(images, "images", "mnist_cnn_forward_numpy", ndim=4)
    p = params
    acts = {"input": x}
    acts["conv1"] = cf.conv2d(
        x, p["conv1.weight"], p["conv1.bias"], padding=1
    )  # (N, 32, 28, 28)
    acts["relu1"] = cf.relu(acts["conv1"])
    acts["pool1"] = cf.max_pool2d(acts["relu1"], 2)  # (N, 32, 14, 14)
    acts["conv2"] = cf.conv2d(
        acts["pool1"], p["conv2.weight"], p["conv2.bias"], padding=1
    )  # (N, 64, 14, 14)
    acts["relu2"] = cf.relu(acts["conv2"])
    acts["pool2"] = cf.max_pool2d(acts["relu2"], 2)  # (N, 64, 7, 7)
    acts["flatten"] = acts["pool2"].reshape(len(x), -1)  # (N, 3136)
    acts["fc1"] = cf.relu(
        cf.linear(acts["flatten"], p["fc1.weight"], p["fc1.bias"])
    )  # (N, 128)
    # Dropout is the identity at inference (PyTorch scales in training).
    acts["fc2"] = cf.linear(acts["fc1"], p["fc2.weight"], p["fc2.bias"])
    acts["softmax"] = cf.softmax(acts["fc2"], dim=1)  # (N, 10)
    if keep_activations:
        return acts["softmax"], acts
    return acts["softmax"]
