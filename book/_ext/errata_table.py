"""Sphinx directive ``errata-table``: every erratum, as one table.

The records live in ``cnnbook/errata/*.toml``; this directive reads them at
build time, so the errata page can never list something the store does not
hold (or miss something it does). Each row links to the box that shows the
erratum in its chapter.
"""

from __future__ import annotations

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.util import logging

from cnnbook import errata

logger = logging.getLogger(__name__)

COLUMNS = (
    ("Erratum and where", 18),
    ("The encyclopedia says", 30),
    ("What is true", 32),
    ("How the book checked", 20),
)


def _cell(*children):
    entry = nodes.entry()
    for child in children:
        entry += child
    return entry


def _paragraph(text):
    return nodes.paragraph(text=text)


class ErrataTable(Directive):
    """Render all errata records as a table, grouped by chapter."""

    has_content = False

    def run(self):
        env = self.state.document.settings.env
        records = errata.load()
        # Rebuild this page whenever a record file changes.
        for path in sorted(
            errata.encyclopedia_path()
            .parents[1]
            .joinpath("cnnbook", "errata")
            .glob("*.toml")
        ):
            env.note_dependency(str(path))
        table = nodes.table(classes=["cnnbook-errata"])
        group = nodes.tgroup(cols=len(COLUMNS))
        table += group
        for _, width in COLUMNS:
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        row = nodes.row()
        for title, _ in COLUMNS:
            row += _cell(_paragraph(title))
        head += row
        group += head
        body = nodes.tbody()
        for record in records:
            uri = f"../chapters/{record.chapter}.html#{record.anchor}"
            link = nodes.reference(
                "", record.number, refuri=uri, internal=True
            )
            where = _paragraph(
                f"{record.kind}; encyclopedia line "
                f"{record.line}: {record.section}"
            )
            quote = nodes.literal_block(
                record.quote, record.quote, language="text"
            )
            row = nodes.row(ids=[f"row-{record.anchor}"])
            row += _cell(
                nodes.paragraph("", "", nodes.strong("", "", link)), where
            )
            row += _cell(_paragraph(record.says), quote)
            row += _cell(_paragraph(record.correct))
            row += _cell(_paragraph(record.how))
            body += row
        group += body
        chapters = len({r.chapter for r in records})
        summary = _paragraph(
            f"{len(records)} {'erratum' if len(records) == 1 else 'errata'}"
            f" in {chapters} chapter{'' if chapters == 1 else 's'}."
        )
        return [summary, table]


def setup(app):
    app.add_directive("errata-table", ErrataTable)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
