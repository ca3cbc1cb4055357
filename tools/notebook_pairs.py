"""Shared logic for the chapter pairs: ``chapters/NN_slug.md`` (the MyST
source a person edits) and ``chapters/NN_slug.ipynb`` (the executed
notebook that nbval verifies and the book renders).
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat
from jupytext.config import load_jupytext_config
from output_noise import cell_noise, opt_out_problem

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
MYST = "md:myst"
PACKAGE = "cnnbook"
# A cell that displays package code: ``show_source(name)``.
SHOW_SOURCE = re.compile(r"show_source\((?P<name>[\w.]+)\)")
CHECK_MARK = "\u2713"
# What to tell someone whose chapter files changed outside `make
# notebooks` (JupyterLab's autosave, scratch cells, a stray edit).
RESTORE_HINT = (
    "to return to the committed chapter: `git restore chapters/{stem}.md "
    "chapters/{stem}.ipynb`; to keep a deliberate change to the .md: "
    "`make notebooks CHAPTERS={stem}`"
)


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


def fingerprint(nb) -> str:
    """A hash of what the book shows and nbval compares: every cell's
    type, source, tags, execution count and outputs.

    ``make notebooks`` stores it in the notebook's metadata after it
    executes a chapter; the pairs gate recomputes it. A notebook saved by
    anything else after running cells (JupyterLab's autosave, say) no
    longer matches, so its outputs cannot reach the book unnoticed.
    """
    if not isinstance(nb, nbformat.NotebookNode):
        nb = nbformat.from_dict(nb)
    cells = []
    for cell in nb.cells:
        outputs = []
        for out in cell.get("outputs", []):
            out = {k: v for k, v in out.items() if k != "metadata"}
            data = out.get("data", {})
            if data:
                # widget views name a model id that changes every run and
                # is not shown as text; their state is not a cell output
                out["data"] = {
                    mime: ("".join(v) if isinstance(v, list) else v)
                    for mime, v in data.items()
                    if mime != "application/vnd.jupyter.widget-view+json"
                }
            if isinstance(out.get("text"), list):
                out["text"] = "".join(out["text"])
            outputs.append(out)
        source = cell.source
        cells.append(
            {
                "type": cell.cell_type,
                "source": "".join(source)
                if isinstance(source, list)
                else source,
                "tags": list(cell.get("metadata", {}).get("tags", [])),
                "count": cell.get("execution_count"),
                "outputs": outputs,
            }
        )
    text = json.dumps(cells, sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stored_fingerprint(raw: dict) -> str | None:
    return raw.get("metadata", {}).get("cnnbook", {}).get("fingerprint")


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
            Problem(ipynb, diff + "; " + RESTORE_HINT.format(stem=md.stem))
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
                    "nbval does not honor; assign the value instead "
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
    problems += pattern_problems(md, raw["cells"])
    problems += unstored_widgets(md, raw)
    if not diff and stored_fingerprint(raw) != fingerprint(raw):
        problems.append(
            Problem(
                ipynb,
                "was changed after `make notebooks` executed it (its "
                "cells or outputs no longer match the fingerprint stored "
                "when it ran; e.g. JupyterLab saved it after running "
                "cells), so the book would show those outputs; "
                + RESTORE_HINT.format(stem=md.stem),
            )
        )
    if counts and counts != list(range(1, len(counts) + 1)):
        problems.append(
            Problem(
                ipynb,
                "cells were not executed once, top to bottom, in a fresh "
                f"kernel (execution counts {counts[:8]}...); "
                + RESTORE_HINT.format(stem=md.stem),
            )
        )
    return problems


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def unstored_widgets(md: Path, raw: dict) -> list[Problem]:
    """A displayed widget whose state the notebook does not store: the
    HTML would show nothing in its place.

    ``make notebooks`` stores every widget's state. JupyterLab, saving a
    notebook whose cells it ran, writes the new widgets' views but not
    their state; the fingerprint leaves model ids out (they change every
    run), so this is what catches such a save.
    """
    state = (
        raw.get("metadata", {})
        .get("widgets", {})
        .get(WIDGET_STATE, {})
        .get("state", {})
    )
    for i, cell in enumerate(raw["cells"]):
        for out in cell.get("outputs", []):
            view = out.get("data", {}).get(WIDGET_VIEW)
            if view and view.get("model_id") not in state:
                return [
                    Problem(
                        md.with_suffix(".ipynb"),
                        f"{nbval_name(raw['cells'], i)} displays a widget "
                        "whose state the notebook does not store (saved by "
                        "another tool after running it?): the book would show "
                        "nothing there. " + RESTORE_HINT.format(stem=md.stem),
                    )
                ]
    return []


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


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _source(cell) -> str:
    return "".join(cell["source"])


def _check_lines(cell) -> list[str]:
    """The plain-text lines a cell stored (streams and results)."""
    lines = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            lines += "".join(out.get("text", "")).splitlines()
        elif "text/plain" in out.get("data", {}):
            lines += "".join(out["data"]["text/plain"]).splitlines()
    return lines


def ends_with_checked(source: str) -> bool:
    """Whether the cell's last statement is a call ``checked(...)``, on
    one line or several."""
    try:
        body = ast.parse(source).body
    except SyntaxError:  # IPython magics: judge the last line
        lines = source.rstrip().splitlines()
        return bool(lines) and lines[-1].startswith("checked(")
    last = body[-1] if body else None
    return (
        isinstance(last, ast.Expr)
        and isinstance(last.value, ast.Call)
        and isinstance(last.value.func, ast.Name)
        and last.value.func.id == "checked"
    )


def pattern_problems(md: Path, cells) -> list[Problem]:
    """The presentation pattern (CONTRIBUTING.md, "The pattern of a
    chapter") and portable outputs, cell by cell."""
    problems = []
    ipynb = md.with_suffix(".ipynb")
    code = [i for i, c in enumerate(cells) if c["cell_type"] == "code"]
    if code and "setup" not in _tags(cells[code[0]]):
        problems.append(
            Problem(
                md,
                f"{nbval_name(cells, code[0])}: the first code cell is the "
                "chapter's set-up (imports, seeds); tag it `setup`",
            )
        )
    for i in code:
        cell, where = cells[i], nbval_name(cells, i)
        tags, source = _tags(cell), _source(cell)
        why = opt_out_problem(cell)
        if why:
            problems.append(Problem(md, f"{where} {why}"))
        for noise in cell_noise(cell)[:3]:
            problems.append(
                Problem(
                    ipynb,
                    f"{where} prints rounding noise, which differs on "
                    f"another CPU, BLAS kernel or thread count: {noise}. "
                    "Print a bound (`< 1e-8`), round, or print the exact "
                    "value, and assert the tolerance in code",
                )
            )
        if "check" in tags:
            lines = _check_lines(cell)
            if not ends_with_checked(source):
                problems.append(
                    Problem(
                        md,
                        f"{where} is tagged `check` but does not end with "
                        "checked(...) saying what it verified",
                    )
                )
            elif len(lines) != 1 or not lines[0].startswith(CHECK_MARK):
                problems.append(
                    Problem(
                        ipynb,
                        f"{where} is tagged `check`: its only output "
                        "must be the one line checked(...) prints, found "
                        f"{lines[:3]!r}",
                    )
                )
        elif ends_with_checked(source):
            problems.append(
                Problem(
                    md,
                    f"{where} ends with checked(...) but is not tagged "
                    "`check`: tag it, so the HTML folds it",
                )
            )
        if "errata.show(" in source and "remove-input" not in tags:
            problems.append(
                Problem(
                    md,
                    f"{where} shows an erratum: tag it `remove-input`, so "
                    "the page shows the admonition and not the call",
                )
            )
    return problems
