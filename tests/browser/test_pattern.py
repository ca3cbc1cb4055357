"""Each chapter page teaches first and verifies quietly (``make browser``).

The pattern (CONTRIBUTING.md, "The pattern of a chapter"), checked on
the built HTML: the set-up cell and every ``check`` cell are folded, at
most a few ``assert`` lines are visible outside the exercises, and every
chapter has at least five exercises whose solutions are hidden until the
reader clicks. nbval still runs every folded cell (tests/
test_pipeline_gates.py shows a changed line of a folded check fails).
"""

from __future__ import annotations

import json
import re

import pytest
from book_site import SITE, is_chapter, page_of, source_of, toc_files
from bs4 import BeautifulSoup

pytestmark = pytest.mark.browser

CHAPTERS = [doc for doc in toc_files() if is_chapter(doc)]
MAX_VISIBLE_ASSERTS = 3
MIN_EXERCISES = 5
# Reference chapters (the glossary, the resources) have exercises where
# they fit, at least this many; every chapter's exercises have solutions.
REFERENCE_CHAPTERS = {"chapters/12_glossary", "chapters/13_resources"}
MIN_REFERENCE_EXERCISES = 2
ASSERT_LINE = re.compile(r"^\s*assert\b", re.MULTILINE)


def soup(doc: str) -> BeautifulSoup:
    return BeautifulSoup(
        (SITE / page_of(doc)).read_text("utf-8"), "html.parser"
    )


def notebook_cells(doc: str) -> list[dict]:
    return json.loads(source_of(doc).read_text("utf-8"))["cells"]


def tagged(doc: str, tag: str) -> list[dict]:
    return [
        c
        for c in notebook_cells(doc)
        if c["cell_type"] == "code"
        and tag in c.get("metadata", {}).get("tags", [])
    ]


def folded(node) -> bool:
    """Inside a closed toggle, an exercise solution or an exercise?"""
    for parent in node.parents:
        classes = parent.get("class", []) if parent.name else []
        if parent.name == "details" or {"solution", "exercise"} & set(classes):
            return True
    return False


@pytest.mark.parametrize("doc", CHAPTERS)
def test_few_asserts_are_visible(doc):
    page = soup(doc)
    shown = [
        line.strip()
        for cell in page.select("div.cell_input")
        if not folded(cell)
        for line in cell.get_text().splitlines()
        if ASSERT_LINE.match(line)
    ]
    assert len(shown) <= MAX_VISIBLE_ASSERTS, (
        f"{page_of(doc)} shows {len(shown)} assert lines outside folded "
        f"checks and exercises (at most {MAX_VISIBLE_ASSERTS}): "
        f"{shown[:6]}; move them into a cell tagged `check`"
    )


@pytest.mark.parametrize("doc", CHAPTERS)
def test_setup_and_checks_are_folded(doc):
    page = soup(doc)
    setup = page.select("div.cell.tag_setup")
    assert len(setup) == 1 and setup[0].find("details"), (
        f"{page_of(doc)}: the set-up cell is not folded"
    )
    checks = tagged(doc, "check")
    shown = page.select("div.cell.cnnbook-check")
    assert len(shown) == len(checks), (
        f"{page_of(doc)}: {len(checks)} check cells in the notebook, "
        f"{len(shown)} folded on the page"
    )
    for cell, box in zip(checks, shown, strict=True):
        # the last text output: glue(...) calls before checked(...) store
        # records without text/plain (the pairs gate allows them too)
        stored = "".join(
            next(
                out["data"]["text/plain"]
                for out in reversed(cell["outputs"])
                if "text/plain" in out.get("data", {})
            )
        ).strip()
        title = box.select_one("summary p.collapsed").get_text().strip()
        assert title == stored, (page_of(doc), title, stored)
        assert box.select_one("details div.cell_input"), (
            f"{page_of(doc)}: check {title!r} hides no code"
        )
        assert not box.select("div.cell_output"), (
            f"{page_of(doc)}: check {title!r} also shows its output"
        )


@pytest.mark.parametrize("doc", CHAPTERS)
def test_every_exercise_has_a_folded_solution(doc):
    page = soup(doc)
    exercises = page.select("div.exercise")
    least = (
        MIN_REFERENCE_EXERCISES if doc in REFERENCE_CHAPTERS else MIN_EXERCISES
    )
    assert len(exercises) >= least, (
        f"{page_of(doc)} has {len(exercises)} exercises (at least {least})"
    )
    solved = {
        a["href"].split("#")[-1]
        for sol in page.select("div.solution")
        for a in sol.select("p.admonition-title a[href]")
    }
    for exercise in exercises:
        assert exercise.get("id") in solved, (
            f"{page_of(doc)}: exercise {exercise.get('id')} has no solution"
        )
    for solution in page.select("div.solution"):
        assert "dropdown" in solution.get("class", []), (
            f"{page_of(doc)}: solution {solution.get('id')} is not folded "
            "(`:class: dropdown`)"
        )


@pytest.mark.parametrize("doc", CHAPTERS)
def test_solutions_and_checks_open_on_click(browser, site_url, doc):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(site_url)
            else route.abort()
        ),
    )
    page.goto(site_url + page_of(doc), wait_until="load")
    solution = page.locator("div.solution.dropdown").first
    body = solution.locator("section").first
    assert not body.is_visible(), f"{page_of(doc)}: a solution is open"
    solution.locator("button.toggle-button").first.click()
    body.wait_for(state="visible", timeout=5_000)
    check = page.locator("div.cnnbook-check details").first
    if check.count():
        code = check.locator("div.cell_input")
        assert not code.is_visible()
        check.locator("summary").click()
        code.wait_for(state="visible", timeout=5_000)
    page.close()
