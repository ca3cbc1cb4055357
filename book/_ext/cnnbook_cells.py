"""Sphinx extension: how the book's special code cells look in the HTML.

Two cell tags have a meaning of their own (CONTRIBUTING.md, "The pattern
of a chapter"):

``check``
    A cell that verifies what the cell before it taught: plain ``assert``
    statements ending in ``checked("...")``, which prints one line
    starting with "✓". In the HTML the check is folded to that line: the
    line becomes the title of a collapsed box that holds the code, so the
    reader sees *what* was verified and can open *how*. In JupyterLab the
    cell is an ordinary cell. nbval still compares the stored line.
``setup``
    The chapter's set-up cell (imports, seeds). Folded behind
    "Set-up: imports and settings".

A ``check`` cell whose stored output is not exactly one "✓" line is a
build warning (an error under ``-W``): the fold would otherwise hide
something the reader should see.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

CHECK_MARK = "\u2713"  # what cnnbook.book.checked prints first
SETUP_PROMPT = "Set-up: imports and settings"


def _tags(cell: nodes.Element) -> list[str]:
    return list(cell.get("cell_metadata", {}).get("tags", []))


def _output_text(output: nodes.Element) -> list[str]:
    """The plain-text outputs of a cell, as rendered by myst-nb."""
    return [block.astext() for block in output.findall(nodes.literal_block)]


class FoldBookCells(SphinxPostTransform):
    """Fold ``check`` and ``setup`` cells (before myst-nb wraps hidden
    inputs in their toggles, at priority 199)."""

    default_priority = 150
    formats = ("html",)

    def run(self, **kwargs) -> None:
        for cell in list(self.document.findall(nodes.container)):
            if cell.get("nb_element") != "cell_code" or not cell.children:
                continue
            tags = _tags(cell)
            if "check" in tags:
                self._fold_check(cell)
            elif "setup" in tags:
                self._fold(cell, SETUP_PROMPT, "Hide the set-up")

    def _fold(self, cell, prompt_show: str, prompt_hide: str) -> None:
        cell["hide_mode"] = "input"
        cell["prompt_show"] = prompt_show
        cell["prompt_hide"] = prompt_hide

    def _fold_check(self, cell) -> None:
        outputs = [
            c
            for c in cell.children
            if c.get("nb_element") == "cell_code_output"
        ]
        lines = [text for out in outputs for text in _output_text(out)]
        if len(lines) != 1 or not lines[0].startswith(CHECK_MARK):
            logger.warning(
                "a cell tagged 'check' must print exactly one line made "
                "by cnnbook.book.checked(...), found %r",
                lines,
                location=cell,
                type="cnnbook",
                subtype="check",
            )
            return
        for out in outputs:
            cell.remove(out)
        summary = lines[0].strip()
        self._fold(cell, summary, summary)
        cell["classes"].append("cnnbook-check")


def setup(app):
    app.add_post_transform(FoldBookCells)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
