"""What every classifier of the zoo shares: an input check, and a tool to
find the layer where a forward pass fails.

A network given an image too small for its pooling fails deep inside
PyTorch with a message such as "Output size is too small", after a
traceback through a dozen ``forward`` calls. The book's classifiers check
their input first, at the top of ``forward``
(:meth:`ImageClassifier.check_input`), and say what they expected::

    ValueError: AlexNet: expected input of shape (N, 3, H, W) with
    H, W >= 63, got (1, 3, 32, 32)

For any other module, :func:`locate_failure` runs a failing input once
more with hooks on every layer and names the layer that raised.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

import torch
from torch import nn

__all__ = ["ImageClassifier", "LayerFailure", "locate_failure"]


@dataclass(frozen=True)
class LayerFailure:
    """The innermost layer that was running when a forward pass failed."""

    name: str  # qualified name in the model, e.g. "features.12"
    module: nn.Module
    input_shape: tuple  # shape of its first tensor input
    message: str  # PyTorch's own message, first line

    def describe(self, owner: str) -> str:
        """One line: ``owner``, the layer, its input shape, the error."""
        layer = repr(self.module).split("\n")[0]
        return (
            f"{owner}: layer {self.name!r} ({layer}) failed on an "
            f"input of shape {self.input_shape}: {self.message}"
        )


def _first_shape(inputs) -> tuple:
    for value in inputs:
        if isinstance(value, torch.Tensor):
            return tuple(value.shape)
    return ()


def locate_failure(model: nn.Module, x: torch.Tensor) -> LayerFailure | None:
    """Run ``model(x)`` once with hooks on every layer; if it raises,
    return the innermost layer that had started and not finished.

    A debugging tool: call it when a forward pass fails with an error
    that does not say where. The pass runs without gradients, and the
    model's buffers (batch-norm running statistics) are restored
    afterwards, so the model is left as it was.

    Returns
    -------
    LayerFailure or None
        ``None`` if the pass succeeds, or fails outside every layer (in
        the model's own code, e.g. an input check).

    Examples
    --------
    >>> net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.MaxPool2d(2))
    >>> failure = locate_failure(net, torch.zeros(1, 1, 3, 3))
    >>> failure.name, failure.input_shape
    ('1', (1, 4, 1, 1))
    """
    if not isinstance(model, nn.Module):
        raise TypeError(
            f"locate_failure: model must be a torch.nn.Module, "
            f"got {type(model).__name__}"
        )
    stack: list[tuple[str, nn.Module, tuple]] = []

    def enter(name):
        def hook(module, inputs):
            stack.append((name, module, _first_shape(inputs)))

        return hook

    def leave(module, inputs, output):
        stack.pop()

    handles = []
    for name, module in model.named_modules():
        if name:  # the model itself is the caller, not a layer
            handles.append(module.register_forward_pre_hook(enter(name)))
            handles.append(module.register_forward_hook(leave))
    saved = {name: buffer.clone() for name, buffer in model.named_buffers()}
    try:
        with torch.no_grad():
            model(x)
    except (RuntimeError, ValueError, IndexError) as err:
        if not stack:
            return None
        name, module, shape = stack[-1]
        message = str(err).strip().split("\n")[0]
        return LayerFailure(name, module, shape, message)
    finally:
        for handle in handles:
            handle.remove()
        with torch.no_grad():
            for name, buffer in model.named_buffers():
                buffer.copy_(saved[name])
    return None


class ImageClassifier(nn.Module):
    """Base class of the book's classifiers: the input check they share.

    Subclasses set ``in_channels`` and either ``image_size`` (for networks
    whose fully connected layers fix the input size) or ``min_size`` (the
    smallest side their layers accept) in ``__init__``, and call
    :meth:`check_input` at the top of ``forward``.
    """

    in_channels: int = 3
    image_size: int | None = None  # None: any size of at least min_size
    min_size: int = 1

    def expected_input(self) -> str:
        """The accepted shape, in words: ``(N, 3, H, W) with H, W >= 32``."""
        size = self.image_size
        if size is not None:
            return f"(N, {self.in_channels}, {size}, {size})"
        if self.min_size > 1:
            return (
                f"(N, {self.in_channels}, H, W) with H, W >= {self.min_size}"
            )
        return f"(N, {self.in_channels}, H, W)"

    def check_input(self, x: torch.Tensor) -> None:
        """Raise ``TypeError``/``ValueError`` for a malformed batch.

        Checks the type (a floating-point tensor), the rank (4: a batch of
        images), the number of channels and
        the spatial size (``image_size``, or at least ``min_size``); the
        message names the model, the expected shape and the given one.
        """
        owner = type(self).__name__
        if not isinstance(x, torch.Tensor):
            raise TypeError(
                f"{owner}: input must be a torch.Tensor, got "
                f"{type(x).__name__}"
            )
        if not x.is_floating_point():
            # integer pixels (a uint8 image) would fail deep inside the
            # first layer with a message about its bias
            raise TypeError(
                f"{owner}: input must be a floating-point tensor, got "
                f"dtype {x.dtype} (convert: x.float() / 255 for uint8 "
                "images)"
            )
        shape = tuple(x.shape)
        ok = x.ndim == 4 and shape[1] == self.in_channels
        if ok and self.image_size is not None:
            ok = shape[2:] == (self.image_size, self.image_size)
        elif ok:
            ok = min(shape[2:]) >= self.min_size
        if ok:
            return
        hint = ""
        if x.ndim == 3:
            hint = " (a single image needs a batch axis: x[None])"
        elif (
            self.image_size is not None
            and x.ndim == 4
            and "image_size"
            in inspect.signature(type(self).__init__).parameters
        ):
            hint = "; build the model with image_size=... for other sizes"
        raise ValueError(
            f"{owner}: expected input of shape "
            f"{self.expected_input()}, got {shape}{hint}"
        )
