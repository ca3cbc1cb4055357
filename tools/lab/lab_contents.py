"""The Jupyter server contents manager of ``make lab``.

jupytext's contents manager (chapters' ``.md`` files open as notebooks
with the outputs of their paired ``.ipynb``, and saving writes both) with
one addition: the markdown of a notebook it serves is rewritten so that
JupyterLab shows glued numbers, citations and cross-references as the
HTML book does, and restored before anything is saved (see
``lab_display``). Only ``make lab`` configures it
(``--ServerApp.contents_manager_class=lab_contents.BookContentsManager``
with ``tools/lab`` on PYTHONPATH); everything else reads the files as
they are.
"""

from __future__ import annotations

from pathlib import Path

from jupytext.async_contentsmanager import AsyncTextFileContentsManager
from lab_display import BookIndex, display_notebook, restore_notebook


class BookContentsManager(AsyncTextFileContentsManager):
    """jupytext's contents manager, with the book's roles made readable
    on load and restored on save."""

    async def get(self, path, content=True, type=None, format=None, **kwargs):
        model = await super().get(
            path, content=content, type=type, format=format, **kwargs
        )
        if (
            content
            and model.get("type") == "notebook"
            and model.get("content") is not None
        ):
            try:
                # Read afresh each time: a notebook is opened rarely, and
                # the book's labels and bibliography may have changed.
                index = BookIndex.load(Path(self.root_dir))
                changed = display_notebook(model["content"], index, path)
            except Exception:
                # The display is a convenience: a broken references.bib
                # or _toc.yml must not keep a notebook from opening. Cells
                # rewritten before the failure are marked and restored on
                # save like any other.
                self.log.warning(
                    "cnnbook: %s opens with its roles as written",
                    path,
                    exc_info=True,
                )
            else:
                if changed:
                    self.log.info(
                        "cnnbook: %s: %d markdown cells show "
                        "glued values and references",
                        path,
                        changed,
                    )
        return model

    async def save(self, model, path=""):
        if model.get("type") == "notebook" and model.get("content"):
            restore_notebook(model["content"])
        return await super().save(model, path)
