"""Model registry: ``get_model(name, **kwargs)`` and ``list_models()``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch.nn as nn

__all__ = ["describe", "get_model", "list_models", "register"]

_BUILDERS: dict[str, Callable[..., nn.Module]] = {}


def register(
    name: str,
) -> Callable[[Callable[..., nn.Module]], Callable[..., nn.Module]]:
    """Decorator adding a model builder to the registry under ``name``."""

    def decorate(builder):
        if name in _BUILDERS:
            raise ValueError(f"register: model {name!r} registered twice")
        _BUILDERS[name] = builder
        return builder

    return decorate


def list_models() -> list[str]:
    """Names accepted by :func:`get_model`, sorted."""
    return sorted(_BUILDERS)


def describe(name: str) -> str:
    """The first line of a model's docstring: its paper and variant."""
    if name not in _BUILDERS:
        get_model(name)  # raises the error listing the names
    doc = _BUILDERS[name].__doc__ or ""
    return " ".join(doc.strip().split("\n\n")[0].split())


def get_model(name: str, **kwargs: Any) -> nn.Module:
    """Build the model registered as ``name`` with keyword arguments.

    >>> get_model("mnist_cnn").conv1
    Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    """
    if not isinstance(name, str):
        raise TypeError(
            f"get_model: name must be a str, got {type(name).__name__}"
        )
    if name not in _BUILDERS:
        raise ValueError(
            f"get_model: unknown model {name!r}; available: "
            f"{', '.join(list_models())}"
        )
    try:
        return _BUILDERS[name](**kwargs)
    except TypeError as err:
        if "unexpected keyword argument" not in str(err):
            raise
        # Name the model the caller asked for, not an internal class.
        raise TypeError(f"get_model({name!r}): {err}") from None
