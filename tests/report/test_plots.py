"""Figure helpers: robust axis limits and the curve figure with a diverging run."""

from __future__ import annotations

import numpy as np
import pandas as pd
from PIL import Image

from ganbench.report.plots import plot_curves, robust_limits


def test_robust_limits_leave_ordinary_data_alone():
    rng = np.random.default_rng(0)
    assert robust_limits(rng.normal(size=500)) is None
    assert robust_limits(np.linspace(-3.0, 40.0, 200)) is None
    assert robust_limits(np.array([1.0, np.nan, 2.0])) is None  # too few finite values


def test_robust_limits_clip_a_few_huge_values():
    """Regression: one diverging run's loss (1e8) flattened every other curve to a line."""
    values = np.concatenate([np.linspace(0.5, 1.5, 300), [2e3, 1e8, np.inf]])
    low, high = robust_limits(values)
    assert low < 0.5 and 1.5 < high < 10.0
    # the limits hold the bulk of the data
    inside = values[np.isfinite(values)]
    assert np.mean((inside >= low) & (inside <= high)) > 0.95


def _curves(outlier: float) -> pd.DataFrame:
    rows = []
    for objective in ("nonsaturating", "fgan-kl"):
        for seed in (0, 1):
            for step in range(0, 100, 5):
                big = objective == "fgan-kl" and step == 95
                value = outlier if big else 1.0 + 0.01 * step + 0.1 * seed
                rows.append(
                    {
                        "dataset": "ring",
                        "objective": objective,
                        "architecture": "mlp",
                        "variant": "",
                        "seed": seed,
                        "series": "g_loss",
                        "step": step,
                        "value": value,
                    }
                )
    return pd.DataFrame(rows)


def test_curve_figure_with_a_diverging_run_is_written(tmp_path):
    path = plot_curves(_curves(1e8), "ring: training curves", tmp_path / "curves.png")
    with Image.open(path) as img:
        width, height = img.size
    assert width > 300 and height > 200


def test_curve_figure_keeps_its_title_and_clips_the_outlier_panel(tmp_path, monkeypatch):
    """Regression: the panel title overwrote the figure's title."""
    from ganbench.report import plots

    seen = {}

    def capture(fig, path):
        seen["suptitle"] = fig._suptitle.get_text()
        seen["axes"] = [(ax.get_title(), ax.get_ylim()) for ax in fig.axes if ax.get_title()]
        return plots.plt.close(fig) or path

    monkeypatch.setattr(plots, "_save", capture)
    plot_curves(_curves(1e8), "ring: training curves", tmp_path / "c.png")
    assert seen["suptitle"] == "ring: training curves"
    (title, (low, high)), *_ = seen["axes"]
    assert low < 1.0
    assert title == "g_loss (y clipped: outliers off-scale)" and high < 100


def test_curve_colours_are_distinct_for_many_entries():
    from ganbench.report.plots import distinct_colors

    for n in (3, 10, 15, 20, 33):
        assert len(set(distinct_colors(n))) == n
