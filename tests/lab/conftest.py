"""Fixtures for the JupyterLab check (``make lab-test``): ``make lab`` itself
on a free 127.0.0.1 port with a token, and one headless Chromium.

The server gets its own workspace, user-settings and runtime folders, so
that the check sees what a new user sees (the settings ``make lab``
installs, no tabs left open by an earlier session) and leaves nothing in
the developer's. Playwright is imported only when a test needs it.
"""

from __future__ import annotations

import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from book_site import CHROMIUM_ARGS, chromium_path  # noqa: E402

START_TIMEOUT_S = 180


@dataclass
class Lab:
    url: str
    token: str
    log: Path

    def api(self, path: str):
        import json

        request = urllib.request.Request(
            f"{self.url}api/{path}",
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.load(answer)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def missing() -> str | None:
    if chromium_path() is None:
        return (
            "no Chromium (apt-get install chromium, or set CNNBOOK_CHROMIUM)"
        )
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (make venv)"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = missing()
    if reason:
        if os.environ.get("CNNBOOK_REQUIRE_BROWSER") == "1":
            pytest.fail(
                f"{reason}; CNNBOOK_REQUIRE_BROWSER=1 requires the "
                "JupyterLab check"
            )
        pytest.skip(f"JupyterLab check SKIPPED: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def lab(browser, tmp_path_factory):
    """``make lab`` on a free port; stopped (kernels included) at the
    end."""
    home = tmp_path_factory.mktemp("lab")
    token = secrets.token_hex(16)
    port = free_port()
    flags = [
        "--no-browser",
        f"--IdentityProvider.token={token}",
        "--ServerApp.port_retries=0",
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
        f"--LabApp.user_settings_dir={home / 'user-settings'}",
        # Opening a file checkpoints it, by default next to the file.
        f"--FileCheckpoints.checkpoint_dir={home / 'checkpoints'}",
    ]
    if os.getuid() == 0:
        flags.append("--allow-root")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(home / "runtime")}
    for name in list(env):
        # make must not think it runs inside another make or pytest-xdist
        if name.startswith(("MAKE", "PYTEST_")) or name == "MFLAGS":
            del env[name]
    log = home / "lab.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [
                "make",
                "--no-print-directory",
                "-s",
                "lab",
                f"LAB_PORT={port}",
                f"LAB_FLAGS={shlex.join(flags)}",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    lab = Lab(f"http://127.0.0.1:{port}/", token, log)
    try:
        wait_until_serving(lab, server)
        yield lab
    finally:
        # make and jupyter share the session started above; jupyter
        # stops its kernels on SIGTERM.
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def wait_until_serving(lab: Lab, server: subprocess.Popen) -> None:
    end = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < end:
        if server.poll() is not None:
            pytest.fail(
                f"`make lab` exited with {server.returncode}:\n"
                + lab.log.read_text(errors="replace")[-3000:]
            )
        try:
            lab.api("status")
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(1)
    pytest.fail(
        f"`make lab` did not answer within {START_TIMEOUT_S} s:\n"
        + lab.log.read_text(errors="replace")[-3000:]
    )
