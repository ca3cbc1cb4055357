"""Bundle the JavaScript the HTML book needs, so it works offline.

``make vendor`` (a dependency of ``make book``) runs this script. Without
it the pages load MathJax and the ipywidgets html-manager from CDNs, and a
reader with no network sees raw TeX and no widgets.

For each package pinned in ``tools/vendor_js.lock.json`` (exact version,
tarball URL, sha512 ``integrity`` as the npm registry publishes it):

1. download the tarball once into ``.vendor-cache/`` (gitignored) with
   plain ``urllib``, no node needed, and check its integrity; a cached
   tarball is checked again on every run, so later runs work offline;
2. unpack only the files the lock lists into ``book/_vendor/vendor/``
   (gitignored), which Sphinx copies verbatim into ``_build/html/vendor/``
   (``html_extra_path``; not ``_static/``, whose every .js and .css
   jupyter-book would inject into every page);
3. copy ``book/_js/widgets-shim.js`` next to them (see that file).

What is shipped, and why (3.9 MB in all): MathJax's ``tex-chtml.js``
(the TeX input the pages use, no MathML input), its woff-v2 fonts and the
TeX extensions its autoloader may fetch (not the 4 MB speech engine
behind the accessibility menu's explorer). For widgets, html-manager's
standalone ``embed.js`` (1.9 MB) instead of ``embed-amd.js`` with
require.js (3.7 MB): the same core widgets (ipywidgets 7 and 8 controls,
output), and it finds its fonts next to itself. What it cannot do is
fetch third-party widget modules from a CDN, which an offline book
cannot do either; a chapter that needs one must vendor it.

The output is rebuilt atomically and only when the lock, the shim or this
script changed (``versions.json`` beside the files records what they are
and the hash of those inputs), so a second run does nothing.
``--relock`` asks the registry for the tarball URL and integrity of the
versions in the lock and rewrites it. ``CNNBOOK_NPM_REGISTRY``
replaces ``https://registry.npmjs.org`` (a mirror); the integrity check
still applies.
"""

from __future__ import annotations

import argparse
import base64
import fnmatch
import hashlib
import io
import json
import os
import shutil
import sys
import tarfile
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "tools" / "vendor_js.lock.json"
SHIM = ROOT / "book" / "_js" / "widgets-shim.js"
CACHE = ROOT / ".vendor-cache"
# html_extra_path in _config.yml; its contents land at the site's root.
EXTRA = ROOT / "book" / "_vendor"
SITE_DIR = "vendor"
# What is unpacked, and the hash of the inputs it was unpacked from.
STAMP = EXTRA / SITE_DIR / "versions.json"
REGISTRY = "https://registry.npmjs.org"
TIMEOUT = 60


class VendorError(Exception):
    """A download, an integrity check or the lock went wrong."""


def registry_url(url: str) -> str:
    mirror = os.environ.get("CNNBOOK_NPM_REGISTRY", "").rstrip("/")
    if mirror and url.startswith(REGISTRY + "/"):
        return mirror + url[len(REGISTRY) :]
    return url


def fetch(url: str) -> bytes:
    url = registry_url(url)
    request = urllib.request.Request(
        url, headers={"User-Agent": "cnnbook-vendor-js"}
    )
    for attempt in range(3):
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
                return answer.read()
        except OSError as err:
            if attempt == 2:
                raise VendorError(f"cannot download {url}: {err}") from err
            time.sleep(2**attempt)
    raise AssertionError("unreachable")


def integrity_of(data: bytes) -> str:
    digest = hashlib.sha512(data).digest()
    return "sha512-" + base64.b64encode(digest).decode("ascii")


def verify(data: bytes, package: dict, origin: str) -> None:
    expected = package["integrity"]
    if not expected.startswith("sha512-"):
        raise VendorError(
            f"{package['name']}: the lock must pin a sha512 "
            f"integrity, not {expected[:12]}..."
        )
    actual = integrity_of(data)
    if actual != expected:
        raise VendorError(
            f"{package['name']}@{package['version']}: {origin} has "
            f"integrity {actual}, the lock pins {expected}"
        )


def tarball(package: dict) -> bytes:
    """The package's verified tarball, from the cache or the registry."""
    name = package["name"].replace("/", "__").lstrip("@")
    cached = CACHE / f"{name}-{package['version']}.tgz"
    if cached.exists():
        data = cached.read_bytes()
        try:
            verify(data, package, f"cached {cached.name}")
            return data
        except VendorError as err:
            print(f"vendor: {err}; downloading again", file=sys.stderr)
    print(
        f"vendor: downloading {package['name']}@{package['version']}",
        flush=True,
    )
    data = fetch(package["tarball"])
    verify(data, package, package["tarball"])
    CACHE.mkdir(exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=CACHE, prefix=f".{cached.name}.")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, cached)
    return data


def wanted(path: str, patterns: list[str]) -> bool:
    keep = [p for p in patterns if not p.startswith("!")]
    drop = [p[1:] for p in patterns if p.startswith("!")]
    return any(fnmatch.fnmatchcase(path, p) for p in keep) and not any(
        fnmatch.fnmatchcase(path, p) for p in drop
    )


def unpack(package: dict, data: bytes, into: Path) -> list[Path]:
    """Extract the listed files of one package below ``into/dest``."""
    dest = into / package["dest"]
    strip = package.get("strip", "")
    written = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member in archive.getmembers():
            # npm tarballs hold everything under "package/".
            path = member.name.split("/", 1)[-1]
            if not member.isfile() or not wanted(path, package["files"]):
                continue
            if strip and path.startswith(strip):
                path = path[len(strip) :]
            target = (dest / path).resolve()
            if not target.is_relative_to(dest.resolve()):
                raise VendorError(
                    f"{package['name']}: unsafe path {member.name}"
                )
            target.parent.mkdir(parents=True, exist_ok=True)
            source = archive.extractfile(member)
            assert source is not None
            target.write_bytes(source.read())
            written.append(target)
    for pattern in package["files"]:
        if pattern.startswith("!"):
            continue
        if not any(
            fnmatch.fnmatchcase(
                str(p.relative_to(dest)), pattern.removeprefix(strip)
            )
            for p in written
        ):
            raise VendorError(
                f"{package['name']}@{package['version']}: "
                f"no file matches {pattern!r}"
            )
    return written


def load_lock() -> dict:
    try:
        lock = json.loads(LOCK.read_text(encoding="utf-8"))
        for package in lock["packages"]:
            for key in (
                "name",
                "version",
                "tarball",
                "integrity",
                "dest",
                "files",
            ):
                if key not in package:
                    raise VendorError(
                        f"{LOCK.name}: {package.get('name')} has no {key!r}"
                    )
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise VendorError(f"cannot read {LOCK}: {err}") from err
    return lock


def fingerprint() -> str:
    digest = hashlib.sha256()
    for path in (LOCK, SHIM, Path(__file__)):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def up_to_date(lock: dict) -> bool:
    try:
        stamp = json.loads(STAMP.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    site = EXTRA / SITE_DIR
    return (
        stamp.get("fingerprint") == fingerprint()
        and (site / SHIM.name).exists()
        and all((site / p["dest"]).is_dir() for p in lock["packages"])
    )


def stamp_text(lock: dict) -> str:
    return (
        json.dumps(
            {
                "fingerprint": fingerprint(),
                "packages": [
                    {key: p[key] for key in ("name", "version", "integrity")}
                    for p in lock["packages"]
                ],
            },
            indent=2,
        )
        + "\n"
    )


def build(lock: dict) -> None:
    EXTRA.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=EXTRA, prefix=".staging-"))
    try:
        site = staging / SITE_DIR
        site.mkdir()
        for package in lock["packages"]:
            files = unpack(package, tarball(package), site)
            size = sum(f.stat().st_size for f in files)
            print(
                f"vendor: {package['name']}@{package['version']}: "
                f"{len(files)} files, {size / 1e6:.2f} MB"
            )
        shutil.copyfile(SHIM, site / SHIM.name)
        (site / STAMP.name).write_text(stamp_text(lock), encoding="utf-8")
        old = EXTRA / SITE_DIR
        trash = None
        if old.exists():
            trash = Path(tempfile.mkdtemp(dir=EXTRA, prefix=".old-"))
            os.replace(old, trash / SITE_DIR)
        os.replace(site, old)
        if trash is not None:
            shutil.rmtree(trash)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def relock(lock: dict) -> None:
    """Fill in tarball and integrity for the pinned versions."""
    for package in lock["packages"]:
        quoted = urllib.parse.quote(package["name"], safe="@")
        meta = json.loads(fetch(f"{REGISTRY}/{quoted}"))
        try:
            dist = meta["versions"][package["version"]]["dist"]
        except KeyError as err:
            raise VendorError(
                f"{package['name']}@{package['version']} is "
                "not on the registry"
            ) from err
        package["tarball"] = dist["tarball"]
        package["integrity"] = dist["integrity"]
        print(
            f"vendor: {package['name']}@{package['version']} "
            f"{dist['integrity'][:24]}..."
        )
    fd, tmp = tempfile.mkstemp(dir=LOCK.parent, prefix=f".{LOCK.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(lock, indent=2) + "\n")
    os.replace(tmp, LOCK)


def total_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--relock",
        action="store_true",
        help="ask the registry for tarballs and integrity",
    )
    parser.add_argument(
        "--force", action="store_true", help="unpack again even if up to date"
    )
    args = parser.parse_args()
    try:
        lock = load_lock()
        if args.relock:
            relock(lock)
            return 0
        if not args.force and up_to_date(lock):
            print(
                f"vendor: {EXTRA.relative_to(ROOT)}/{SITE_DIR} is up to date"
            )
            return 0
        build(lock)
    except VendorError as err:
        print(f"vendor: FAILED: {err}", file=sys.stderr)
        return 1
    count, size = total_size(EXTRA / SITE_DIR)
    print(
        f"vendor: {EXTRA.relative_to(ROOT)}/{SITE_DIR}: {count} files, "
        f"{size / 1e6:.2f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
