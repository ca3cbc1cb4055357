"""Shared plotting helpers."""


def pyplot():
    """``matplotlib.pyplot``, imported on first use (not at import time)."""
    import matplotlib.pyplot as plt

    return plt
