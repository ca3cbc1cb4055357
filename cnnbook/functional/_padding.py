"""Resolving PyTorch-style ``padding`` arguments into explicit amounts."""

from __future__ import annotations

from .._validation import check_pair


def resolve_conv_padding(padding, kernel, stride, dilation, func):
    """Return ``((top, bottom), (left, right))`` padding amounts.

    ``padding`` is an int, a pair, or one of PyTorch's strings:
    ``"valid"`` (no padding) or ``"same"`` (output as large as the input,
    stride 1 only). For ``"same"`` with an even kernel PyTorch puts the
    extra row/column at the bottom/right; so does this.
    """
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding == "same":
            if stride != (1, 1):
                raise ValueError(
                    f"{func}: padding='same' needs stride=1, got "
                    f"stride={stride}"
                )
            amounts = []
            for k, d in zip(kernel, dilation, strict=True):
                total = d * (k - 1)
                amounts.append((total // 2, total - total // 2))
            return tuple(amounts)
        raise ValueError(
            f"{func}: padding must be an int, a pair of ints, 'valid' or "
            f"'same', got {padding!r}"
        )
    ph, pw = check_pair(padding, "padding", func, minimum=0)
    return (ph, ph), (pw, pw)
