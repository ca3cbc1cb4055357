"""Fully connected (linear) layer, in numpy."""

from __future__ import annotations

from .._validation import as_array

__all__ = ["linear"]


def linear(input, weight, bias=None):
    r"""Affine map, as ``torch.nn.functional.linear``.

    .. math:: y = x W^\top + b

    Parameters
    ----------
    input : ndarray, shape (..., n_in)
    weight : ndarray, shape (n_out, n_in)
    bias : ndarray, shape (n_out,), optional

    Returns
    -------
    ndarray, shape (..., n_out)
    """
    func = "linear"
    x = as_array(input, "input", func)
    w = as_array(weight, "weight", func, ndim=2)
    if x.ndim == 0 or x.shape[-1] != w.shape[1]:
        raise ValueError(
            f"{func}: input's last dimension must equal weight.shape[1] = "
            f"{w.shape[1]} (n_in), got input shape {x.shape}"
        )
    y = x @ w.T
    if bias is not None:
        b = as_array(bias, "bias", func, ndim=1)
        if b.shape != (w.shape[0],):
            raise ValueError(
                f"{func}: bias must have shape ({w.shape[0]},), got "
                f"{b.shape}"
            )
        y = y + b
    return y
