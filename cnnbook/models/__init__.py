"""PyTorch models of the book. ``get_model(name)`` builds any of them.

Every family is a table (a NamedTuple per row, citing the paper's table it
encodes), one builder and thin named factories; each factory's docstring
says which paper and which variant it builds. ``list_models()`` names
them all. Where torchvision has the architecture, module names and shapes
match it, so ``model.load_state_dict(torchvision_model.state_dict())``
works; where torchvision departs from the paper, the paper's version is
the plain name and torchvision's the ``*_torchvision`` variant.
"""

from . import alexnet as _alexnet  # noqa: F401  (each import registers)
from . import compact_cnn as _compact_cnn  # noqa: F401
from . import deep_stack as _deep_stack  # noqa: F401
from . import efficientnet as _efficientnet  # noqa: F401
from . import googlenet as _googlenet  # noqa: F401
from . import lenet as _lenet  # noqa: F401
from . import mnist_cnn as _mnist_cnn  # noqa: F401
from . import mobilenet as _mobilenet  # noqa: F401
from . import multitask as _multitask  # noqa: F401
from . import resnet as _resnet  # noqa: F401
from . import small_cnn as _small_cnn  # noqa: F401
from . import speednet as _speednet  # noqa: F401
from . import vgg as _vgg  # noqa: F401
from ._base import ImageClassifier
from .compact_cnn import CompactCNN
from .mnist_cnn import MnistCNN, mnist_cnn_forward_numpy
from .multitask import MultiTaskLoss, MultiTaskNet
from .registry import describe, get_model, list_models
from .transfer import freeze, load_pretrained, unfreeze

__all__ = [
    "CompactCNN",
    "ImageClassifier",
    "MnistCNN",
    "MultiTaskLoss",
    "MultiTaskNet",
    "describe",
    "freeze",
    "get_model",
    "list_models",
    "load_pretrained",
    "mnist_cnn_forward_numpy",
    "unfreeze",
]
