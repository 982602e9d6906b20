"""Seaborn figures for the report, written as PNG files next to the HTML.

Every function takes tidy frames (see :mod:`ganbench.report.aggregate`) and a
path, draws one figure and closes it. User strings reach matplotlib only
through :func:`safe_text`, so a ``$`` in a label is shown, not parsed as math.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from ganbench.report.format import entry_label, fmt_num, varying_coords

DPI = 100


def safe_text(text: object) -> str:
    """``text`` as a string matplotlib draws literally (``$`` escaped)."""
    return str(text).replace("$", r"\$")


def _save(fig: plt.Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return path


def distinct_colors(n: int) -> list[tuple[float, float, float]]:
    """``n`` colours, all different: seaborn's default 10, then tab20, then husl."""
    if n <= 10:
        return sns.color_palette(n_colors=n)
    if n <= 20:
        return sns.color_palette("tab20", n_colors=n)
    return sns.color_palette("husl", n_colors=n)


def with_entry(df: pd.DataFrame, varying: Sequence[str] | None = None) -> pd.DataFrame:
    """``df`` plus a drawable ``entry`` label column."""
    varying = varying_coords(df) if varying is None else varying
    out = df.copy()
    out["entry"] = [safe_text(entry_label(r, varying)) for _, r in df.iterrows()]
    return out


def plot_samples(
    panels: list[tuple[str, np.ndarray]],
    modes: np.ndarray | None,
    title: str,
    path: Path,
) -> Path:
    """One scatter panel per entry: generated points (blue) over the true mode centres (red ×)."""
    n = max(1, len(panels))
    cols = min(5, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2.5 * cols, 2.6 * rows), squeeze=False)
    lim = None
    if modes is not None and len(modes):
        span = np.abs(modes).max() * 1.35 + 0.1
        lim = (-span, span)
    for ax, (label, pts) in zip(axes.flat, panels, strict=False):
        if modes is not None:
            ax.scatter(
                modes[:, 0], modes[:, 1], s=40, marker="x", lw=0.8, color="tab:red", zorder=1
            )
        if len(pts):
            ax.scatter(
                pts[:, 0], pts[:, 1], s=3, alpha=0.4, color="tab:blue", zorder=2, rasterized=True
            )
        if lim:
            ax.set_xlim(lim)
            ax.set_ylim(lim)
        ax.set_title(safe_text(label), fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_aspect("equal")
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
    fig.suptitle(safe_text(title), fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


def plot_metric(metrics: pd.DataFrame, summary: pd.DataFrame, metric: str, path: Path) -> Path:
    """Point plot of one metric: seeds as dots, the mean and its CI (from ``summary``) as bars."""
    varying = varying_coords(summary)
    df = with_entry(metrics[metrics["metric"] == metric], varying)
    summ = with_entry(summary[summary["metric"] == metric], varying)
    order = list(dict.fromkeys(summ["entry"]))
    datasets = list(dict.fromkeys(summ["dataset"]))
    palette = dict(zip(datasets, sns.color_palette(n_colors=len(datasets)), strict=True))
    fig, ax = plt.subplots(figsize=(max(4.0, 0.6 * len(order) * len(datasets) + 2), 3.4))
    if len(df):
        sns.stripplot(
            data=df.assign(dataset=df["dataset"].map(safe_text)),
            x="entry",
            y="value",
            hue="dataset",
            order=order,
            hue_order=[safe_text(d) for d in datasets],
            palette=[palette[d] for d in datasets],
            dodge=True,
            alpha=0.45,
            size=3.5,
            ax=ax,
            jitter=0.08,
            legend=len(datasets) > 1,
        )
    width = 0.8 / max(1, len(datasets))
    for j, ds in enumerate(datasets):
        sub = summ[summ["dataset"] == ds].set_index("entry").reindex(order)
        x = np.arange(len(order)) - 0.4 + width * (j + 0.5)
        err = np.vstack([sub["mean"] - sub["ci_low"], sub["ci_high"] - sub["mean"]])
        ax.errorbar(
            x,
            sub["mean"],
            yerr=np.nan_to_num(err),
            fmt="D",
            ms=5,
            color=palette[ds],
            mec="black",
            mew=0.6,
            capsize=3,
            lw=1.2,
            zorder=5,
        )
    ax.set_xticks(range(len(order)), order)
    ax.set_xlabel("")
    ax.set_ylabel(safe_text(metric))
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    for t in ax.get_xticklabels():
        t.set_horizontalalignment("right")
    level = round(float(summ["ci_level"].iloc[0]) * 100) if len(summ) else 95
    method = summ["ci_method"].iloc[0] if len(summ) else "t"
    ax.set_title(
        safe_text(f"{metric}: mean and {level}% {method}-CI over seeds (dots: seeds)"), fontsize=9
    )
    fig.tight_layout()
    return _save(fig, path)


def plot_heatmap(summary: pd.DataFrame, metric: str, path: Path) -> Path:
    """Entry × dataset heat map of ``metric``: colour = rank on the dataset, text = mean."""
    varying = varying_coords(summary)
    summ = with_entry(summary[summary["metric"] == metric], varying)
    summ["dataset"] = summ["dataset"].map(safe_text)
    rows = list(dict.fromkeys(summ["entry"]))
    cols = list(dict.fromkeys(summ["dataset"]))
    ranks = summ.pivot_table(index="entry", columns="dataset", values="rank", aggfunc="first")
    means = summ.pivot_table(
        index="entry", columns="dataset", values="mean", aggfunc="first", dropna=False
    )
    ranks = ranks.reindex(index=rows, columns=cols)
    means = means.reindex(index=rows, columns=cols)
    annot = means.map(fmt_num)
    label_in = 0.075 * max((len(r) for r in rows), default=4)
    fig, ax = plt.subplots(figsize=(2.4 + label_in + 1.1 * len(cols), 1.3 + 0.42 * len(rows)))
    sns.heatmap(
        ranks.astype(float),
        annot=annot.to_numpy(),
        fmt="",
        cmap="viridis_r",
        cbar_kws={"label": "rank (1 = best)", "shrink": 0.8},
        linewidths=0.5,
        ax=ax,
    )
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(safe_text(f"{metric}: mean over seeds\n(colour: rank on the dataset)"), fontsize=9)
    fig.tight_layout()
    return _save(fig, path)


def plot_curves(
    curves: pd.DataFrame, title: str, path: Path, shade_from: float | None = None
) -> Path:
    """One panel per series (losses, periodic metrics) against step; one line per entry.

    The line is the mean over the entry's seeds at each logged step and the
    shaded band their full range (min to max), so the seed spread is visible.
    ``shade_from`` (a fraction of the last step) greys the end of training from there.
    A frame that has an ``entry`` column keeps its labels (e.g. the paper's rows).
    """
    df = curves.copy() if "entry" in curves.columns else with_entry(curves)
    series = list(dict.fromkeys(df["series"]))
    entries = list(dict.fromkeys(df["entry"]))
    colors = dict(zip(entries, distinct_colors(len(entries)), strict=True))
    n = max(1, len(series))
    cols = min(3, n)
    nrows = math.ceil(n / cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(3.8 * cols, 2.8 * nrows), squeeze=False)
    stats = (
        df.groupby(["series", "entry", "step"], sort=False)["value"]
        .agg(["mean", "min", "max"])
        .reset_index()
    )
    for ax, name in zip(axes.flat, series, strict=False):
        panel = stats[stats["series"] == name]
        for entry, sub in panel.groupby("entry", sort=False):
            sub = sub.sort_values("step")
            ax.plot(sub["step"], sub["mean"], lw=1.1, color=colors[entry], label=entry)
            ax.fill_between(
                sub["step"], sub["min"], sub["max"], color=colors[entry], alpha=0.2, lw=0
            )
        if shade_from is not None and len(panel):
            last = float(panel["step"].max())
            ax.axvspan(shade_from * last, last, color="0.5", alpha=0.12, lw=0)
        panel_title = safe_text(name)
        limits = robust_limits(panel[["mean", "min", "max"]].to_numpy().ravel())
        if limits is not None:
            ax.set_ylim(limits)
            panel_title += " (y clipped: outliers off-scale)"
        ax.set_title(panel_title, fontsize=9)
        ax.set_xlabel("step", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(series) :]:
        ax.axis("off")
    fig.suptitle(safe_text(title), fontsize=10)
    if series:
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=7)
    fig.tight_layout()
    return _save(fig, path)


def robust_limits(values: np.ndarray, spread: float = 20.0) -> tuple[float, float] | None:
    """y-limits that keep a few huge values from flattening every other line, or ``None``.

    When the finite values reach further than ``spread`` × their 5–95 % range beyond
    that range (e.g. one diverging run's loss of 1e8 beside losses of order 1), the
    axis is limited to the 5–95 % range plus half its width on each side; otherwise it
    is left alone.
    """
    finite = values[np.isfinite(values)]
    if finite.size < 10:
        return None
    q05, q95 = np.quantile(finite, [0.05, 0.95])
    width = max(q95 - q05, 1e-12)
    if finite.min() >= q05 - spread * width and finite.max() <= q95 + spread * width:
        return None
    return float(q05 - 0.5 * width), float(q95 + 0.5 * width)
