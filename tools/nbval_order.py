"""Print the chapter notebooks longest first, for ``make nbval``.

nbval runs the chapters on two workers (pytest-xdist, one chapter per
worker at a time). Handing out the longest chapters first, by their CPU
budget in ``tools/budget.toml``, keeps both workers busy until the end
instead of leaving one chapter running alone on one core. Chapters
without a budget come last.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def ordered() -> list[str]:
    with open(ROOT / "tools" / "budget.toml", "rb") as file:
        budget = tomllib.load(file)["chapters"]
    notebooks = sorted((ROOT / "chapters").glob("[0-9]*.ipynb"))
    notebooks.sort(key=lambda p: -budget.get(p.stem, 0))
    return [p.relative_to(ROOT).as_posix() for p in notebooks]


if __name__ == "__main__":
    print(" ".join(ordered()))
