r"""Layer tables computed from a model: shapes, parameters, MACs, memory.

:func:`summary` runs one forward pass with hooks on every module and
records, for each layer, what it produced and what it cost. Nothing is
typed in: the shapes are those of the tensors that flowed, the parameters
those the modules hold, the MACs counted from each layer's geometry.

Conventions, stated once because tables in the literature mix them:

- **MACs** (multiply-accumulates) are counted for convolutions and fully
  connected layers (and any module with a ``macs(inputs, output)``
  method): a convolution producing :math:`N C_\text{out} H_\text{out}
  W_\text{out}` values, each a sum of :math:`(C_\text{in}/g)\, K_h K_w`
  products, costs

  .. math:: \text{MACs} = N\, C_\text{out} H_\text{out} W_\text{out}
      \cdot \frac{C_\text{in}}{g} K_h K_w

  and a linear layer :math:`N\, n_\text{out} n_\text{in}`. Biases,
  activations, pooling, normalization and additions count 0 (they are
  not multiply-accumulates and cost little). This is what the papers call
  "FLOPs" or "multiply-adds" (ResNet's 3.8 billion, VGG-16's 15.5).
- **FLOPs** = 2 x MACs (one multiplication and one addition each).
- **Activations** are the values a layer outputs, as a count and as bytes
  at the output's dtype (4 bytes for float32). A layer that works in
  place, or returns its input unchanged (dropout at inference), shares
  its input's memory; the total, summed over the leaf layers whatever
  the ``depth`` of the rows, does not count it twice. It is the memory a
  training step keeps for the backward pass, roughly, per batch.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
import torch.nn as nn

from ._validation import check_int

__all__ = ["LayerRow", "Summary", "count_macs", "summary"]


def _conv_macs(module, inputs, output) -> int:
    per_output = (module.in_channels // module.groups) * math.prod(
        module.kernel_size
    )
    return output.numel() * per_output


def _conv_transpose_macs(module, inputs, output) -> int:
    per_input = (module.out_channels // module.groups) * math.prod(
        module.kernel_size
    )
    return inputs[0].numel() * per_input


def _linear_macs(module, inputs, output) -> int:
    return output.numel() * module.in_features


MAC_RULES = {
    nn.Conv1d: _conv_macs,
    nn.Conv2d: _conv_macs,
    nn.Conv3d: _conv_macs,
    nn.ConvTranspose1d: _conv_transpose_macs,
    nn.ConvTranspose2d: _conv_transpose_macs,
    nn.ConvTranspose3d: _conv_transpose_macs,
    nn.Linear: _linear_macs,
}


def count_macs(module: nn.Module, inputs: tuple, output: object) -> int:
    """MACs of one call of ``module`` (0 for layers that do none).

    A module may define ``macs(inputs, output)`` to count itself.
    """
    if hasattr(module, "macs"):
        return int(module.macs(inputs, output))
    for kind, rule in MAC_RULES.items():
        if isinstance(module, kind):
            return int(rule(module, inputs, output))
    return 0


def _same_memory(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Is ``a`` the tensor ``b`` or a view of the same memory (e.g. a
    flatten)? Works on the meta device, which has no real addresses."""
    return (a._base if a._base is not None else a) is (
        b._base if b._base is not None else b
    )


def _tensors(value):
    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _tensors(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _tensors(item)


@dataclass(frozen=True)
class LayerRow:
    """One row of a :class:`Summary`: one call of one layer."""

    name: str  # qualified name in the model ("features.0"), "input"
    kind: str  # the module's class name
    output_shape: tuple  # of its (first) output, batch axis included
    parameters: int  # held by the layer (counted at its first call)
    macs: int  # multiply-accumulates of this call, batch included
    activations: int  # values it output
    activation_bytes: int  # the same at the output's dtype
    shares_input: bool = False  # in place or identity: no new memory

    @property
    def flops(self) -> int:
        """Floating-point operations, 2 x MACs."""
        return 2 * self.macs


def _size(n_bytes: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n_bytes < 1024 or unit == "GiB":
            return (
                f"{n_bytes:.0f} {unit}"
                if unit == "B"
                else f"{n_bytes:.2f} {unit}"
            )
        n_bytes /= 1024
    raise AssertionError("unreachable")


@dataclass
class Summary:
    """The layer table of one forward pass (see :func:`summary`)."""

    model_name: str
    input_shape: tuple
    rows: list[LayerRow]
    parameters: int  # every parameter of the model
    trainable_parameters: int
    parameter_bytes: int
    activations: int = 0  # values output by the leaf layers (see below)
    activation_bytes: int = 0
    unused: dict[str, int] = field(default_factory=dict)  # not run: params

    @property
    def macs(self) -> int:
        """Multiply-accumulates of the whole pass."""
        return sum(row.macs for row in self.rows)

    @property
    def flops(self) -> int:
        """Floating-point operations, 2 x MACs."""
        return 2 * self.macs

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def __getitem__(self, key) -> LayerRow:
        """A row by position or by name (the first call of that name)."""
        if isinstance(key, str):
            for row in self.rows:
                if row.name == key:
                    return row
            raise KeyError(
                f"Summary: no layer named {key!r}; layers: "
                f"{', '.join(r.name for r in self.rows)}"
            )
        return self.rows[key]

    def _cells(self):
        header = (
            "Layer",
            "Output shape",
            "Param #",
            "MACs",
            "Activations",
            "Act. memory",
        )
        body = []
        for r in self.rows:
            label = r.name if r.kind == "input" else f"{r.name} ({r.kind})"
            shape = " x ".join(str(s) for s in r.output_shape[1:])
            memory = _size(r.activation_bytes)
            if r.shares_input:
                memory += " (shared)"
            body.append(
                (
                    label,
                    shape,
                    f"{r.parameters:,}",
                    f"{r.macs:,}",
                    f"{r.activations:,}",
                    memory,
                )
            )
        return header, body

    def _totals(self) -> list[str]:
        lines = [
            f"Parameters: {self.parameters:,} ({self.trainable_parameters:,}"
            f" trainable), {_size(self.parameter_bytes)}",
            f"MACs: {self.macs:,} (FLOPs = 2 x MACs = {self.flops:,})",
            f"Activations: {self.activations:,} values, "
            f"{_size(self.activation_bytes)} (every layer's output once)",
        ]
        if self.unused:
            names = ", ".join(self.unused)
            lines.append(
                f"Not run in this pass: {names} "
                f"({sum(self.unused.values()):,} parameters)"
            )
        return lines

    def __repr__(self) -> str:
        header, body = self._cells()
        widths = [
            max(len(row[i]) for row in [header, *body])
            for i in range(len(header))
        ]
        left = (0, 1)

        def line(cells):
            return "  ".join(
                c.ljust(w) if i in left else c.rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            ).rstrip()

        rule = "-" * len(line(header))
        title = f"{self.model_name}, input {tuple(self.input_shape)}"
        return "\n".join(
            [
                title,
                rule,
                line(header),
                rule,
                *(line(cells) for cells in body),
                rule,
                *self._totals(),
            ]
        )

    def _repr_html_(self) -> str:
        esc = html.escape
        header, body = self._cells()

        def style(i):
            side = "left" if i < 2 else "right"
            return (
                f'style="text-align:{side};padding:1px 0.6em;'
                'white-space:nowrap"'
            )

        head = "".join(
            f"<th {style(i)}>{esc(h)}</th>" for i, h in enumerate(header)
        )
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td {style(i)}>{esc(c)}</td>" for i, c in enumerate(cells)
            )
            + "</tr>"
            for cells in body
        )
        totals = "".join(f"<li>{esc(t)}</li>" for t in self._totals())
        return (
            '<div class="cnnbook-summary" style="overflow-x:auto">'
            '<table style="font-size:0.85em"><caption>'
            f"{esc(self.model_name)}, input "
            f"{esc(str(tuple(self.input_shape)))}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
            f"<ul>{totals}</ul></div>"
        )


def _check_input_size(input_size) -> tuple:
    func = "summary"
    if not isinstance(input_size, (tuple, list)) or len(input_size) not in (
        3,
        4,
    ):
        raise ValueError(
            f"{func}: input_size must be (C, H, W) or (N, C, H, W), got "
            f"{input_size!r}"
        )
    shape = tuple(
        check_int(v, f"input_size[{i}]", func, minimum=1)
        for i, v in enumerate(input_size)
    )
    return shape if len(shape) == 4 else (1, *shape)


def summary(
    model: nn.Module, input_size: Sequence[int], depth: int | None = None
) -> Summary:
    """The layer table of ``model`` on an input of ``input_size``.

    Parameters
    ----------
    model : torch.nn.Module
        Run once in evaluation mode, without gradients, on zeros placed on
        the device and in the dtype of its parameters (a model on the
        ``meta`` device is summarized without computing anything). Its
        training flags are restored afterwards.
    input_size : (C, H, W) or (N, C, H, W)
        The batch size defaults to 1; MACs and activations are for the
        whole batch.
    depth : int, optional
        ``None``: one row per call of a leaf layer. ``k``: one row per call
        of a module ``k`` levels deep (``layer1`` is level 1,
        ``layer1.0.conv1`` level 3), its sub-layers folded into it.

    Returns
    -------
    Summary
        Rows (the input first, then the layers in the order they ran) and
        totals; prints as text, displays as HTML in a notebook.

    Raises
    ------
    ValueError
        If the forward pass fails: the message names the layer that
        failed and the shape of the input it was given.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(
            f"summary: model must be a torch.nn.Module, got "
            f"{type(model).__name__}"
        )
    shape = _check_input_size(input_size)
    if depth is not None:
        depth = check_int(depth, "depth", "summary", minimum=1)
    reference = next(model.parameters(), None)
    if reference is None:
        reference = next(model.buffers(), torch.zeros(()))
    dtype = (
        reference.dtype if reference.is_floating_point() else (torch.float32)
    )
    x = torch.zeros(shape, dtype=dtype, device=reference.device)
    if hasattr(model, "check_input"):
        model.check_input(x)

    names = {module: name for name, module in model.named_modules()}

    def is_leaf(module: nn.Module) -> bool:
        # A module that counts itself is a leaf even if it has children.
        return hasattr(module, "macs") or not any(
            True for _ in module.children()
        )

    rows: list[dict] = []
    open_calls: list[dict] = []  # the calls in progress, outermost first
    seen: set[int] = set()
    written = [0, 0]  # values and bytes output by leaf layers

    def enter(module, inputs):
        name = names[module] or type(module).__name__  # a bare layer
        level = name.count(".") + 1
        # The first module on the path that is a leaf, or deep enough,
        # gets the row; everything it calls is folded into it.
        row = not any(c["row"] for c in open_calls) and (
            is_leaf(module) or (depth is not None and level >= depth)
        )
        open_calls.append(
            {
                "name": name,
                "module": module,
                "inputs": inputs,
                "macs": 0,
                "row": row,
            }
        )

    def leave(module, inputs, output):
        call = open_calls.pop()
        tensors = list(_tensors(output))
        shares = bool(getattr(module, "inplace", False)) or any(
            _same_memory(t, i) for t in tensors for i in _tensors(inputs)
        )
        if is_leaf(module) and not any(
            is_leaf(c["module"]) for c in open_calls
        ):
            macs = count_macs(module, inputs, output)
            for c in (*open_calls, call):
                c["macs"] += macs
            if not shares:
                written[0] += sum(t.numel() for t in tensors)
                written[1] += sum(
                    t.numel() * t.element_size() for t in tensors
                )
        if not call["row"]:
            return
        first = tensors[0] if tensors else None
        if id(module) in seen:
            params = 0  # shared layer: its parameters are counted once
        else:
            params = sum(p.numel() for p in module.parameters())
            seen.update(id(m) for m in module.modules())
        rows.append(
            dict(
                name=call["name"],
                kind=type(module).__name__,
                output_shape=tuple(first.shape) if first is not None else (),
                parameters=params,
                macs=call["macs"],
                activations=sum(t.numel() for t in tensors),
                activation_bytes=sum(
                    t.numel() * t.element_size() for t in tensors
                ),
                shares_input=shares,
            )
        )

    handles = []
    for name, module in model.named_modules():
        # The model itself gets a row only if it is a single layer.
        if name or is_leaf(module):
            handles.append(module.register_forward_pre_hook(enter))
            handles.append(module.register_forward_hook(leave))
    flags = {module: module.training for module in model.modules()}
    model.eval()
    try:
        with torch.no_grad():
            model(x)
    except (RuntimeError, ValueError, IndexError) as err:
        if not open_calls:
            raise
        call = open_calls[-1]
        failed_shape = next(
            (tuple(t.shape) for t in _tensors(call["inputs"])), ()
        )
        layer = repr(call["module"]).split("\n")[0]
        message = str(err).strip().split("\n")[0]
        error = ValueError(
            f"summary: layer {call['name']!r} ({layer}) failed on an "
            f"input of shape {failed_shape}: {message}"
        )
    else:
        error = None
    finally:
        for handle in handles:
            handle.remove()
        for module, flag in flags.items():
            module.training = flag
    if error is not None:
        raise error

    input_row = LayerRow(
        "input", "input", shape, 0, 0, x.numel(), x.numel() * x.element_size()
    )
    unused = {}
    for name, module in model.named_modules():
        if (
            name
            and id(module) not in seen
            and not any(True for _ in module.children())
        ):
            count = sum(p.numel() for p in module.parameters())
            if count:
                top = name.split(".")[0]
                unused[top] = unused.get(top, 0) + count
    params = list(model.parameters())
    return Summary(
        model_name=type(model).__name__,
        input_shape=shape,
        rows=[input_row, *(LayerRow(**row) for row in rows)],
        parameters=sum(p.numel() for p in params),
        trainable_parameters=sum(p.numel() for p in params if p.requires_grad),
        parameter_bytes=sum(p.numel() * p.element_size() for p in params),
        activations=written[0],
        activation_bytes=written[1],
        unused=unused,
    )
