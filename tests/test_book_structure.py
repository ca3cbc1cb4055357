"""The book's structure: every page has a way in.

`_toc.yml` lists every chapter that exists, in the encyclopedia's order,
and nothing that does not exist; the landing page (`book/intro.md`)
links every page of the table of contents, so a newcomer reaches each
one from the first page as well as from the sidebar. (A `-W -n` build
catches links to missing pages and pages left out of every toctree.)
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path, PurePosixPath

import yaml

ROOT = Path(__file__).resolve().parents[1]
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
INTRO = (ROOT / "book" / "intro.md").read_text(encoding="utf-8")


def toc_files() -> list[str]:
    return [
        entry["file"]
        for part in TOC["parts"]
        for entry in part.get("chapters", [])
    ]


def test_every_chapter_is_in_the_toc_and_every_toc_entry_exists():
    listed = toc_files()
    on_disk = sorted(
        f"chapters/{p.stem}" for p in (ROOT / "chapters").glob("[0-9]*.md")
    )
    chapters = [f for f in listed if f.startswith("chapters/")]
    assert sorted(chapters) == on_disk
    for entry in listed:
        assert (ROOT / f"{entry}.md").is_file(), entry


def test_chapters_are_in_the_encyclopedias_order():
    numbers = [
        int(PurePosixPath(f).name[:2])
        for f in toc_files()
        if f.startswith("chapters/")
    ]
    assert numbers == sorted(numbers), numbers


def test_landing_page_links_every_page():
    # {doc} targets are relative to book/, where the landing page lives.
    linked = {
        posixpath.normpath(posixpath.join("book", target))
        for target in re.findall(r"\{doc\}`(?:[^`<]*<)?([^`>]+)>?`", INTRO)
    }
    missing = [entry for entry in toc_files() if entry not in linked]
    assert not missing, f"book/intro.md does not link {missing}"
