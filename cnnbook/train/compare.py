r"""Comparing training recipes honestly: several seeds, a mean, a spread,
and a verdict that says when a difference is within the noise.

With :math:`n` seeds per recipe, scores :math:`a_i` and :math:`b_i`, the
difference of the means :math:`d = \bar a - \bar b` has standard error
:math:`s = \sqrt{s_a^2/n_a + s_b^2/n_b}` (sample standard deviations).
:func:`verdict` calls a difference *clear* when :math:`|d| > 2s` and
:math:`|d|` is at least ``resolution`` (one example of the evaluation set,
say); otherwise *within noise*. Two seeds' worth of runs cannot settle a
small effect, and the verdict says so rather than pretending.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .._validation import as_list, check_callable, check_int, check_number

__all__ = [
    "SeedRuns",
    "compare_table",
    "paired_verdict",
    "run_seeds",
    "verdict",
]


@dataclass
class SeedRuns:
    """Scores of one recipe over several seeds."""

    name: str
    scores: list[float]

    def __post_init__(self):
        func = "SeedRuns"
        if not isinstance(self.name, str):
            raise TypeError(
                f"{func}: name must be a str, got {type(self.name).__name__}"
            )
        self.scores = [
            check_number(s, f"scores[{i}]", func)
            for i, s in enumerate(
                as_list(self.scores, "scores", func, what="numbers")
            )
        ]
        if not self.scores:
            raise ValueError(
                f"{func}: scores is empty; a recipe needs the "
                "score of at least one seed"
            )

    @property
    def mean(self) -> float:
        return statistics.fmean(self.scores)

    @property
    def sd(self) -> float:
        return statistics.stdev(self.scores) if len(self.scores) > 1 else 0.0

    def __str__(self) -> str:
        return (
            f"{self.name}: {self.mean:.4f} +- {self.sd:.4f} "
            f"(min {min(self.scores):.4f}, max {max(self.scores):.4f},"
            f" {len(self.scores)} seeds)"
        )


def run_seeds(
    name: str, train_and_score: Callable[[int], float], seeds: Iterable[int]
) -> SeedRuns:
    """Call ``train_and_score(seed)`` for each seed."""
    check_callable(train_and_score, "train_and_score", "run_seeds")
    seeds = as_list(seeds, "seeds", "run_seeds", what="int seeds")
    return SeedRuns(name, [float(train_and_score(s)) for s in seeds])


def verdict(a: SeedRuns, b: SeedRuns, resolution: float = 0.0) -> str:
    """``"clear"`` or ``"within noise"``, with the numbers behind it."""
    for name, runs in (("a", a), ("b", b)):
        if not isinstance(runs, SeedRuns):
            raise TypeError(
                f"verdict: {name} must be SeedRuns, got {type(runs).__name__}"
            )
    resolution = check_number(resolution, "resolution", "verdict", minimum=0)
    d = a.mean - b.mean
    se = math.sqrt(a.sd**2 / len(a.scores) + b.sd**2 / len(b.scores))
    clear = abs(d) > 2 * se and abs(d) >= resolution
    return (
        f"{a.name} - {b.name} = {d:+.4f} (2 x s.e. = {2 * se:.4f}): "
        f"{'clear' if clear else 'within noise'}"
    )


def compare_table(runs: Sequence[SeedRuns], digits: int = 3) -> str:
    """Mean, standard deviation and range of each recipe, one per line."""
    func = "compare_table"
    runs = as_list(runs, "runs", func, what="SeedRuns")
    if not runs:
        raise ValueError(f"{func}: runs is empty; pass at least one SeedRuns")
    for i, r in enumerate(runs):
        if not isinstance(r, SeedRuns):
            raise TypeError(
                f"{func}: runs[{i}] must be SeedRuns, got {type(r).__name__}"
            )
    digits = check_int(digits, "digits", func, minimum=0)
    width = max(len(r.name) for r in runs)
    lines = [
        f"{'recipe':<{width}}  {'mean':>7}  {'sd':>7}  {'min':>7}  {'max':>7}"
    ]
    for r in runs:
        lines.append(
            f"{r.name:<{width}}  {r.mean:7.{digits}f}  {r.sd:7.{digits}f}  "
            f"{min(r.scores):7.{digits}f}  {max(r.scores):7.{digits}f}"
        )
    return "\n".join(lines)


def paired_verdict(a: SeedRuns, b: SeedRuns, resolution: float = 0.0) -> str:
    r""":func:`verdict` for two recipes run with the *same* seeds.

    When seed :math:`i` gives both recipes the same data, initial weights
    or batch order, much of the seed-to-seed spread is shared and cancels
    in the differences :math:`d_i = a_i - b_i`. The standard error is
    then that of their mean, :math:`s_d / \sqrt{n}`, often far smaller
    than the unpaired one. ``a.scores[i]`` and ``b.scores[i]`` must come
    from the same seed. *Clear* means :math:`|\bar d| > 2 s_d/\sqrt{n}`
    and :math:`|\bar d| \ge` ``resolution``, as for :func:`verdict` (with
    three seeds a strict 95% test would need about 4.3 standard errors).
    """
    for name, runs in (("a", a), ("b", b)):
        if not isinstance(runs, SeedRuns):
            raise TypeError(
                f"paired_verdict: {name} must be SeedRuns, got "
                f"{type(runs).__name__}"
            )
    n = len(a.scores)
    if n != len(b.scores) or n < 2:
        raise ValueError(
            "paired_verdict: a and b need scores for the same seeds, at "
            f"least 2, got {len(a.scores)} and {len(b.scores)}"
        )
    diffs = [x - y for x, y in zip(a.scores, b.scores, strict=True)]
    d = statistics.fmean(diffs)
    se = statistics.stdev(diffs) / math.sqrt(n)
    clear = abs(d) > 2 * se and abs(d) >= resolution
    return (
        f"{a.name} - {b.name} = {d:+.4f} (paired over {n} seeds, "
        f"2 x s.e. = {2 * se:.4f}): "
        f"{'clear' if clear else 'within noise'}"
    )
