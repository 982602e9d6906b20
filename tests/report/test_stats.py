"""Statistics over seeds, checked against scipy and hand computations on fixed data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ganbench.report.aggregate import metrics_frame, runs_frame
from ganbench.report.stats import (
    StatsOptions,
    average_ranks,
    bootstrap_interval,
    holm,
    mwu_p,
    summarize,
    t_interval,
    welch_p,
)
from tests.report.fakes import fake_record, fake_suite_records

A = np.array([7.0, 8.0, 6.0, 8.0, 7.5])
B = np.array([5.0, 6.5, 4.0, 6.0, 5.5])


def _summary(records, opts=None):
    return summarize(metrics_frame(records), runs_frame(records), opts)


def test_t_interval_matches_scipy():
    lo, hi = t_interval(A, 0.95)
    ref = stats.t.interval(0.95, df=len(A) - 1, loc=A.mean(), scale=stats.sem(A))
    assert (lo, hi) == pytest.approx(ref, rel=1e-12)
    lo90, hi90 = t_interval(A, 0.90)
    assert hi90 - lo90 < hi - lo


def test_t_interval_ignores_nonfinite_and_needs_two():
    assert t_interval(np.array([1.0, np.nan, 3.0, np.inf])) == pytest.approx(t_interval([1, 3]))
    assert all(math.isnan(x) for x in t_interval([2.0]))


def test_bootstrap_interval_matches_scipy():
    lo, hi = bootstrap_interval(A, 0.95, n_boot=999, seed=3)
    ref = stats.bootstrap(
        (A,),
        np.mean,
        confidence_level=0.95,
        n_resamples=999,
        method="percentile",
        rng=np.random.default_rng(3),
    ).confidence_interval
    assert (lo, hi) == pytest.approx((ref.low, ref.high), rel=1e-12)
    assert lo <= A.mean() <= hi
    assert bootstrap_interval([4.0, 4.0, 4.0]) == (4.0, 4.0)


def test_tests_match_scipy():
    assert welch_p(A, B) == pytest.approx(stats.ttest_ind(A, B, equal_var=False).pvalue)
    assert mwu_p(A, B) == pytest.approx(stats.mannwhitneyu(A, B).pvalue)
    assert welch_p(np.array([8.0, 8, 8]), np.array([8.0, 8, 8])) == 1.0
    assert welch_p(np.array([8.0, 8, 8]), np.array([7.0, 7, 7])) == 0.0
    assert mwu_p(np.array([8.0, 8, 8]), np.array([8.0, 8, 8])) == 1.0


def test_holm_by_hand():
    # sorted p: 0.01 (×4), 0.02 (×3 → 0.06), 0.03 (×2 → 0.06), 0.5 (×1)
    p = [0.03, 0.5, 0.01, 0.02, np.nan]
    adj = holm(p)
    assert adj[:4] == pytest.approx([0.06, 0.5, 0.04, 0.06])
    assert math.isnan(adj[4])
    assert holm([0.6, 0.7]) == pytest.approx([1.0, 1.0])  # capped at 1


def _values(ds, obj, seed):
    table = {
        "good": A,
        "also-good": A + np.array([0.5, -0.5, 0.0, 0.25, -0.25]),
        "bad": B,
    }
    return {"modes": float(table[obj][seed]), "reverse_kl": 1.0 / float(table[obj][seed])}


def test_summary_numbers_ranks_and_significance():
    recs = fake_suite_records(["ring"], ["good", "also-good", "bad"], range(5), _values)
    s = _summary(recs).set_index(["objective", "metric"])
    good = s.loc[("good", "modes")]
    assert good["n"] == 5 and good["n_ok"] == 5
    assert good["mean"] == pytest.approx(A.mean())
    assert good["std"] == pytest.approx(A.std(ddof=1))
    assert good["median"] == pytest.approx(np.median(A))
    assert (good["ci_low"], good["ci_high"]) == pytest.approx(t_interval(A))
    # also-good has the same mean: a tie at rank 1 by value
    assert s.loc[("good", "modes"), "rank"] == s.loc[("also-good", "modes"), "rank"] == 1
    assert s.loc[("bad", "modes"), "rank"] == 3
    assert s.loc[("good", "modes"), "rank_avg"] == 1.5
    # lower-is-better metric ranks the other way round
    assert s.loc[("bad", "reverse_kl"), "rank"] == 3
    best = s.xs("modes", level="metric").query("is_best").index[0]
    assert best in ("good", "also-good")
    raw = stats.ttest_ind(B, _values_of(best), equal_var=False).pvalue
    other = "also-good" if best == "good" else "good"
    raw_other = stats.ttest_ind(_values_of(other), _values_of(best), equal_var=False).pvalue
    bad = s.loc[("bad", "modes")]
    assert bad["p_welch"] == pytest.approx(raw)
    assert bad["p_welch_holm"] == pytest.approx(min(1.0, 2 * raw))  # the smaller of two p's
    assert s.loc[(other, "modes"), "p_welch_holm"] == pytest.approx(max(2 * raw, raw_other))
    assert not bad["tied_best"] and bad["significance"] == "computed"
    assert s.loc[("good", "modes"), "tied_best"] and s.loc[("also-good", "modes"), "tied_best"]


def _values_of(obj):
    return np.array([_values("ring", obj, i)["modes"] for i in range(5)])


def test_mwu_decision_is_configurable():
    def values(ds, obj, seed):
        return {"modes": (10.0 if obj == "good" else 5.0) + seed}

    recs = fake_suite_records(["ring"], ["good", "bad"], range(3), values)
    s = _summary(recs, StatsOptions(decide_by="mwu")).set_index(["objective", "metric"])
    # with 3 vs 3 seeds the smallest two-sided exact MWU p is 0.1: never significant at 0.05
    assert s.loc[("bad", "modes"), "p_mwu"] == pytest.approx(0.1)
    assert s.loc[("bad", "modes"), "tied_best"]
    s = _summary(recs).set_index(["objective", "metric"])
    assert s.loc[("bad", "modes"), "p_welch"] < 0.05


def test_small_n_says_significance_not_computed():
    recs = fake_suite_records(["ring"], ["good", "bad"], range(2), _values)
    s = _summary(recs).set_index(["objective", "metric"])
    bad = s.loc[("bad", "modes")]
    assert bad["significance"].startswith("not computed") and math.isnan(bad["p_welch"])
    assert not bad["tied_best"]


def test_failed_and_diverged_seeds_are_counted_never_dropped():
    def status(ds, obj, seed):
        if obj == "bad":
            return "diverged"
        return "failed" if seed == 0 else "ok"

    recs = fake_suite_records(["ring"], ["good", "bad"], range(4), _values, status)
    s = _summary(recs).set_index(["objective", "metric"])
    bad = s.loc[("bad", "modes")]
    assert bad["n"] == 0 and bad["n_diverged"] == 4 and math.isnan(bad["mean"])
    assert bad["rank"] == 2  # ranked last, not dropped
    good = s.loc[("good", "modes")]
    assert good["n"] == 3 and good["n_failed"] == 1 and good["n_ok"] == 3
    assert good["mean"] == pytest.approx(A[1:4].mean())


def test_nonfinite_values_are_counted():
    recs = [fake_record("ring", "x", i, {"modes": v}) for i, v in enumerate([1.0, 2.0, None])]
    s = _summary(recs).iloc[0]
    assert s["n"] == 2 and s["n_nonfinite"] == 1 and s["mean"] == 1.5


def test_bootstrap_option_changes_only_the_interval():
    recs = fake_suite_records(["ring"], ["good", "bad"], range(5), _values)
    t = _summary(recs)
    b = _summary(recs, StatsOptions(ci="bootstrap", n_boot=500))
    assert (t["mean"] == b["mean"]).all()
    assert (b["ci_method"] == "bootstrap").all()
    assert not np.allclose(t["ci_low"], b["ci_low"])


def test_average_ranks_by_hand():
    order = {"ring": ["a", "b", "c"], "grid": ["b", "a", "c"]}

    def values(ds, obj, seed):
        return {"modes": 10.0 - order[ds].index(obj) + 0.1 * seed}

    recs = fake_suite_records(["ring", "grid"], ["a", "b", "c"], range(3), values)
    avg = average_ranks(_summary(recs)).set_index("objective")
    assert avg.loc["a", "avg_rank"] == 1.5 and avg.loc["b", "avg_rank"] == 1.5
    assert avg.loc["c", "avg_rank"] == 3.0 and avg.loc["c", "n_datasets"] == 2


def test_identical_entries_are_found_exactly():
    from ganbench.report.stats import identical_entries

    rows = []
    for obj, bump in (
        ("nonsaturating", 0.0),
        ("fgan-gan", 0.0),
        ("fgan-js", 0.0),
        ("hinge", 1e-12),
    ):
        for seed in (0, 1):
            for metric, value in (("modes", 8.0), ("hq", 0.9 + seed / 100), ("kl", float("nan"))):
                rows.append(
                    {
                        "dataset": "ring",
                        "objective": obj,
                        "architecture": "mlp",
                        "variant": "",
                        "seed": seed,
                        "metric": metric,
                        "value": value + (bump if metric == "hq" else 0.0),
                    }
                )
    metrics = pd.DataFrame(rows)
    found = identical_entries(metrics)
    assert found == {
        "ring": [(("nonsaturating", "mlp", ""), [("fgan-gan", "mlp", ""), ("fgan-js", "mlp", "")])]
    }  # hinge differs by 1e-12 in one value: not identical
    assert identical_entries(metrics[metrics["objective"] != "fgan-gan"].iloc[:0]) == {}
    other_ds = metrics.assign(dataset="grid").query("objective != 'fgan-js'")
    both = identical_entries(pd.concat([metrics, other_ds]))
    assert both["grid"] == [(("nonsaturating", "mlp", ""), [("fgan-gan", "mlp", "")])]
