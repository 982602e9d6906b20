"""Number formatting and the display model of a leaderboard (stored data keeps raw floats).

:func:`leaderboard_tables` turns the summary of :mod:`ganbench.report.stats`
into one :class:`Table` per dataset; the HTML page, the Markdown and LaTeX
exports and the terminal all render that same model, so they cannot disagree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ganbench.report.aggregate import ENTRY
from ganbench.report.seeds import BAD_COLUMNS

ENTRY_KEYS = ENTRY[1:]  # objective, architecture, variant
BAD_LABELS = dict(
    zip(BAD_COLUMNS.values(), ("∞", "−∞", "NaN", "diverged", "failed", "no value"), strict=True)
)


def fmt_num(x: float | None, digits: int = 3) -> str:
    """Compact number: ``digits`` significant digits, NaN as an en dash."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if x == 0:
        return "0"
    mag = math.floor(math.log10(abs(x)))
    decimals = max(0, digits - 1 - mag)
    if abs(x) >= 1e5 or abs(x) < 1e-3:
        return f"{x:.{digits - 1}e}"
    return f"{x:.{decimals}f}"


def fmt_mean_ci(mean: float, half: float | None) -> str:
    """``mean ± half`` (the half-width with 2 significant digits); the mean alone without one."""
    if half is None or (isinstance(half, float) and math.isnan(half)):
        return fmt_num(mean)
    return f"{fmt_num(mean)} ± {fmt_num(half, 2)}"


def bad_seeds_note(counts: pd.Series | dict[str, Any]) -> str:
    """How many of ``n_seeds`` seeds had no finite value, by kind: ``"4/5 ∞, 1/5 diverged"``."""
    total = int(counts.get("n_seeds", 0) or 0)
    return ", ".join(
        f"{int(counts[col])}/{total} {label}"
        for col, label in BAD_LABELS.items()
        if int(counts.get(col, 0) or 0)
    )


def fmt_value_cell(r: pd.Series | dict[str, Any]) -> str:
    """``mean ± CI`` over the finite seeds, then the bad seeds in parentheses.

    Without a finite seed the value is the seeds' common infinity (``∞``/``−∞``)
    when every recorded value is that infinity, else ``–``.
    """
    if int(r["n"]) > 0:
        text = fmt_mean_ci(r["mean"], r["ci95"])
    elif int(r.get("n_posinf", 0) or 0) and not int(r.get("n_neginf", 0) or 0):
        text = fmt_num(math.inf)
    elif int(r.get("n_neginf", 0) or 0) and not int(r.get("n_posinf", 0) or 0):
        text = fmt_num(-math.inf)
    else:
        text = "–"
    note = bad_seeds_note(r)
    return f"{text} ({note})" if note else text


def fmt_p(p: float) -> str:
    """A p-value for display (``<0.001`` below that)."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "–"
    return "<0.001" if p < 1e-3 else f"{p:.3f}"


def arrow(higher_is_better: bool) -> str:
    """↑ when higher is better, ↓ otherwise."""
    return "↑" if higher_is_better else "↓"


def varying_coords(df: pd.DataFrame) -> list[str]:
    """Entry coordinates (besides dataset) that take more than one value."""
    return [c for c in ENTRY_KEYS if c in df and df[c].nunique(dropna=False) > 1]


def entry_label(row: pd.Series | dict[str, Any], varying: Sequence[str]) -> str:
    """Short label of a leaderboard entry from the coordinates that vary in the suite."""
    parts = [str(row[c]) for c in varying] or [str(row["objective"])]
    return " / ".join(parts)


@dataclass
class Cell:
    """One formatted leaderboard cell; ``mean`` stays raw for sorting."""

    text: str
    mean: float = math.nan
    sort: str = ""  # the HTML sort key: the mean, the worst value ("±Infinity") with bad seeds
    best: bool = False
    tied: bool = False  # not significantly different from the best (and not the best)
    rank: int | None = None
    n: int = 0
    title: str = ""


@dataclass
class Row:
    """One entry of a dataset's leaderboard."""

    label: str
    key: dict[str, Any]
    cells: list[Cell]
    n_ok: int = 0
    n_diverged: int = 0
    n_failed: int = 0


@dataclass
class Column:
    """A metric column."""

    metric: str
    higher_is_better: bool

    @property
    def arrow(self) -> str:
        """Direction arrow."""
        return arrow(self.higher_is_better)


@dataclass
class Table:
    """The leaderboard of one dataset."""

    dataset: str
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)


def _cell_title(r: pd.Series) -> str:
    ci = f"{round(r['ci_level'] * 100)}% {r['ci_method']}-CI"
    parts = [
        f"n={int(r['n'])}",
        f"std={fmt_num(r['std'])}",
        f"median={fmt_num(r['median'])}",
        f"{ci} [{fmt_num(r['ci_low'])}, {fmt_num(r['ci_high'])}]",
        f"rank={int(r['rank'])}",
    ]
    if r["significance"] == "computed":
        parts.append(
            f"vs best: Welch p={fmt_p(r['p_welch_holm'])}, "
            f"Mann-Whitney p={fmt_p(r['p_mwu_holm'])} (Holm)"
        )
    elif r["significance"] not in ("", "best"):
        parts.append(f"significance {r['significance']}")
    if note := bad_seeds_note(r):
        parts.append(f"seeds without a finite value, ranked as the worst value: {note}")
    return "; ".join(parts)


def _sort_key(r: pd.Series) -> str:
    if int(r.get("n_bad", 0) or 0):
        return "-Infinity" if r["higher_is_better"] else "Infinity"
    return "" if math.isnan(r["mean"]) else repr(float(r["mean"]))


def _cell(r: pd.Series | None) -> Cell:
    if r is None:
        return Cell("–")
    return Cell(
        text=fmt_value_cell(r),
        mean=float(r["mean"]),
        sort=_sort_key(r),
        best=bool(r["is_best"]),
        tied=bool(r["tied_best"]) and not bool(r["is_best"]),
        rank=int(r["rank"]),
        n=int(r["n"]),
        title=_cell_title(r),
    )


def leaderboard_tables(summary: pd.DataFrame, varying: Sequence[str] | None = None) -> list[Table]:
    """One :class:`Table` per dataset (suite order), entries in suite order.

    Entry labels join the ``varying`` coordinates (default: those that vary in ``summary``).
    """
    if summary.empty:
        return []
    varying = varying_coords(summary) if varying is None else varying
    tables = []
    for ds, grp in summary.groupby("dataset", sort=False):
        metrics = list(dict.fromkeys(grp["metric"]))
        hib = grp.drop_duplicates("metric").set_index("metric")["higher_is_better"]
        table = Table(str(ds), [Column(m, bool(hib[m])) for m in metrics])
        for key, ent in grp.groupby(ENTRY_KEYS, sort=False, dropna=False):
            by_metric = {r["metric"]: r for _, r in ent.iterrows()}
            first = ent.iloc[0]
            table.rows.append(
                Row(
                    label=entry_label(first, varying),
                    key=dict(zip(ENTRY_KEYS, key, strict=True)),
                    cells=[_cell(by_metric.get(m)) for m in metrics],
                    n_ok=int(first["n_ok"]),
                    n_diverged=int(first["n_diverged"]),
                    n_failed=int(first["n_failed"]),
                )
            )
        tables.append(table)
    return tables


def terminal_table(summary: pd.DataFrame) -> str:
    """Plain-text leaderboards: mean ± CI (n) per metric; ``*`` best, ``=`` tied with it."""
    tables = leaderboard_tables(summary)
    if not tables:
        return "(no metric values)"
    lines = []
    for t in tables:
        lines.append(f"== {t.dataset}")
        head = ["entry", *(f"{c.metric} {c.arrow}" for c in t.columns), "ok/div/fail"]
        body = []
        for r in t.rows:
            cells = [
                f"{c.text}{'*' if c.best else '=' if c.tied else ''}"
                + (f" (n={c.n})" if c.rank is not None else "")
                for c in r.cells
            ]
            body.append([r.label, *cells, f"{r.n_ok}/{r.n_diverged}/{r.n_failed}"])
        widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head))]
        lines.append("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
        lines.extend("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in body)
    lines.append(
        "(* best; = not significantly different from the best; ± 95% CI over the finite seeds;"
        " in parentheses: seeds without a finite value, ranked as the worst value)"
    )
    return "\n".join(lines)
