"""What ``make lab`` changes in a notebook for display, and undoes on save.

The HTML book is built by Sphinx, which knows roles JupyterLab's MyST
renderer (jupyterlab-myst) does not: ``{glue:text}`` (a number computed by
the chapter), ``{cite:p}``/``{cite:t}`` (citations), ``{ref}``, ``{doc}``,
``{numref}``, ``{term}`` (cross-references). JupyterLab would show them as
raw names or bare keys with a warning icon. For display, each one becomes
an abbreviation role that jupyterlab-myst renders, shows the text the HTML
shows, and carries the original role in its title (shown on hover):

    {glue:text}`best_acc:.1f`  ->  {abbr}`98.9 (glue:text best_acc:.1f)`
    {cite:p}`lecun1998gradient`
        ->  {abbr}`[LeCun et al., 1998] (cite:p lecun1998gradient)`

:func:`restore_notebook` turns every such abbreviation back into its role,
so the files saved are those the learner would have saved without this
module. A cell is rewritten only when that inverse gives back its source
exactly, and only rewritten cells (marked in their metadata, a mark that
is removed on save) are restored.

Glued values come from the notebook's own stored outputs (for a chapter
``.md``, jupytext merges in those of the paired ``.ipynb``) and are
formatted by myst-nb's own code; citations are formatted by
sphinxcontrib-bibtex's own reference style, named in ``_config.yml``.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml

# Cell metadata key marking a cell whose source this module rewrote.
MARK = "cnnbook_lab_display"
GLUE = "glue:text"
XREF_ROLES = ("ref", "numref", "doc", "term")

# A MyST role, or an inline code span (which holds no roles: skipped).
_TOKEN = re.compile(
    r"(?P<role>\{(?P<name>[A-Za-z][\w:+.-]*)\}(?P<ticks>`+)"
    r"(?P<body>.+?)(?P=ticks)(?!`))"
    r"|(?P<code>(?P<cticks>`+).+?(?P=cticks)(?!`))",
    re.DOTALL,
)
# What _abbr writes; jupyterlab-myst reads the title from the last
# parenthesis, which therefore holds no parenthesis itself.
_ABBR = re.compile(
    r"\{abbr\}`(?P<shown>[^`\n]*?) \((?P<role>"
    + re.escape(GLUE)
    + r"|cite:[a-z]+|"
    + "|".join(XREF_ROLES)
    + r") (?P<body>[^()`\n]+)\)`"
)
# A fence opening a code block, whose text is left alone; a fence whose
# info string is a directive ("```{note}") holds prose.
_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_PROSE_DIRECTIVE = re.compile(r"\{(?!code|sourcecode|literalinclude|math)")
# "(label)=" on its own line, before a heading.
_LABEL = re.compile(r"^\((?P<label>[^()\s]+)\)=\s*$")
_HEADING = re.compile(r"^#{1,6}\s+(?P<title>.+?)\s*#*\s*$")
# "text <target>" in a cross-reference role.
_EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)


def _abbr(shown: str, role: str, body: str) -> str | None:
    """The abbreviation that displays ``shown``, or None if the text
    cannot be carried (a backtick, a newline, a parenthesis in the
    title, nothing to show)."""
    shown = shown.strip()
    if not shown or "`" in shown or "\n" in shown or "\n" in body:
        return None
    if re.search(r"[()`]", body) or body != body.strip():
        return None
    return f"{{abbr}}`{shown} ({role} {body})`"


def restore(source: str) -> str:
    """Every abbreviation written by :func:`display` back to its role."""
    return _ABBR.sub(lambda m: f"{{{m['role']}}}`{m['body']}`", source)


def _segments(source: str):
    """(is_code, text) pieces of markdown: code blocks and fence lines
    are left alone; the body of a directive ("```{note}") is prose."""
    chunk, open_fences = [], []  # open_fences: [(fence, is_code), ...]

    def in_code() -> bool:
        return bool(open_fences) and open_fences[-1][1]

    for line in source.splitlines(keepends=True):
        match = _FENCE.match(line.rstrip("\r\n"))
        if match is None or (in_code() and match["info"].strip()):
            chunk.append(line)
            continue
        fence, info = match["fence"], match["info"].strip()
        closing = (
            open_fences
            and not info
            and (
                fence[0] == open_fences[-1][0][0]
                and len(fence) >= len(open_fences[-1][0])
            )
        )
        if in_code() and not closing:
            chunk.append(line)
            continue
        if in_code():  # the end of a code block
            open_fences.pop()
            yield True, "".join(chunk) + line
        else:
            yield False, "".join(chunk)
            yield True, line
            if closing:
                open_fences.pop()
            else:
                open_fences.append((fence, not _PROSE_DIRECTIVE.match(info)))
            if in_code():
                chunk = []
                continue
        chunk = []
    yield in_code(), "".join(chunk)


@dataclass
class BookIndex:
    """What the roles refer to, read from the book's files under ``root``:
    section titles by label, document titles, the bibliography."""

    root: Path
    labels: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    bibliography: object = None
    reference_style: object = None

    @classmethod
    def load(cls, root) -> BookIndex:
        root = Path(root)
        index = cls(root)
        config_file = root / "_config.yml"
        config = (
            yaml.safe_load(config_file.read_text("utf-8"))
            if config_file.exists()
            else {}
        ) or {}
        for doc in _toc_documents(root):
            index._read_document(doc)
        bibfiles = [
            root / f
            for f in config.get("bibtex_bibfiles", [])
            if (root / f).exists()
        ]
        if bibfiles:
            from pybtex.database import BibliographyData, parse_file
            from sphinxcontrib.bibtex.plugin import find_plugin

            data = BibliographyData()
            for bibfile in bibfiles:
                data.add_entries(parse_file(bibfile).entries.items())
            style = ((config.get("sphinx") or {}).get("config") or {}).get(
                "bibtex_reference_style", "label"
            )
            index.bibliography = data
            index.reference_style = find_plugin(
                "sphinxcontrib.bibtex.style.referencing", style
            )()
        return index

    def _read_document(self, path: Path) -> None:
        """Labels and title of one .md page (the chapters' sources)."""
        doc = path.relative_to(self.root).with_suffix("").as_posix()
        # Code blocks (code cells) hold "# comments", not headings.
        lines = [
            line
            for code, text in _segments(path.read_text("utf-8"))
            if not code
            for line in text.splitlines()
        ]
        pending = None
        for line in lines:
            heading = _HEADING.match(line)
            if heading:
                self.titles.setdefault(doc, heading["title"])
                if pending:
                    self.labels[pending] = heading["title"]
                pending = None
                continue
            label = _LABEL.match(line)
            if label:
                pending = label["label"]
            elif line.strip():
                pending = None

    def citation(self, role: str, body: str) -> str | None:
        """The citation as the HTML writes it, e.g. "[LeCun et al.,
        1998]"; None for an unknown key or a role the style lacks."""
        if self.bibliography is None or "{" in body:
            return None
        kind = role.split(":", 1)[1]
        if kind not in self.reference_style.role_names():
            return None
        keys = [key.strip() for key in body.split(",")]
        if not all(key in self.bibliography.entries for key in keys):
            return None
        from sphinxcontrib.bibtex.style.referencing import format_references
        from sphinxcontrib.bibtex.style.template import SphinxReferenceInfo

        # The reference info only matters to the link Sphinx draws
        # around each citation, which plain text does not have.
        info = SphinxReferenceInfo(None, "", "", "", None, "", "")
        references = [
            (self.bibliography.entries[key], None, info) for key in keys
        ]
        return _plain(
            format_references(self.reference_style, kind, references)
        )

    def xref(self, role: str, body: str, doc: PurePosixPath) -> str | None:
        """Readable text for a cross-reference: its explicit text, else
        the title of what it points to (None when unknown)."""
        explicit = _EXPLICIT.match(body)
        if explicit and explicit["text"]:
            text, target = explicit["text"], explicit["target"]
        else:
            text, target = None, body
        if role == "term":
            return text or target
        if role == "doc":
            name = target.removesuffix(".md").removesuffix(".ipynb")
            path = (
                PurePosixPath(name.lstrip("/"))
                if name.startswith("/")
                else doc.parent / name
            )
            title = self.titles.get(_normalize(path))
            return text or title
        title = self.labels.get(target)
        if role == "numref" and text:
            return re.sub(r"%s|\{number\}", title or target, text)
        return text or title


def _normalize(path: PurePosixPath) -> str:
    parts = []
    for part in path.parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def _plain(node) -> str:
    """Plain text of pybtex rich text (whose Sphinx reference parts
    cannot be rendered without a Sphinx builder)."""
    if isinstance(node, str):
        return node
    if hasattr(node, "parts"):
        return "".join(_plain(part) for part in node.parts)
    return node.render_as("text")


def _toc_documents(root: Path) -> list[Path]:
    """The .md source of every document ``_toc.yml`` lists."""
    toc_file = root / "_toc.yml"
    if not toc_file.exists():
        return []
    toc = yaml.safe_load(toc_file.read_text("utf-8")) or {}
    names = []

    def walk(node):
        if isinstance(node, dict):
            for key in ("root", "file"):
                if isinstance(node.get(key), str):
                    names.append(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    paths = []
    for name in names:
        stem = re.sub(r"\.(md|ipynb)$", "", name)
        path = root / f"{stem}.md"
        if path.exists():
            paths.append(path)
    return paths


def glue_values(nb) -> dict[str, dict]:
    """Glued data by name, as myst-nb extracts it from the outputs."""
    from myst_nb.ext.glue import extract_glue_data_cell

    values = {}
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        # extract_glue_data_cell removes the glue outputs from the cell
        # it is given, so it gets a copy.
        cell = copy.deepcopy(cell)
        for key, output in extract_glue_data_cell(_node(cell)):
            values[key] = output["data"]
    return values


def _node(cell):
    import nbformat

    return nbformat.from_dict(cell)


def glue_text(values: dict[str, dict], body: str) -> str | None:
    """``{glue:text}`body``` as myst-nb's role writes it, or None when
    the key is unknown, in another document, or not formattable."""
    from myst_nb.core.variables import format_plain_text

    key, _, fmt_spec = body.rpartition(":")
    if not key:  # no format: myst-nb formats with "s"
        key, fmt_spec = body, "s"
    if "::" in key or "text/plain" not in values.get(key, {}):
        return None
    text = values[key]["text/plain"]
    try:
        return format_plain_text(
            "".join(text) if isinstance(text, list) else text, fmt_spec
        )
    except Exception:  # myst-nb, too, shows no value then (a warning)
        return None


def display(
    source: str, values: dict, index: BookIndex, doc: PurePosixPath
) -> str:
    """``source`` with every role it can show rewritten for display."""

    def replace(match: re.Match) -> str:
        if match["role"] is None:
            return match[0]
        name, body = match["name"], match["body"]
        if name == GLUE:
            shown = glue_text(values, body)
        elif name.startswith("cite:"):
            shown = index.citation(name, body)
        elif name in XREF_ROLES:
            shown = index.xref(name, body, doc)
        else:
            shown = None
        if shown is None:
            return match[0]
        return _abbr(shown, name, body) or match[0]

    return "".join(
        text if code else _TOKEN.sub(replace, text)
        for code, text in _segments(source)
    )


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else source


def display_notebook(nb, index: BookIndex, path: str) -> int:
    """Rewrite the markdown cells of ``nb`` (a notebook model's content,
    changed in place) for display; returns how many cells changed."""
    values = glue_values(nb)
    doc = PurePosixPath(path).with_suffix("")
    changed = 0
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        source = _text(cell["source"])
        shown = display(source, values, index, doc)
        # Only a rewrite that restore() undoes exactly is shown.
        if shown != source and restore(shown) == source:
            cell["source"] = shown
            cell.setdefault("metadata", {})[MARK] = True
            changed += 1
    return changed


def restore_notebook(nb) -> int:
    """Undo :func:`display_notebook` in ``nb`` (in place) before it is
    saved; returns how many cells were restored."""
    restored = 0
    for cell in nb["cells"]:
        metadata = cell.get("metadata", {})
        if metadata.pop(MARK, None) is None:
            continue
        cell["source"] = restore(_text(cell["source"]))
        restored += 1
    return restored
