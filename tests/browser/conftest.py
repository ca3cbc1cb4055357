"""Fixtures for the browser checks: a local server for ``_build/html``,
one headless Chromium, and ``visit(doc)``, which opens a page once (every
request to another host aborted and recorded), lets MathJax, images and
widgets settle, collects what the tests check, and saves a screenshot.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
from urllib.parse import urlsplit

import pytest
from book_site import (
    ALLOWED_CONSOLE_ERRORS,
    CHROMIUM_ARGS,
    FACTS_JS,
    FULL_SCREENSHOTS,
    ROOT,
    SCREENSHOTS,
    SETTLE_JS,
    SITE,
    TIMEOUT_MS,
    PageReport,
    chromium_path,
    page_of,
)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site_url():
    if not (SITE / "index.html").exists():
        pytest.fail(
            f"{SITE.relative_to(ROOT)} has no built book: run "
            "`make book` (or `make book-strict`) first"
        )
    handler = functools.partial(QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        message = (
            "no Chromium (apt-get install chromium, or set CNNBOOK_CHROMIUM)"
        )
        if os.environ.get("CNNBOOK_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def _screenshot_name(doc: str) -> str:
    return re.sub(r"[^\w.-]+", "__", doc) + ".png"


@pytest.fixture(scope="session")
def visit(browser, site_url):
    """``visit(doc)`` -> PageReport, loading each page once per session."""
    reports: dict[str, PageReport] = {}
    origin = urlsplit(site_url).netloc
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def local(url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("data", "blob", "about") or (
            parts.scheme == "http" and parts.netloc == origin
        )

    def load(doc: str) -> PageReport:
        if doc in reports:
            return reports[doc]
        report = PageReport(doc, site_url + page_of(doc))
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, reduced_motion="reduce"
        )
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)

        def route(route):
            if local(route.request.url):
                route.continue_()
            else:
                report.external_requests.append(route.request.url)
                route.abort("blockedbyclient")

        def on_console(message):
            if message.type == "error":
                on_error(message.text)

        def on_error(text):
            text = str(text)
            if any(allowed in text for allowed in ALLOWED_CONSOLE_ERRORS):
                report.allowed_errors.append(text)
            else:
                report.console_errors.append(text)

        def on_failed(request):
            if local(request.url):
                report.failed_requests.append(
                    f"{request.url} ({request.failure})"
                )

        def on_response(response):
            if response.status >= 400 and local(response.url):
                report.failed_requests.append(
                    f"{response.url} (HTTP {response.status})"
                )

        page.route("**/*", route)
        page.on("console", on_console)
        page.on("pageerror", lambda err: on_error(err.message))
        page.on("requestfailed", on_failed)
        page.on("response", on_response)
        page.goto(report.url, wait_until="load")
        page.evaluate(SETTLE_JS)
        try:
            # Local files only, but the longest chapters (chapter 4: 10
            # exercises, dozens of figures, MathJax typesetting) can take
            # more than 10 s on two busy cores; a request that truly hangs
            # still fails here.
            page.wait_for_load_state("networkidle", timeout=30_000)
        except Exception as err:
            report.failed_requests.append(f"network never idle: {err}")
        report.facts = page.evaluate(FACTS_JS)
        report.screenshot = SCREENSHOTS / _screenshot_name(doc)
        page.screenshot(
            path=str(report.screenshot), full_page=FULL_SCREENSHOTS
        )
        for i, widget in enumerate(page.locator(".widget-subarea").all()):
            widget.screenshot(
                path=str(report.screenshot.with_suffix(f".widget{i + 1}.png"))
            )
        context.close()
        reports[doc] = report
        return report

    return load
