"""The numpy layer API: parameters, modules, ``Sequential``.

A module's ``forward`` computes its output and remembers what its
``backward`` will need; ``backward(grad_output)`` returns the gradient with
respect to the module's input and *adds* the gradients of its parameters
to their ``grad`` (as PyTorch's ``.backward()`` accumulates), so an
optimizer step is: ``zero_grad()``, forward, loss, backward, ``step()``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from .._validation import check_float_dtype

__all__ = ["Module", "Parameter", "Sequential"]


class Parameter:
    """A trainable array and the gradient accumulated for it.

    Attributes
    ----------
    data : ndarray
        The value, updated in place by the optimizers.
    grad : ndarray
        Same shape; set to zero by ``zero_grad`` and added to by
        ``backward``.
    """

    def __init__(self, data: ArrayLike):
        data = np.asarray(data)
        if data.dtype.kind != "f":
            raise TypeError(
                f"Parameter: data must be a floating-point array, got dtype "
                f"{data.dtype}"
            )
        self.data = data
        self.grad = np.zeros_like(data)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    def __repr__(self) -> str:
        return f"Parameter(shape={self.data.shape}, dtype={self.data.dtype})"


class Module(ABC):
    """Base class: a layer or a network of numpy layers."""

    training = True

    @abstractmethod
    def forward(self, input: np.ndarray) -> np.ndarray:
        """The layer's output for ``input``; keeps what backward needs."""

    @abstractmethod
    def backward(
        self, grad_output: np.ndarray, input_grad: bool = True
    ) -> np.ndarray | None:
        """Gradient for the input (``None`` if ``input_grad`` is false);
        parameter gradients are added to their ``grad``."""

    def __call__(self, input):
        return self.forward(input)

    def _saved(self, *names):
        """What ``forward`` kept for ``backward``, by attribute name.

        Before any forward pass there is nothing to differentiate; say so
        rather than fail on a missing attribute.
        """
        values = tuple(vars(self).get(name) for name in names)
        if any(value is None for value in values):
            raise RuntimeError(
                f"{type(self).__name__}: call forward() before backward() "
                "(backward differentiates the last forward pass)"
            )
        return values[0] if len(values) == 1 else values

    def children(self) -> Iterator[Module]:
        for value in vars(self).values():
            if isinstance(value, Module):
                yield value
            elif isinstance(value, (list, tuple)):
                yield from (v for v in value if isinstance(v, Module))

    def named_parameters(
        self, prefix: str = ""
    ) -> Iterator[tuple[str, Parameter]]:
        """``(name, parameter)`` pairs, in PyTorch's naming and order."""
        for name, value in vars(self).items():
            if isinstance(value, Parameter):
                yield prefix + name, value
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield from value.named_parameters(f"{prefix}{name}.")
            elif isinstance(value, (list, tuple)):
                for i, child in enumerate(value):
                    if isinstance(child, Module):
                        yield from child.named_parameters(
                            f"{prefix}{name}.{i}."
                        )

    def parameters(self) -> list[Parameter]:
        return [p for _, p in self.named_parameters()]

    def num_parameters(self) -> int:
        return sum(p.data.size for p in self.parameters())

    def buffers(self) -> dict[str, np.ndarray]:
        """Non-trainable state (batch norm's running statistics)."""
        found = {}
        for name, value in vars(self).items():
            if name.startswith("running_") and isinstance(value, np.ndarray):
                found[name] = value
        for name, child in self._named_children():
            for key, value in child.buffers().items():
                found[f"{name}.{key}"] = value
        return found

    def _named_children(self):
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value
            elif isinstance(value, (list, tuple)):
                for i, child in enumerate(value):
                    if isinstance(child, Module):
                        yield f"{name}.{i}", child

    def train(self, mode: bool = True) -> Module:
        self.training = bool(mode)
        for child in self.children():
            child.train(mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad[...] = 0

    def astype(self, dtype: DTypeLike) -> Module:
        """Convert every parameter and buffer to ``dtype`` (in place)."""
        dtype = check_float_dtype(
            dtype, "dtype", f"{type(self).__name__}.astype"
        )
        for p in self.parameters():
            p.data = p.data.astype(dtype)
            p.grad = np.zeros_like(p.data)
        for module in self._modules():
            for name, value in vars(module).items():
                if name.startswith("running_") and isinstance(
                    value, np.ndarray
                ):
                    setattr(module, name, value.astype(dtype))
        return self

    def _modules(self):
        yield self
        for child in self.children():
            yield from child._modules()

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of the parameters and buffers, by PyTorch-style name."""
        state = {name: p.data.copy() for name, p in self.named_parameters()}
        state.update({k: v.copy() for k, v in self.buffers().items()})
        return state

    def load_state_dict(self, state: Mapping[str, np.ndarray]) -> Module:
        """Copy arrays (numpy, or anything ``np.asarray`` takes, such as a
        CPU ``torch`` tensor) into the parameters and buffers by name.

        Every name must match and every shape agree; extra or missing
        names are a ``ValueError``. Entries PyTorch keeps that have no numpy
        counterpart (``num_batches_tracked``) are ignored.
        """
        if not isinstance(state, dict):
            raise TypeError(
                "load_state_dict: state must be a dict of arrays by name, "
                f"got {type(state).__name__}"
            )
        own = dict(self.named_parameters())
        buffers = self.buffers()
        state = {
            k: v
            for k, v in state.items()
            if not k.endswith("num_batches_tracked")
        }
        missing = sorted((set(own) | set(buffers)) - set(state))
        unexpected = sorted(set(state) - set(own) - set(buffers))
        if missing or unexpected:
            raise ValueError(
                f"load_state_dict: the state's names must be the model's; "
                f"missing {missing}, unexpected {unexpected}"
            )
        for name, value in state.items():
            value = np.asarray(value)
            target = own[name].data if name in own else buffers[name]
            if value.shape != target.shape:
                raise ValueError(
                    f"load_state_dict: {name} has shape {target.shape}, got "
                    f"{value.shape}"
                )
            target[...] = value
        return self


class Sequential(Module):
    """Modules applied in order; backward runs them in reverse."""

    def __init__(self, *modules: Module):
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(
                    f"Sequential: argument {i} must be a Module, got "
                    f"{type(m).__name__}"
                )
        self.layers = list(modules)

    def __getitem__(self, index):
        return self.layers[index]

    def __len__(self):
        return len(self.layers)

    def named_parameters(
        self, prefix: str = ""
    ) -> Iterator[tuple[str, Parameter]]:
        # PyTorch names a Sequential's parameters "0.weight", "3.bias", ...
        for i, layer in enumerate(self.layers):
            yield from layer.named_parameters(f"{prefix}{i}.")

    def _named_children(self):
        for i, layer in enumerate(self.layers):
            yield str(i), layer

    def forward(self, input: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            input = layer.forward(input)
        return input

    def backward(
        self, grad_output: np.ndarray, input_grad: bool = True
    ) -> np.ndarray | None:
        for i in range(len(self.layers) - 1, -1, -1):
            grad_output = self.layers[i].backward(
                grad_output, input_grad=input_grad or i > 0
            )
        return grad_output

    def __repr__(self) -> str:
        lines = [f"  ({i}): {layer!r}" for i, layer in enumerate(self.layers)]
        return "Sequential(\n" + "\n".join(lines) + "\n)"
