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
    drawing of which inputs one output reads. The output row and column
    sliders span the current output: when the output shrinks, their
    maximum shrinks and a position beyond it moves to the last row or
    column; with no output they are disabled. Returns the widget.
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

    geometry = {
        "size": slider(size, 3, 12, "input size n"),
        "kernel_size": slider(kernel_size, 1, 7, "kernel size k"),
        "stride": slider(stride, 1, 4, "stride s"),
        "padding": slider(padding, 0, 3, "padding p"),
        "dilation": slider(dilation, 1, 3, "dilation d"),
    }
    position = {
        "row": slider(0, 0, 0, "output row"),
        "col": slider(0, 0, 0, "output column"),
    }
    formula = w.HTML()
    picture = w.Output()
    # Set while the position sliders are being fitted to a new geometry,
    # so that fitting both draws the figure once, not once per slider.
    fitting = False

    def args():
        return tuple(c.value for c in geometry.values())

    def redraw(_=None):
        if fitting:
            return
        formula.value = f"<code>{conv_explorer_text(*args())}</code>"
        picture.clear_output(wait=True)
        with picture:
            try:
                fig = conv_geometry_figure(
                    *args(),
                    output_position=(
                        position["row"].value,
                        position["col"].value,
                    ),
                )
            except ValueError:
                return
            display(fig)
            plt.close(fig)

    def fit_position(_=None):
        nonlocal fitting
        try:
            out = conv_output_size(*args())
        except ValueError:
            out = 0
        fitting = True
        try:
            for control in position.values():
                # ipywidgets moves a value above the new max down to it
                control.max = max(out - 1, 0)
                control.disabled = out == 0
        finally:
            fitting = False
        redraw()

    for control in geometry.values():
        control.observe(fit_position, names="value")
    for control in position.values():
        control.observe(redraw, names="value")
    fit_position()
    left = w.VBox(list(geometry.values()))
    right = w.VBox(list(position.values()))
    return w.VBox([w.HBox([left, right]), formula, picture])
