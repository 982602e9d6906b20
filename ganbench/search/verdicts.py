"""Which objective differences survive equal tuning budgets, read from the phase-2 summary.

Phase 2 re-runs each search's best trial on fresh seeds; its leaderboard summary
(:func:`ganbench.report.stats.summarize`) already compares every entry with the
best one (Holm-corrected tests, ``is_best``, ``tied_best``, ``significance``).
This module only reads those columns for the search metric; it recomputes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ganbench.report.format import fmt_value_cell
from ganbench.search.trials import Selection

VERDICTS = ("best", "tied", "worse", "untested")


@dataclass(frozen=True)
class Rerun:
    """The re-run result of one entry on the fresh seeds."""

    text: str  # mean ± CI over the finite fresh seeds (bad seeds in parentheses)
    n: int  # fresh seeds with a finite value
    n_seeds: int  # fresh seeds
    verdict: str  # one of VERDICTS
    reason: str = ""  # why untested (the summary's significance text)


@dataclass
class Verdicts:
    """One dataset's entries by verdict on the search metric (labels in summary order)."""

    best: list[str] = field(default_factory=list)
    tied: list[str] = field(default_factory=list)
    worse: list[str] = field(default_factory=list)
    untested: list[tuple[str, str]] = field(default_factory=list)  # (label, reason)


def verdict_of(row: pd.Series | dict[str, Any]) -> tuple[str, str]:
    """``(verdict, reason)`` of a summary row from its own significance columns."""
    significance = str(row.get("significance", "") or "")
    if bool(row.get("is_best")):
        return "best", ""
    if significance == "computed":
        return ("tied", "") if bool(row.get("tied_best")) else ("worse", "")
    if significance.startswith("worse"):
        return "worse", significance
    return "untested", significance or "no comparison"


def _rows(summary: pd.DataFrame, metric: str, dataset: str) -> pd.DataFrame:
    """The summary rows of ``dataset`` and ``metric``; variant ``best`` where there are several."""
    if summary.empty or "metric" not in summary:
        return summary.iloc[0:0]
    rows = summary[(summary["metric"] == metric) & (summary["dataset"].astype(str) == dataset)]
    if "variant" in rows and (rows["variant"] == "best").any():
        rows = rows[rows["variant"] == "best"]
    return rows


def _rerun(row: pd.Series) -> Rerun:
    verdict, reason = verdict_of(row)
    n_seeds = int(row["n_seeds"]) if "n_seeds" in row else int(row["n"])
    return Rerun(fmt_value_cell(row), int(row["n"]), n_seeds, verdict, reason)


def rerun_for(summary: pd.DataFrame, metric: str, selection: Selection) -> Rerun | None:
    """The re-run of ``selection``'s entry on ``metric``, or ``None`` if the summary lacks it."""
    rows = _rows(summary, metric, selection.dataset)
    rows = rows[
        (rows["objective"].astype(str) == selection.objective)
        & (rows["architecture"].astype(str) == selection.architecture)
    ]
    return _rerun(rows.iloc[0]) if len(rows) else None


def rerun_verdicts(
    summary: pd.DataFrame | None,
    metric: str,
    dataset: str,
    labels: dict[tuple[str, str], str],
) -> Verdicts | None:
    """``dataset``'s entries by verdict, or ``None`` without a summary or rows for it.

    ``labels`` maps (objective, architecture) to the page's entry label; entries
    of the summary that are not in it are labelled ``objective / architecture``.
    """
    if summary is None:
        return None
    rows = _rows(summary, metric, dataset)
    if rows.empty:
        return None
    out = Verdicts()
    for _, row in rows.iterrows():
        key = (str(row["objective"]), str(row["architecture"]))
        label = labels.get(key, " / ".join(key))
        verdict, reason = verdict_of(row)
        if verdict == "untested":
            out.untested.append((label, reason))
        else:
            getattr(out, verdict).append(label)
    return out
