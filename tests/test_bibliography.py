"""The bibliography: one entry per work, every entry cited, every
citation resolved (chapter 13 describes it; Sphinx's -n build catches a
missing key too, but only after a full build)."""

from __future__ import annotations

import re
from pathlib import Path

from pybtex.database import parse_file

ROOT = Path(__file__).resolve().parents[1]
BIB = ROOT / "book" / "references.bib"
CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")


def pages() -> list[Path]:
    return sorted((ROOT / "chapters").glob("*.md")) + sorted(
        (ROOT / "book").glob("*.md")
    )


def cited_keys(text: str) -> set[str]:
    return {
        key.strip()
        for keys in CITE.findall(text)
        for key in keys.split(",")
        if key.strip()
    }


def normalized_title(title: str) -> str:
    return re.sub(r"[^a-z0-9]", "", title.lower())


def test_citation_keys_are_read_from_every_role_form():
    text = "{cite:p}`a2020x, b2021y` and {cite:t}`c2019z` and {cite}`d`"
    assert cited_keys(text) == {"a2020x", "b2021y", "c2019z", "d"}


def test_every_citation_resolves_to_an_entry():
    entries = set(parse_file(BIB).entries)
    missing = {
        page.relative_to(ROOT).as_posix(): sorted(
            cited_keys(page.read_text("utf-8")) - entries
        )
        for page in pages()
    }
    assert not {p: k for p, k in missing.items() if k}, missing


def test_every_entry_is_cited_somewhere():
    cited = set().union(*(cited_keys(p.read_text("utf-8")) for p in pages()))
    unused = sorted(set(parse_file(BIB).entries) - cited)
    assert not unused, f"entries no page cites: {unused}"


def test_no_work_has_two_entries():
    seen: dict[str, str] = {}
    duplicates = []
    for key, entry in parse_file(BIB).entries.items():
        title = normalized_title(entry.fields["title"])
        if title in seen:
            duplicates.append((seen[title], key))
        seen[title] = key
    assert not duplicates, f"one work, two keys: {duplicates}"


def test_keys_are_unique_in_the_file():
    # pybtex keeps the last of two entries with one key; count them here
    keys = re.findall(r"^@\w+\{([^,]+),", BIB.read_text("utf-8"), flags=re.M)
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    assert not repeated, repeated
