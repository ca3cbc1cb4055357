"""What every classifier of the zoo shares: input checks and clear errors.

A network that receives an image too small for its pooling fails deep
inside PyTorch with a message such as "Output size is too small", and a
traceback through a dozen ``forward`` calls. :class:`ImageClassifier`
turns that into one error that names the layer that failed and the shape
it was given::

    ValueError: AlexNet: layer 'features.12' (MaxPool2d(kernel_size=3,
    stride=2, ...)) failed on an input of shape (1, 256, 1, 1) ...

It does so at no cost when the forward pass succeeds: only after a
failure is the pass repeated, on the same input and without gradients,
with hooks that record which layer was running (:func:`locate_failure`).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

import torch
import torch.nn as nn

__all__ = ["ImageClassifier", "LayerFailure", "locate_failure",
           "run_with_layer_errors"]


@dataclass(frozen=True)
class LayerFailure:
    """The innermost layer that was running when a forward pass failed."""

    name: str  # qualified name in the model, e.g. "features.12"
    module: nn.Module
    input_shape: tuple  # shape of its first tensor input
    message: str  # PyTorch's own message, first line

    def describe(self, owner: str) -> str:
        layer = repr(self.module).split("\n")[0]
        return (f"{owner}: layer {self.name!r} ({layer}) failed on an "
                f"input of shape {self.input_shape}: {self.message}")


def _first_shape(inputs) -> tuple:
    for value in inputs:
        if isinstance(value, torch.Tensor):
            return tuple(value.shape)
    return ()


def locate_failure(model: nn.Module, run) -> LayerFailure | None:
    """Call ``run()`` with hooks on every module of ``model``; on an error
    return the innermost module that had started and not finished.

    ``run`` is a function of no arguments that calls the model. Returns
    ``None`` if ``run`` succeeds (the failure was not reproduced).
    """
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
    try:
        run()
    except (RuntimeError, ValueError, IndexError) as err:
        if not stack:
            return None
        name, module, shape = stack[-1]
        message = str(err).strip().split("\n")[0]
        return LayerFailure(name, module, shape, message)
    else:
        return None
    finally:
        for handle in handles:
            handle.remove()


def run_with_layer_errors(model: nn.Module, call, owner: str,
                          model_input: tuple | None = None):
    """``call()``; if PyTorch raises, run it again under hooks and raise a
    ``ValueError`` naming the failing layer and its input shape.

    The second run is made without gradients, and the model's buffers
    (batch-norm running statistics) are restored afterwards, so a failed
    call leaves the model as the first attempt left it. The error keeps
    PyTorch's own exception as ``torch_error`` instead of chaining it, so
    the traceback is short.
    """
    try:
        return call()
    except (RuntimeError, ValueError) as err:
        saved = {name: buffer.clone()
                 for name, buffer in model.named_buffers()}
        with torch.no_grad():
            failure = locate_failure(model, call)
        with torch.no_grad():
            for name, buffer in model.named_buffers():
                buffer.copy_(saved[name])
        if failure is None:
            raise
        message = failure.describe(owner)
        if model_input is not None:
            message += f" (the model's input was {model_input})"
        error = ValueError(message)
        error.torch_error = err
    raise error


class ImageClassifier(nn.Module):
    """Base class of the book's classifiers.

    Subclasses set ``in_channels`` (and, for networks whose fully connected
    layers fix the input size, ``image_size``) in ``__init__``. Calling the
    model checks the input's rank and channels first; a failure inside the
    network is reported as a ``ValueError`` naming the layer that failed
    and the shape it received (PyTorch's error is kept as ``torch_error``).
    """

    in_channels: int = 3
    image_size: int | None = None  # None: any size large enough

    def expected_input(self) -> str:
        size = self.image_size
        if size is None:
            return f"(N, {self.in_channels}, H, W)"
        return f"(N, {self.in_channels}, {size}, {size})"

    def check_input(self, x) -> None:
        """Raise ``TypeError``/``ValueError`` for a malformed batch."""
        owner = type(self).__name__
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"{owner}: input must be a torch.Tensor, got "
                            f"{type(x).__name__}")
        shape = tuple(x.shape)
        ok = x.ndim == 4 and shape[1] == self.in_channels
        if ok and self.image_size is not None:
            ok = shape[2:] == (self.image_size, self.image_size)
        if not ok:
            hint = ""
            if x.ndim == 3:
                hint = " (a single image needs a batch axis: x[None])"
            elif (self.image_size is not None and x.ndim == 4
                  and "image_size" in inspect.signature(
                      type(self).__init__).parameters):
                hint = ("; build the model with image_size=... for other "
                        "sizes")
            raise ValueError(f"{owner}: expected input of shape "
                             f"{self.expected_input()}, got {shape}{hint}")

    def __call__(self, x, *args, **kwargs):
        if torch.compiler.is_compiling():
            return super().__call__(x, *args, **kwargs)
        self.check_input(x)
        call = super().__call__
        return run_with_layer_errors(self, lambda: call(x, *args, **kwargs),
                                     type(self).__name__, tuple(x.shape))
