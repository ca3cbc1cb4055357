"""Execute chapters and store their outputs (``make notebooks``).

For each chapter whose .ipynb is missing, out of date with its .md, or not
fully executed (or every chapter with ``--force``, or those named), run
the .md top to bottom in a fresh kernel and write the executed .ipynb,
widget state included. The .md is rewritten in jupytext's canonical form.
Files are replaced atomically, and only after a successful run: a chapter
that fails leaves both files as they were.

A chapter whose only change is prose (markdown cells edited; every code
cell, its tags and the notebook's metadata as executed) is not run
again: its markdown cells are copied into the executed notebook, whose
outputs stay those that ``make notebooks`` produced (the stored
fingerprint must still match them), and the fingerprint is renewed.
Markdown cells are never executed, so the outputs nbval compares are the
same either way; a typo fix does not cost a chapter's training runs.
``--force`` runs the code anyway.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from notebook_pairs import (
    CHAPTERS,
    canonical_text,
    chapter_sources,
    check_pair,
    fingerprint,
    stored_fingerprint,
)

from cnnbook._atomic import atomic_write_text


def out_of_date(md: Path) -> bool:
    problems = check_pair(md)
    # Only problems that executing the chapter would fix; a noise or
    # pattern problem in the .md needs an edit first, and executing
    # again cannot fix it.
    return any("canonical" not in p.message for p in problems)


def _code_as_run(cell) -> tuple:
    return (cell.cell_type, cell.source.strip(), cell.metadata.get("tags", []))


def sync_prose(md: Path) -> bool:
    """Copy the .md's markdown cells into its executed notebook when they
    are all that changed; returns whether it did (see the module text)."""
    ipynb = md.with_suffix(".ipynb")
    if not ipynb.exists():
        return False
    stored = nbformat.read(ipynb, as_version=4)
    if stored_fingerprint(stored) != fingerprint(stored):
        return False  # outputs not (or no longer) those make notebooks made
    source = jupytext.read(md)
    if len(source.cells) != len(stored.cells) or (
        source.metadata.get("kernelspec") != stored.metadata.get("kernelspec")
    ):
        return False
    changed = False
    for new, old in zip(source.cells, stored.cells, strict=True):
        if new.cell_type != old.cell_type:
            return False
        if new.cell_type == "code":
            if _code_as_run(new) != _code_as_run(old):
                return False
        elif (new.source, new.metadata) != (old.source, old.metadata):
            old.source, old.metadata = new.source, new.metadata
            changed = True
    if not changed:
        return False
    stored.metadata["cnnbook"] = {"fingerprint": fingerprint(stored)}
    atomic_write_text(ipynb, nbformat.writes(stored) + "\n")
    canonical = canonical_text(md)
    if canonical != md.read_text(encoding="utf-8"):
        atomic_write_text(md, canonical)
    return True


def execute(md: Path, timeout: int) -> None:
    nb = jupytext.read(md)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(CHAPTERS)}},
        store_widget_state=True,
    )
    client.execute()
    # What was just executed; the pairs gate recomputes it, so outputs
    # saved later by another tool are caught (see notebook_pairs).
    nb.metadata["cnnbook"] = {"fingerprint": fingerprint(nb)}
    atomic_write_text(md.with_suffix(".ipynb"), nbformat.writes(nb) + "\n")
    canonical = canonical_text(md)
    if canonical != md.read_text(encoding="utf-8"):
        atomic_write_text(md, canonical)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "chapters", nargs="*", help="chapter stems or paths (default: all)"
    )
    parser.add_argument(
        "--force", action="store_true", help="execute even if up to date"
    )
    parser.add_argument(
        "--timeout", type=int, default=900, help="seconds allowed per cell"
    )
    args = parser.parse_args()
    failed = 0
    for md in chapter_sources(args.chapters):
        if not (args.force or args.chapters or out_of_date(md)):
            print(f"up to date: {md.name}")
            continue
        if not args.force and sync_prose(md):
            print(
                f"prose only: {md.name} (markdown cells copied, code not run)"
            )
            continue
        start = time.perf_counter()
        print(f"executing {md.name} ...", flush=True)
        try:
            execute(md, args.timeout)
        except CellExecutionError as err:
            failed += 1
            print(f"FAILED {md.name}: {err}", file=sys.stderr)
            continue
        print(
            f"  wrote {md.with_suffix('.ipynb').name} in "
            f"{time.perf_counter() - start:.0f} s"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
