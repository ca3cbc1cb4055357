"""Helpers to compare cnnbook's numpy functions with PyTorch in float64."""

import numpy as np
import torch

TOL = {"rtol": 1e-10, "atol": 1e-12}


def t(array):
    """numpy -> float64 torch tensor (shares memory)."""
    return torch.from_numpy(np.ascontiguousarray(array, dtype=np.float64))


def close(actual, expected, **tol):
    """assert_allclose at float64 tolerance; tensors are converted."""
    if isinstance(expected, torch.Tensor):
        expected = expected.detach().numpy()
    np.testing.assert_allclose(actual, expected, **(tol or TOL))
