"""Sphinx extension: "Suggest edit" on a chapter opens its MyST ``.md``.

Chapter pages are built from the executed ``chapters/NN_slug.ipynb``, so
the theme's edit button would open that JSON file on GitHub; an edit made
there breaks the pair (``make pairs`` fails). The person should edit the
``.md`` twin, the source. The launch (Binder, Colab) and download buttons
keep pointing at the ``.ipynb``: that is what they need.
"""

from __future__ import annotations

from pathlib import Path

EDIT_BUTTONS = {"source-edit-button", "source-file-button"}


def _buttons(items):
    for item in items:
        yield item
        yield from _buttons(item.get("buttons", []))


def edit_the_md(app, pagename, templatename, context, doctree):
    if context.get("page_source_suffix") != ".ipynb":
        return
    if not Path(app.srcdir, f"{pagename}.md").is_file():
        return
    notebook = f"{pagename}.ipynb"
    for button in _buttons(context.get("header_buttons", [])):
        url = button.get("url", "")
        if button.get("label") in EDIT_BUTTONS and notebook in url:
            button["url"] = url.replace(notebook, f"{pagename}.md")


def setup(app):
    # After sphinx-book-theme has built its buttons (priority 501).
    app.connect("html-page-context", edit_the_md, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
