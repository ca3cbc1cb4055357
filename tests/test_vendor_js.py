"""tools/vendor_js.py: pinned, verified, idempotent, offline after once.

No network: the registry is replaced by a function serving tarballs made
here, and every path the script writes is moved into a temporary folder.
"""

from __future__ import annotations

import io
import json
import re
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import vendor_js  # noqa: E402


def make_tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


TARBALL = make_tarball(
    {
        "package/dist/widget.js": b"console.log('widget');",
        "package/dist/font.woff2": b"wOF2",
        "package/dist/widget.js.map": b"{}",
        "package/dist/extra/skip.js": b"",
        "package/LICENSE": b"BSD",
    }
)


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """vendor_js with its paths in tmp_path and a fake registry."""
    shim = tmp_path / "shim.js"
    shim.write_text("/* shim */")
    lock = tmp_path / "lock.json"
    lock.write_text(
        json.dumps(
            {
                "packages": [
                    {
                        "name": "@scope/widget",
                        "version": "1.2.3",
                        "tarball": "https://registry.npmjs.org/@scope/widget/-/w.tgz",
                        "integrity": vendor_js.integrity_of(TARBALL),
                        "dest": "widget",
                        "strip": "dist/",
                        "files": [
                            "LICENSE",
                            "dist/*.js",
                            "dist/*.woff2",
                            "!dist/extra/*",
                        ],
                    }
                ]
            }
        )
    )
    extra = tmp_path / "book" / "_vendor"
    for name, value in {
        "LOCK": lock,
        "SHIM": shim,
        "CACHE": tmp_path / "cache",
        "EXTRA": extra,
        "STAMP": extra / vendor_js.SITE_DIR / "versions.json",
    }.items():
        monkeypatch.setattr(vendor_js, name, value)
    monkeypatch.setattr(vendor_js, "ROOT", tmp_path)
    downloads = []

    def fetch(url):
        downloads.append(url)
        return TARBALL

    monkeypatch.setattr(vendor_js, "fetch", fetch)
    monkeypatch.setattr(sys, "argv", ["vendor_js.py"])
    return tmp_path, downloads


def unpacked(tmp_path) -> list[str]:
    site = tmp_path / "book" / "_vendor" / vendor_js.SITE_DIR
    return sorted(
        str(p.relative_to(site)) for p in site.rglob("*") if p.is_file()
    )


def test_unpacks_only_the_listed_files_once(sandbox, capsys):
    tmp_path, downloads = sandbox
    assert vendor_js.main() == 0
    assert len(downloads) == 1
    assert unpacked(tmp_path) == [
        "shim.js",
        "versions.json",
        "widget/LICENSE",
        "widget/font.woff2",
        "widget/widget.js",
    ]
    stamp = json.loads(
        (
            tmp_path / "book" / "_vendor" / "vendor" / "versions.json"
        ).read_text()
    )
    assert stamp["packages"][0]["version"] == "1.2.3"
    # Second run: nothing downloaded, nothing rewritten.
    before = (tmp_path / "book/_vendor/vendor/widget/widget.js").stat()
    assert vendor_js.main() == 0
    assert len(downloads) == 1
    assert "up to date" in capsys.readouterr().out
    after = (tmp_path / "book/_vendor/vendor/widget/widget.js").stat()
    assert after.st_mtime_ns == before.st_mtime_ns


def test_works_offline_from_the_cache(sandbox, monkeypatch):
    tmp_path, downloads = sandbox
    assert vendor_js.main() == 0
    monkeypatch.setattr(
        vendor_js,
        "fetch",
        lambda url: pytest.fail(
            f"downloaded {url} although the tarball is cached"
        ),
    )
    assert vendor_js.main() == 0  # up to date
    monkeypatch.setattr(sys, "argv", ["vendor_js.py", "--force"])
    assert vendor_js.main() == 0  # unpacked again, from the cache
    assert "widget/widget.js" in unpacked(tmp_path)


def test_a_changed_shim_or_lock_unpacks_again(sandbox):
    tmp_path, _ = sandbox
    assert vendor_js.main() == 0
    (tmp_path / "shim.js").write_text("/* shim, changed */")
    assert vendor_js.main() == 0
    site = tmp_path / "book" / "_vendor" / "vendor"
    assert (site / "shim.js").read_text() == "/* shim, changed */"


def test_a_tarball_that_does_not_match_the_lock_is_refused(
    sandbox, monkeypatch, capsys
):
    tmp_path, _ = sandbox
    monkeypatch.setattr(vendor_js, "fetch", lambda url: TARBALL + b"x")
    assert vendor_js.main() == 1
    err = capsys.readouterr().err
    assert "@scope/widget@1.2.3" in err and "the lock pins sha512-" in err
    assert not (tmp_path / "cache").exists() or not any(
        (tmp_path / "cache").iterdir()
    )
    assert not (tmp_path / "book" / "_vendor" / "vendor").exists()


def test_a_corrupted_cache_is_downloaded_again(sandbox):
    tmp_path, downloads = sandbox
    assert vendor_js.main() == 0
    (cached,) = (tmp_path / "cache").iterdir()
    cached.write_bytes(b"garbage")
    (tmp_path / "shim.js").write_text("/* force a rebuild */")
    assert vendor_js.main() == 0
    assert len(downloads) == 2
    assert cached.read_bytes() == TARBALL


def test_a_pattern_that_matches_nothing_fails(sandbox, capsys):
    tmp_path, _ = sandbox
    lock = json.loads((tmp_path / "lock.json").read_text())
    lock["packages"][0]["files"].append("dist/missing.css")
    (tmp_path / "lock.json").write_text(json.dumps(lock))
    assert vendor_js.main() == 1
    assert "no file matches 'dist/missing.css'" in capsys.readouterr().err


def test_paths_outside_the_destination_are_refused(tmp_path):
    evil = make_tarball({"package/../../evil.js": b"x"})
    package = {"name": "evil", "version": "1", "dest": "evil", "files": ["*"]}
    with pytest.raises(vendor_js.VendorError, match="unsafe path"):
        vendor_js.unpack(package, evil, tmp_path)
    assert not (tmp_path.parent / "evil.js").exists()


def test_the_committed_lock_pins_exact_verified_versions():
    lock = vendor_js.load_lock()
    names = {p["name"]: p for p in lock["packages"]}
    assert set(names) == {"mathjax", "@jupyter-widgets/html-manager"}
    for package in lock["packages"]:
        assert re.fullmatch(r"\d+\.\d+\.\d+", package["version"])
        assert package["integrity"].startswith("sha512-")
        assert package["version"] in package["tarball"]
        assert package["tarball"].startswith(vendor_js.REGISTRY + "/")
    assert names["mathjax"]["version"].startswith("3.")
    # html-manager 1.x renders the widget state of ipywidgets 8.
    import ipywidgets

    assert ipywidgets.__version__.startswith("8.")
    assert names["@jupyter-widgets/html-manager"]["version"].startswith("1.0.")


def test_config_points_the_book_at_the_vendored_files():
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"][
        "config"
    ]
    assert "book/_vendor" in config["html_extra_path"]
    static = "../" + vendor_js.SITE_DIR + "/"
    assert config["mathjax_path"] == static + "mathjax/tex-chtml.js"
    assert list(config["nb_ipywidgets_js"]) == [
        static + vendor_js.SHIM.name,
        static + "html-manager/embed.js",
    ]
    lock = vendor_js.load_lock()
    files = {p["dest"]: p["files"] for p in lock["packages"]}
    assert "es5/tex-chtml.js" in files["mathjax"]
    assert "dist/embed.js" in files["html-manager"]
