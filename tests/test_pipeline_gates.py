"""The gates of ``make test`` fail when they should, naming what broke.

A tiny chapter pair is executed once by ``tools/execute_notebooks.py`` in a
minimal copy of the repository (tools, jupytext.toml, the nbval sanitize
file). Each test breaks one copy of it the way a contributor might, and
checks that ``tools/check_notebooks.py`` (``make pairs``) or nbval
(``make nbval``) fails and names the chapter and the cell. The pairing
gate runs in-process on the copy (importing jupytext costs seconds), once
as a command; execution and nbval run as commands.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import check_notebooks  # noqa: E402
import notebook_pairs  # noqa: E402

CHAPTER = "01_tiny"
RESTORE = (
    f"to return to the committed chapter: `git restore chapters/{CHAPTER}"
    f".md chapters/{CHAPTER}.ipynb`; to keep a deliberate change to the "
    f".md: `make notebooks CHAPTERS={CHAPTER}`"
)

TINY_MD = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
    format_version: 0.13
    jupytext_version: 1.19.6
kernelspec:
  display_name: Python 3 (ipykernel)
  language: python
  name: python3
---

# 1. A tiny chapter

```{code-cell} ipython3
:tags: [setup]

from cnnbook.book import checked
```

```{code-cell} ipython3
x = 2 + 2
assert x == 4
x
```

```{code-cell} ipython3
:tags: [check]

assert x % 2 == 0
checked("x is even")
```

Prose between the cells.

```{code-cell} ipython3
print(f"ten times: {x * 10}; an address that changes: {object()}")
```

```{code-cell} ipython3
squares = [i * i for i in range(x)]
squares
```
"""


def run(repo: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONHASHSEED="0")
    # The subprocesses must not think they are pytest-xdist workers.
    for name in list(env):
        if name.startswith(("PYTEST_", "COV_CORE")):
            del env[name]
    return subprocess.run(
        [sys.executable, *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def executed(tmp_path_factory) -> Path:
    """A minimal repository whose one chapter `make notebooks` executed."""
    repo = tmp_path_factory.mktemp("repo")
    (repo / "tools").mkdir()
    for name in (
        "notebook_pairs.py",
        "check_notebooks.py",
        "execute_notebooks.py",
        "output_noise.py",
    ):
        shutil.copy(ROOT / "tools" / name, repo / "tools" / name)
    shutil.copy(ROOT / "jupytext.toml", repo)
    (repo / "tests").mkdir()
    shutil.copy(ROOT / "tests" / "nbval_sanitize.cfg", repo / "tests")
    (repo / "chapters").mkdir()
    (repo / "chapters" / f"{CHAPTER}.md").write_text(TINY_MD, "utf-8")
    done = run(repo, "tools/execute_notebooks.py")
    assert done.returncode == 0, done.stderr
    return repo


@pytest.fixture
def repo(executed, tmp_path) -> Path:
    """A fresh copy of the executed repository, for one test to break."""
    return Path(shutil.copytree(executed, tmp_path / "repo"))


def md_path(repo: Path) -> Path:
    return repo / "chapters" / f"{CHAPTER}.md"


def ipynb_path(repo: Path) -> Path:
    return repo / "chapters" / f"{CHAPTER}.ipynb"


def read_nb(repo: Path) -> dict:
    return json.loads(ipynb_path(repo).read_text("utf-8"))


def write_nb(repo: Path, nb: dict, stamp: bool = False) -> None:
    """Write the notebook; ``stamp``: as `make notebooks` would, with a
    fingerprint of what it now holds."""
    if stamp:
        nb["metadata"]["cnnbook"] = {
            "fingerprint": notebook_pairs.fingerprint(nb)
        }
    ipynb_path(repo).write_text(json.dumps(nb, indent=1) + "\n", "utf-8")


def code_cells(nb: dict) -> list[tuple[int, dict]]:
    """(index in the notebook, cell) of each code cell."""
    return [
        (i, c) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
    ]


def fail_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("FAIL ")]


@pytest.fixture
def pairs(monkeypatch, capsys):
    """``pairs(repo)``: the pairing gate's exit status and FAIL lines."""

    def check(repo: Path) -> tuple[int, list[str]]:
        monkeypatch.setattr(notebook_pairs, "ROOT", repo)
        monkeypatch.setattr(notebook_pairs, "CHAPTERS", repo / "chapters")
        monkeypatch.setattr(check_notebooks, "CHAPTERS", repo / "chapters")
        capsys.readouterr()
        status = check_notebooks.main()
        return status, fail_lines(capsys.readouterr().err)

    return check


def test_the_tiny_chapter_passes_as_executed(executed, pairs):
    assert pairs(executed) == (0, [])
    nb = read_nb(executed)
    assert [c["execution_count"] for _, c in code_cells(nb)] == [1, 2, 3, 4, 5]


def test_the_gate_command_fails_with_status_1(repo):
    md = md_path(repo)
    md.write_text(
        md.read_text("utf-8").replace("x = 2 + 2", "x = 2 + 3"), "utf-8"
    )
    done = run(repo, "tools/check_notebooks.py")
    assert done.returncode == 1
    assert fail_lines(done.stderr) == [
        f"FAIL chapters/{CHAPTER}.ipynb: cell 2 (code, nbval's Cell 1) "
        f"differs between .md and .ipynb; the .md cell starts 'x = 2 + 3'; "
        + RESTORE
    ]


def test_md_edited_without_executing_fails_naming_the_cell(repo, pairs):
    md = md_path(repo)
    md.write_text(
        md.read_text("utf-8").replace("x = 2 + 2", "x = 2 + 3"), "utf-8"
    )
    status, fails = pairs(repo)
    assert status == 1
    assert fails == [
        f"FAIL chapters/{CHAPTER}.ipynb: cell 2 (code, nbval's Cell 1) "
        f"differs between .md and .ipynb; the .md cell starts 'x = 2 + 3'; "
        + RESTORE
    ]


def test_the_changed_line_of_a_long_cell_is_shown(repo, pairs):
    md = md_path(repo)
    md.write_text(
        md.read_text("utf-8").replace("assert x == 4\n", "assert x == 4, x\n"),
        "utf-8",
    )
    status, fails = pairs(repo)
    assert status == 1
    assert fails == [
        f"FAIL chapters/{CHAPTER}.ipynb: cell 2 (code, nbval's Cell 1) "
        f"differs between .md and .ipynb; the .md cell starts 'x = 2 + 2'; "
        f"its line 2 differs: 'assert x == 4, x'; " + RESTORE
    ]


def test_md_prose_edited_without_executing_fails(repo, pairs):
    md = md_path(repo)
    md.write_text(
        md.read_text("utf-8").replace("Prose between", "Words between"),
        "utf-8",
    )
    status, fails = pairs(repo)
    assert status == 1
    assert len(fails) == 1
    assert "cell 4 (markdown) differs" in fails[0]


def test_md_not_canonical_fails_naming_the_line(repo, pairs):
    md = md_path(repo)
    text = md.read_text("utf-8")
    # Same cells, other form: a code cell without its lexer name.
    md.write_text(
        text.replace(
            "```{code-cell} ipython3\nsquares", "```{code-cell}\nsquares"
        ),
        "utf-8",
    )
    line = 1 + text.splitlines().index("squares = [i * i for i in range(x)]")
    status, fails = pairs(repo)
    assert status == 1
    assert fails == [
        f"FAIL chapters/{CHAPTER}.md: not in jupytext's canonical MyST form "
        f"(first difference at line {line - 1}); `make notebooks` rewrites "
        "it"
    ]


def test_unexecuted_code_cell_fails_naming_the_cell(repo, pairs):
    nb = read_nb(repo)
    index, cell = code_cells(nb)[4]
    cell["execution_count"] = None
    cell["outputs"] = []
    write_nb(repo, nb)
    status, fails = pairs(repo)
    assert status == 1
    assert (
        f"FAIL chapters/{CHAPTER}.ipynb: cell {index} (nbval's Cell 4) was "
        "never executed"
    ) in fails


def test_cells_executed_out_of_order_fail(repo, pairs):
    nb = read_nb(repo)
    (_, first), (_, second) = code_cells(nb)[:2]
    first["execution_count"], second["execution_count"] = 2, 1
    write_nb(repo, nb)
    status, fails = pairs(repo)
    assert status == 1
    assert (
        f"FAIL chapters/{CHAPTER}.ipynb: cells were not executed once, top "
        "to bottom, in a fresh kernel (execution counts [2, 1, 3, 4, 5]...); "
        + RESTORE
    ) in fails


def test_cell_ending_with_semicolon_fails_naming_the_cell(repo, pairs):
    md = md_path(repo)
    md.write_text(
        md.read_text("utf-8").replace("\nsquares\n", "\nsquares;\n"), "utf-8"
    )
    nb = read_nb(repo)
    index, cell = code_cells(nb)[4]
    cell["source"] = "".join(cell["source"]).replace("\nsquares", "\nsquares;")
    write_nb(repo, nb)
    status, fails = pairs(repo)
    assert status == 1
    assert fails[0].startswith(
        f"FAIL chapters/{CHAPTER}.md: cell {index} (nbval's Cell 4) ends "
        "with ';'"
    ), fails


def test_stored_error_fails_unless_tagged(repo, pairs):
    nb = read_nb(repo)
    index, cell = code_cells(nb)[3]
    cell["outputs"] = [
        {
            "output_type": "error",
            "ename": "ZeroDivisionError",
            "evalue": "division by zero",
            "traceback": [],
        }
    ]
    write_nb(repo, nb)
    status, fails = pairs(repo)
    assert status == 1
    assert (
        f"FAIL chapters/{CHAPTER}.ipynb: cell {index} "
        "(nbval's Cell 3) stored an error: ZeroDivisionError"
    ) in fails


def test_missing_or_orphan_notebook_fails(repo, pairs):
    shutil.move(ipynb_path(repo), repo / "chapters" / "02_orphan.ipynb")
    status, fails = pairs(repo)
    assert status == 1
    assert fails == [
        f"FAIL chapters/{CHAPTER}.md: no executed notebook {CHAPTER}.ipynb;"
        f" run `make notebooks CHAPTERS={CHAPTER}`",
        "FAIL chapters/02_orphan.ipynb: has no paired .md source",
    ]


SHOWN = 'def double(x):\n    """Twice x."""\n    return 2 * x'


def add_source_listing(repo: Path, package_source: str) -> int:
    """Give the tiny chapter a ``show_source`` cell as `make notebooks`
    stores it, and the repository a package holding ``package_source``;
    return the cell's index."""
    (repo / "cnnbook").mkdir()
    (repo / "cnnbook" / "double.py").write_text(package_source, "utf-8")
    md = md_path(repo)
    md.write_text(
        md.read_text("utf-8") + "\n```{code-cell} ipython3\n"
        "show_source(double)\n```\n",
        "utf-8",
    )
    nb = read_nb(repo)
    nb["cells"].append(
        {
            "cell_type": "code",
            "execution_count": 6,
            "id": "listing",
            "metadata": {},
            "source": "show_source(double)",
            "outputs": [
                {
                    "output_type": "execute_result",
                    "execution_count": 6,
                    "metadata": {},
                    "data": {"text/plain": SHOWN},
                }
            ],
        }
    )
    write_nb(repo, nb, stamp=True)
    return len(nb["cells"]) - 1


def test_source_listing_that_matches_the_package_passes(repo, pairs):
    add_source_listing(repo, f"import math\n\n\n{SHOWN}\n")
    assert pairs(repo) == (0, [])


def test_stale_source_listing_fails_naming_the_cell(repo, pairs):
    changed = SHOWN.replace("2 * x", "x + x")
    index = add_source_listing(repo, f"{changed}\n")
    status, fails = pairs(repo)
    assert status == 1
    assert fails == [
        f"FAIL chapters/{CHAPTER}.ipynb: cell {index} (nbval's Cell 5) "
        "shows the source of double as it was when the chapter ran, and "
        "cnnbook has changed since; re-execute with `make notebooks "
        f"CHAPTERS={CHAPTER}`"
    ]


def test_failed_execution_leaves_both_files_as_they_were(repo):
    md = md_path(repo)
    broken = md.read_text("utf-8").replace("assert x == 4", "assert x == 5")
    md.write_text(broken, "utf-8")
    before = ipynb_path(repo).read_bytes()
    done = run(repo, "tools/execute_notebooks.py")
    assert done.returncode == 1
    assert f"FAILED {CHAPTER}.md" in done.stderr
    assert "AssertionError" in done.stderr
    assert ipynb_path(repo).read_bytes() == before
    assert md.read_text("utf-8") == broken


def nbval(repo: Path) -> subprocess.CompletedProcess:
    """`make nbval`'s flags, on the tiny chapter."""
    return run(
        repo,
        "-m",
        "pytest",
        "--nbval",
        "--nbval-current-env",
        "--nbval-sanitize-with",
        "tests/nbval_sanitize.cfg",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",
        "-q",
        f"chapters/{CHAPTER}.ipynb",
    )


def test_nbval_passes_the_executed_chapter(executed):
    # The second cell prints a fresh memory address each run: the
    # project's sanitize file is what makes it compare equal.
    done = nbval(executed)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "5 passed" in done.stdout


def test_nbval_fails_when_one_stored_output_changed(repo):
    nb = read_nb(repo)
    _, cell = code_cells(nb)[3]
    stream = cell["outputs"][0]
    text = "".join(stream["text"])
    assert text.startswith("ten times: 40;")
    stream["text"] = text.replace("ten times: 40", "ten times: 41")
    write_nb(repo, nb)
    done = nbval(repo)
    assert done.returncode == 1
    # nbval counts code cells only, from 0 (check_notebooks.py counts
    # all cells): the second code cell is its "Cell 1".
    assert f"{CHAPTER}.ipynb::Cell 3" in done.stdout, done.stdout
    assert "1 failed, 4 passed" in done.stdout
    assert "ten times: 41" in done.stdout and "ten times: 40" in done.stdout


def test_a_hidden_check_is_still_compared_by_nbval(repo):
    # The HTML folds a `check` cell to its line; nbval still compares
    # that line, so a check that stopped holding cannot pass unseen.
    nb = read_nb(repo)
    _, cell = code_cells(nb)[2]
    assert "check" in cell["metadata"]["tags"]
    result = cell["outputs"][0]
    assert "".join(result["data"]["text/plain"]) == "\u2713 x is even"
    result["data"]["text/plain"] = "\u2713 x is odd"
    write_nb(repo, nb, stamp=True)
    done = nbval(repo)
    assert done.returncode == 1
    assert f"{CHAPTER}.ipynb::Cell 2" in done.stdout, done.stdout
    assert "1 failed, 4 passed" in done.stdout


def test_outputs_saved_by_another_tool_fail_with_the_way_back(repo, pairs):
    # JupyterLab's autosave after "Run All": same cells, new counts and
    # outputs, no fresh fingerprint.
    nb = read_nb(repo)
    for k, (_, cell) in enumerate(code_cells(nb), start=7):
        cell["execution_count"] = k
        for out in cell["outputs"]:
            if "execution_count" in out:
                out["execution_count"] = k
    write_nb(repo, nb)
    status, fails = pairs(repo)
    assert status == 1
    assert (
        f"FAIL chapters/{CHAPTER}.ipynb: was changed after `make notebooks` "
        "executed it (its cells or outputs no longer match the fingerprint "
        "stored when it ran; e.g. JupyterLab saved it after running "
        "cells), so the book would show those outputs; " + RESTORE
    ) in fails


def replace_cell(
    repo: Path, old: str, new: str, outputs=None, tags=None
) -> int:
    """Change one code cell in both files (as if `make notebooks` ran);
    return its nbval number."""
    md = md_path(repo)
    md.write_text(md.read_text("utf-8").replace(old, new), "utf-8")
    nb = read_nb(repo)
    for k, (_, cell) in enumerate(code_cells(nb)):
        if "".join(cell["source"]).strip() == old.strip():
            cell["source"] = new.strip()
            if outputs is not None:
                cell["outputs"] = outputs
            if tags is not None:
                cell["metadata"]["tags"] = tags
            write_nb(repo, nb, stamp=True)
            return k
    raise AssertionError(f"no cell {old!r}")


def stream(text: str) -> list[dict]:
    return [{"output_type": "stream", "name": "stdout", "text": text}]


def test_printed_rounding_noise_fails_naming_the_cell(repo, pairs):
    old = 'print(f"ten times: {x * 10}; an address that changes: {object()}")'
    k = replace_cell(
        repo, old, 'print("error", 6.1e-10)', outputs=stream("error 6.1e-10\n")
    )
    status, fails = pairs(repo)
    assert status == 1
    assert len(fails) == 1, fails
    assert fails[0].startswith(
        f"FAIL chapters/{CHAPTER}.ipynb: cell 5 (nbval's Cell {k}) prints "
        "rounding noise"
    )
    assert "'6.1e-10' (a value below 1e-6 that is not a bound)" in fails[0]


@pytest.mark.parametrize(
    "printed",
    [
        "max error < 1e-08",
        "agree to 1e-15",
        "loss 0.3142",
        "742 of 750",
        "VGG [arXiv:1409.1556, 2014]",
    ],
)
def test_bounds_and_rounded_values_are_not_noise(repo, pairs, printed):
    old = 'print(f"ten times: {x * 10}; an address that changes: {object()}")'
    replace_cell(
        repo, old, f"print({printed!r})", outputs=stream(printed + "\n")
    )
    assert pairs(repo) == (0, [])


def test_too_many_digits_fail_and_opting_out_needs_a_reason(repo, pairs):
    old = "squares = [i * i for i in range(x)]\nsquares"
    new = "98.93333333333334"
    k = replace_cell(
        repo,
        old,
        new,
        outputs=[
            {
                "output_type": "execute_result",
                "execution_count": 5,
                "metadata": {},
                "data": {"text/plain": new},
            }
        ],
    )
    status, fails = pairs(repo)
    assert status == 1
    assert f"(nbval's Cell {k}) prints rounding noise" in fails[0]
    assert "(16 significant digits)" in fails[0]
    nb = read_nb(repo)
    code_cells(nb)[k][1]["metadata"]["tags"] = ["noise-ok"]
    write_nb(repo, nb, stamp=True)
    status, fails = pairs(repo)
    assert status == 1
    assert "is tagged 'noise-ok' without a reason" in fails[0]
    code_cells(nb)[k][1]["metadata"]["noise-ok-reason"] = (
        "742/750 in float64, the same on every machine"
    )
    write_nb(repo, nb, stamp=True)
    assert pairs(repo) == (0, [])


def test_a_check_cell_must_end_in_checked(repo, pairs):
    old = 'assert x % 2 == 0\nchecked("x is even")'
    k = replace_cell(
        repo, old, "assert x % 2 == 0", outputs=[], tags=["check"]
    )
    status, fails = pairs(repo)
    assert status == 1
    assert fails == [
        f"FAIL chapters/{CHAPTER}.md: cell 3 (nbval's Cell {k}) is tagged "
        "`check` but does not end with checked(...) saying what it "
        "verified"
    ]


def test_a_check_cell_may_end_in_checked_over_several_lines(repo, pairs):
    old = 'assert x % 2 == 0\nchecked("x is even")'
    new = 'assert x % 2 == 0\nchecked(\n    "x is even",\n    "x is 4",\n)'
    replace_cell(
        repo,
        old,
        new,
        outputs=[
            {
                "output_type": "execute_result",
                "execution_count": None,
                "metadata": {},
                "data": {"text/plain": "\u2713 x is even; x is 4"},
            }
        ],
        tags=["check"],
    )
    assert pairs(repo) == (0, [])


def test_checked_outside_a_check_cell_fails(repo, pairs):
    nb = read_nb(repo)
    _, cell = code_cells(nb)[2]
    cell["metadata"]["tags"] = []
    write_nb(repo, nb, stamp=True)
    md = md_path(repo)
    md.write_text(
        md.read_text("utf-8").replace(":tags: [check]\n\n", ""), "utf-8"
    )
    status, fails = pairs(repo)
    assert status == 1
    assert fails == [
        f"FAIL chapters/{CHAPTER}.md: cell 3 (nbval's Cell 2) ends with "
        "checked(...) but is not tagged `check`: tag it, so the HTML "
        "folds it"
    ]


def test_the_first_code_cell_must_be_the_setup(repo, pairs):
    md = md_path(repo)
    md.write_text(
        md.read_text("utf-8").replace(":tags: [setup]\n\n", "", 1), "utf-8"
    )
    nb = read_nb(repo)
    code_cells(nb)[0][1]["metadata"]["tags"] = []
    write_nb(repo, nb, stamp=True)
    status, fails = pairs(repo)
    assert status == 1
    assert fails == [
        f"FAIL chapters/{CHAPTER}.md: cell 1 (nbval's Cell 0): the first "
        "code cell is the chapter's set-up (imports, seeds); tag it `setup`"
    ]


def test_a_prose_only_change_is_synced_without_running_the_code(repo, pairs):
    """The cell printing an address would print another one if it ran:
    after a prose edit the stored outputs are exactly those executed."""
    md = md_path(repo)
    before = json.loads(ipynb_path(repo).read_text("utf-8"))
    md.write_text(
        md.read_text("utf-8").replace("Prose between", "Words between"),
        "utf-8",
    )
    done = run(repo, "tools/execute_notebooks.py")
    assert done.returncode == 0, done.stderr
    assert f"prose only: {CHAPTER}.md" in done.stdout
    after = json.loads(ipynb_path(repo).read_text("utf-8"))
    outputs = [c.get("outputs") for c in before["cells"]]
    assert [c.get("outputs") for c in after["cells"]] == outputs
    assert "Words between the cells." in [
        "".join(c["source"]) for c in after["cells"]
    ]
    assert pairs(repo) == (0, [])


def test_a_code_change_is_executed_even_beside_prose(repo, pairs):
    md = md_path(repo)
    md.write_text(
        md.read_text("utf-8")
        .replace("Prose between", "Words between")
        .replace("ten times: {x * 10}", "ten times: {x * 10}!"),
        "utf-8",
    )
    done = run(repo, "tools/execute_notebooks.py")
    assert done.returncode == 0, done.stderr
    assert f"executing {CHAPTER}.md" in done.stdout
    assert "ten times: 40!" in ipynb_path(repo).read_text("utf-8")
    assert pairs(repo) == (0, [])


def test_prose_is_not_synced_onto_outputs_saved_by_another_tool(repo):
    """A notebook whose outputs no longer match its fingerprint is run
    again, never blessed by a prose edit."""
    ipynb = ipynb_path(repo)
    nb = json.loads(ipynb.read_text("utf-8"))
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            if "text" in out:
                out["text"] = "tampered\n"
    ipynb.write_text(json.dumps(nb), "utf-8")
    md = md_path(repo)
    md.write_text(
        md.read_text("utf-8").replace("Prose between", "Words between"),
        "utf-8",
    )
    done = run(repo, "tools/execute_notebooks.py")
    assert done.returncode == 0, done.stderr
    assert f"executing {CHAPTER}.md" in done.stdout
    assert "tampered" not in ipynb.read_text("utf-8")
