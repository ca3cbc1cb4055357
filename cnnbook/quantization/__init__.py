"""Quantization: storing a network's numbers in 8 bits (chapter 10).

- :mod:`~cnnbook.quantization.affine` (numpy only): the formulas, per
  tensor and per channel: :func:`minmax_qparams`, :func:`quantize`,
  :func:`dequantize`, :func:`fake_quantize`;
- :mod:`~cnnbook.quantization.ptq` (PyTorch; imported on first use, so
  ``from cnnbook import quantization`` stays numpy-only): post-training
  static int8 quantization of a CNN on the CPU (:func:`quantize_static`),
  and the measurements that say whether it paid off
  (:func:`state_dict_bytes`, :func:`compare_latency`).
"""

import importlib

from .affine import (
    INT8,
    SCHEMES,
    UINT8,
    dequantize,
    fake_quantize,
    minmax_qparams,
    quantize,
)

_LAZY = {
    "compare_latency": "ptq",
    "fusable_groups": "ptq",
    "quantize_static": "ptq",
    "quantized_engine": "ptq",
    "state_dict_bytes": "ptq",
    "ptq": None,
}

__all__ = [
    "INT8",
    "SCHEMES",
    "UINT8",
    "dequantize",
    "fake_quantize",
    "minmax_qparams",
    "quantize",
    *_LAZY,
]


def __getattr__(name):
    """Import the PyTorch part on first use."""
    if name not in _LAZY:
        raise AttributeError(
            f"module 'cnnbook.quantization' has no attribute {name!r}"
        )
    module = importlib.import_module(f".{_LAZY[name] or name}", __name__)
    return module if _LAZY[name] is None else getattr(module, name)
