"""Progress bars of training runs, in a terminal and in a notebook.

One helper for every loop of ``cnnbook.train`` that shows progress
(:meth:`~cnnbook.train.Trainer.fit`, the learning-rate range test), so
that all of them behave the same in a notebook: a widget removed when
the loop ends, nothing written to stderr.
"""

from __future__ import annotations

__all__: list[str] = []

_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


class _Progress:
    """The progress bar of one :meth:`~cnnbook.train.Trainer.fit` or one
    learning-rate range test, used as a context.

    In a terminal: tqdm's text bar on stderr, left in place at the end.
    In a notebook (where ``tqdm.auto`` picks the widget): tqdm's widget,
    removed when the run ends, stopped early or not. Only when the run
    raises is the bar left, in red, where it stopped.

    The widget is displayed without a text/plain fallback, and removed by
    replacing its display with an empty one, which is all an executed
    notebook keeps of it: nbval compares text, never widget views or empty
    outputs, so a chapter's stored outputs compare the same with the bar
    on or off, and myst-nb renders nothing for it.
    """

    def __init__(
        self,
        total: int,
        show: bool,
        desc: str = "training",
        unit: str = "batch",
    ):
        self.bar, self._display = None, None
        if not show:
            return
        # tqdm.auto imports tqdm.autonotebook, silencing its warning in a
        # notebook; autonotebook's tqdm is then the class it chose.
        from tqdm.auto import tqdm  # noqa: F401
        from tqdm.autonotebook import tqdm as chosen
        from tqdm.std import tqdm as text_bar

        options = dict(total=total, unit=unit, desc=desc)
        if chosen is text_bar:
            self.bar = text_bar(leave=True, **options)
            return
        from IPython.display import display

        self.bar = chosen(leave=False, display=False, **options)
        view = {
            "version_major": 2,
            "version_minor": 0,
            "model_id": self.bar.container.model_id,
        }
        self._display = display(
            {_WIDGET_VIEW: view}, raw=True, display_id=True
        )

    def update(self, n: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def set_postfix(self, values: dict) -> None:
        if self.bar is not None:
            self.bar.set_postfix(values)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        if self.bar is None:
            return
        # tqdm's own ending: the final text line in a terminal; in a
        # notebook a red widget if the run stopped before its last batch.
        remove = self._display is not None and exc_type is None
        if remove:
            # Stopped early or not, the run is over: the display goes
            # first, so tqdm's ending has nothing left to draw on.
            self._display.update({}, raw=True)
        self.bar.close()
        if remove:
            container = self.bar.container
            for widget in (*container.children, container):
                widget.close()
