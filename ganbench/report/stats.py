"""Statistics over seeds: spread, intervals, ranks and significance per leaderboard entry.

An *entry* is one (dataset, objective, architecture, variant); its seeds are
the samples. For every (entry, metric) :func:`summarize` gives n, mean, std,
median, a 95 % confidence interval of the mean (Student t, or a bootstrap
interval on request) over its finite seeds, its bad seeds (±inf, NaN,
diverged, failed) by kind, its rank on the dataset, and a comparison with the
best entry (Welch's t-test and the Mann–Whitney U test, Holm–Bonferroni-corrected
over the entries of the dataset and metric). Bad seeds are never dropped: they
count as the metric's worst value, so an entry with one ranks behind every entry
whose seeds are all finite (:mod:`ganbench.report.seeds`). An entry whose every
seed failed still has a row (n = 0, mean NaN, ranked last).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from ganbench.report.aggregate import ENTRY
from ganbench.report.seeds import (
    BAD_COLUMNS,
    KEYS,
    competition_ranks,
    outcome_counts,
    ranking_values,
    seed_table,
)

MIN_N_TEST = 3  # below this many seeds per entry, significance is not computed
CIMethod = Literal["t", "bootstrap"]
TestName = Literal["welch", "mwu"]


@dataclass(frozen=True)
class StatsOptions:
    """How :func:`summarize` computes intervals and significance."""

    level: float = 0.95
    ci: CIMethod = "t"
    n_boot: int = 2000
    boot_seed: int = 0
    alpha: float = 0.05
    decide_by: TestName = "welch"  # the Holm-corrected test that decides "tied for first"

    def __post_init__(self) -> None:
        if not 0 < self.level < 1 or not 0 < self.alpha < 1:
            raise ValueError("level and alpha must lie in (0, 1)")
        if self.ci not in ("t", "bootstrap") or self.decide_by not in ("welch", "mwu"):
            raise ValueError("ci must be 't' or 'bootstrap'; decide_by 'welch' or 'mwu'")


def _finite(values: Sequence[float] | np.ndarray) -> np.ndarray:
    v = np.asarray(values, dtype=np.float64)
    return v[np.isfinite(v)]


def t_interval(values: Sequence[float] | np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Two-sided Student-t confidence interval of the mean of the finite values (NaN if n < 2)."""
    v = _finite(values)
    n = len(v)
    if n < 2:
        return (math.nan, math.nan)
    mean = float(v.mean())
    sem = float(v.std(ddof=1)) / math.sqrt(n)
    half = float(stats.t.ppf(0.5 + level / 2, df=n - 1)) * sem
    return (mean - half, mean + half)


def bootstrap_interval(
    values: Sequence[float] | np.ndarray, level: float = 0.95, n_boot: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean (``scipy.stats.bootstrap``; NaN if n < 2)."""
    v = _finite(values)
    if len(v) < 2:
        return (math.nan, math.nan)
    if np.all(v == v[0]):
        return (float(v[0]), float(v[0]))
    res = stats.bootstrap(
        (v,),
        np.mean,
        confidence_level=level,
        n_resamples=n_boot,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    return (float(res.confidence_interval.low), float(res.confidence_interval.high))


def holm(pvalues: Sequence[float]) -> np.ndarray:
    """Holm–Bonferroni adjusted p-values (step-down, monotone, capped at 1; NaN kept as NaN)."""
    p = np.asarray(pvalues, dtype=np.float64)
    out = np.full_like(p, np.nan)
    idx = np.flatnonzero(np.isfinite(p))
    m = len(idx)
    if m == 0:
        return out
    order = idx[np.argsort(p[idx], kind="stable")]
    adjusted = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out[order] = np.minimum(adjusted, 1.0)
    return out


def welch_p(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided Welch t-test p-value; both samples constant: 1 if equal, else 0."""
    a, b = _finite(a), _finite(b)
    if np.ptp(a) == 0 and np.ptp(b) == 0:
        return 1.0 if a[0] == b[0] else 0.0
    with warnings.catch_warnings():  # nearly constant samples: scipy warns, the p is still right
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(stats.ttest_ind(a, b, equal_var=False).pvalue)


def mwu_p(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided Mann–Whitney U p-value (scipy's default: exact when small and tie-free).

    Rank-based, so ±inf values (bad seeds as the worst value) take part; NaN is dropped.
    """
    a, b = (np.asarray(x, dtype=np.float64) for x in (a, b))
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    both = np.concatenate([a, b])
    if np.all(both == both[0]):
        return 1.0
    return float(stats.mannwhitneyu(a, b, alternative="two-sided").pvalue)


def _entry_row(values: np.ndarray, opts: StatsOptions) -> dict[str, float | int]:
    v = _finite(values)
    n = len(v)
    if opts.ci == "bootstrap":
        lo, hi = bootstrap_interval(v, opts.level, opts.n_boot, opts.boot_seed)
    else:
        lo, hi = t_interval(v, opts.level)
    return {
        "n": n,
        "mean": float(v.mean()) if n else math.nan,
        "std": float(v.std(ddof=1)) if n > 1 else math.nan,
        "sem": float(v.std(ddof=1)) / math.sqrt(n) if n > 1 else math.nan,
        "median": float(np.median(v)) if n else math.nan,
        "ci_low": lo,
        "ci_high": hi,
    }


def _status_counts(runs: pd.DataFrame) -> pd.DataFrame:
    return (
        runs.groupby(ENTRY, dropna=False, sort=False)["status"]
        .value_counts()
        .unstack(fill_value=0)
        .reindex(columns=["ok", "diverged", "failed"], fill_value=0)
        .rename(columns={"ok": "n_ok", "diverged": "n_diverged", "failed": "n_failed"})
        .reset_index()
    )


def summarize(
    metrics: pd.DataFrame, runs: pd.DataFrame, opts: StatsOptions | None = None
) -> pd.DataFrame:
    """One row per (entry, metric): n, spread, CI, bad seeds, rank and significance vs. the best.

    ``n`` counts seeds with a finite value (mean, std, median and CI are over
    them); ``n_seeds`` counts all of the entry's seeds and ``n_bad`` those
    without a finite value, split by outcome (``n_posinf``, ``n_neginf``,
    ``n_nan``, ``n_missing_diverged``, ``n_missing_failed``, ``n_missing``; see
    :mod:`ganbench.report.seeds`). ``n_ok``/``n_diverged``/``n_failed`` count the
    entry's records by status. Bad seeds are never dropped: they rank as the
    worst value (:func:`rank_entries`, :func:`compare_with_best`). Nothing
    depends on the order of the rows of ``metrics`` or ``runs``.
    """
    opts = opts or StatsOptions()
    if metrics.empty:
        return pd.DataFrame()
    seeds = seed_table(metrics, runs)
    rows, values = [], {}
    for key, grp in seeds.groupby(KEYS, dropna=False, sort=False):
        values[key] = ranking_values(grp)
        finite = grp["value"].to_numpy(dtype=np.float64)[(grp["outcome"] == "finite").to_numpy()]
        rows.append(
            {
                **dict(zip(KEYS, key, strict=True)),
                "higher_is_better": bool(grp["higher_is_better"].iloc[0]),
                **_entry_row(finite, opts),
                **outcome_counts(grp["outcome"]),
            }
        )
    out = pd.DataFrame(rows)
    if len(runs):
        out = out.merge(_status_counts(runs), on=ENTRY, how="left")
    for c in ("n_ok", "n_diverged", "n_failed"):
        out[c] = out[c].fillna(0).astype(int) if c in out else 0
    out["ci95"] = (out["ci_high"] - out["ci_low"]) / 2
    out["ci_level"] = opts.level
    out["ci_method"] = opts.ci
    out = rank_entries(out)
    return compare_with_best(out, values, opts)


def rank_entries(summary: pd.DataFrame) -> pd.DataFrame:
    """Add ``rank`` (competition ranking 1, 2, 2, 4) and ``rank_avg`` per (dataset, metric).

    Entries are ordered by the fraction of their seeds that are bad (no finite
    value: ±inf, NaN, diverged, failed), then by the mean of their finite seeds
    in the metric's direction; equal keys tie. So every entry whose seeds are
    all finite ranks ahead of every entry with a bad seed, and an entry without
    any finite value ranks last. ``rank_avg`` gives tied entries the mean of
    their positions (Demšar 2006) and is what :func:`average_ranks` averages.
    """
    out = summary.copy()
    n_seeds = out["n_seeds"] if "n_seeds" in out else out["n"]
    n_bad = out["n_bad"] if "n_bad" in out else n_seeds - out["n"]
    frac = np.where(n_seeds > 0, n_bad / n_seeds.where(n_seeds > 0, 1), 1.0)
    score = np.where(out["higher_is_better"], -out["mean"], out["mean"]).astype(np.float64)
    out["rank"] = 0
    out["rank_avg"] = 0.0
    for idx in out.groupby(["dataset", "metric"], sort=False).indices.values():
        rank, rank_avg = competition_ranks(np.asarray(frac)[idx], score[idx])
        out.iloc[idx, out.columns.get_loc("rank")] = rank
        out.iloc[idx, out.columns.get_loc("rank_avg")] = rank_avg
    return out


def _best_index(grp: pd.DataFrame) -> int | None:
    """The rank-1 entry with a finite value; exact ties go to the lowest entry key."""
    ok = grp[grp["n"] > 0]
    if ok.empty:
        return None
    tiebreak = ok[ENTRY[1:]].astype(str).agg("\x1f".join, axis=1)
    order = ok.assign(_key=tiebreak).sort_values(
        ["rank", "n", "_key"], ascending=[True, False, True]
    )
    return int(order.index[0])


def _bad(row: pd.Series) -> int:
    return int(row["n_bad"]) if "n_bad" in row else 0


def _compare(out: pd.DataFrame, i: int, best: int, a: np.ndarray, b: np.ndarray) -> bool:
    """Fill entry ``i``'s p-values against the best; whether it joins the Holm family."""
    if len(a) < MIN_N_TEST or len(b) < MIN_N_TEST:
        out.loc[i, "significance"] = (
            f"not computed (n={len(a)} here, {len(b)} for the best; needs >= {MIN_N_TEST})"
        )
        return False
    out.loc[i, "p_mwu"] = mwu_p(a, b)
    if np.isfinite(a).all() and np.isfinite(b).all():
        out.loc[i, "p_welch"] = welch_p(a, b)
    if _bad(out.loc[i]) and not _bad(out.loc[best]):
        out.loc[i, "significance"] = "worse: has seeds without a finite value, the best has none"
    else:
        out.loc[i, "significance"] = "computed"
    return True


def compare_with_best(
    summary: pd.DataFrame,
    values: dict[tuple, np.ndarray],
    opts: StatsOptions,
) -> pd.DataFrame:
    """Add p-values of each entry vs. the best of its (dataset, metric) and ``tied_best``.

    ``values`` hold every seed of an entry, bad seeds as the metric's worst value
    (:func:`ganbench.report.seeds.ranking_values`). Columns: ``is_best``;
    ``p_mwu`` (Mann–Whitney U on all seeds: rank-based, so the worst values
    count and nothing is dropped) and ``p_welch`` (Welch's t-test, only when
    both entries' seeds are all finite: a mean over the finite ones alone would
    drop the bad seeds); ``p_welch_holm``/``p_mwu_holm`` (Holm–Bonferroni over
    the comparisons of the group); ``tied_best``: the best entry and every entry
    whose corrected ``decide_by`` p-value (Mann–Whitney where Welch is undefined)
    is at least ``alpha``, except that an entry with bad seeds is never tied with
    a best whose seeds are all finite; ``significance``: ``"computed"``, or why
    not (fewer than 3 seeds on either side, or bad seeds against a clean best).
    """
    out = summary.copy()
    for col in ("p_welch", "p_mwu", "p_welch_holm", "p_mwu_holm"):
        out[col] = math.nan
    out["is_best"] = False
    out["tied_best"] = False
    out["significance"] = ""
    for _, grp in out.groupby(["dataset", "metric"], sort=False):
        best = _best_index(grp)
        if best is None:
            out.loc[grp.index, "significance"] = "no values"
            continue
        out.loc[best, ["is_best", "tied_best"]] = True
        out.loc[best, "significance"] = "best"
        b = values.get(tuple(out.loc[best, KEYS]), np.empty(0))
        tested = []
        for i in grp.index:
            a = values.get(tuple(out.loc[i, KEYS]), np.empty(0))
            if i != best and _compare(out, i, best, a, b):
                tested.append(i)
        if tested:
            for test in ("welch", "mwu"):
                out.loc[tested, f"p_{test}_holm"] = holm(out.loc[tested, f"p_{test}"].to_numpy())
            decide = out.loc[tested, f"p_{opts.decide_by}_holm"]
            decide = decide.fillna(out.loc[tested, "p_mwu_holm"])
            tied = (decide >= opts.alpha) & (out.loc[tested, "significance"] == "computed")
            out.loc[tied.index[tied], "tied_best"] = True
    return out


def average_ranks(summary: pd.DataFrame) -> pd.DataFrame:
    """Mean ``rank_avg`` of each (objective, architecture, variant) per metric across datasets.

    Columns: the entry coordinates, ``metric``, ``avg_rank``, ``n_datasets``,
    ``n_entries_max`` (the most entries any dataset ranked), and summed over the
    datasets ``n_seeds``, ``n_bad`` and the bad-outcome counts of
    :data:`ganbench.report.seeds.BAD_COLUMNS`; sorted best first.
    """
    counts = ["n_seeds", "n_bad", *BAD_COLUMNS.values()]
    if summary.empty:
        return pd.DataFrame(
            columns=[*ENTRY[1:], "metric", "avg_rank", "n_datasets", "n_entries_max", *counts]
        )
    keys = [*ENTRY[1:], "metric"]
    sizes = summary.groupby(["dataset", "metric"])["rank"].transform("size")
    df = summary.assign(_size=sizes)
    out = (
        df.groupby(keys, dropna=False, sort=False)
        .agg(
            avg_rank=("rank_avg", "mean"),
            n_datasets=("dataset", "nunique"),
            n_entries_max=("_size", "max"),
            **{c: (c, "sum") for c in counts if c in df},
        )
        .reset_index()
    )
    return out.sort_values(["metric", "avg_rank"], kind="stable").reset_index(drop=True)


EntryKey = tuple[object, ...]


def identical_entries(metrics: pd.DataFrame) -> dict[str, list[tuple[EntryKey, list[EntryKey]]]]:
    """Per dataset, entries whose every (seed, metric) value equals an earlier entry's.

    Returns ``{dataset: [(first, [duplicates, ...]), ...]}`` with entries as
    ``(objective, architecture, variant)`` keys. Equal gradients give bit-identical
    runs (``fgan-gan`` with the non-saturating generator loss *is* the non-saturating
    GAN), which a reader would otherwise take for a bug; the report says so beside
    the table. Entries without any finite value are not compared.
    """
    out: dict[str, list[tuple[EntryKey, list[EntryKey]]]] = {}
    for ds, grp in metrics.groupby("dataset", sort=False):
        seen: dict[tuple, EntryKey] = {}
        groups: dict[EntryKey, list[EntryKey]] = {}
        for key, ent in grp.groupby(ENTRY[1:], sort=False, dropna=False):
            values = ent.sort_values(["seed", "metric"])
            numbers = values["value"].to_numpy(dtype=float)
            if not np.isfinite(numbers).any():
                continue
            exact = [repr(float(v)) for v in numbers]  # exact, and NaN equal to NaN
            fingerprint = tuple(zip(values["seed"], values["metric"], exact, strict=True))
            if fingerprint in seen:
                groups.setdefault(seen[fingerprint], []).append(tuple(key))
            else:
                seen[fingerprint] = tuple(key)
        if groups:
            out[str(ds)] = list(groups.items())
    return out
