"""Shared logic for the chapter pairs: ``chapters/NN_slug.md`` (the MyST
source a person edits) and ``chapters/NN_slug.ipynb`` (the executed
notebook that nbval verifies and the book renders).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import jupytext
from jupytext.config import load_jupytext_config

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
MYST = "md:myst"
PACKAGE = "cnnbook"
# A cell that displays package code: ``show_source(name)``.
SHOW_SOURCE = re.compile(r"show_source\((?P<name>[\w.]+)\)")


def is_notebook_md(path: Path) -> bool:
    """A MyST notebook has a kernelspec in its front matter."""
    head = path.read_text(encoding="utf-8").split("\n---", 1)[0]
    return "kernelspec:" in head


def chapter_sources(names=()) -> list[Path]:
    """The chapter .md files, all or those named (paths or stems)."""
    if names:
        paths = []
        for name in names:
            path = Path(name)
            if path.suffix != ".md":
                path = CHAPTERS / f"{path.stem}.md"
            if not path.is_absolute():
                path = (ROOT / path) if not path.exists() else path.resolve()
            if not path.exists():
                raise SystemExit(f"no chapter source {path}")
            paths.append(path)
        return paths
    return sorted(p for p in CHAPTERS.glob("*.md") if is_notebook_md(p))


def canonical_text(md: Path) -> str:
    """The .md as jupytext would write it."""
    config = load_jupytext_config(str(md.parent))
    return jupytext.writes(jupytext.read(md), fmt=MYST, config=config)


def _cells(nb):
    return [(c.cell_type, c.source.strip()) for c in nb.cells]


@dataclass
class Problem:
    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}: {self.message}"


def nbval_name(cells, i: int) -> str:
    """``cell i`` counts every cell from 0; nbval counts code cells only
    (``Cell k`` in its report). Name a code cell both ways."""
    if cells[i]["cell_type"] != "code":
        return f"cell {i}"
    k = sum(c["cell_type"] == "code" for c in cells[:i])
    return f"cell {i} (nbval's Cell {k})"


def first_difference(md_nb, ipynb_nb) -> str | None:
    """Describe the first cell where the two notebooks' inputs differ."""
    a, b = _cells(md_nb), _cells(ipynb_nb)
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            first = (x[1].splitlines() or [""])[0][:70]
            message = (
                f"cell {i} ({x[0]}) differs between .md and .ipynb; the .md "
                f"cell starts {first!r}"
            )
            if x[0] == y[0] == "code":
                k = sum(t == "code" for t, _ in b[:i])
                message = message.replace(
                    f"({x[0]})", f"(code, nbval's Cell {k})", 1
                )
            if x[0] == y[0]:
                n = first_line_difference(x[1], y[1])
                lines = x[1].splitlines()
                line = lines[n - 1][:70] if n <= len(lines) else ""
                if n > 1:
                    message += f"; its line {n} differs: {line!r}"
            return message
    if len(a) != len(b):
        return f".md has {len(a)} cells, .ipynb has {len(b)}"
    return None


def first_line_difference(a: str, b: str) -> int:
    """The 1-based number of the first line where two texts differ."""
    lines_a, lines_b = a.splitlines(), b.splitlines()
    pairs = zip(lines_a, lines_b, strict=False)
    for number, (x, y) in enumerate(pairs, start=1):
        if x != y:
            return number
    return min(len(lines_a), len(lines_b)) + 1


def check_pair(md: Path) -> list[Problem]:
    """Everything that is wrong with one chapter pair (empty: all good)."""
    problems = []
    ipynb = md.with_suffix(".ipynb")
    if not ipynb.exists():
        return [
            Problem(
                md,
                f"no executed notebook {ipynb.name}; run "
                f"`make notebooks CHAPTERS={md.stem}`",
            )
        ]
    text = md.read_text(encoding="utf-8")
    canonical = canonical_text(md)
    if canonical != text:
        problems.append(
            Problem(
                md,
                "not in jupytext's canonical MyST form (first difference "
                f"at line {first_line_difference(text, canonical)}); "
                "`make notebooks` rewrites it",
            )
        )
    md_nb = jupytext.read(md)
    raw = json.loads(ipynb.read_text(encoding="utf-8"))
    nb = jupytext.read(ipynb)
    diff = first_difference(md_nb, nb)
    if diff:
        problems.append(
            Problem(
                ipynb,
                diff + "; re-execute with "
                f"`make notebooks CHAPTERS={md.stem}`",
            )
        )
    counts = []
    for i, cell in enumerate(raw["cells"]):
        if cell["cell_type"] != "code" or not "".join(cell["source"]):
            continue
        if "".join(cell["source"]).rstrip().endswith(";"):
            # nbval runs cells with store_history=False, so IPython does
            # not see the ';' and displays the value anyway: outputs
            # would differ between `make notebooks` and `make nbval`.
            problems.append(
                Problem(
                    md,
                    f"{nbval_name(raw['cells'], i)} ends with ';', which "
                    "nbval does not honour; assign the value instead "
                    "(fig = ...)",
                )
            )
        if cell.get("execution_count") is None:
            problems.append(
                Problem(
                    ipynb, f"{nbval_name(raw['cells'], i)} was never executed"
                )
            )
        else:
            counts.append(cell["execution_count"])
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                tags = cell.get("metadata", {}).get("tags", [])
                if "raises-exception" not in tags:
                    problems.append(
                        Problem(
                            ipynb,
                            f"{nbval_name(raw['cells'], i)} stored an "
                            f"error: {out['ename']}",
                        )
                    )
    problems += stale_source_listings(md, raw["cells"])
    if counts and counts != list(range(1, len(counts) + 1)):
        problems.append(
            Problem(
                ipynb,
                "cells were not executed once, top to bottom, in a fresh "
                f"kernel (execution counts {counts[:8]}...)",
            )
        )
    return problems


def package_text() -> str:
    """Every Python file of the package, concatenated."""
    files = sorted((ROOT / PACKAGE).rglob("*.py"))
    return "\n".join(f.read_text(encoding="utf-8") for f in files)


def stale_source_listings(md: Path, cells) -> list[Problem]:
    """``show_source`` cells whose stored listing is no longer in the
    package: the package changed after the chapter was executed.

    nbval would find these too, after minutes of execution; this finds
    them in a second, and says what to do.
    """
    problems, text = [], None
    for i, cell in enumerate(cells):
        match = SHOW_SOURCE.fullmatch("".join(cell["source"]).strip())
        if cell["cell_type"] != "code" or not match:
            continue
        shown = [
            out["data"]["text/plain"]
            for out in cell.get("outputs", [])
            if "text/plain" in out.get("data", {})
        ]
        if text is None:
            text = package_text()
        for listing in shown:
            if "".join(listing) not in text:
                problems.append(
                    Problem(
                        md.with_suffix(".ipynb"),
                        f"{nbval_name(cells, i)} shows the source of "
                        f"{match['name']} as it was when the chapter ran, and "
                        f"{PACKAGE} has changed since; re-execute with "
                        f"`make notebooks CHAPTERS={md.stem}`",
                    )
                )
    return problems
