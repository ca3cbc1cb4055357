"""The built book in a real browser, with no internet (``make browser``).

Every page listed in ``_toc.yml`` is checked: it needs no other host, no
local request fails, nothing unexpected is logged as an error, its math
is typeset, its images load and its stored widgets render. Chapter pages
also carry working launch (Binder, Colab) and download buttons, and the
errata page links to each erratum box in its chapter.
"""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import PurePosixPath
from urllib.parse import urljoin, urlsplit

import pytest
from book_site import (
    ALLOWED_CONSOLE_ERRORS,
    ROOT,
    book_config,
    is_chapter,
    page_of,
    source_of,
    stored_widget_views,
    toc_files,
)

pytestmark = pytest.mark.browser

DOCS = toc_files()
CHAPTERS = [doc for doc in DOCS if is_chapter(doc)]
SLIDER_MODELS = (
    "IntSliderModel",
    "FloatSliderModel",
    "FloatLogSliderModel",
    "IntRangeSliderModel",
    "FloatRangeSliderModel",
    "SelectionSliderModel",
    "SelectionRangeSliderModel",
)
# Inline or display math in MyST source: $...$, $$...$$, {math}, \begin{.
MATH_SOURCE = re.compile(r"(?<![\\$])\$[^$\s][^$\n]*\$|\{math\}|\\begin\{")


def source_text(doc: str) -> str:
    """The prose of a page's source (markdown cells of a notebook)."""
    path = source_of(doc)
    if path.suffix != ".ipynb":
        return path.read_text("utf-8")
    nb = json.loads(path.read_text("utf-8"))
    return "\n".join(
        "".join(c["source"])
        for c in nb["cells"]
        if c["cell_type"] == "markdown"
    )


def test_toc_lists_chapters_that_exist():
    assert CHAPTERS, "_toc.yml lists no chapter"
    for doc in DOCS:
        assert source_of(doc).is_file()


@pytest.mark.parametrize("doc", DOCS)
def test_page_is_self_contained(visit, doc):
    report = visit(doc)
    assert not report.external_requests, (
        f"{page_of(doc)} asked other hosts for "
        f"{sorted(set(report.external_requests))}: the book must work "
        "offline (vendor it, see tools/vendor_js.py)"
    )
    assert not report.failed_requests, (
        f"{page_of(doc)}: local requests failed: {report.failed_requests}"
    )


@pytest.mark.parametrize("doc", DOCS)
def test_no_unexpected_console_errors(visit, doc):
    report = visit(doc)
    assert not report.console_errors, (
        f"{page_of(doc)} logged errors: {report.console_errors} (allowed: "
        f"{list(ALLOWED_CONSOLE_ERRORS)})"
    )


@pytest.mark.parametrize("doc", DOCS)
def test_math_is_typeset(visit, doc):
    report = visit(doc)
    facts = report.facts
    if MATH_SOURCE.search(source_text(doc)):
        assert facts["math_elements"] > 0, (
            f"{source_of(doc).name} has math but {page_of(doc)} has no "
            "math element (is dollarmath enabled?)"
        )
    if facts["math_elements"]:
        assert facts["mathjax"], f"{page_of(doc)} did not load MathJax"
        assert facts["math_typeset"] == facts["math_elements"], (
            f"{page_of(doc)}: MathJax typeset {facts['math_typeset']} of "
            f"{facts['math_elements']} math elements"
        )
        assert facts["mjx_containers"] >= facts["math_elements"]
    assert not facts["mjx_errors"], (
        f"{page_of(doc)}: MathJax could not typeset {facts['mjx_errors']}"
    )
    assert not facts["raw_tex"], (
        f"{page_of(doc)} shows raw TeX: {facts['raw_tex'][:5]}"
    )


@pytest.mark.parametrize("doc", DOCS)
def test_images_load(visit, doc):
    report = visit(doc)
    broken = [
        img["src"]
        for img in report.facts["images"]
        if not img["complete"] or img["width"] == 0
    ]
    assert not broken, f"{page_of(doc)}: images did not load: {broken}"


def reachable_models(state: dict, roots: list[str]) -> set[str]:
    """Model ids reachable from the displayed views (children, outputs)."""
    models = state["state"]
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        model_id = todo.pop()
        if model_id in seen or model_id not in models:
            continue
        seen.add(model_id)
        text = json.dumps(models[model_id]["state"])
        todo += re.findall(r"IPY_MODEL_([0-9a-f]+)", text)
    return seen


@pytest.mark.parametrize("doc", DOCS)
def test_stored_widgets_render(visit, doc):
    report = visit(doc)
    facts = report.facts
    stored = stored_widget_views(source_of(doc))
    assert len(facts["widget_views"]) == stored, (
        f"{source_of(doc).name} displays {stored} widgets, "
        f"{page_of(doc)} holds {len(facts['widget_views'])}"
    )
    if not stored:
        return
    assert facts["widget_state"], (
        f"{source_of(doc).name} has widget views but no stored widget "
        "state: they would render as nothing (re-run `make notebooks`)"
    )
    assert all(facts["widget_rendered"]), (
        f"{page_of(doc)}: widgets not rendered: "
        f"{[v for v, ok in zip(facts['widget_views'], facts['widget_rendered'], strict=True) if not ok]}"  # noqa: E501
    )
    models = facts["widget_state"]["state"]
    shown = reachable_models(facts["widget_state"], facts["widget_views"])
    sliders = sum(models[m]["model_name"] in SLIDER_MODELS for m in shown)
    assert facts["sliders"] == sliders, (
        f"{page_of(doc)}: {sliders} sliders stored, {facts['sliders']} drawn"
    )
    pictures = sum(
        "image/png" in out.get("data", {})
        for m in shown
        if models[m]["model_name"] == "OutputModel"
        for out in models[m]["state"].get("outputs", [])
    )
    drawn = [w for w in facts["output_images"] if w > 0]
    assert len(drawn) == pictures, (
        f"{page_of(doc)}: {pictures} figures stored in Output widgets, "
        f"{len(drawn)} shown"
    )


def test_chapter_3_conv_explorer_is_drawn(visit):
    """The kernel/stride/padding explorer: sliders, formula, figure."""
    doc = next(d for d in CHAPTERS if "03_how_cnns_work" in d)
    facts = visit(doc).facts
    assert facts["sliders"] >= 5, facts["sliders"]
    assert facts["output_images"] and min(facts["output_images"]) > 0
    shot = visit(doc).screenshot
    assert shot is not None and shot.stat().st_size > 10_000


def launch_urls(doc: str) -> dict[str, str]:
    """The URLs _config.yml should give a chapter's buttons."""
    config = book_config()
    repo = config["repository"]
    owner, name = urlsplit(repo["url"]).path.strip("/").split("/")[:2]
    branch = repo.get("branch", "main")
    book_path = repo.get("path_to_book", "") or ""
    notebook = str(PurePosixPath(book_path, f"{doc}.ipynb"))
    launch = config["launch_buttons"]
    interface = {"jupyterlab": "lab/tree/", "classic": "tree/"}[
        launch.get("notebook_interface", "classic")
    ]
    return {
        "binder": (
            f"{launch['binderhub_url'].rstrip('/')}/v2/gh/{owner}/"
            f"{name}/{branch}?urlpath={interface}{notebook}"
        ),
        "colab": (
            f"{launch['colab_url'].rstrip('/')}/github/{owner}/"
            f"{name}/blob/{branch}/{notebook}"
        ),
        "repository": repo["url"],
        "notebook": notebook,
        # The edit button opens the MyST source (book/_ext/edit_md_source).
        "edit": (
            f"{repo['url'].rstrip('/')}/edit/{branch}/"
            f"{PurePosixPath(book_path, doc)}.md"
        ),
    }


@pytest.mark.parametrize("doc", CHAPTERS)
def test_launch_and_download_buttons(visit, site_url, doc):
    report = visit(doc)
    launch = report.facts["launch"]
    want = launch_urls(doc)
    assert launch["binder"] == [want["binder"]]
    assert launch["colab"] == [want["colab"]]
    assert want["repository"] in launch["repository"]
    assert launch["edit"] == [want["edit"]]
    assert (ROOT / f"{doc}.md").is_file()
    # Binder and Colab open the committed, executed notebook.
    assert (ROOT / want["notebook"]).is_file()
    assert len(launch["download"]) == 1, launch["download"]
    url = urljoin(report.url, launch["download"][0])
    with urllib.request.urlopen(url, timeout=10) as answer:
        downloaded = answer.read()
    assert downloaded == source_of(doc).read_bytes(), (
        f"the download button of {page_of(doc)} does not give "
        f"{source_of(doc).name} as committed"
    )


def errata_doc() -> str:
    return next(d for d in DOCS if PurePosixPath(d).stem == "errata")


def test_errata_links_reach_their_boxes(visit, site_url):
    from cnnbook import errata

    report = visit(errata_doc())
    links = report.facts["errata_links"]
    records = errata.load()
    assert len(links) == len(records), (links, [r.id for r in records])
    for href in links:
        url = urljoin(report.url, href)
        path, _, anchor = url[len(site_url) :].partition("#")
        doc = path.removesuffix(".html")
        assert doc in DOCS, f"errata page links to {path}, not in _toc.yml"
        assert anchor in visit(doc).facts["errata_boxes"], (
            f"errata page links to {path}#{anchor}, which has no erratum "
            "box there"
        )


def test_every_erratum_box_is_on_the_errata_page(visit):
    listed = {
        href.rsplit("#", 1)[1]
        for href in visit(errata_doc()).facts["errata_links"]
    }
    for doc in CHAPTERS:
        boxes = set(visit(doc).facts["errata_boxes"])
        assert boxes <= listed, (
            f"{page_of(doc)} shows errata {sorted(boxes - listed)} that "
            "the errata page does not list"
        )


def test_index_leads_to_the_first_page(site_url):
    with urllib.request.urlopen(site_url + "index.html", timeout=10) as r:
        html = r.read().decode("utf-8")
    assert page_of(DOCS[0]) in html
