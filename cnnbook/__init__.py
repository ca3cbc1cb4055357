"""cnnbook: the code behind *The CNN Book*.

The numpy core (``cnnbook.functional``, ``cnnbook.sizes``) implements the
mathematics from scratch and needs nothing but numpy: ``import cnnbook``
does not import torch or matplotlib. The modules that need PyTorch
(models, training) or matplotlib (plotting) import them themselves.
"""

from types import ModuleType

from . import functional, sizes

__version__ = "0.1.0"
# cnnbook.summary (PyTorch) is reached as an attribute too, imported on
# first use; it is left out of __all__ so that `from cnnbook import *`
# stays numpy-only.
__all__ = ["functional", "sizes"]


def __getattr__(name: str) -> ModuleType:
    # The module cnnbook.summary needs torch: import it on first use, so
    # that `import cnnbook` itself stays numpy-only. The function is
    # cnnbook.summary.summary (`from cnnbook.summary import summary`).
    if name == "summary":
        import importlib

        return importlib.import_module(".summary", __name__)
    raise AttributeError(f"module 'cnnbook' has no attribute {name!r}")
