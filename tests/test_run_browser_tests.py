"""tools/run_browser_tests.py without a browser: skip loudly, or fail in CI.

(The browser checks themselves are tests/browser/, run by `make browser`.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_without_chromium(**env: str) -> subprocess.CompletedProcess:
    environ = {
        k: v for k, v in os.environ.items() if k != "CNNBOOK_REQUIRE_BROWSER"
    }
    environ.update(CNNBOOK_CHROMIUM="/nonexistent/chromium", **env)
    return subprocess.run(
        [sys.executable, str(ROOT / "tools" / "run_browser_tests.py")],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_chromium_is_a_loud_skip_locally():
    done = run_without_chromium()
    assert done.returncode == 0
    assert "SKIPPED" in done.stderr
    assert "NOT verified" in done.stderr


def test_missing_chromium_fails_when_the_browser_is_required():
    done = run_without_chromium(CNNBOOK_REQUIRE_BROWSER="1")
    assert done.returncode == 1
    assert "FAILED" in done.stderr and "Chromium" in done.stderr
