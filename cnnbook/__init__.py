"""cnnbook: the code behind *The CNN Book*.

The numpy core (``cnnbook.functional``, ``cnnbook.sizes``) implements the
mathematics from scratch and needs nothing but numpy: ``import cnnbook``
does not import torch or matplotlib. The modules that need PyTorch
(models, training) or matplotlib (plotting) import them themselves.
"""

from . import functional, sizes

__version__ = "0.1.0"
__all__ = ["functional", "sizes", "summary"]


def __getattr__(name: str):
    # cnnbook.summary(model, input_size) needs torch: import it on first
    # use, so that `import cnnbook` itself stays numpy-only. The module is
    # callable (see cnnbook/summary.py), so the attribute works as the
    # function whether or not the submodule was imported first.
    if name == "summary":
        import importlib

        return importlib.import_module(".summary", __name__)
    raise AttributeError(f"module 'cnnbook' has no attribute {name!r}")
