"""binder/: the launch environment matches the book's pins, CPU-only torch.

Binder cannot be reached from CI; these checks keep binder/ consistent
with requirements.txt and pyproject.toml so a launch builds what the book
was verified with. The URLs the buttons carry are checked in the browser
tests (tests/browser/test_pages.py).
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"


def requirement_lines(path: Path) -> list[str]:
    return [
        line.strip()
        for line in path.read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def pinned(lines: list[str], name: str) -> str | None:
    for line in lines:
        match = re.fullmatch(rf"{name}==(\S+)", line, flags=re.I)
        if match:
            return match.group(1)
    return None


def test_binder_installs_the_book_pins_with_cpu_torch():
    lines = requirement_lines(BINDER / "requirements.txt")
    assert "-r ../requirements.txt" in lines
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in lines
    book_torch = pinned(requirement_lines(ROOT / "requirements.txt"), "torch")
    assert book_torch is not None
    # The CPU build of exactly the version the book pins (no CUDA wheels).
    assert pinned(lines, "torch") == f"{book_torch}+cpu"


def test_binder_python_satisfies_the_package():
    runtime = (BINDER / "runtime.txt").read_text().strip()
    version = re.fullmatch(r"python-(\d+)\.(\d+)", runtime)
    assert version, runtime
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    low = re.fullmatch(
        r">=(\d+)\.(\d+)", project["project"]["requires-python"]
    )
    assert low
    assert tuple(map(int, version.groups())) >= tuple(map(int, low.groups()))


def test_post_build_installs_cnnbook_and_the_md_viewer():
    post = BINDER / "postBuild"
    assert os.access(post, os.X_OK), "binder/postBuild must be executable"
    lines = requirement_lines(post)
    assert post.read_text().startswith("#!/bin/bash\n")
    assert lines[0].startswith("set -e")
    assert "python -m pip install --no-cache-dir --no-deps -e ." in lines
    assert "jupytext-config set-default-viewer markdown myst" in lines
