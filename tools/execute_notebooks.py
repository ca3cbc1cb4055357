"""Execute chapters and store their outputs (``make notebooks``).

For each chapter whose .ipynb is missing, out of date with its .md, or not
fully executed (or every chapter with ``--force``, or those named), run
the .md top to bottom in a fresh kernel and write the executed .ipynb,
widget state included. The .md is rewritten in jupytext's canonical form.
Files are replaced atomically, and only after a successful run: a chapter
that fails leaves both files as they were.
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
)

from cnnbook._atomic import atomic_write_text


def out_of_date(md: Path) -> bool:
    problems = check_pair(md)
    # Only problems that executing the chapter would fix; a noise or
    # pattern problem in the .md needs an edit first, and executing
    # again cannot fix it.
    return any("canonical" not in p.message for p in problems)


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
