"""Interactive widgets of the book (ipywidgets).

The logic they show lives in tested functions (:mod:`cnnbook.sizes`,
:mod:`cnnbook.plotting`); a widget only wires sliders to them. When the
book is built, the widgets' last state is stored in the notebook, so the
static HTML shows them too (sliding them needs a running kernel: launch
the chapter in Binder, Colab or JupyterLab).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .sizes import conv_output_size

if TYPE_CHECKING:
    import ipywidgets

__all__ = ["conv_explorer", "conv_explorer_text"]


def conv_explorer_text(
    size: int, kernel_size: int, stride: int, padding: int, dilation: int
) -> str:
    """The output-size formula with these numbers substituted."""
    span = dilation * (kernel_size - 1) + 1
    try:
        out = conv_output_size(size, kernel_size, stride, padding, dilation)
    except ValueError as err:
        return f"No output: {err}"
    numerator = size + 2 * padding - span
    return (
        f"floor(({size} + 2*{padding} - {span}) / {stride}) + 1 = "
        f"floor({numerator} / {stride}) + 1 = {out}"
        + (f"   (dilated kernel spans {span})" if dilation > 1 else "")
    )


def conv_explorer(
    size: int = 7,
    kernel_size: int = 3,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
) -> ipywidgets.VBox:
    """Sliders for input size, kernel, stride, padding and dilation.

    Shows the output-size formula with the numbers substituted and a
    drawing of which inputs one output reads. Returns the widget.
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt
    from IPython.display import display

    from .plotting import conv_geometry_figure

    style = {"description_width": "initial"}

    def slider(value, lo, hi, label):
        return w.IntSlider(
            value=value,
            min=lo,
            max=hi,
            description=label,
            style=style,
            continuous_update=False,
        )

    controls = {
        "size": slider(size, 3, 12, "input size n"),
        "kernel_size": slider(kernel_size, 1, 7, "kernel f"),
        "stride": slider(stride, 1, 4, "stride s"),
        "padding": slider(padding, 0, 3, "padding p"),
        "dilation": slider(dilation, 1, 3, "dilation d"),
        "row": slider(0, 0, 11, "output row"),
        "col": slider(0, 0, 11, "output column"),
    }
    formula = w.HTML()
    picture = w.Output()

    def redraw(_=None):
        v = {name: c.value for name, c in controls.items()}
        args = (
            v["size"],
            v["kernel_size"],
            v["stride"],
            v["padding"],
            v["dilation"],
        )
        formula.value = f"<code>{conv_explorer_text(*args)}</code>"
        picture.clear_output(wait=True)
        with picture:
            try:
                fig = conv_geometry_figure(
                    *args, output_position=(v["row"], v["col"])
                )
            except ValueError:
                return
            display(fig)
            plt.close(fig)

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    left = w.VBox(list(controls.values())[:5])
    right = w.VBox(list(controls.values())[5:])
    return w.VBox([w.HBox([left, right]), formula, picture])
