"""Argument checks shared by the public functions of cnnbook.

Every public function checks its arguments up front and raises a
``TypeError`` (wrong kind of value) or ``ValueError`` (right kind, wrong
value) whose message names the function, the parameter and what was
expected. A reader who passes a stride that makes the output empty should
learn that from the message, not from an index error three calls deeper.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

__all__ = [
    "as_array",
    "as_arrays_of_one_shape",
    "as_generator",
    "as_indices",
    "as_labels",
    "as_list",
    "check_bool",
    "check_callable",
    "check_choice",
    "check_conv_shapes",
    "check_float_dtype",
    "check_grad_output_shape",
    "check_int",
    "check_keys",
    "check_number",
    "check_pair",
    "check_path",
    "check_spatial_size",
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


def check_bool(value, name: str, func: str) -> bool:
    """Return ``value`` as a ``bool`` after checking it is one.

    Truthiness is not enough: ``ceil_mode="no"`` is true, and would
    silently switch the option on.
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(
        f"{func}: {name} must be True or False, got "
        f"{type(value).__name__} {value!r}"
    )


def check_choice(value, name: str, func: str, choices: Sequence):
    """``value`` if it is one of ``choices``: equal and of the same type
    (so that ``True`` is not taken for ``1``)."""
    for choice in choices:
        if type(value) is type(choice) and value == choice:
            return value
    raise ValueError(
        f"{func}: {name} must be one of "
        f"{', '.join(repr(c) for c in choices)}; got {value!r}"
    )


def check_callable(value, name: str, func: str):
    """``value`` if it can be called."""
    if not callable(value):
        raise TypeError(
            f"{func}: {name} must be callable, got {type(value).__name__} "
            f"{value!r}"
        )
    return value


def check_float_dtype(dtype, name: str, func: str) -> np.dtype:
    """A floating-point numpy dtype from anything ``np.dtype`` takes.

    Casting random weights to an integer dtype would silently truncate
    them (to zeros, mostly), so other kinds are refused.
    """
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        raise TypeError(
            f"{func}: {name} must be a floating-point dtype such as "
            f"np.float32, got {dtype!r}"
        ) from None
    if resolved.kind != "f":
        raise TypeError(
            f"{func}: {name} must be a floating-point dtype such as "
            f"np.float32, got {resolved}"
        )
    return resolved


def check_path(value, name: str, func: str) -> Path:
    """A ``Path`` from a ``str`` or ``os.PathLike``."""
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(
            f"{func}: {name} must be a path (str or pathlib.Path), got "
            f"{type(value).__name__}"
        )
    return Path(value)


def as_list(value, name: str, func: str, *, what: str = "items") -> list:
    """The items of an iterable (not a string) as a list.

    ``what`` says what the items should be, for the message.
    """
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(
            f"{func}: {name} must be a list (or other iterable) of {what}, "
            f"got {type(value).__name__}"
        )
    return list(value)


def check_keys(mapping, required, name: str, func: str) -> dict:
    """``mapping`` if it is a dict holding every key of ``required``.

    ``name`` says what the dict is (e.g. the file it was read from), so
    that a missing key is reported as a fact about that file rather than
    as a bare ``KeyError``.
    """
    if not isinstance(mapping, dict):
        raise TypeError(
            f"{func}: {name} must be a dict, got {type(mapping).__name__}"
        )
    missing = [k for k in required if k not in mapping]
    if missing:
        raise ValueError(
            f"{func}: {name} lacks the keys {missing} (expected "
            f"{list(required)})"
        )
    return mapping


def _integer_array(value, name: str, func: str, what: str) -> np.ndarray:
    array = np.asarray(value)
    if array.size == 0 and array.dtype.kind == "f":
        return array.astype(np.int64)  # np.asarray([]) is float64
    if array.dtype.kind not in "iu":
        # float labels would be truncated (1.7 -> class 1), booleans read
        # as classes 0 and 1: neither is what the caller meant
        raise TypeError(
            f"{func}: {name} must be integers ({what}), got dtype "
            f"{array.dtype}"
        )
    return array


def as_labels(value, name: str, func: str) -> np.ndarray:
    """Class labels as a 1-d int64 array of non-negative integers."""
    array = _integer_array(value, name, func, "class indices")
    if array.ndim != 1:
        raise ValueError(
            f"{func}: {name} must be one-dimensional, got shape {array.shape}"
        )
    if array.size and array.min() < 0:
        raise ValueError(
            f"{func}: {name} must be class indices >= 0, got "
            f"{int(array.min())}"
        )
    return array.astype(np.int64)


def as_indices(value, name: str, func: str, size: int) -> np.ndarray:
    """Positions into a collection of ``size`` items, as a 1-d int64
    array; negative positions count from the end, as in Python."""
    array = _integer_array(value, name, func, "positions")
    if array.ndim != 1:
        raise ValueError(
            f"{func}: {name} must be one-dimensional, got shape {array.shape}"
        )
    if array.size and (array.min() < -size or array.max() >= size):
        bad = array[(array < -size) | (array >= size)][0]
        raise ValueError(
            f"{func}: {name} holds {int(bad)}, out of range for {size} "
            f"items (expected -{size} .. {size - 1})"
        )
    return array.astype(np.int64)


def check_spatial_size(shape, func: str, name: str = "input"):
    """An image batch must have a height and a width of at least 1.

    (A batch of no images is fine; images of no pixels are not.)
    """
    if 0 in tuple(shape)[-2:]:
        raise ValueError(
            f"{func}: {name} must have a height and width of at least 1, "
            f"got shape {tuple(shape)}"
        )


def check_conv_shapes(x_shape, w_shape, func: str):
    """What every convolution needs of its operands' shapes (the ranks
    are checked by :func:`as_array`): images of at least one channel
    and one pixel, and a kernel of at least one channel in and out and
    at least 1x1."""
    if x_shape[1] == 0:
        raise ValueError(
            f"{func}: input must have at least one channel, got shape "
            f"{tuple(x_shape)}"
        )
    check_spatial_size(x_shape, func)
    if 0 in tuple(w_shape)[2:]:
        raise ValueError(
            f"{func}: weight must have a kernel of at least 1x1, got shape "
            f"{tuple(w_shape)}"
        )
    if 0 in tuple(w_shape)[:2]:
        raise ValueError(
            f"{func}: weight must have at least one output and one input "
            f"channel, got shape {tuple(w_shape)}"
        )
