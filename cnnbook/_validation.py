"""Argument checks shared by the public functions of cnnbook.

Every public function checks its arguments up front and raises a
``TypeError`` (wrong kind of value) or ``ValueError`` (right kind, wrong
value) whose message names the function, the parameter and what was
expected. A reader who passes a stride that makes the output empty should
learn that from the message, not from an index error three calls deeper.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

__all__ = [
    "as_array",
    "as_arrays_of_one_shape",
    "as_generator",
    "check_grad_output_shape",
    "check_int",
    "check_number",
    "check_pair",
]


def check_int(value, name: str, func: str, *, minimum: int | None = None):
    """Return ``value`` as an ``int`` after checking it is one.

    ``bool`` is rejected although it subclasses ``int``: ``stride=True`` is
    almost certainly a mistake.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{func}: {name} must be an int, got {type(value).__name__} "
            f"{value!r}"
        )
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{func}: {name} must be >= {minimum}, got {value}")
    return value


def check_number(
    value,
    name: str,
    func: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict_minimum: bool = False,
):
    """Return ``value`` as a ``float`` after checking it is a real number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{func}: {name} must be a real number, got "
            f"{type(value).__name__} {value!r}"
        )
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{func}: {name} must be finite, got {value}")
    if minimum is not None:
        if strict_minimum and value <= minimum:
            raise ValueError(
                f"{func}: {name} must be > {minimum}, got {value}"
            )
        if not strict_minimum and value < minimum:
            raise ValueError(
                f"{func}: {name} must be >= {minimum}, got {value}"
            )
    if maximum is not None and value > maximum:
        raise ValueError(f"{func}: {name} must be <= {maximum}, got {value}")
    return value


def check_grad_output_shape(grad_output, expected: tuple, func: str):
    """A backward pass's ``grad_output`` must have its forward output's
    shape; returns it unchanged."""
    if grad_output.shape != tuple(expected):
        raise ValueError(
            f"{func}: grad_output must have the output's shape "
            f"{tuple(expected)}, got {grad_output.shape}"
        )
    return grad_output


def check_pair(value, name: str, func: str, *, minimum: int = 0):
    """Return ``(height, width)`` from an int or a pair of ints.

    Mirrors PyTorch, where ``kernel_size=3`` means ``(3, 3)``.
    """
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != 2:
            raise ValueError(
                f"{func}: {name} must be an int or a pair of ints, got "
                f"{value!r}"
            )
        return tuple(
            check_int(v, f"{name}[{i}]", func, minimum=minimum)
            for i, v in enumerate(value)
        )
    v = check_int(value, name, func, minimum=minimum)
    return (v, v)


def as_array(value, name: str, func: str, *, ndim=None):
    """Return ``value`` as a floating-point numpy array, checking its rank.

    Floating arrays keep their dtype (float32 stays float32, float64 stays
    float64); integer arrays are promoted to float64 so that a worked example
    typed with integers computes exactly. Anything else (bool, complex,
    strings, objects) is a ``TypeError``.

    Parameters
    ----------
    ndim : int or tuple of int, optional
        The allowed number of dimensions.
    """
    if isinstance(value, np.ndarray):
        array = value
    elif isinstance(value, (list, tuple, numbers.Real)) and not isinstance(
        value, bool
    ):
        array = np.asarray(value)
    else:
        raise TypeError(
            f"{func}: {name} must be a numpy array, got {type(value).__name__}"
        )
    if array.dtype.kind == "f":
        pass
    elif array.dtype.kind in "iu":
        array = array.astype(np.float64)
    else:
        raise TypeError(
            f"{func}: {name} must hold real numbers (a float or int dtype), "
            f"got dtype {array.dtype}"
        )
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            want = " or ".join(str(d) for d in allowed)
            raise ValueError(
                f"{func}: {name} must have {want} dimensions, got shape "
                f"{array.shape}"
            )
    return array


def as_arrays_of_one_shape(
    first, first_name: str, second, second_name: str, func: str
):
    """Both values as arrays (see :func:`as_array`) that must share a
    shape, e.g. a gradient and the input it belongs to, or a prediction
    and its target."""
    a = as_array(first, first_name, func)
    b = as_array(second, second_name, func)
    if a.shape != b.shape:
        raise ValueError(
            f"{func}: {first_name} {a.shape} and {second_name} {b.shape} "
            "must have the same shape"
        )
    return a, b


def as_generator(rng, func: str, name: str = "rng"):
    """A numpy ``Generator`` from ``None`` (fresh entropy), an int seed or
    a ``Generator`` (used as is, so its state advances)."""
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"{func}: {name} must be a numpy Generator, an int seed or None, "
        f"got {type(rng).__name__}"
    )
