"""``make lab``'s contents manager (tools/lab): glued numbers, citations
and cross-references shown in JupyterLab as the HTML book shows them, and
the files saved byte for byte what they would be without it.

The round trip runs on every chapter, in a copy of the repository: load
through the manager, save the model back unchanged (as JupyterLab sends
it, through JSON), and compare the files with the committed ones and with
what jupytext's own manager writes. Glued values are compared with what
myst-nb's ``{glue:text}`` role renders from the same outputs.
"""

from __future__ import annotations

import asyncio
import difflib
import json
import re
import shutil
import sys
from pathlib import Path, PurePosixPath

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools" / "lab"))

import lab_display  # noqa: E402
from lab_display import (  # noqa: E402
    MARK,
    BookIndex,
    display,
    display_notebook,
    restore,
    restore_notebook,
)

CHAPTERS = sorted(p.name for p in (ROOT / "chapters").glob("*.md"))
GLUE_PREFIX = "application/papermill.record/"
SHOWN_GLUE = re.compile(
    r"\{abbr\}`(?P<shown>[^`]*?) \(glue:text (?P<body>[^()`]*)\)`"
)


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    """A copy of what the manager reads: chapters, book pages, config."""
    root = tmp_path_factory.mktemp("book")
    for name in ("jupytext.toml", "_config.yml", "_toc.yml"):
        shutil.copy(ROOT / name, root / name)
    shutil.copytree(ROOT / "chapters", root / "chapters")
    shutil.copytree(
        ROOT / "book",
        root / "book",
        ignore=shutil.ignore_patterns("_vendor", "_static"),
    )
    return root


@pytest.fixture(scope="module")
def index() -> BookIndex:
    return BookIndex.load(ROOT)


def manager(root: Path, plain: bool = False):
    if plain:
        from jupytext.async_contentsmanager import (
            AsyncTextFileContentsManager,
        )

        return AsyncTextFileContentsManager(root_dir=str(root))
    from lab_contents import BookContentsManager

    return BookContentsManager(root_dir=str(root))


def load_and_save(
    root: Path, path: str, plain: bool = False, edit=None
) -> dict:
    """Open ``path`` as JupyterLab does, save it back; return the model
    JupyterLab was given."""

    async def go():
        contents = manager(root, plain)
        model = await contents.get(path)
        # JupyterLab receives JSON and sends JSON back.
        content = json.loads(json.dumps(model["content"]))
        if edit is not None:
            edit(content)
        await contents.save({"type": "notebook", "content": content}, path)
        return json.loads(json.dumps(model["content"]))

    return asyncio.run(go())


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_saving_an_unedited_chapter_changes_nothing(book, tmp_path, chapter):
    md = book / "chapters" / chapter
    committed = md.read_bytes()
    shown = load_and_save(book, f"chapters/{chapter}")
    marked = [c for c in shown["cells"] if c["metadata"].get(MARK)]
    assert marked, f"{chapter}: no cell shows a glued value or citation"
    assert all("{abbr}`" in c["source"] for c in marked)
    assert md.read_bytes() == committed
    # The .ipynb as jupytext's own manager would have written it.
    plain_root = Path(shutil.copytree(book, tmp_path / "plain"))
    load_and_save(plain_root, f"chapters/{chapter}", plain=True)
    for suffix in (".md", ".ipynb"):
        ours = md.with_suffix(suffix).read_bytes()
        theirs = (
            (plain_root / "chapters" / chapter)
            .with_suffix(suffix)
            .read_bytes()
        )
        assert ours == theirs, f"{chapter}: {suffix} differs"


def test_edits_are_saved_with_the_roles_restored(book, tmp_path):
    root = Path(shutil.copytree(book, tmp_path / "edited"))
    chapter = "chapters/05_architecture_components.md"

    def edit(nb):
        cell = next(
            c
            for c in nb["cells"]
            if c["metadata"].get(MARK) and SHOWN_GLUE.search(c["source"])
        )
        # The learner retypes a shown number and adds a sentence.
        match = SHOWN_GLUE.search(cell["source"])
        cell["source"] = (
            cell["source"][: match.start("shown")]
            + "1234"
            + cell["source"][match.end("shown") :]
            + "\n\nA note of mine."
        )
        nb["cells"].append(
            nbformat.v4.new_markdown_cell(
                "New cell: {cite:p}`lecun1998gradient`"
            )
        )

    load_and_save(root, chapter, edit=edit)
    text = (root / chapter).read_text("utf-8")
    assert "{abbr}" not in text and MARK not in text
    assert "A note of mine." in text
    assert text.endswith("New cell: {cite:p}`lecun1998gradient`\n")
    original = (book / chapter).read_text("utf-8")
    # Only the two additions differ: the retyped number went back to its
    # role.
    diff = list(difflib.ndiff(original.splitlines(), text.splitlines()))
    assert not [line for line in diff if line.startswith("- ")]
    assert {line[2:] for line in diff if line.startswith("+ ")} <= {
        "",
        "+++",
        "A note of mine.",
        "New cell: {cite:p}`lecun1998gradient`",
    }


def test_a_broken_book_index_still_opens_the_notebook(book, tmp_path):
    root = Path(shutil.copytree(book, tmp_path / "broken"))
    (root / "_toc.yml").write_text("parts: [unclosed\n", "utf-8")
    chapter = "chapters/05_architecture_components.md"
    shown = load_and_save(root, chapter)
    assert not any(c["metadata"].get(MARK) for c in shown["cells"])
    assert any("{glue:text}`" in c["source"] for c in shown["cells"])
    assert (root / chapter).read_bytes() == (book / chapter).read_bytes()


def render_glue_with_myst_nb(nb, bodies, tmp_path) -> list[str]:
    """What myst-nb's role renders for ``{glue:text}`body``` in ``nb``."""
    from myst_nb.docutils_ import cli_html

    glue = nbformat.v4.new_code_cell("")
    glue.outputs = [
        nbformat.from_dict(out)
        for cell in nb["cells"]
        if cell["cell_type"] == "code"
        for out in cell.get("outputs", [])
        if "scrapbook" in out.get("metadata", {})
    ]
    prose = nbformat.v4.new_markdown_cell(
        "\n\n".join(f"{{glue:text}}`{body}`" for body in bodies)
    )
    doc = nbformat.v4.new_notebook(
        cells=[glue, prose], metadata=nb["metadata"]
    )
    source, html = tmp_path / "glue.ipynb", tmp_path / "glue.html"
    nbformat.write(doc, source)
    cli_html(
        [
            str(source),
            str(html),
            "--nb-execution-mode=off",
            f"--nb-output-folder={tmp_path / 'build'}",
            "--report=4",
        ]
    )
    return re.findall(
        r'<span class="pasted-text">(.*?)</span>',
        html.read_text("utf-8"),
        flags=re.DOTALL,
    )


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_glued_values_are_those_myst_nb_renders(index, tmp_path, chapter):
    import html as html_lib

    md = ROOT / "chapters" / chapter
    nb = json.loads(md.with_suffix(".ipynb").read_text("utf-8"))
    nb = nbformat.reads(json.dumps(nb), as_version=4)
    roles = [
        m[1]
        for cell in nb.cells
        if cell.cell_type == "markdown"
        for m in re.finditer(r"\{glue:text\}`([^`]+)`", cell.source)
    ]
    if not roles:
        pytest.skip(f"{chapter} glues no value into its prose")
    display_notebook(nb, index, f"chapters/{chapter}")
    shown = [
        (m["shown"], m["body"])
        for cell in nb.cells
        if cell.cell_type == "markdown"
        for m in SHOWN_GLUE.finditer(cell.source)
    ]
    assert [body for _, body in shown] == roles, (
        f"{chapter}: not every glued value is shown"
    )
    rendered = render_glue_with_myst_nb(nb, roles, tmp_path)
    assert [html_lib.unescape(text) for text in rendered] == [
        text for text, _ in shown
    ]


def test_citations_are_written_as_in_the_html(index):
    assert index.citation("cite:p", "lecun1998gradient") == (
        "[LeCun et al., 1998]"
    )
    assert index.citation("cite:t", "lecun1998gradient") == (
        "LeCun et al. [1998]"
    )
    assert index.citation(
        "cite:p", "smith2018disciplined,smith2019superconvergence"
    ) == ("[Smith, 2018, Smith and Topin, 2019]")
    assert index.citation("cite:p", "no_such_key") is None


def test_cross_references_read_as_their_titles(index):
    here = PurePosixPath("chapters/02_history")
    assert index.xref("ref", "ch-training-process", here) == (
        "7. Training process"
    )
    assert index.xref("ref", "chapter 7 <ch-training-process>", here) == (
        "chapter 7"
    )
    assert index.xref("doc", "../book/errata", here) == (
        "Errata of the encyclopedia"
    )
    assert index.xref("term", "stride <Stride>", here) == "stride"
    assert index.xref("ref", "no-such-label", here) is None


DOC = PurePosixPath("chapters/99_test")
VALUES = {
    "acc": {"text/plain": "98.87654"},
    "n": {"text/plain": "1234"},
    "word": {"text/plain": "'better (by far)'"},
}


def shown(text, index):
    return display(text, VALUES, index, DOC)


def test_glue_roles_show_their_formatted_values(index):
    text = "Acc {glue:text}`acc:.1f`%, n = {glue:text}`n:,`."
    out = shown(text, index)
    assert out == (
        "Acc {abbr}`98.9 (glue:text acc:.1f)`%, n = "
        "{abbr}`1,234 (glue:text n:,)`."
    )
    assert restore(out) == text
    # A string value, shown without its quotes, parentheses and all.
    assert shown("{glue:text}`word`", index) == (
        "{abbr}`better (by far) (glue:text word)`"
    )


def test_code_and_unknown_names_are_left_alone(index):
    for text in (
        "`` {glue:text}`acc:.1f` `` in inline code",
        "```python\nx = '{glue:text}`acc`'\n```\n",
        "{glue:text}`missing:.1f` is not glued",
        "{glue:text}`word:.1f` cannot be formatted",
        "{glue:text}`other.ipynb::acc` is in another document",
    ):
        assert shown(text, index) == text


def test_directive_bodies_are_prose(index):
    text = "```{note}\nAccuracy {glue:text}`acc:.0f`.\n```\n"
    assert shown(text, index) == (
        "```{note}\nAccuracy {abbr}`99 (glue:text acc:.0f)`.\n```\n"
    )


def test_a_cell_that_would_not_restore_exactly_is_not_rewritten(index):
    # The cell already holds what the display writes: restoring would
    # turn it into a role, so the cell is shown as it is, unmarked.
    own = "{abbr}`x (glue:text acc)` and {glue:text}`acc:.1f`"
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(own),
            nbformat.v4.new_markdown_cell("{glue:text}`n:,`"),
            nbformat.v4.new_code_cell("{glue:text}`n:,`"),
        ]
    )
    nb.cells[2].outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={GLUE_PREFIX + "text/plain": "1234"},
            metadata={"scrapbook": {"name": "n", "mime_prefix": GLUE_PREFIX}},
        )
    ]
    assert display_notebook(nb, index, str(DOC)) == 1
    assert nb.cells[0].source == own and MARK not in nb.cells[0].metadata
    assert nb.cells[1].source == "{abbr}`1,234 (glue:text n:,)`"
    assert nb.cells[2].source == "{glue:text}`n:,`"
    assert restore_notebook(nb) == 1
    assert [c.source for c in nb.cells] == [
        own,
        "{glue:text}`n:,`",
        "{glue:text}`n:,`",
    ]
    assert not any(MARK in c.metadata for c in nb.cells)


def test_glue_values_come_from_the_glue_outputs_only(index):
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/plain": "'not glued'"}
        ),
        nbformat.v4.new_output(
            "display_data",
            data={GLUE_PREFIX + "text/plain": "0.5"},
            metadata={
                "scrapbook": {"name": "half", "mime_prefix": GLUE_PREFIX}
            },
        ),
    ]
    nb = nbformat.v4.new_notebook(cells=[cell])
    assert lab_display.glue_values(nb) == {"half": {"text/plain": "0.5"}}
    assert len(nb.cells[0].outputs) == 2  # the notebook is not changed
