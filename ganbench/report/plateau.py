"""Did training plateau? The tracked metric of each published row over training.

Runs with ``eval.track_every`` > 0 store a quality curve (``curves["eval"]``,
series ``eval/<metric>`` in the curves frame). For every published row that a
reproduction ran, :func:`plateau_checks` states in one line how much the
tracked metric (mean over seeds) moved over the last 25 % of the logged steps
and, where the checkpoints allow, over the last 10 % (a single checkpoint that
dips at the 75 % point would otherwise read as training that has not settled),
and :func:`plateau_figures` draws it against step, one figure per dataset
(a line per row, labelled as in the paper: the mean over seeds, the band
the seeds' min–max).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ganbench.papers import Paper, PublishedRow
from ganbench.report import plots
from ganbench.report.format import fmt_num
from ganbench.report.paper import RunScope

EVAL_PREFIX = "eval/"  # the curves frame's series of the tracked metric
TAIL = 0.25  # the last fraction of training a plateau check looks at
LATE = 0.10  # ... and the shorter window it also states, where a checkpoint falls inside
NO_TRACKING = "no tracking in these records"


@dataclass(frozen=True)
class PlateauCheck:
    """The tracked metric of one published row over the last 25 % of training."""

    row: str
    dataset: str
    metric: str | None  # None: the records have no tracked metric
    text: str  # the check in one line
    start: float = math.nan  # mean over seeds at the step nearest 75 % of training
    end: float = math.nan  # mean over seeds at the last tracked step
    n_seeds: int = 0
    late: float = math.nan  # mean over seeds at the step nearest 90 % (nan: no such step)


def tracked_curves(curves: pd.DataFrame) -> pd.DataFrame:
    """The rows of a curves frame that are tracked metrics (series ``eval/<metric>``)."""
    return curves[curves["series"].str.startswith(EVAL_PREFIX)]


def _row_curves(tracked: pd.DataFrame, row: PublishedRow) -> pd.DataFrame:
    sel = tracked
    for key, value in row.coords.items():
        sel = sel[sel[key] == value]
    return sel


def _change(paper: Paper, metric: str, delta: float) -> str:
    """The change in the paper's units (``+0.6 points`` for a percentage column)."""
    pm = paper.metric(metric)
    scale = pm.scale if pm is not None else 1.0
    if scale == 0.01:
        return f"{delta / scale:+.1f} points"
    return f"{delta / scale:+.3g}"


def _check(paper: Paper, row: PublishedRow, sub: pd.DataFrame) -> PlateauCheck:
    dataset = row.coords.get("dataset", "")
    if sub.empty:
        return PlateauCheck(row.row, dataset, None, NO_TRACKING)
    series = str(sub["series"].iloc[0])
    metric = series.removeprefix(EVAL_PREFIX)
    table = sub[sub["series"] == series].pivot_table(
        index="step", columns="run_id", values="value", aggfunc="mean", dropna=False
    )
    steps = table.index.to_numpy()
    last = int(steps[-1])

    def nearest(fraction: float) -> int:
        return int(steps[np.argmin(np.abs(steps - (1 - fraction) * last))])

    def mean_at(step: int) -> float:
        return float(np.nanmean(table.loc[step].to_numpy(dtype=float)))

    first, late = nearest(TAIL), nearest(LATE)
    n = int(table.shape[1])
    if first == last:
        text = f"{metric}: one tracked point per run (step {last:,}); no trend to check"
        return PlateauCheck(row.row, dataset, metric, text, n_seeds=n)
    a, b = mean_at(first), mean_at(last)
    text = (
        f"{metric} {fmt_num(a)} → {fmt_num(b)} over the last 25 % of steps "
        f"(steps {first:,} → {last:,}, mean of {n} seeds; {_change(paper, metric, b - a)})"
    )
    has_late = first < late < last
    c = mean_at(late) if has_late else math.nan
    if has_late:
        text += (
            f"; {fmt_num(c)} → {fmt_num(b)} over the last 10 % "
            f"(steps {late:,} → {last:,}; {_change(paper, metric, b - c)})"
        )
    return PlateauCheck(row.row, dataset, metric, text, a, b, n, c)


def plateau_checks(
    paper: Paper, curves: pd.DataFrame, scope: RunScope | None = None
) -> list[PlateauCheck]:
    """One :class:`PlateauCheck` per published row that was run, in the paper's order."""
    tracked = tracked_curves(curves)
    return [
        _check(paper, row, _row_curves(tracked, row))
        for row in paper.results
        if scope is None or scope.runs(row.coords)
    ]


def plateau_figures(
    paper: Paper, curves: pd.DataFrame, fig_dir: Path, scope: RunScope | None = None
) -> list[dict[str, str]]:
    """``plateau_<i>.png`` under ``fig_dir`` per dataset with tracked rows; ``{src, caption}``.

    ``src`` is relative to the page (``figures/<name>``).
    """
    tracked = tracked_curves(curves)
    parts: dict[str, list[pd.DataFrame]] = {}
    for row in paper.results:
        if scope is not None and not scope.runs(row.coords):
            continue
        sub = _row_curves(tracked, row)
        if len(sub):
            labelled = sub.assign(entry=plots.safe_text(row.row))
            parts.setdefault(row.coords.get("dataset", ""), []).append(labelled)
    figs = []
    for i, (dataset, subs) in enumerate(parts.items()):
        frame = pd.concat(subs).drop_duplicates(["run_id", "series", "step"])
        name = f"plateau_{i}.png"
        title = f"{dataset}: tracked metric over training"
        plots.plot_curves(frame, title, fig_dir / name, shade_from=1 - TAIL)
        figs.append(
            {
                "src": f"figures/{name}",
                "caption": f"{dataset}: tracked metric vs step, mean over seeds; band: min–max "
                "of seeds; shaded: the last 25 % of training (the plateau check)",
            }
        )
    return figs
