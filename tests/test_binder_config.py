"""binder/: the launch environment matches the book's pins, CPU-only torch.

Binder cannot be reached from CI; these checks keep binder/ consistent
with requirements.txt and pyproject.toml so a launch builds what the book
was verified with. The URLs the buttons carry are checked in the browser
tests (tests/browser/test_pages.py).
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
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


def test_post_build_installs_cnnbook_and_the_lab_settings():
    post = BINDER / "postBuild"
    assert os.access(post, os.X_OK), "binder/postBuild must be executable"
    lines = requirement_lines(post)
    assert post.read_text().startswith("#!/bin/bash\n")
    assert lines[0].startswith("set -e")
    assert "python -m pip install --no-cache-dir --no-deps -e ." in lines
    # The settings `make lab` installs, into the app directory JupyterLab
    # reads overrides from (<sys.prefix>/share/jupyter/lab/settings).
    assert (
        'install -D -m 644 tools/lab/overrides.json "$settings/overrides.json"'
    ) in lines
    assert (
        "settings=\"$(python -c 'import sys; print(sys.prefix)')"
        '/share/jupyter/lab/settings"'
    ) in lines
    makefile = (ROOT / "Makefile").read_text()
    assert "LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings" in makefile
    assert (
        "install -D -m 644 tools/lab/overrides.json "
        "$(LAB_SETTINGS)/overrides.json"
    ) in makefile


def test_lab_settings_open_md_as_notebooks_without_news_or_autosave():
    settings = json.loads(
        (ROOT / "tools" / "lab" / "overrides.json").read_text()
    )
    docmanager = settings["@jupyterlab/docmanager-extension:plugin"]
    assert docmanager["defaultViewers"] == {
        "markdown": "Jupytext Notebook",
        "myst": "Jupytext Notebook",
    }
    assert docmanager["autosave"] is False
    news = settings["@jupyterlab/apputils-extension:notification"]
    assert news == {"fetchNews": "false", "checkForUpdates": False}


def test_lab_settings_are_valid_for_the_installed_jupyterlab():
    """Each override names a plugin and settings its schema defines:
    JupyterLab ignores an unknown one without a word."""
    import sys

    import jsonschema

    schemas = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"
    settings = json.loads(
        (ROOT / "tools" / "lab" / "overrides.json").read_text()
    )
    for plugin_id, values in settings.items():
        package, plugin = plugin_id.split(":")
        schema_file = schemas / package / f"{plugin}.json"
        assert schema_file.is_file(), f"no such plugin: {plugin_id}"
        schema = json.loads(schema_file.read_text())
        for key in values:
            assert key in schema["properties"], f"{plugin_id}: no {key}"
        jsonschema.validate(values, {**schema, "required": []})


def test_post_build_serves_chapters_with_the_lab_contents_manager(tmp_path):
    """Run postBuild's contents-manager lines with `python` answering a
    temporary prefix: the .pth file puts tools/lab on the import path and
    the server config names the class `make lab` uses, which imports."""
    text = (BINDER / "postBuild").read_text()
    start = text.index("# The contents manager of `make lab`")
    prefix, purelib = tmp_path / "prefix", tmp_path / "site-packages"
    purelib.mkdir()
    shim = tmp_path / "bin" / "python"
    shim.parent.mkdir()
    shim.write_text(
        "#!/bin/bash\n"
        f'case "$2" in *sysconfig*) echo {purelib};; *) echo {prefix};; esac\n'
    )
    shim.chmod(0o755)
    env = {**os.environ, "PATH": f"{shim.parent}:{os.environ['PATH']}"}
    subprocess.run(
        ["bash", "-euo", "pipefail", "-c", text[start:]],
        cwd=ROOT,
        env=env,
        check=True,
    )
    lab_dir = Path((purelib / "cnnbook-lab.pth").read_text().strip())
    assert lab_dir == ROOT / "tools" / "lab"
    config = json.loads(
        (
            prefix / "etc/jupyter/jupyter_server_config.d/cnnbook-lab.json"
        ).read_text()
    )
    name = config["ServerApp"]["contents_manager_class"]
    assert (
        f"--ServerApp.contents_manager_class={name}"
        in (ROOT / "Makefile").read_text()
    )
    module, _, cls = name.rpartition(".")
    sys.path.insert(0, str(lab_dir))
    try:
        assert isinstance(getattr(importlib.import_module(module), cls), type)
    finally:
        sys.path.remove(str(lab_dir))
