"""Measure what each chapter costs under nbval, against its budget.

    .venv/bin/python tools/chapter_times.py [NN_slug ...]

Runs nbval on each chapter alone and reports its CPU seconds (user +
sys of pytest and the kernel it starts), which depend little on what
else the machine is doing, and its wall seconds, which do. Compares the
CPU seconds with ``tools/budget.toml``. A benchmark, not a test: the
tests never time anything.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(stem: str) -> tuple[float, float, bool]:
    before, start = children_cpu(), time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "--nbval",
            "--nbval-current-env",
            "--nbval-sanitize-with",
            "tests/nbval_sanitize.cfg",
            "-p",
            "no:cacheprovider",
            f"chapters/{stem}.ipynb",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0", "CNNBOOK_PROGRESS": "0"},
    )
    return (
        children_cpu() - before,
        time.perf_counter() - start,
        done.returncode == 0,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="chapter stems")
    args = parser.parse_args()
    budget = tomllib.loads((ROOT / "tools" / "budget.toml").read_text())[
        "chapters"
    ]
    stems = args.chapters or sorted(
        p.stem for p in (ROOT / "chapters").glob("*.ipynb")
    )
    over = 0
    total = 0.0
    print(f"{'chapter':34s} {'CPU s':>7s} {'budget':>7s} {'wall s':>7s}")
    for stem in stems:
        cpu, wall, ok = measure(stem)
        total += cpu
        limit = budget.get(stem)
        flag = "" if ok else "  (nbval FAILED)"
        if limit is None:
            flag += "  (no budget in tools/budget.toml)"
        elif cpu > limit:
            flag += "  OVER BUDGET"
            over += 1
        print(f"{stem:34s} {cpu:7.0f} {limit or 0:7d} {wall:7.0f}{flag}")
    print(f"{'total':34s} {total:7.0f} {sum(budget.values()):7d}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
