"""Gate: every chapter's .md and .ipynb hold the same cells, executed.

Changes no file. Fails (exit 1) naming the chapter and the cell when:
- a chapter .md has no .ipynb, or an .ipynb has no .md;
- their cells differ (someone edited the .md without re-executing);
- the .md is not in jupytext's canonical form;
- a code cell of the .ipynb was never executed, or was not executed in
  order in a fresh kernel, or stored an unexpected error;
- a ``show_source(...)`` cell stores a listing that is no longer in
  ``cnnbook`` (the package changed after the chapter was executed);
- a cell displays a widget whose state the notebook does not store
  (JupyterLab saved it after running it).
"""

from __future__ import annotations

import sys

from notebook_pairs import CHAPTERS, Problem, chapter_sources, check_pair


def main() -> int:
    problems: list[Problem] = []
    sources = chapter_sources()
    for md in sources:
        problems += check_pair(md)
    for ipynb in sorted(CHAPTERS.glob("*.ipynb")):
        if not ipynb.with_suffix(".md").exists():
            problems.append(Problem(ipynb, "has no paired .md source"))
    for problem in problems:
        print(f"FAIL {problem}", file=sys.stderr)
    if problems:
        files = len({problem.path.stem for problem in problems})
        print(
            f"pairs: {len(problems)} problems in {files} chapters; "
            "`make book` builds only from chapters that pass",
            file=sys.stderr,
        )
        return 1
    print(f"pairs: {len(sources)} chapters in sync and executed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
