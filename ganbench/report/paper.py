"""Paper vs. ganbench: compare published numbers with a suite's records, and judge them.

(The page that shows the comparison is :mod:`ganbench.report.paper_page`.)

Each published number is judged by the paper's own spread where it gives one:
with a standard error (or std) over ``n_runs`` runs, the two means are
compared by Welch's t-test from summary statistics (the paper's std is
s.e. × √n_runs); "matched" means not significantly different at α = 0.05.
When the paper gives no spread, a number is matched when it lies inside
ganbench's 95 % CI over seeds (judged by our spread alone, and said so).
A budget that runs only some variants (:class:`RunScope`) leaves the other
rows, and the claims about them, "not run", each with the command that runs it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ganbench.papers import Claim, Paper, PaperMetric, Published, PublishedRow
from ganbench.report.format import fmt_mean_ci, fmt_num, fmt_p
from ganbench.report.stats import welch_p

ALPHA = 0.05
# a non-significant difference counts as "matched" only if ganbench's standard error is
# at most this many times the paper's (else the test has little power: "inconclusive")
INCONCLUSIVE_RATIO = 2.0
SPREAD_WORDS = {
    "standard_error": "± standard error",
    "std": "± standard deviation",
    "ci95": "± 95% CI half-width",
    "none": "no spread given",
}


@dataclass(frozen=True)
class RunScope:
    """Which published rows a run covers, and the command that runs each of the others."""

    budget: str  # cpu, gpu or full
    variants: tuple[str, ...] | None = None  # the variants run (None: every one)
    commands: Mapping[str, str] = field(default_factory=dict)  # variant → command running it

    def runs(self, coords: Mapping[str, str]) -> bool:
        """Whether the entry at ``coords`` was run (a row without a variant always is)."""
        variant = coords.get("variant")
        return self.variants is None or variant is None or variant in self.variants

    def command(self, coords: Mapping[str, str]) -> str:
        """The command that runs the entry at ``coords`` (``""`` when it was run)."""
        return "" if self.runs(coords) else self.commands.get(coords.get("variant") or "", "")


@dataclass
class Comparison:
    """One published number next to ganbench's, with the verdict."""

    row: str
    dataset: str
    metric: str
    column: str
    paper: float  # in ganbench units
    paper_spread: float | None
    ours_mean: float
    ours_ci: float
    ours_n: int
    n_diverged: int = 0
    n_failed: int = 0
    matched: bool | None = None  # None: not judged, or inconclusive
    inconclusive: bool = False  # not significant, but ganbench's s.e. is far above the paper's
    p: float = math.nan
    verdict: str = ""
    paper_text: str = ""
    ours_text: str = ""
    not_run: bool = False  # the budget does not run this row's variant
    command: str = ""  # the command that runs it (when not run)


@dataclass
class ClaimCheck:
    """An ordinal claim of the paper checked on ganbench's numbers."""

    text: str
    holds: bool | None  # on ganbench's means (None: not judged or not run)
    detail: str
    not_run: bool = False  # an entry it compares is not run at this budget
    p: float | None = None  # Welch's two-sided p of a pairwise claim (None: not tested)

    @property
    def significant(self) -> bool | None:
        """Whether the pairwise gap is significant at :data:`ALPHA` (None: not tested)."""
        return None if self.p is None or math.isnan(self.p) else self.p < ALPHA


@dataclass(frozen=True)
class RowNotRun:
    """A published row that this budget does not run, and the command that runs it."""

    row: str
    dataset: str
    command: str


@dataclass
class PaperComparison:
    """Every comparison of a paper suite, and the tallies for the closing note."""

    rows: list[Comparison] = field(default_factory=list)
    claims: list[ClaimCheck] = field(default_factory=list)

    @property
    def matched(self) -> list[Comparison]:
        """Numbers matched within the paper's spread (or our CI)."""
        return [r for r in self.rows if r.matched]

    @property
    def unmatched(self) -> list[Comparison]:
        """Numbers not matched."""
        return [r for r in self.rows if r.matched is False]

    @property
    def inconclusive(self) -> list[Comparison]:
        """Not significantly different, but ganbench's spread is too wide to call it a match."""
        return [r for r in self.rows if r.inconclusive]

    @property
    def unjudged(self) -> list[Comparison]:
        """Numbers that could not be judged (no values, or too few seeds)."""
        return [r for r in self.rows if r.matched is None and not r.inconclusive and not r.not_run]

    @property
    def not_run(self) -> list[Comparison]:
        """Numbers of rows that this budget does not run."""
        return [r for r in self.rows if r.not_run]

    @property
    def rows_not_run(self) -> list[RowNotRun]:
        """Each published row not run (once, in the paper's order) with its command."""
        seen = {(c.row, c.dataset): RowNotRun(c.row, c.dataset, c.command) for c in self.not_run}
        return list(seen.values())


def _paper_se(pub: Published, pm: PaperMetric, paper: Paper) -> float | None:
    """The paper's standard error in ganbench units (``None`` without a spread)."""
    if pub.spread is None or paper.spread == "none":
        return None
    s = pub.spread * pm.scale
    if paper.spread == "standard_error":
        return s
    n = paper.n_runs or 0
    if paper.spread == "std":
        return s / math.sqrt(n) if n else None
    crit = float(stats.t.ppf(0.975, n - 1)) if n > 1 else 1.96
    return s / crit


def _judge(c: Comparison, ours: pd.Series | None, se_paper: float | None, paper: Paper) -> None:
    n_p = paper.n_runs or 0
    if ours is None or c.ours_n == 0:
        c.verdict = "not judged: no ganbench value (every seed failed or diverged)"
        return
    diff = c.ours_mean - c.paper
    if se_paper is not None and n_p >= 2 and c.ours_n >= 2:
        std_o = float(ours["std"]) if c.ours_n > 1 else 0.0
        std_p = se_paper * math.sqrt(n_p)
        if std_o == 0 and std_p == 0:
            c.p = 1.0 if diff == 0 else 0.0
        else:
            c.p = float(
                stats.ttest_ind_from_stats(
                    c.ours_mean, std_o, c.ours_n, c.paper, std_p, n_p, equal_var=False
                ).pvalue
            )
        c.matched = bool(c.p >= ALPHA)
        how = f"Welch p = {fmt_p(c.p)} vs the paper's spread"
        ratio = (std_o / math.sqrt(c.ours_n)) / se_paper if se_paper > 0 else math.inf
        if c.matched and ratio > INCONCLUSIVE_RATIO:
            c.matched, c.inconclusive = None, True
            c.verdict = (
                f"inconclusive: not significantly different ({how}), but ganbench's standard "
                f"error is {ratio:.1f}× the paper's, so the test has little power"
            )
            return
    elif se_paper is None and c.ours_n >= 2 and not math.isnan(c.ours_ci):
        c.matched = bool(abs(diff) <= c.ours_ci)
        how = "paper gives no spread: judged by ganbench's 95% CI alone"
    else:
        c.verdict = f"not judged: {c.ours_n} seed(s), need >= 2"
        return
    word = "matched" if c.matched else "higher" if diff > 0 else "lower"
    c.verdict = f"{word} ({how}; difference {fmt_num(diff)})"


def _not_run(paper: Paper, row: PublishedRow, metric: str, scope: RunScope) -> Comparison:
    """The comparison of a published number whose row this budget does not run."""
    pm = paper.metric(metric)
    assert pm is not None  # guaranteed by parse_paper
    pub = row.values[metric]
    command = scope.command(row.coords)
    return Comparison(
        **_published(row, metric, pm, pub),
        ours_mean=math.nan,
        ours_ci=math.nan,
        ours_n=0,
        verdict=f"not run: the {scope.budget} budget does not run this row ({command})",
        paper_text=fmt_mean_ci(pub.value, pub.spread),
        ours_text="not run",
        not_run=True,
        command=command,
    )


def _published(row: PublishedRow, metric: str, pm: PaperMetric, pub: Published) -> dict[str, Any]:
    """The paper side of a :class:`Comparison` (its row, metric and value in ganbench units)."""
    return {
        "row": row.row,
        "dataset": row.coords.get("dataset", ""),
        "metric": metric,
        "column": pm.column,
        "paper": pub.value * pm.scale,
        "paper_spread": None if pub.spread is None else pub.spread * pm.scale,
    }


def compare(
    paper: Paper,
    summary: pd.DataFrame,
    metrics: pd.DataFrame | None = None,
    scope: RunScope | None = None,
) -> PaperComparison:
    """Compare every published number of ``paper`` with ``summary`` (from :func:`summarize`).

    ``metrics`` (the per-seed frame) lets the paper's ordinal claims be tested too;
    ``scope`` says which rows the budget ran (the others, and claims about them,
    are "not run").
    """
    out = PaperComparison()
    for row in paper.results:
        if scope is not None and not scope.runs(row.coords):
            out.rows.extend(_not_run(paper, row, m, scope) for m in row.values)
            continue
        sel = summary
        for k, v in row.coords.items():
            sel = sel[sel[k] == v] if len(sel) else sel
        for metric, pub in row.values.items():
            pm = paper.metric(metric)
            assert pm is not None  # guaranteed by parse_paper
            hit = sel[sel["metric"] == metric] if len(sel) else sel
            ours = hit.iloc[0] if len(hit) else None
            se = _paper_se(pub, pm, paper)
            c = Comparison(
                **_published(row, metric, pm, pub),
                ours_mean=float(ours["mean"]) if ours is not None else math.nan,
                ours_ci=float(ours["ci95"]) if ours is not None else math.nan,
                ours_n=int(ours["n"]) if ours is not None else 0,
                n_diverged=int(ours["n_diverged"]) if ours is not None else 0,
                n_failed=int(ours["n_failed"]) if ours is not None else 0,
            )
            c.paper_text = fmt_mean_ci(pub.value, pub.spread)
            c.ours_text = (
                fmt_mean_ci(c.ours_mean / pm.scale, c.ours_ci / pm.scale) if c.ours_n else "–"
            )
            _judge(c, ours, se, paper)
            out.rows.append(c)
    out.claims = [check_claim(cl, summary, metrics, scope) for cl in paper.claims]
    return out


def _entry(summary: pd.DataFrame, coords: Mapping[str, str], metric: str) -> pd.Series | None:
    sel = summary[summary["metric"] == metric]
    for k, v in coords.items():
        sel = sel[sel[k] == v]
    return sel.iloc[0] if len(sel) == 1 else None


def check_claim(
    claim: Claim,
    summary: pd.DataFrame,
    metrics: pd.DataFrame | None = None,
    scope: RunScope | None = None,
) -> ClaimCheck:
    """Does the claim hold on ganbench's means (and is a pairwise gap significant)?

    A claim about an entry that ``scope`` does not run is "not run" (with the command).
    """
    sides = [claim.first] if claim.kind in ("at_least", "at_most") else [claim.first, claim.second]
    missing = [s for s in sides if scope is not None and not scope.runs(s)]
    if scope is not None and missing:
        commands = sorted({scope.command(s) for s in missing})
        detail = f"not run: the {scope.budget} budget does not run {_entries(missing)}"
        return ClaimCheck(claim.text, None, f"{detail} ({'; '.join(commands)})", not_run=True)
    first = _entry(summary, claim.first, claim.metric) if len(summary) else None
    if first is None or first["n"] == 0:
        return ClaimCheck(claim.text, None, "not judged: the entry has no values")
    if claim.kind in ("at_least", "at_most"):
        holds = (
            first["mean"] >= claim.bound
            if claim.kind == "at_least"
            else first["mean"] <= claim.bound
        )
        op = "≥" if claim.kind == "at_least" else "≤"
        detail = f"{_exact(first['mean'])} {op} {_exact(claim.bound)}"
        return ClaimCheck(claim.text, bool(holds), detail)
    second = _entry(summary, claim.second, claim.metric)
    if second is None or second["n"] == 0:
        return ClaimCheck(claim.text, None, "not judged: an entry has no values")
    sign = -1 if claim.kind == "better" and not first["higher_is_better"] else 1
    holds = bool(sign * (first["mean"] - second["mean"]) > 0)
    detail = f"{fmt_num(first['mean'])} vs {fmt_num(second['mean'])}"
    p = None
    if metrics is not None and min(first["n"], second["n"]) >= 3:
        p = welch_p(_seed_values(metrics, first), _seed_values(metrics, second))
        detail += f" (Welch p = {fmt_p(p)})"
    return ClaimCheck(claim.text, holds, detail, p=p)


def _entries(coords: Sequence[Mapping[str, str]]) -> str:
    """``variant PacGAN4`` (the coordinates of entries, in words)."""
    return ", ".join(" ".join(f"{k} {v}" for k, v in c.items()) for c in coords)


def _exact(x: float) -> str:
    """Enough digits to see why a bound holds or not (``%.6g``)."""
    return f"{x:.6g}"


def _seed_values(metrics: pd.DataFrame, entry: pd.Series) -> np.ndarray:
    sel = metrics[metrics["metric"] == entry["metric"]]
    for k in ("dataset", "objective", "architecture", "variant"):
        sel = sel[sel[k] == entry[k]]
    return sel["value"].to_numpy(dtype=np.float64)


def budget_differences(
    base: Mapping[str, Any], run: Mapping[str, Any], prefix: str = "train"
) -> list[str]:
    """Settings that the budget changed, in words (``train.steps: ... 400000, this run 3000``)."""
    out = []
    for key in sorted(set(base) | set(run)):
        a, b = base.get(key), run.get(key)
        if a != b:
            out.append(f"{prefix}.{key}: the paper's protocol {a!r}, this run {b!r}")
    return out
