"""The errata store: where the book and the encyclopedia disagree.

Each erratum is a record in ``cnnbook/errata/<chapter>.toml``, the one place
they live. A record says where in the encyclopedia the error is (a verbatim
quote, from which the line number is found), what the encyclopedia says,
what is true and how the book computed it::

    [[erratum]]
    id = "softmax-denominator"
    section = "3. How CNNs Work > Activation Functions > E. Softmax"
    quote = "7.39 / 10.95 = 0.67 (67%)"
    says = "The denominator e^2.0 + e^1.0 + e^0.1 is 10.95 ..."
    correct = "e^2.0 + e^1.0 + e^0.1 = 11.21 ..."
    how = "cnnbook.functional.softmax in float64"
    kind = "arithmetic"
    brief = "The denominator is {total}, not 10.95."

The chapter that finds the error shows it in place with :func:`show`,
passing the values it computed. ``brief`` (optional; one or two
sentences) is what the chapter shows: a short admonition linking to the
errata page, where the whole record is listed. Its ``{name}`` fields are
filled with the values passed to :func:`show`, so a number in the brief
is always the computed one.

:func:`show` fails unless every value, as printed, appears in the
record's ``correct`` text. So the numbers in the
store are checked by code each time CI executes the chapter. The errata
page of the book renders all records as one table (a Sphinx directive,
``book/_ext/errata_table.py``).
"""

from __future__ import annotations

import html
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = [
    "Erratum",
    "ErratumView",
    "encyclopedia_path",
    "load",
    "show",
]

_HERE = Path(__file__).resolve().parent
KINDS = ("arithmetic", "formula", "claim", "history", "terminology")
_FIELDS = ("id", "section", "quote", "says", "correct", "how", "kind")
_OPTIONAL = ("brief",)


def encyclopedia_path() -> Path:
    """The copy of the encyclopedia the book mirrors (``source/``)."""
    return _HERE.parents[1] / "source" / "cnn-encyclopedia.md"


@dataclass(frozen=True)
class Erratum:
    """One disagreement between the encyclopedia and the book."""

    id: str
    chapter: str  # chapter file stem, e.g. "03_how_cnns_work"
    number: str  # "E3.1": chapter number, then order within the chapter
    section: str  # where in the encyclopedia, as a path of headings
    line: int  # line of the encyclopedia where the quote starts
    quote: str  # the encyclopedia's words, verbatim
    says: str  # what the encyclopedia claims, in the book's words
    correct: str  # what is true
    how: str  # how the book computed or checked it
    kind: str  # one of KINDS
    brief: str = ""  # what the chapter shows, with {value} fields

    @property
    def anchor(self) -> str:
        """HTML id of the in-chapter box, for links from the errata page."""
        return f"erratum-{self.id}"


def _normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _find_line(quote: str, source: str, where: str) -> int:
    """Line number (1-based) at which ``quote`` starts in ``source``.

    Whitespace is normalized on both sides so a quote may span lines.
    """
    flat, line_of = [], []
    line = 1
    previous_space = False
    for ch in source:
        if ch.isspace():
            if not previous_space:
                flat.append(" ")
                line_of.append(line)
            previous_space = True
        else:
            flat.append(ch)
            line_of.append(line)
            previous_space = False
        if ch == "\n":
            line += 1
    position = "".join(flat).find(_normalize(quote))
    if position < 0:
        raise ValueError(
            f"{where}: quote is not in the encyclopedia verbatim: {quote!r}"
        )
    return line_of[position]


@cache
def load(directory: Path | None = None) -> tuple[Erratum, ...]:
    """All errata, in chapter order, then in the order of their files."""
    directory = Path(directory) if directory is not None else _HERE
    if not directory.is_dir():
        # an empty tuple would read as "no errata", not as a wrong path
        raise FileNotFoundError(
            f"errata.load: {directory} is not a folder (expected the "
            "folder of NN_slug.toml errata files)"
        )
    source = encyclopedia_path().read_text(encoding="utf-8")
    records, seen = [], set()
    for path in sorted(directory.glob("*.toml")):
        chapter = path.stem
        number = chapter.split("_", 1)[0]
        if not number.isdigit():
            raise ValueError(
                f"errata.load: {path.name} must be named after its chapter, "
                f"NN_slug.toml with NN the chapter number"
            )
        chapter_number = int(number)
        try:
            with path.open("rb") as handle:
                data = tomllib.load(handle)
        except tomllib.TOMLDecodeError as err:
            raise ValueError(
                f"errata.load: {path} is not valid TOML ({err})"
            ) from err
        unknown = set(data) - {"erratum"}
        if unknown:
            raise ValueError(f"{path.name}: unknown tables {sorted(unknown)}")
        for i, entry in enumerate(data.get("erratum", []), start=1):
            where = f"{path.name} erratum {i}"
            missing = [f for f in _FIELDS if not entry.get(f)]
            extra = sorted(set(entry) - set(_FIELDS) - set(_OPTIONAL))
            if missing or extra:
                raise ValueError(
                    f"{where}: missing fields {missing}, unknown {extra}"
                )
            if entry["kind"] not in KINDS:
                raise ValueError(
                    f"{where}: kind must be one of {KINDS}, got "
                    f"{entry['kind']!r}"
                )
            if entry["id"] in seen:
                raise ValueError(f"{where}: duplicate id {entry['id']!r}")
            seen.add(entry["id"])
            records.append(
                Erratum(
                    chapter=chapter,
                    number=f"E{chapter_number}.{i}",
                    line=_find_line(entry["quote"], source, where),
                    **{
                        f: _normalize(entry[f])
                        for f in _FIELDS
                        if f != "quote"
                    },
                    brief=_normalize(entry.get("brief", "")),
                    quote=entry["quote"].strip(),
                )
            )
    return tuple(records)


def get(erratum_id: str) -> Erratum:
    """The erratum with this id (``KeyError`` listing the known ids)."""
    if not isinstance(erratum_id, str):
        raise TypeError(
            f"errata: an erratum id is a str such as 'softmax-example', "
            f"got {type(erratum_id).__name__}"
        )
    for record in load():
        if record.id == erratum_id:
            return record
    known = ", ".join(r.id for r in load())
    raise KeyError(f"no erratum {erratum_id!r}; known: {known}")


class ErratumView:
    """An erratum as a chapter displays it, beside the computation.

    With a ``brief`` in the record, the chapter shows only that: a short
    admonition with a link to the full record on the errata page (the
    lesson stays the lesson). Without one, the whole record.
    """

    def __init__(self, erratum: Erratum, values: dict[str, str]):
        self.erratum = erratum
        self.values = values

    @property
    def brief(self) -> str:
        """The record's brief with the computed values filled in."""
        return self.erratum.brief.format_map(self.values)

    def __repr__(self) -> str:
        e = self.erratum
        if e.brief:
            return (
                f"Erratum {e.number}: the encyclopedia is wrong here. "
                f"{self.brief}"
            )
        lines = [
            f"Erratum {e.number} ({e.kind}), encyclopedia line {e.line}, "
            f"{e.section}",
            f"  The encyclopedia says: {e.says}",
            f"  What is true: {e.correct}",
            f"  How the book checked: {e.how}",
        ]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        e = self.erratum
        esc = html.escape
        link = f"../book/errata.html#row-{esc(e.anchor)}"
        if e.brief:
            return (
                f'<div class="admonition warning cnnbook-erratum '
                f'cnnbook-erratum-brief" id="{esc(e.anchor)}">'
                f'<p class="admonition-title">Erratum {esc(e.number)}: '
                f"the encyclopedia is wrong here</p>"
                f"<p>{esc(self.brief)} "
                f'<a href="{link}">Details and how it was checked</a>.</p>'
                "</div>"
            )
        return (
            f'<div class="admonition warning cnnbook-erratum" '
            f'id="{esc(e.anchor)}">'
            f'<p class="admonition-title">Erratum {esc(e.number)}: the '
            f"encyclopedia is wrong here</p>"
            f"<p><b>The encyclopedia says</b> (line {e.line}, "
            f"{esc(e.section)}): {esc(e.says)}</p>"
            f"<blockquote><code>{esc(e.quote)}</code></blockquote>"
            f"<p><b>What is true:</b> {esc(e.correct)}</p>"
            f"<p><b>How the book checked:</b> {esc(e.how)}</p>"
            f'<p><a href="{link}">All errata</a></p>'
            "</div>"
        )


def show(erratum_id: str, **values: object) -> ErratumView:
    """Display an erratum in its chapter, checking the computed values.

    Each keyword is a value the chapter computed (already formatted as it
    should be read, or a number, which is shown with ``str``). Every one
    must appear in the record's ``correct`` text: if the computation and
    the store ever disagree, the chapter fails.
    """
    record = get(erratum_id)
    if not values:
        raise ValueError(
            f"show({erratum_id!r}): pass the computed values that the "
            "erratum states, so they are checked"
        )
    shown = {name: str(value) for name, value in values.items()}
    for name, text in shown.items():
        if text not in record.correct:
            raise AssertionError(
                f"erratum {erratum_id!r}: computed {name} = {text!r} does "
                f"not appear in the record's correct text: "
                f"{record.correct!r}"
            )
    view = ErratumView(record, shown)
    try:
        view.brief  # noqa: B018 - every {field} of the brief is a value
    except KeyError as err:
        raise ValueError(
            f"show({erratum_id!r}): the record's brief uses {{{err.args[0]}}}"
            f"; pass {err.args[0]}=<computed value>"
        ) from None
    return view
