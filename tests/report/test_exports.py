"""Exports load back with pandas to the same numbers; formatted exports escape user strings."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from ganbench.report import exports
from ganbench.report.aggregate import metrics_frame, runs_frame
from ganbench.report.exports import md_escape, tex_escape, to_latex, to_markdown
from ganbench.report.format import leaderboard_tables
from ganbench.report.html import render_report
from ganbench.report.stats import summarize
from tests.report.fakes import fake_record

NUMERIC = ["n", "mean", "std", "median", "ci_low", "ci_high", "rank", "p_welch", "p_welch_holm"]


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a["metric"]) == list(b["metric"]) and list(a["objective"]) == list(b["objective"])
    for col in NUMERIC:
        x, y = a[col].to_numpy(dtype=float), b[col].to_numpy(dtype=float)
        assert np.array_equal(x, y, equal_nan=True), col


def test_csv_and_parquet_round_trip(rendered):
    summary = rendered.report.summary
    csv = pd.read_csv(rendered.out / "leaderboard.csv")
    _same(summary, csv)
    pq = pd.read_parquet(rendered.out / "leaderboard.parquet")
    _same(summary, pq)
    seeds = pd.read_parquet(rendered.out / "seeds.parquet")
    assert np.array_equal(seeds["value"], rendered.report.metrics["value"], equal_nan=True)
    seeds_csv = pd.read_csv(rendered.out / "seeds.csv")
    assert np.array_equal(seeds_csv["value"], rendered.report.metrics["value"], equal_nan=True)
    assert set(csv["objective"]) == {"gan", "wgan", "pac<script>alert(1)</script>"}


def test_markdown_and_latex_tables(rendered):
    md = (rendered.out / "leaderboard.md").read_text()
    assert md.count("| entry |") == 2  # ring and grid (the failed dataset has no values)
    assert md.count("**") == 2 * 6 + 2  # one bold best per (dataset, metric), and the legend
    tex = (rendered.out / "leaderboard.tex").read_text()
    assert tex.count("\\begin{tabular}") == 2 and tex.count("\\textbf{") == 6
    assert "$\\pm$" in tex and "$\\uparrow$" in tex


def test_escapers():
    assert md_escape("a|b*c_<x>") == "a\\|b\\*c\\_\\<x\\>"
    assert tex_escape("50% of $x_1 & {y}") == "50\\% of \\$x\\_1 \\& \\{y\\}"
    recs = [fake_record("r&d", "a|b", s, {"modes": float(s)}) for s in range(3)]
    tables = leaderboard_tables(summarize(metrics_frame(recs), runs_frame(recs)))
    assert "r\\&d" in to_latex(tables, "s_1") and "s\\_1" in to_latex(tables, "s_1")
    assert "a\\|b" in to_markdown(tables, "s")


def test_parquet_missing_degrades_with_a_message(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(exports, "has_parquet", lambda: False)
    recs = [fake_record("ring", "gan", s, {"modes": float(s)}) for s in range(3)]
    with caplog.at_level(logging.WARNING):
        rep = render_report("np", recs, tmp_path / "np", run_pages=False)
    assert not list((tmp_path / "np").glob("*.parquet"))
    assert (tmp_path / "np" / "leaderboard.csv").exists()
    assert "pyarrow is not installed" in rep.path.read_text()
    assert "pyarrow is not installed" in caplog.text


@pytest.mark.parametrize("value", [np.inf, -np.inf])
def test_infinite_values_survive_the_csv(tmp_path, value):
    recs = [fake_record("ring", "gan", s, {"modes": 1.0}) for s in range(2)]
    recs.append(fake_record("ring", "gan", 2, {"modes": value}))
    seeds = metrics_frame(recs)
    summary = summarize(seeds, runs_frame(recs))
    exports.write_exports(tmp_path, summary, seeds, leaderboard_tables(summary), "inf")
    back = pd.read_csv(tmp_path / "seeds.csv")
    assert back["value"].iloc[-1] == value
    assert pd.read_csv(tmp_path / "leaderboard.csv")["n_nonfinite"].iloc[0] == 1
