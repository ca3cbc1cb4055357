r"""Numerical gradient checking by central differences.

A backward pass is a page of index arithmetic; one wrong sign or transposed
axis and training silently goes nowhere. The check: nudge each input
element by :math:`\pm h` and watch the loss,

.. math::

    \frac{\partial f}{\partial x_i} \approx
        \frac{f(x + h e_i) - f(x - h e_i)}{2h}

whose error is :math:`O(h^2)` (the one-sided difference
:math:`(f(x + h e_i) - f(x))/h` is only :math:`O(h)`). In float64 with
:math:`h = 10^{-6}` it agrees with a correct analytic gradient to about
:math:`10^{-9}` relative; a wrong gradient is off by order 1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_array, check_number

__all__ = ["GradcheckResult", "gradcheck", "numerical_gradient"]


def numerical_gradient(
    func: Callable[[np.ndarray], float], input: ArrayLike, eps: float = 1e-6
) -> np.ndarray:
    r"""Central-difference gradient of a scalar function of an array.

    Parameters
    ----------
    func : callable
        ``func(x) -> float``; called :math:`2n` times for an input of
        :math:`n` elements.
    input : ndarray, float64
        Not modified (each element is restored after it is nudged).
    eps : float
        The step :math:`h`.
    """
    name = "numerical_gradient"
    x = as_array(input, "input", name)
    if x.dtype != np.float64:
        raise TypeError(
            f"{name}: input must be float64 (float32 rounding would swamp "
            f"the differences), got {x.dtype}"
        )
    eps = check_number(eps, "eps", name, minimum=0, strict_minimum=True)
    x = np.array(x, copy=True)
    grad = np.empty_like(x)
    flat, out = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        keep = flat[i]
        flat[i] = keep + eps
        up = float(func(x))
        flat[i] = keep - eps
        down = float(func(x))
        flat[i] = keep
        out[i] = (up - down) / (2 * eps)
    return grad


@dataclass(frozen=True)
class GradcheckResult:
    """How far an analytic gradient is from the numerical one."""

    max_abs_error: float
    max_rel_error: float  # |a - n| / max(|a|, |n|, atol), worst element
    ok: bool

    def __str__(self) -> str:
        verdict = "passes" if self.ok else "FAILS"
        return (
            f"gradient check {verdict}: max |analytic - numerical| = "
            f"{self.max_abs_error:.1e}, max relative error "
            f"{self.max_rel_error:.1e}"
        )


def gradcheck(
    func: Callable[[np.ndarray], float],
    input: ArrayLike,
    analytic: ArrayLike,
    eps: float = 1e-6,
    atol: float = 1e-6,
    rtol: float = 1e-5,
    raise_exception: bool = True,
) -> GradcheckResult:
    """Compare an analytic gradient with :func:`numerical_gradient`.

    Passes when every element satisfies
    ``|analytic - numerical| <= atol + rtol * |numerical|`` (as
    ``numpy.allclose``). Raises ``AssertionError`` on failure unless
    ``raise_exception`` is false; returns a :class:`GradcheckResult`.
    """
    name = "gradcheck"
    a = as_array(analytic, "analytic", name)
    x = as_array(input, "input", name)
    if a.shape != x.shape:
        raise ValueError(
            f"{name}: analytic gradient {a.shape} must have the input's "
            f"shape {x.shape}"
        )
    atol = check_number(atol, "atol", name, minimum=0)
    rtol = check_number(rtol, "rtol", name, minimum=0)
    n = numerical_gradient(func, x, eps)
    diff = np.abs(a - n)
    rel = diff / np.maximum(
        np.maximum(np.abs(a), np.abs(n)), max(atol, 1e-300)
    )
    result = GradcheckResult(
        float(diff.max(initial=0.0)),
        float(rel.max(initial=0.0)),
        bool(np.all(diff <= atol + rtol * np.abs(n))),
    )
    if raise_exception and not result.ok:
        raise AssertionError(str(result))
    return result
