"""cnnbook: the code behind *The CNN Book*.

The numpy core (``cnnbook.functional``, ``cnnbook.sizes``) implements the
mathematics from scratch and needs nothing but numpy: ``import cnnbook``
does not import torch or matplotlib. The modules that need PyTorch
(models, training) or matplotlib (plotting) import them themselves.
"""

from . import functional, sizes

__version__ = "0.1.0"
__all__ = ["functional", "sizes"]
