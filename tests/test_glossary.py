"""Chapter 12's glossary and the links to it from every chapter.

What `tools/link_glossary_terms.py` maintains and a reader relies on:
every term of the glossary is linked from at least one chapter, every
``{term}`` link lands on a term, and every ``cnnbook`` (or ``torch``)
function an entry names exists. (A ``-W -n`` build also fails on a link
to a missing term; this test says which chapter and which link, without
a build.)
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from link_glossary_terms import (  # noqa: E402
    GLOSSARY,
    SPELLINGS,
    glossary_entries,
    glossary_terms,
    link_first_uses,
    term_links,
)

TEXT = GLOSSARY.read_text(encoding="utf-8")
TERMS = glossary_terms(TEXT)
PAGES = sorted(
    p
    for p in [*ROOT.glob("chapters/*.md"), *ROOT.glob("book/*.md")]
    if p != GLOSSARY
)


def test_glossary_has_the_terms_and_is_sorted():
    assert len(TERMS) >= 40, TERMS
    assert len({t.lower() for t in TERMS}) == len(TERMS), "duplicate terms"
    assert TERMS == sorted(TERMS, key=str.lower), "write the terms A to Z"


@pytest.mark.parametrize("term", TERMS)
def test_every_term_is_linked_from_a_chapter(term):
    linking = [
        p.name
        for p in PAGES
        if term.lower() in {t.lower() for t in term_links(p.read_text())}
    ]
    assert linking, (
        f"glossary term {term!r} is linked from no chapter: run "
        "tools/link_glossary_terms.py or link its first use by hand"
    )


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_term_link_lands_on_a_term(page):
    known = {t.lower() for t in TERMS}
    wrong = [t for t in term_links(page.read_text()) if t.lower() not in known]
    assert not wrong, f"{page.name}: {{term}} links to missing terms {wrong}"


@pytest.mark.parametrize("term", TERMS)
def test_entry_names_real_functions_and_a_section(term):
    definition = glossary_entries(TEXT)[term]
    assert "{ref}`" in definition, f"{term}: say where it is worked out"
    for dotted in re.findall(r"`((?:cnnbook|torch)\.[\w.]+)`", definition):
        module_name, _, attribute = dotted.rpartition(".")
        while True:
            try:
                owner = importlib.import_module(module_name)
                break
            except ModuleNotFoundError:
                module_name, _, parent = module_name.rpartition(".")
                attribute = f"{parent}.{attribute}"
        for part in attribute.split("."):
            assert hasattr(owner, part), f"{term}: {dotted} does not exist"
            owner = getattr(owner, part)


def test_every_term_has_spellings_for_the_linker():
    assert set(SPELLINGS) == set(TERMS)


def test_linker_links_first_prose_use_only():
    text = (
        "---\nkernelspec: {}\n---\n# Pooling\n\n"
        "```{code-cell} ipython3\npooling = 1\n```\n\n"
        "Max pooling keeps the largest value; `pooling` and $pooling$ "
        "stay. Pooling again.\n"
    )
    out, linked = link_first_uses(text, ["Max pooling", "Pooling"])
    assert linked == ["Max pooling", "Pooling"]
    assert "{term}`Max pooling <Max pooling>` keeps" in out
    assert "again" in out and "{term}`Pooling <Pooling>` again" in out
    assert "# Pooling\n" in out and "pooling = 1" in out
    assert "`pooling` and $pooling$" in out
    again, linked_again = link_first_uses(out, ["Max pooling", "Pooling"])
    assert again == out and linked_again == []
