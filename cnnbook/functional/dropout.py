r"""Dropout, in its two equivalent forms.

During training dropout keeps each activation with probability
:math:`q` and zeroes it otherwise. Because a unit is present only a
fraction :math:`q` of the time, something must correct the scale:

- *inverted dropout* (PyTorch, :func:`dropout`) divides the kept values by
  :math:`q` during training and does nothing at test time;
- the original formulation (Srivastava et al. 2014, and the encyclopedia;
  :func:`dropout_scale_at_test`) keeps the values as they are during
  training and multiplies by :math:`q` at test time.

Both make the test-time output equal the *expected* training-time output,
and they differ by the constant factor :math:`q` in every layer that
follows, which learning absorbs. Beware the two conventions for ``p``:
PyTorch's ``p`` is the probability of **dropping** a unit
(:math:`q = 1 - p`); the paper's and the encyclopedia's :math:`p` is the
probability of **keeping** it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validation import (
    as_array,
    as_generator,
    check_bool,
    check_number,
)

__all__ = [
    "dropout",
    "dropout_backward",
    "dropout_scale_at_test",
    "dropout_scale_at_test_backward",
]


def dropout(
    input: ArrayLike,
    p: float = 0.5,
    training: bool = True,
    rng: np.random.Generator | int | None = None,
    return_mask: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    r"""Inverted dropout, as ``torch.nn.functional.dropout``.

    .. math::

        r_i \sim \operatorname{Bernoulli}(1 - p), \qquad
        y_i = \frac{r_i\, x_i}{1 - p} \quad \text{(training)}, \qquad
        y = x \quad \text{(test)}

    so that :math:`\mathbb{E}[y_i] = x_i` in both modes.

    Parameters
    ----------
    p : float in [0, 1]
        Probability of *dropping* each element (PyTorch's convention).
    training : bool
        In evaluation (``False``) the input is returned unchanged.
    rng : numpy Generator or int seed, optional
        Source of the random mask.
    return_mask : bool
        Also return the boolean keep-mask :math:`r`, which
        :func:`dropout_backward` needs.
    """
    func = "dropout"
    x = as_array(input, "input", func)
    p = check_number(p, "p", func, minimum=0, maximum=1)
    training = check_bool(training, "training", func)
    if not training:
        mask = np.ones(x.shape, dtype=bool)
        return (x, mask) if return_mask else x
    keep = as_generator(rng, func).random(x.shape) >= p
    scale = 0.0 if p == 1 else 1 / (1 - p)
    y = np.where(keep, x * scale, 0).astype(x.dtype, copy=False)
    return (y, keep) if return_mask else y


def dropout_backward(
    grad_output: ArrayLike, mask: ArrayLike, p: float = 0.5
) -> np.ndarray:
    r""":math:`\partial\mathcal{L}/\partial x_i = r_i\,\delta_i / (1 - p)`."""
    func = "dropout_backward"
    g = as_array(grad_output, "grad_output", func)
    p = check_number(p, "p", func, minimum=0, maximum=1)
    mask = np.asarray(mask)
    if mask.dtype != bool or mask.shape != g.shape:
        raise ValueError(
            f"{func}: mask must be a boolean array of shape {g.shape}, got "
            f"{mask.dtype} {mask.shape}"
        )
    scale = 0.0 if p == 1 else 1 / (1 - p)
    return np.where(mask, g * scale, 0).astype(g.dtype, copy=False)


def dropout_scale_at_test(
    input: ArrayLike,
    keep_prob: float = 0.5,
    training: bool = True,
    rng: np.random.Generator | int | None = None,
    return_mask: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    r"""Dropout as the encyclopedia and the original paper write it.

    .. math::

        r_i \sim \operatorname{Bernoulli}(q), \qquad
        y = r \odot x \quad \text{(training)}, \qquad
        y = q\,x \quad \text{(test)}

    with :math:`q` the probability of *keeping* a unit (``keep_prob``).
    """
    func = "dropout_scale_at_test"
    x = as_array(input, "input", func)
    q = check_number(keep_prob, "keep_prob", func, minimum=0, maximum=1)
    training = check_bool(training, "training", func)
    if not training:
        y = (q * x).astype(x.dtype, copy=False)
        return (y, np.ones(x.shape, dtype=bool)) if return_mask else y
    keep = as_generator(rng, func).random(x.shape) < q
    y = np.where(keep, x, 0).astype(x.dtype, copy=False)
    return (y, keep) if return_mask else y


def dropout_scale_at_test_backward(
    grad_output: ArrayLike, mask: ArrayLike
) -> np.ndarray:
    r""":math:`\partial\mathcal{L}/\partial x_i = r_i\,\delta_i` (training)."""
    func = "dropout_scale_at_test_backward"
    g = as_array(grad_output, "grad_output", func)
    mask = np.asarray(mask)
    if mask.dtype != bool or mask.shape != g.shape:
        raise ValueError(
            f"{func}: mask must be a boolean array of shape {g.shape}, got "
            f"{mask.dtype} {mask.shape}"
        )
    return np.where(mask, g, 0).astype(g.dtype, copy=False)
