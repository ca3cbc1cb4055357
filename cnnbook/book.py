"""Helpers for the pattern every chapter follows: teach, then verify.

A chapter teaches with code and its result; the cell after it verifies
the result with plain ``assert`` statements and ends with
:func:`checked`, which prints one line saying what was verified. That
cell is tagged ``check``: the HTML book folds it to its "✓" line (the
code one click away), JupyterLab shows it as it is, and nbval runs it and
compares the line. Numbers in the prose come from :func:`glue`; where a
table of numbers teaches, :class:`Comparison` puts the encyclopedia's
values beside the computed ones.
"""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "Checked",
    "Comparison",
    "SourceCode",
    "agrees",
    "checked",
    "glue",
    "show_source",
]

CHECK_MARK = "\u2713"


def glue(name: str, value: object, display: bool = False) -> None:
    """Make ``value`` available to the prose as ``{glue:}`name```.

    A thin wrapper over ``myst_nb.glue``; where myst-nb is not installed
    (a notebook opened in Colab, say) the value is simply not glued.
    Returns None, so a cell ending in ``glue(...)`` displays nothing.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(
            f"glue: name must be a non-empty str (the key the prose "
            f"refers to), got {name!r}"
        )
    try:
        from myst_nb import glue as _glue
    except ImportError:  # pragma: no cover - only outside the book's env
        return
    # numpy scalars repr as "np.float64(...)", which the {glue:text} role
    # cannot format; glue the equivalent Python number.
    plain = (
        value.item()
        if hasattr(value, "item") and getattr(value, "ndim", None) == 0
        else value
    )
    _glue(name, plain, display=display)


def _decimals(text: str) -> int:
    """Decimal places a printed number states: "0.67" 2, "1e-08" 8."""
    from decimal import Decimal

    text = text.strip().rstrip("%").replace(",", "")
    return max(0, -Decimal(text).as_tuple().exponent)


def agrees(claimed: object, computed: object) -> bool:
    """Does the book's ``computed`` value agree with the ``claimed`` one?

    ``claimed`` is the encyclopedia's value as printed. A string such as
    ``"0.67"`` agrees with any number that rounds to it at the precision
    printed (2 decimals here); an int must match exactly; a float is taken
    at the precision of its shortest repr. Percent strings (``"45%"``)
    compare against a computed fraction or percentage given as
    ``computed`` in percent.
    """
    if isinstance(claimed, bool) or isinstance(computed, bool):
        return claimed is computed
    if isinstance(claimed, str):
        text = claimed.strip().rstrip("%").replace(",", "")
        try:
            value = float(text)
        except ValueError:
            raise ValueError(
                f"agrees: claimed must be a number as printed, such as "
                f"'0.67', '1,234' or '45%', got {claimed!r}"
            ) from None
        computed = _real(computed)
        if not math.isfinite(value):  # "inf", "nan": nothing to round
            return value == computed or (
                math.isnan(value) and math.isnan(computed)
            )
        return round(computed, _decimals(claimed)) == value
    if isinstance(claimed, numbers.Integral):
        return _real(computed) == float(claimed)
    if isinstance(claimed, numbers.Real):
        if not math.isfinite(claimed):
            return claimed == _real(computed)
        return round(_real(computed), _decimals(repr(float(claimed)))) == (
            float(claimed)
        )
    return claimed == computed


def _real(computed) -> float:
    """``computed`` as a float, or a TypeError saying what it was."""
    try:
        return float(computed)
    except (TypeError, ValueError):
        raise TypeError(
            f"agrees: computed must be a number to compare with a claimed "
            f"number, got {type(computed).__name__} {computed!r}"
        ) from None


@dataclass(frozen=True)
class _Row:
    label: str
    claimed: object
    computed: object
    shown: str
    ok: bool


class Comparison:
    """A table of the encyclopedia's values beside the book's.

    >>> c = Comparison("Output sizes").add("Example 1", claimed=28,
    ...                                    computed=28)
    >>> c.disagreements
    []

    Its plain-text form is what nbval compares; its HTML form is what the
    book shows. Use :meth:`check` to assert exactly which rows disagree.
    """

    def __init__(self, title: str):
        if not isinstance(title, str):
            raise TypeError(
                f"Comparison: title must be a str, got {type(title).__name__}"
            )
        self.title = title
        self.rows: list[_Row] = []

    def add(
        self,
        label: str,
        claimed: object,
        computed: object,
        fmt: str | None = None,
    ) -> Comparison:
        """Add a row; ``fmt`` formats the computed value for display."""
        if not isinstance(label, str):
            raise TypeError(
                f"Comparison.add: label must be a str, got "
                f"{type(label).__name__}"
            )
        if fmt is not None:
            try:
                shown = format(computed, fmt)
            except (TypeError, ValueError) as err:
                raise ValueError(
                    f"Comparison.add: fmt={fmt!r} cannot format the "
                    f"computed value {computed!r} ({err})"
                ) from None
        elif isinstance(computed, numbers.Integral):
            shown = f"{computed:,}"
        else:
            shown = str(computed)
        self.rows.append(
            _Row(label, claimed, computed, shown, agrees(claimed, computed))
        )
        return self

    @property
    def disagreements(self) -> list[str]:
        """Labels of the rows where the encyclopedia is wrong."""
        return [row.label for row in self.rows if not row.ok]

    def check(self, expected_disagreements: Sequence[str] = ()) -> Comparison:
        """Assert that exactly these rows disagree (none by default)."""
        if isinstance(expected_disagreements, str):
            # sorted("Example 1") would compare characters, not labels
            raise TypeError(
                "Comparison.check: expected_disagreements must be a list "
                f"of row labels, got the str {expected_disagreements!r}; "
                f"write [{expected_disagreements!r}]"
            )
        found = self.disagreements
        if sorted(found) != sorted(expected_disagreements):
            raise AssertionError(
                f"{self.title}: expected disagreements "
                f"{sorted(expected_disagreements)}, found {sorted(found)}"
            )
        return self

    @staticmethod
    def _claimed_text(value) -> str:
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            return f"{value:,}"
        return str(value)

    def __repr__(self) -> str:
        width = max([len(r.label) for r in self.rows] + [8])
        lines = [self.title]
        for r in self.rows:
            mark = "agrees" if r.ok else "DIFFERS"
            claimed = self._claimed_text(r.claimed)
            lines.append(
                f"  {r.label:<{width}}  encyclopedia {claimed:>14}"
                f"  book {r.shown:>14}  {mark}"
            )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        esc = html.escape
        body = "".join(
            ("<tr>" if r.ok else '<tr class="cnnbook-differs">')
            + f"<td>{esc(r.label)}</td>"
            f"<td>{esc(self._claimed_text(r.claimed))}</td>"
            f"<td>{esc(r.shown)}</td>"
            f"<td>{'✓ agrees' if r.ok else '✗ differs'}</td></tr>"
            for r in self.rows
        )
        return (
            f'<table class="cnnbook-comparison"><caption>{esc(self.title)}'
            "</caption><thead><tr><th></th><th>encyclopedia</th>"
            "<th>computed here</th><th></th></tr></thead>"
            f"<tbody>{body}</tbody></table>"
        )


class SourceCode:
    """Source code shown in a chapter (highlighted in HTML)."""

    def __init__(self, code: str):
        self.code = code

    def __repr__(self) -> str:
        return self.code

    def _repr_html_(self) -> str:
        try:
            from pygments import highlight
            from pygments.formatters import HtmlFormatter
            from pygments.lexers import PythonLexer
        except ImportError:  # pragma: no cover - pygments ships with Jupyter
            return f"<pre>{html.escape(self.code)}</pre>"
        return highlight(
            self.code,
            PythonLexer(),
            HtmlFormatter(noclasses=True, nobackground=True),
        )


def show_source(obj: object) -> SourceCode:
    """The source of a cnnbook function or class, to display in a chapter.

    The chapter shows the package's code rather than a copy of it, so the
    text cannot drift from what runs.
    """
    import inspect

    try:
        return SourceCode(inspect.getsource(obj).rstrip())
    except (TypeError, OSError) as err:
        raise TypeError(
            "show_source: obj must be a function, class or method written "
            f"in Python, got {type(obj).__name__} {obj!r} ({err})"
        ) from None


class Checked:
    """What a check cell verified, as one line (see :func:`checked`)."""

    def __init__(self, facts: tuple[str, ...]):
        self.facts = facts

    def __repr__(self) -> str:
        return f"{CHECK_MARK} " + "; ".join(self.facts)


def _describe(fact: str | Comparison) -> str:
    if isinstance(fact, Comparison):
        n, bad = len(fact.rows), len(fact.disagreements)
        if not bad:
            return f"{fact.title}: all {n} values agree with the text"
        return (
            f"{fact.title}: {n - bad} of {n} values agree with the "
            f"text, {bad} are errata"
        )
    if isinstance(fact, str):
        return fact.strip()
    raise TypeError(
        "checked: each fact must be a str or a Comparison, got "
        f"{type(fact).__name__}"
    )


def checked(*facts: str | Comparison) -> Checked:
    """End a check cell: one line saying what its asserts verified.

    Call it last in a cell tagged ``check``, after the ``assert``
    statements (an assert that fails stops the cell before this line, so
    the line is only ever printed for checks that passed). Each fact is a
    short phrase; a :class:`Comparison` describes itself (call its
    :meth:`~Comparison.check` first).

    >>> checked("S(0,0) = 4", "equals torch.nn.functional.conv2d")
    ✓ S(0,0) = 4; equals torch.nn.functional.conv2d
    """
    if not facts:
        raise ValueError(
            "checked: say what was verified, e.g. "
            "checked('the map equals torch.nn.functional.conv2d')"
        )
    described = tuple(_describe(fact) for fact in facts)
    for text in described:
        if not text or "\n" in text:
            raise ValueError(
                f"checked: each fact must be one non-empty line, got {text!r}"
            )
    return Checked(described)
