"""The plateau check: the tracked metric over the last 25 % of training, per published row."""

from __future__ import annotations

import math
from collections.abc import Sequence

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


def _curves(
    variant: str,
    values: dict[int, list[float]],
    series: str = "eval/hq",
    steps: Sequence[int] = (0, 25, 50, 75, 100),
) -> pd.DataFrame:
    """Seed → values at ``steps``."""
    rows = [
        {"run_id": f"{variant}{seed}", "dataset": "ring", "objective": "ns",
         "architecture": "mlp", "variant": variant, "seed": seed, "series": series,
         "step": step, "value": v}
        for seed, vals in values.items()
        for step, v in zip(steps, vals, strict=True)
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


def test_a_dip_at_the_75_percent_point_is_put_beside_the_last_10_percent():
    """pacgan2018's GAN grid row, 2026-12-03: every seed dipped at step 15,000 of 20,000."""
    steps = list(range(0, 21_000, 1_000))
    flat_end = [0.94, 0.94, 0.95, 0.95]  # steps 17,000-20,000
    values = {
        0: [0.5] * 15 + [0.56, 0.81] + flat_end,
        1: [0.5] * 15 + [0.37, 0.77] + [0.90, 0.93, 0.93, 0.95],
        2: [0.5] * 15 + [0.53, 0.64] + [0.90, 0.92, 0.93, 0.92],
    }
    (check,) = plateau_checks(
        _paper(), _curves("GAN", values, steps=steps), RunScope("cpu", ("GAN",))
    )
    assert check.start == pytest.approx((0.56 + 0.37 + 0.53) / 3)
    assert check.late == pytest.approx((0.94 + 0.93 + 0.92) / 3)  # step 18,000
    assert check.end == pytest.approx((0.95 + 0.95 + 0.92) / 3)
    assert "(steps 15,000 → 20,000, mean of 3 seeds; +45.3 points)" in check.text
    assert check.text.endswith("over the last 10 % (steps 18,000 → 20,000; +1.0 points)")


@pytest.mark.parametrize(
    ("steps", "late"),
    [
        (list(range(0, 14_500, 500)), 12_500),  # 90 % of 14,000 is 12,600: nearest 12,500
        (list(range(0, 14_001, 1_000)), 13_000),  # nearest to 12,600 is 13,000
        ([0, 300, 700, 1_000], None),  # 900 is nearest 1,000, the last step: no window
        ([0, 600, 800, 900, 1_000], 900),  # 75 % → 800, 90 % → 900
        ([0, 500, 850, 1_000], None),  # 850 is nearest both 750 and 900: one window only
    ],
)
def test_the_late_window_starts_at_the_checkpoint_nearest_90_percent(steps, late):
    values = {s: [0.1 * (i % 7) + 0.01 * s for i in range(len(steps))] for s in (0, 1, 2, 3)}
    (check,) = plateau_checks(
        _paper(), _curves("GAN", values, steps=steps), RunScope("cpu", ("GAN",))
    )
    if late is None:
        assert "last 10 %" not in check.text and math.isnan(check.late)
    else:
        assert f"(steps {late:,} → {steps[-1]:,};" in check.text
        expected = sum(values[s][steps.index(late)] for s in values) / len(values)
        assert check.late == pytest.approx(expected)
