"""PyTorch models of the book. ``get_model(name)`` builds any of them."""

from . import mnist_cnn as _mnist_cnn  # noqa: F401  (registers the model)
from .mnist_cnn import MnistCNN, mnist_cnn_forward_numpy
from .registry import get_model, list_models

__all__ = ["MnistCNN", "get_model", "list_models", "mnist_cnn_forward_numpy"]
