"""What the browser checks know about the book (``make browser``).

The built site (``_build/html``) is served on 127.0.0.1 and every page
listed in ``_toc.yml`` is opened once in headless Chromium. Every request
to another host is aborted and recorded: a page that needs one fails, so
the checks prove the book works offline. What a test needs to know about
a page (requests, console errors, math, images, widgets, links) is
collected on that single visit, with a screenshot of the first screen
saved under ``_build/screenshots/`` for people to look at. Set
``CNNBOOK_FULL_SCREENSHOTS=1`` for full-page screenshots: Chromium takes
10 to 12 s to paint a long chapter whole, which would be most of the
browser checks' time in ``make test``.

This module holds the facts and the in-page scripts; ``conftest.py`` the
fixtures. Neither imports Playwright at module level: ``make unit``
collects this folder and deselects it, on machines without a browser too.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 30_000
FULL_SCREENSHOTS = os.environ.get("CNNBOOK_FULL_SCREENSHOTS") == "1"

# Console errors the book accepts, each with the reason. Anything else
# logged as an error, or thrown, fails the page.
ALLOWED_CONSOLE_ERRORS = {
    "Identifier 'THEBE_JS_URL' has already been declared": (
        "sphinx-thebe 0.3.1 adds its inline config script twice to every "
        "page; the second `const` declaration throws, the first already "
        "set the value. Thebe (live code) is not enabled in this book."
    ),
}


def chromium_path() -> str | None:
    """The Chromium executable: CNNBOOK_CHROMIUM if set (only that),
    else /usr/bin/chromium or chromium on PATH."""
    if "CNNBOOK_CHROMIUM" in os.environ:
        candidates = [os.environ["CNNBOOK_CHROMIUM"]]
    else:
        candidates = [
            "/usr/bin/chromium",
            shutil.which("chromium"),
            shutil.which("chromium-browser"),
        ]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def book_config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text("utf-8"))


def toc_files() -> list[str]:
    """Every document in _toc.yml (root first), as written there."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text("utf-8"))
    files = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in toc.items() if k != "root"})
    return files


def page_of(doc: str) -> str:
    """The built page of a _toc.yml entry: ``chapters/x`` -> ``.html``."""
    stem = re.sub(r"\.(md|ipynb|rst)$", "", doc)
    return f"{stem}.html"


def source_of(doc: str) -> Path:
    """The file Sphinx built the page from (.ipynb wins over .md)."""
    stem = re.sub(r"\.(md|ipynb|rst)$", "", doc)
    for suffix in (".ipynb", ".md", ".rst"):
        if (ROOT / f"{stem}{suffix}").exists():
            return ROOT / f"{stem}{suffix}"
    raise FileNotFoundError(f"_toc.yml lists {doc}, which does not exist")


def is_chapter(doc: str) -> bool:
    return doc.startswith("chapters/")


# Runs in the page after it loaded: waits for MathJax, images and widgets.
SETTLE_JS = """
async () => {
  const waitFor = async (test, ms) => {
    const end = Date.now() + ms;
    while (!test() && Date.now() < end) {
      await new Promise(r => setTimeout(r, 50));
    }
    return test();
  };
  // Widgets: each stored view is replaced by a rendered element before
  // its <script> tag; give the html-manager time to do so.
  const views = () => Array.from(document.querySelectorAll(
    'script[type="application/vnd.jupyter.widget-view+json"]'));
  const rendered = s => {
    const prev = s.previousElementSibling;
    return prev && prev.classList.contains('widget-subarea')
      && prev.childElementCount > 0;
  };
  await waitFor(() => views().every(rendered), 15000);
  // MathJax: its startup promise resolves once the page is typeset; the
  // widgets' typesetting (see widgets-shim.js) is chained onto it.
  if (window.MathJax) {
    await waitFor(() => window.MathJax.startup
                        && window.MathJax.startup.promise, 15000);
    if (window.MathJax.startup) { await window.MathJax.startup.promise; }
  }
  // Images: none is lazy; wait for each to load or fail.
  await Promise.all(Array.from(document.images).map(img => {
    img.loading = 'eager';
    return img.complete ? null : new Promise(r => {
      img.addEventListener('load', r);
      img.addEventListener('error', r);
    });
  }));
}
"""

# Collects what the tests check, once the page has settled.
FACTS_JS = r"""
() => {
  const article = document.querySelector('article') || document.body;
  const maths = Array.from(article.querySelectorAll('.math'));
  // Text outside code that still holds TeX delimiters: untypeset math.
  const raw = [];
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT, {
    acceptNode: n => n.parentElement.closest(
      'pre, code, script, style, mjx-container, .highlight, textarea')
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  while (walker.nextNode()) {
    const t = walker.currentNode.textContent;
    if (/\\\(|\\\[|\\begin\{/.test(t)) { raw.push(t.trim().slice(0, 80)); }
  }
  const views = Array.from(document.querySelectorAll(
    'script[type="application/vnd.jupyter.widget-view+json"]'));
  const state = document.querySelector(
    'script[type="application/vnd.jupyter.widget-state+json"]');
  const link = sel => Array.from(document.querySelectorAll(sel))
    .map(a => a.getAttribute('href'));
  return {
    title: document.title,
    mathjax: !!(window.MathJax && window.MathJax.startup),
    math_elements: maths.length,
    math_typeset: maths.filter(m => m.querySelector('mjx-container')).length,
    mjx_containers: document.querySelectorAll('mjx-container').length,
    mjx_errors: Array.from(document.querySelectorAll('mjx-merror'))
      .map(e => e.textContent.slice(0, 80)),
    raw_tex: raw,
    images: Array.from(document.images).map(img => ({
      src: img.currentSrc || img.src, width: img.naturalWidth,
      complete: img.complete})),
    widget_views: views.map(s => JSON.parse(s.textContent).model_id),
    widget_rendered: views.map(s => {
      const prev = s.previousElementSibling;
      return !!(prev && prev.classList.contains('widget-subarea')
                && prev.childElementCount > 0);
    }),
    widget_state: state ? JSON.parse(state.textContent) : null,
    sliders: document.querySelectorAll('.widget-slider').length,
    output_images: Array.from(document.querySelectorAll(
      '.widget-output img')).map(img => img.naturalWidth),
    errata_links: link('table.cnnbook-errata a[href*="#erratum-"]'),
    errata_boxes: Array.from(document.querySelectorAll(
      '.cnnbook-erratum[id]')).map(e => e.id),
    launch: {
      binder: link('a[href*="/v2/gh/"]'),
      colab: link('a[href*="colab"]'),
      download: link('a.btn-download-source-button'),
      repository: link('a.btn-source-repository-button'),
      edit: link('a.btn-source-edit-button'),
    },
  };
}
"""


@dataclass
class PageReport:
    """What one visit of one page saw."""

    doc: str
    url: str
    external_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    allowed_errors: list[str] = field(default_factory=list)
    facts: dict = field(default_factory=dict)
    screenshot: Path | None = None


def stored_widget_views(notebook: Path) -> int:
    """How many widget views a notebook's outputs display."""
    if notebook.suffix != ".ipynb":
        return 0
    nb = json.loads(notebook.read_text("utf-8"))
    return sum(
        "application/vnd.jupyter.widget-view+json" in out.get("data", {})
        for cell in nb["cells"]
        if cell["cell_type"] == "code"
        for out in cell.get("outputs", [])
    )
