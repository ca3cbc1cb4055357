"""Open the built book in headless Chromium and check it (``make browser``).

Runs the pytest checks in ``tests/browser/`` (marker ``browser``) against
``_build/html``: every page of ``_toc.yml`` served on 127.0.0.1 with every
request to another host aborted, so they prove the book works offline.
Screenshots land in ``_build/screenshots/`` (the first screen of each
page; ``CNNBOOK_FULL_SCREENSHOTS=1`` for whole pages, slower).

Without Chromium (``/usr/bin/chromium``, ``chromium`` on PATH, or
``CNNBOOK_CHROMIUM``) or the ``playwright`` package, the checks cannot
run: with ``CNNBOOK_REQUIRE_BROWSER=1`` (set by ``.ci/run``) that is a
failure; otherwise a loud SKIPPED notice is printed and the exit status is
0. Extra arguments go to pytest (e.g. ``-k errata -x``).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests" / "browser"
sys.path.insert(0, str(TESTS))

from book_site import SCREENSHOTS, SITE, chromium_path  # noqa: E402


def missing() -> str | None:
    if chromium_path() is None:
        return (
            "Chromium is not installed (apt-get install chromium, or "
            "point CNNBOOK_CHROMIUM at it)"
        )
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (make venv)"
    return None


# Left in the build folder when the checks were skipped, so that
# `make test` does not end by saying that *all* checks passed.
SKIP_MARKER = SITE.parent / "browser-checks-skipped"


def skipped(reason: str) -> int:
    if os.environ.get("CNNBOOK_REQUIRE_BROWSER") == "1":
        print(
            f"browser: FAILED: {reason}; CNNBOOK_REQUIRE_BROWSER=1 "
            "requires the browser checks",
            file=sys.stderr,
        )
        return 1
    bar = "!" * 72
    print(
        f"\n{bar}\n!! SKIPPED: the browser checks of the HTML book did not "
        f"run.\n!! {reason}.\n!! Math, widgets, images and offline "
        f"loading are NOT verified.\n{bar}\n",
        file=sys.stderr,
    )
    SKIP_MARKER.parent.mkdir(parents=True, exist_ok=True)
    SKIP_MARKER.write_text(reason + "\n")
    return 0


def main() -> int:
    SKIP_MARKER.unlink(missing_ok=True)
    reason = missing()
    if reason:
        return skipped(reason)
    if not (SITE / "index.html").exists():
        print(
            f"browser: FAILED: no built book in {SITE.relative_to(ROOT)};"
            " run `make book` first",
            file=sys.stderr,
        )
        return 1
    start = time.perf_counter()
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-m",
        "browser",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",
        "--rootdir",
        str(ROOT),
        str(TESTS),
        *sys.argv[1:],
    ]
    status = subprocess.call(command, cwd=ROOT)
    print(
        f"browser: {time.perf_counter() - start:.0f} s; screenshots in "
        f"{SCREENSHOTS.relative_to(ROOT)}/"
    )
    return status


if __name__ == "__main__":
    sys.exit(main())
