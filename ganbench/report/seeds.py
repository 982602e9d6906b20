"""Every seed of every (entry, metric), with what became of it: a finite value or a bad outcome.

A leaderboard entry's seeds are its records. For each metric of its dataset a
seed has one *outcome*: ``finite`` (a number), ``posinf`` / ``neginf`` / ``nan``
(the record holds that non-finite value), or, when the record holds no value
for the metric, ``diverged`` / ``failed`` (the run's status) or ``missing``.

Every outcome other than ``finite`` is a *bad seed*. For ranking and for the
rank-based significance test a bad seed counts as the metric's worst value
(+inf when lower is better, −inf when higher is better): a diverged or failed
run is the worst outcome, +inf on a lower-is-better metric is a legitimately
bad value, and an infinity in the metric's good direction (or a NaN) is a
numerical failure, not a result. Means and intervals stay over the finite seeds;
the report says how many seeds were bad and why.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ganbench.report.aggregate import ENTRY

KEYS = [*ENTRY, "metric"]
OUTCOMES = ("finite", "posinf", "neginf", "nan", "diverged", "failed", "missing")
# summary column counting each bad outcome, in the order the report lists them
BAD_COLUMNS = {
    "posinf": "n_posinf",
    "neginf": "n_neginf",
    "nan": "n_nan",
    "diverged": "n_missing_diverged",
    "failed": "n_missing_failed",
    "missing": "n_missing",
}
SEED_COLUMNS = [*KEYS, "higher_is_better", "seed", "run_id", "status", "value", "outcome"]


def worst_value(higher_is_better: bool) -> float:
    """The worst possible value of a metric: −inf if higher is better, +inf otherwise."""
    return -np.inf if higher_is_better else np.inf


def _outcome(value: np.ndarray, present: np.ndarray, status: np.ndarray) -> np.ndarray:
    missing = np.where(
        status == "diverged", "diverged", np.where(status == "failed", "failed", "missing")
    )
    recorded = np.where(
        np.isfinite(value),
        "finite",
        np.where(np.isnan(value), "nan", np.where(value > 0, "posinf", "neginf")),
    )
    return np.where(present, recorded, missing)


def _first_seen(frame: pd.DataFrame, cols: list[str]) -> dict[tuple, int]:
    keys = frame[cols].astype(str).itertuples(index=False, name=None)
    return {k: i for i, k in reversed(list(enumerate(keys)))}


def seed_table(metrics: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """One row per (run, metric of the run's dataset), grouped by entry and metric.

    ``value`` is NaN where the record holds no value for the metric; ``outcome``
    says which of :data:`OUTCOMES` the seed had. Without ``runs`` every metric row
    is a seed. Entries and metrics come in the order they first appear (the
    suite's order), the seeds of each in seed order, so statistics computed from
    the table do not depend on the order of the records.
    """
    if metrics.empty:
        return pd.DataFrame(columns=SEED_COLUMNS)
    per_ds = metrics[["dataset", "metric", "higher_is_better"]].drop_duplicates(
        ["dataset", "metric"]
    )
    if len(runs):
        base = runs[[*ENTRY, "seed", "run_id", "status"]].merge(per_ds, on="dataset")
        vals = metrics[["run_id", "metric", "value"]].drop_duplicates(["run_id", "metric"])
        seeds = base.merge(vals, on=["run_id", "metric"], how="left", indicator=True)
        present = (seeds.pop("_merge") == "both").to_numpy()
    else:
        seeds = metrics.drop(columns="higher_is_better").merge(per_ds, on=["dataset", "metric"])
        present = np.ones(len(seeds), dtype=bool)
    value = seeds["value"].to_numpy(dtype=np.float64)
    status = seeds["status"].astype(object).to_numpy()
    seeds["outcome"] = _outcome(value, present, status)
    seeds["higher_is_better"] = seeds["higher_is_better"].astype(bool)
    seeds = seeds[SEED_COLUMNS]
    entry_at = _first_seen(runs if len(runs) else metrics, ENTRY)
    metric_at = _first_seen(metrics, ["metric"])
    order = pd.DataFrame(
        {
            "e": [entry_at[k] for k in seeds[ENTRY].astype(str).itertuples(False, None)],
            "m": [metric_at[(k,)] for k in seeds["metric"].astype(str)],
            "s": pd.to_numeric(seeds["seed"], errors="coerce"),
            "r": seeds["run_id"].astype(str),
        },
        index=seeds.index,
    ).sort_values(["e", "m", "s", "r"], kind="stable", na_position="last")
    return seeds.loc[order.index].reset_index(drop=True)


def ranking_values(seeds: pd.DataFrame) -> np.ndarray:
    """A group's seed values with every bad seed replaced by the metric's worst value."""
    value = seeds["value"].to_numpy(dtype=np.float64)
    bad = (seeds["outcome"] != "finite").to_numpy()
    worst = np.where(seeds["higher_is_better"].to_numpy(dtype=bool), -np.inf, np.inf)
    return np.where(bad, worst, value)


def outcome_counts(outcomes: pd.Series) -> dict[str, int]:
    """``n_seeds``, ``n_bad``, one ``n_*`` per bad outcome and ``n_nonfinite`` for one group."""
    counts = outcomes.value_counts()
    out = {col: int(counts.get(name, 0)) for name, col in BAD_COLUMNS.items()}
    out["n_seeds"] = len(outcomes)
    out["n_bad"] = len(outcomes) - int(counts.get("finite", 0))
    out["n_nonfinite"] = out["n_posinf"] + out["n_neginf"] + out["n_nan"]
    return out


def competition_ranks(bad_fraction: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ranks of one group on the key (bad fraction, score), lower first.

    Returns the competition rank (1, 2, 2, 4) and the average rank (ties share
    the mean of their positions). ``score`` NaN (no finite seed) sorts last.
    """
    n = len(score)
    if n == 0:
        return np.empty(0, dtype=int), np.empty(0)
    score = np.where(np.isnan(score), np.inf, score)
    keys = np.rec.fromarrays([bad_fraction.astype(np.float64), score.astype(np.float64)])
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    below = np.concatenate([[0], np.cumsum(counts)[:-1]])[inverse]
    return below + 1, below + (counts[inverse] + 1) / 2
