"""Shared plotting helpers."""

from __future__ import annotations

from types import ModuleType


def pyplot() -> ModuleType:
    """``matplotlib.pyplot``, imported on first use (not at import time)."""
    import matplotlib.pyplot as plt

    return plt
