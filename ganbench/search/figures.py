"""Figures of the search page: expected best after k trials, outcomes, sensitivity.

Each function draws one PNG from tidy inputs and closes it. Labels reach
matplotlib only through :func:`ganbench.report.plots.safe_text`. Colours follow
the entry order given, so an objective has the same colour in every figure of a
dataset.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from ganbench.report.plots import DPI, distinct_colors, safe_text

Color = tuple[float, float, float]


@dataclass(frozen=True)
class Curve:
    """The expected-best curve of one entry, k = 1..K, with its bootstrap band."""

    label: str
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray


def palette(labels: Sequence[str]) -> dict[str, Color]:
    """One distinct colour per entry label, in order."""
    return dict(zip(labels, distinct_colors(len(labels)), strict=True))


def _save(fig: plt.Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return path


def plot_expected_best(
    curves: Sequence[Curve], metric: str, title: str, colors: Mapping[str, Color], path: Path
) -> Path:
    """Expected best ``metric`` against the number of trials k, one line and band per entry."""
    fig, ax = plt.subplots(figsize=(6.0, 3.6))
    for c in curves:
        ks = np.arange(1, len(c.mean) + 1)
        color = colors[c.label]
        ax.plot(ks, c.mean, marker="o", ms=3, lw=1.3, color=color, label=safe_text(c.label))
        ax.fill_between(ks, c.low, c.high, color=color, alpha=0.18, lw=0)
    ax.set_xlabel("trials k (budget)")
    ax.set_ylabel(safe_text(f"expected best {metric}"))
    if curves and len(curves[0].mean) > 1:
        ax.set_xlim(1, len(curves[0].mean))
    ax.set_title(safe_text(title), fontsize=9)
    if curves:
        ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    return _save(fig, path)


def plot_outcomes(
    scores: Mapping[str, np.ndarray],
    metric: str,
    title: str,
    colors: Mapping[str, Color],
    path: Path,
) -> Path:
    """Box plot of each entry's finite per-trial scores, the trials as dots over it."""
    labels = list(scores)
    fig, ax = plt.subplots(figsize=(max(4.0, 1.1 * len(labels) + 2.0), 3.6))
    finite = [v[np.isfinite(v)] for v in scores.values()]
    positions = np.arange(len(labels))
    if any(len(v) for v in finite):
        ax.boxplot(
            [v if len(v) else [math.nan] for v in finite],
            positions=positions,
            widths=0.5,
            showfliers=False,
            medianprops={"color": "black"},
        )
    rng = np.random.default_rng(0)
    for x, label, v in zip(positions, labels, finite, strict=True):
        jitter = rng.uniform(-0.12, 0.12, len(v))
        ax.scatter(x + jitter, v, s=14, alpha=0.7, color=colors[label], zorder=3)
    ax.set_xticks(positions, [safe_text(label) for label in labels])
    ax.tick_params(axis="x", labelrotation=20, labelsize=8)
    ax.set_ylabel(safe_text(f"{metric}: trial score (mean over search seeds)"), fontsize=8)
    ax.set_title(safe_text(title), fontsize=9)
    fig.tight_layout()
    return _save(fig, path)


def is_categorical(values: Sequence[Any]) -> bool:
    """Whether parameter values are drawn as categories (not all real numbers)."""
    return not all(
        isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)
        for v in values
    )


def category_text(value: Any) -> str:
    """A categorical value as text: lists as ``[a, b]``."""
    if isinstance(value, list | tuple):
        return "[" + ", ".join(category_text(v) for v in value) + "]"
    return str(value)


def _panel(
    ax: plt.Axes, frame: pd.DataFrame, path: str, log_x: bool, colors: Mapping[str, Color]
) -> None:
    """One sensitivity panel: columns ``entry``, ``score`` and the parameter ``path``."""
    values = list(frame[path])
    categorical = is_categorical(values)
    cats = sorted({category_text(v) for v in values}) if categorical else []
    entries = list(dict.fromkeys(frame["entry"]))
    for j, entry in enumerate(entries):
        sub = frame[frame["entry"] == entry]
        if categorical:
            offset = (j - (len(entries) - 1) / 2) * 0.8 / max(len(entries), 1)
            x = np.array([cats.index(category_text(v)) for v in sub[path]], float) + offset
        else:
            x = sub[path].to_numpy(dtype=float)
        ax.scatter(x, sub["score"], s=16, alpha=0.75, color=colors[entry], label=safe_text(entry))
    if categorical:
        ax.set_xticks(range(len(cats)), [safe_text(c) for c in cats], fontsize=7)
    elif log_x:
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_title(
        safe_text(path + (" (log scale)" if log_x and not categorical else "")), fontsize=9
    )
    ax.tick_params(labelsize=7)


def plot_sensitivity(
    frames: Mapping[str, pd.DataFrame],
    log_paths: set[str],
    metric: str,
    title: str,
    colors: Mapping[str, Color],
    path: Path,
) -> Path:
    """One panel per parameter path: trial score against the parameter's value, by entry.

    ``frames`` maps a path to a frame with columns ``entry``, ``score`` and the
    path (trials with a finite score of the entries that search the path).
    """
    n = max(1, len(frames))
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.8 * cols, 3.0 * rows), squeeze=False)
    for ax, (p, frame) in zip(axes.flat, frames.items(), strict=False):
        _panel(ax, frame, p, p in log_paths, colors)
        ax.set_ylabel(safe_text(metric), fontsize=8)
    for ax in list(axes.flat)[len(frames) :]:
        ax.axis("off")
    present = {e for frame in frames.values() for e in frame["entry"]}
    handles = [
        Line2D([], [], marker="o", ls="", color=color, label=safe_text(label))
        for label, color in colors.items()
        if label in present
    ]
    if handles:
        fig.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.suptitle(safe_text(title), fontsize=10)
    fig.tight_layout()
    return _save(fig, path)
