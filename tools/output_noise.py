"""Find rounding noise in a chapter's stored outputs.

A stored output is compared character for character by nbval on every
machine that runs ``make test``. Digits that depend on the BLAS kernel,
the CPU's vector width or the thread count (the 6.1e-10 of a
finite-difference check, the 16th digit of a sum) make the book fail on
a reader's machine, and they teach nothing. The rules, for each number
printed in a cell's text output or stored by ``glue``:

- **tiny**: a nonzero value below 1e-6 is noise unless it is printed as a
  bound, a one-digit power such as ``< 1e-08`` (after ``<``, ``<=``,
  ``≤``, "below", "under", "within", "to", "than" or
  "tol"/"atol"/"rtol").
- **digits**: a decimal number with 8 or more significant digits claims
  more precision than any result in this book has (round it, or print
  the exact fraction or integer count behind it).

A cell may opt out only with the tag ``noise-ok`` AND a reason in its
metadata (``noise-ok-reason: "..."``) that says why its digits are the
same on every machine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPT_OUT_TAG = "noise-ok"
OPT_OUT_REASON = "noise-ok-reason"
TINY = 1e-6
MAX_SIGNIFICANT = 7

# A number as Python, numpy or a format spec prints it.
NUMBER = re.compile(
    r"(?<![\w.])(?P<num>[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?)"
    r"(?![\w.])"
)
# Numbers that are names, not measurements: preprint identifiers.
IDENTIFIER_BEFORE = re.compile(r"(?:arXiv:|doi:10\.\d+/)$", re.IGNORECASE)
BOUND_BEFORE = re.compile(
    r"(?:<|<=|≤|\b(?:below|under|within|to|than|tol|atol|rtol|tolerance))"
    r"\s*[:=]?\s*$",
    re.IGNORECASE,
)
# Glued values are stored under this MIME type (myst-nb's glue).
GLUE_MIME = "application/papermill.record/text/plain"


@dataclass(frozen=True)
class Noise:
    number: str
    rule: str  # "tiny" or "digits"
    context: str

    def __str__(self) -> str:
        why = (
            "a value below 1e-6 that is not a bound"
            if self.rule == "tiny"
            else f"{significant_digits(self.number)} significant digits"
        )
        return f"{self.number!r} ({why}) in ...{self.context}..."


def significant_digits(number: str) -> int:
    mantissa = re.split(r"[eE]", number.lstrip("+-"))[0]
    digits = mantissa.replace(".", "").lstrip("0")
    if "." in mantissa:
        return len(digits)
    return len(digits.rstrip("0")) or 1


def _is_bound(text: str, start: int, number: str) -> bool:
    mantissa = re.split(r"[eE]", number.lstrip("+-"))[0]
    one_digit = re.fullmatch(r"\d", mantissa) is not None
    return one_digit and BOUND_BEFORE.search(text[max(0, start - 12) : start])


def find_noise(text: str) -> list[Noise]:
    """Every number in ``text`` that breaks one of the rules."""
    found = []
    for match in NUMBER.finditer(text):
        number = match["num"]
        if IDENTIFIER_BEFORE.search(text[: match.start()]):
            continue  # "arXiv:1409.1556" names a paper; it measures nothing
        try:
            value = abs(float(number))
        except ValueError:
            continue
        context = text[max(0, match.start() - 30) : match.end() + 10]
        context = " ".join(context.split())
        if 0 < value < TINY and not _is_bound(text, match.start(), number):
            found.append(Noise(number, "tiny", context))
        elif (
            "." in number
            and "e" not in number.lower()
            and significant_digits(number) > MAX_SIGNIFICANT
        ):
            found.append(Noise(number, "digits", context))
    return found


def output_texts(cell: dict) -> list[str]:
    """The texts nbval compares for a cell: streams, plain-text results
    and glued values (HTML and images are other representations)."""
    texts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            texts.append("".join(out.get("text", "")))
        data = out.get("data", {})
        for mime in ("text/plain", GLUE_MIME):
            if mime in data:
                texts.append("".join(data[mime]))
    return texts


def opt_out_problem(cell: dict) -> str | None:
    """Why a cell's opt-out is invalid (None: valid or no opt-out)."""
    metadata = cell.get("metadata", {})
    tagged = OPT_OUT_TAG in metadata.get("tags", [])
    reason = str(metadata.get(OPT_OUT_REASON, "")).strip()
    if tagged and not reason:
        return (
            f"is tagged {OPT_OUT_TAG!r} without a reason: add "
            f'`:{OPT_OUT_REASON}: "why these digits are the same on '
            "every machine\"` to the cell's options"
        )
    if reason and not tagged:
        return f"has a {OPT_OUT_REASON!r} but not the tag {OPT_OUT_TAG!r}"
    return None


def cell_noise(cell: dict) -> list[Noise]:
    """Noise in a cell's stored outputs (none if it validly opts out)."""
    metadata = cell.get("metadata", {})
    if (
        OPT_OUT_TAG in metadata.get("tags", [])
        and str(metadata.get(OPT_OUT_REASON, "")).strip()
    ):
        return []
    return [noise for text in output_texts(cell) for noise in find_noise(text)]
