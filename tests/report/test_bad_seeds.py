"""Seeds without a finite value (±inf, NaN, diverged, failed) count against their entry.

Issue 12, bug 1: values were filtered to finite before the mean and the rank, so
an entry with 4 of 5 seeds at +inf on a lower-is-better metric and one lucky
seed ranked first and "best".
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ganbench.report.aggregate import metrics_frame, runs_frame
from ganbench.report.exports import to_latex, to_markdown
from ganbench.report.format import leaderboard_tables, terminal_table
from ganbench.report.html import _avg_rank_table
from ganbench.report.stats import average_ranks, mwu_p, summarize
from tests.report.fakes import fake_record

LOWER = "reverse_kl"  # lower is better in the fakes
HIGHER = "modes"  # higher is better


def _summary(records: list[dict]) -> pd.DataFrame:
    return summarize(metrics_frame(records), runs_frame(records))


def _records(
    entries: dict[str, list[float | str]], metric: str, dataset: str = "ring"
) -> list[dict]:
    """One record per seed; a value ``"diverged"``/``"failed"`` makes that seed's status."""
    recs = []
    for obj, values in entries.items():
        for seed, v in enumerate(values):
            if isinstance(v, str):
                recs.append(fake_record(dataset, obj, seed, {}, status=v))
            else:
                recs.append(fake_record(dataset, obj, seed, {metric: v}))
    return recs


def _clean_entries(n_entries: int, n_seeds: int, base: float, step: float) -> dict:
    rng = np.random.default_rng([n_entries, n_seeds])
    return {
        f"e{i}": list(base + step * i + 0.01 * rng.standard_normal(n_seeds))
        for i in range(n_entries)
    }


def _by_objective(summary: pd.DataFrame, metric: str) -> pd.DataFrame:
    return summary[summary["metric"] == metric].set_index("objective")


@pytest.mark.parametrize("n_seeds", [3, 5, 7])
@pytest.mark.parametrize("n_clean", [1, 3, 6])
@pytest.mark.parametrize("bad", [math.inf, math.nan, "diverged", "failed"])
def test_one_lucky_seed_among_bad_ones_ranks_last_on_lower_is_better(n_seeds, n_clean, bad):
    entries = _clean_entries(n_clean, n_seeds, base=0.5, step=0.1)
    entries["lucky"] = [0.001] + [bad] * (n_seeds - 1)  # by far the lowest finite value
    s = _by_objective(_summary(_records(entries, LOWER)), LOWER)
    lucky = s.loc["lucky"]
    assert lucky["rank"] == n_clean + 1 and lucky["rank_avg"] == n_clean + 1
    assert not lucky["is_best"] and not lucky["tied_best"]
    assert lucky["n"] == 1 and lucky["n_seeds"] == n_seeds and lucky["n_bad"] == n_seeds - 1
    assert s.loc["e0", "is_best"] and s.loc["e0", "rank"] == 1
    assert lucky["mean"] == pytest.approx(0.001)  # the shown mean is still over finite seeds


@pytest.mark.parametrize("n_seeds", [3, 5, 7])
@pytest.mark.parametrize("bad", [-math.inf, math.nan, "diverged"])
def test_bad_seeds_rank_last_on_higher_is_better(n_seeds, bad):
    entries = _clean_entries(3, n_seeds, base=5.0, step=-1.0)  # e0 best (highest)
    entries["lucky"] = [100.0] * (n_seeds - 1) + [bad]
    s = _by_objective(_summary(_records(entries, HIGHER)), HIGHER)
    assert s.loc["lucky", "rank"] == 4 and not s.loc["lucky", "is_best"]
    assert s.loc["e0", "is_best"]


def test_infinity_in_the_good_direction_is_not_a_win():
    """−inf on a lower-is-better metric (or +inf on higher) is a numerical failure."""
    entries = {"ok": [0.5, 0.6, 0.55], "neg": [-math.inf, 0.1, 0.2]}
    s = _by_objective(_summary(_records(entries, LOWER)), LOWER)
    assert s.loc["ok", "is_best"] and s.loc["neg", "rank"] == 2
    assert s.loc["neg", "n_neginf"] == 1


def test_bad_entries_are_ordered_by_bad_fraction_then_mean():
    entries = {
        "clean_hi": [0.9, 0.9, 0.9, 0.9],
        "clean_lo": [0.5, 0.5, 0.5, 0.5],
        "one_bad_lo": [0.1, 0.1, 0.1, math.inf],
        "one_bad_hi": [0.3, 0.3, "diverged", 0.3],
        "two_bad": [0.01, math.nan, "failed", 0.01],
        "all_bad": [math.inf, "diverged", math.nan, "failed"],
        "all_bad_too": ["diverged"] * 4,
    }
    s = _by_objective(_summary(_records(entries, LOWER)), LOWER)
    ranks = s["rank"].to_dict()
    assert ranks == {
        "clean_hi": 2,
        "clean_lo": 1,
        "one_bad_lo": 3,
        "one_bad_hi": 4,
        "two_bad": 5,
        "all_bad": 6,
        "all_bad_too": 6,
    }
    assert s.loc["all_bad", "rank_avg"] == 6.5
    counts = s.loc["all_bad", ["n_posinf", "n_nan", "n_missing_diverged", "n_missing_failed"]]
    assert counts.tolist() == [1, 1, 1, 1] and s.loc["all_bad", "n_bad"] == 4


@pytest.mark.parametrize("seed", range(6))
def test_random_mixtures_keep_every_clean_entry_ahead(seed):
    rng = np.random.default_rng(seed)
    n_seeds = int(rng.choice([3, 5, 7]))
    kinds = [math.inf, -math.inf, math.nan, "diverged", "failed"]
    entries = {}
    for i in range(int(rng.integers(2, 9))):
        values: list[float | str] = list(rng.uniform(0, 1, n_seeds))
        for j in range(n_seeds):
            if rng.random() < 0.2:
                values[j] = kinds[int(rng.integers(len(kinds)))]
        entries[f"e{i}"] = values
    metric = LOWER if seed % 2 else HIGHER
    s = _by_objective(_summary(_records(entries, metric)), metric)
    clean, bad = s[s["n_bad"] == 0], s[s["n_bad"] > 0]
    if len(clean) and len(bad):
        assert clean["rank"].max() < bad["rank"].min()
    if len(clean):
        assert s.loc[s["is_best"], "n_bad"].item() == 0
        assert not bad["tied_best"].any()
    assert s["n_seeds"].eq(n_seeds).all()
    assert (s["n"] + s["n_bad"]).eq(n_seeds).all()


def _shuffled(records: list[dict], rng: np.random.Generator) -> list[dict]:
    return [records[i] for i in rng.permutation(len(records))]


@pytest.mark.parametrize("seed", range(5))
def test_result_does_not_depend_on_record_order(seed):
    entries = {
        "a": [0.2, 0.3, 0.25, 0.22, 0.28],
        "b": [0.21, 0.29, 0.24, 0.23, 0.26],
        "c": [0.1, math.inf, 0.12, 0.11, "diverged"],
        "d": [0.5, 0.45, 0.55, 0.52, 0.48],
        "e": [math.nan, math.inf, 0.01, 0.02, 0.03],
    }
    recs = _records(entries, LOWER) + _records(entries, LOWER, dataset="grid")
    cols = ["n", "n_bad", "mean", "std", "rank", "rank_avg", "is_best", "tied_best"]
    cols += ["p_welch", "p_mwu", "p_welch_holm", "p_mwu_holm", "significance"]
    keys = ["dataset", "objective", "metric"]
    ref = _summary(recs).sort_values(keys).set_index(keys)[cols]
    shuffled = _summary(_shuffled(recs, np.random.default_rng(seed)))
    got = shuffled.sort_values(keys).set_index(keys)[cols]
    pd.testing.assert_frame_equal(got, ref)
    avg = average_ranks(shuffled).set_index("objective")["avg_rank"].to_dict()
    assert avg == average_ranks(_summary(recs)).set_index("objective")["avg_rank"].to_dict()


def test_mann_whitney_counts_infinite_seeds():
    a, b = np.array([0.05, np.inf, np.inf, np.inf]), np.array([0.1, 0.2, 0.3, 0.4])
    assert mwu_p(a, b) == pytest.approx(stats.mannwhitneyu(a, b).pvalue)
    assert mwu_p(np.array([np.inf] * 3), np.array([np.inf] * 3)) == 1.0


def test_without_a_clean_entry_the_fewest_bad_seeds_win_and_mwu_decides():
    entries = {
        "one_bad": [0.5, 0.5, 0.6, "diverged"],
        "two_bad": [0.1, 0.1, math.inf, math.inf],
    }
    s = _by_objective(_summary(_records(entries, LOWER)), LOWER)
    assert s.loc["one_bad", "is_best"] and s.loc["two_bad", "rank"] == 2
    two = s.loc["two_bad"]
    assert math.isnan(two["p_welch"]) and not math.isnan(two["p_mwu"])
    assert two["significance"] == "computed"
    worst = np.inf
    ref = stats.mannwhitneyu([0.1, 0.1, worst, worst], [0.5, 0.5, 0.6, worst]).pvalue
    assert two["p_mwu"] == pytest.approx(ref)


def _cells(records: list[dict], metric: str) -> dict[str, str]:
    (table,) = leaderboard_tables(_summary(records))
    col = [c.metric for c in table.columns].index(metric)
    return {r.key["objective"]: r.cells[col].text for r in table.rows}


def test_cells_show_infinity_and_count_bad_seeds():
    entries = {
        "clean": [0.5, 0.6, 0.55, 0.52, 0.58],
        "lucky": [0.05, math.inf, math.inf, math.inf, math.inf],
        "all_inf": [math.inf] * 5,
        "mixed": [0.3, 0.4, 0.35, math.nan, "diverged"],
        "dead": ["diverged", "failed", "diverged", "diverged", "diverged"],
    }
    cells = _cells(_records(entries, LOWER), LOWER)
    assert "(" not in cells["clean"]
    assert cells["lucky"] == "0.0500 (4/5 ∞)"
    assert cells["all_inf"] == "∞ (5/5 ∞)"
    assert cells["mixed"].endswith("(1/5 NaN, 1/5 diverged)")
    assert cells["dead"] == "– (4/5 diverged, 1/5 failed)"
    neg = _cells(_records({"x": [1.0, 2.0, 3.0], "y": [-math.inf] * 3}, HIGHER), HIGHER)
    assert neg["y"] == "−∞ (3/3 −∞)"


def test_every_view_says_it(tmp_path):
    entries = {"clean": [0.5, 0.6, 0.55], "lucky": [0.05, math.inf, math.inf]}
    recs = _records(entries, LOWER) + _records(entries, LOWER, dataset="grid")
    summary = _summary(recs)
    tables = leaderboard_tables(summary)
    text = terminal_table(summary)
    lucky_line = next(line for line in text.splitlines() if line.startswith("lucky"))
    assert "2/3 ∞" in lucky_line and "*" not in lucky_line
    assert "*" in next(line for line in text.splitlines() if line.startswith("clean"))
    assert "0.0500 (2/3 ∞)" in to_markdown(tables, "s")
    assert r"(2/3 $\infty$)" in to_latex(tables, "s")
    avg = average_ranks(summary).set_index("objective")
    assert avg.loc["lucky", "avg_rank"] == 2.0 and avg.loc["clean", "avg_rank"] == 1.0
    assert avg.loc["lucky", "n_posinf"] == 4 and avg.loc["lucky", "n_seeds"] == 6
    table = _avg_rank_table(summary)
    assert table is not None
    texts = {r["label"]: r["values"][0]["text"] for r in table["rows"]}
    assert texts == {"clean": "1.00", "lucky": "2.00 (4/6 ∞)"}


def test_html_cell_sorts_bad_entries_as_the_worst_value(tmp_path):
    entries = {"clean": [0.5, 0.6, 0.55], "lucky": [0.05, math.inf, 0.07]}
    (table,) = leaderboard_tables(_summary(_records(entries, LOWER)))
    sort = {r.key["objective"]: r.cells[0].sort for r in table.rows}
    assert sort["lucky"] == "Infinity" and float(sort["clean"]) == pytest.approx(0.55)
    (table,) = leaderboard_tables(_summary(_records({"a": [1.0, "diverged"]}, HIGHER)))
    assert table.rows[0].cells[0].sort == "-Infinity"
