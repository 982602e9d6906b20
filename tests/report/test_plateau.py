"""The plateau check: the tracked metric over the last 25 % of training, per published row."""

from __future__ import annotations

import pandas as pd
import pytest

from ganbench.papers import Paper, PaperMetric, Published, PublishedRow
from ganbench.report.aggregate import CURVE_COLUMNS
from ganbench.report.paper import RunScope
from ganbench.report.plateau import NO_TRACKING, plateau_checks, plateau_figures


def _paper() -> Paper:
    rows = [
        PublishedRow(v, {"dataset": "ring", "variant": v}, {"hq": Published(95.0, 1.0)})
        for v in ("GAN", "Pac2", "Pac3")
    ]
    return Paper(
        title="t", authors="a", year=2018, arxiv="1", source="T1", spread="standard_error",
        metrics=(PaperMetric("hq", "HQ (%)", 0.01),), protocol=(), differences=(),
        results=tuple(rows), n_runs=10,
    )  # fmt: skip


def _curves(variant: str, values: dict[int, list[float]], series: str = "eval/hq"):
    """Seed → values at steps 0, 25, 50, 75, 100."""
    rows = [
        {"run_id": f"{variant}{seed}", "dataset": "ring", "objective": "ns",
         "architecture": "mlp", "variant": variant, "seed": seed, "series": series,
         "step": step, "value": v}
        for seed, vals in values.items()
        for step, v in zip((0, 25, 50, 75, 100), vals, strict=True)
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=CURVE_COLUMNS)


def test_each_row_run_gets_one_line():
    curves = pd.concat(
        [
            _curves("GAN", {0: [0.1, 0.5, 0.9, 0.96, 0.97], 1: [0.1, 0.5, 0.9, 0.964, 0.966]}),
            _curves("Pac2", {0: [0.0, 0.1, 0.2, 0.3, 0.4]}, series="d_loss"),  # not tracked
        ]
    )
    checks = plateau_checks(_paper(), curves, RunScope("cpu", ("GAN", "Pac2")))
    assert [c.row for c in checks] == ["GAN", "Pac2"]  # Pac3 was not run
    gan, pac = checks
    assert gan.metric == "hq" and gan.n_seeds == 2
    assert gan.start == pytest.approx(0.962) and gan.end == pytest.approx(0.968)
    assert gan.text == (
        "hq 0.962 → 0.968 over the last 25 % of steps (steps 75 → 100, mean of 2 seeds; "
        "+0.6 points)"
    )
    assert pac.metric is None and pac.text == NO_TRACKING


def test_a_single_tracked_point_has_no_trend():
    curves = _curves("GAN", {0: [0.5] * 5})
    one = curves[curves["step"] == 100]
    (check,) = plateau_checks(_paper(), one, RunScope("cpu", ("GAN",)))
    assert "one tracked point per run" in check.text


def test_a_figure_per_dataset(tmp_path):
    curves = pd.concat(
        [_curves("GAN", {0: [0.1, 0.5, 0.9, 0.96, 0.97]}), _curves("Pac3", {0: [0.2] * 5})]
    )
    figs = plateau_figures(_paper(), curves, tmp_path, RunScope("cpu", ("GAN", "Pac3")))
    assert [f["src"] for f in figs] == ["figures/plateau_0.png"]
    assert (tmp_path / "plateau_0.png").stat().st_size > 1000
    assert "last 25 %" in figs[0]["caption"]
    assert plateau_figures(_paper(), curves.iloc[:0], tmp_path / "none") == []
