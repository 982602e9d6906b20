"""Leaderboard exports next to the HTML: raw numbers (CSV, Parquet) and formatted (Markdown, LaTeX).

* ``leaderboard.csv`` / ``leaderboard.parquet``: the summary, one row per
  (entry, metric), raw floats (n, mean, std, median, CI, ranks, p-values).
* ``seeds.csv`` / ``seeds.parquet``: every seed's metric value.
* ``leaderboard.md`` / ``leaderboard.tex``: the formatted per-dataset tables
  (mean ± CI, best bold) for pasting into a README or a paper.

Parquet needs ``pyarrow`` (``pip install 'ganbench[parquet]'``); without it the
Parquet files are skipped with a warning and the report says so.
"""

from __future__ import annotations

import importlib.util
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ganbench.report.format import Table
from ganbench.runner.store import atomic_write_text

log = logging.getLogger(__name__)

PARQUET_MISSING = (
    "Parquet exports skipped: pyarrow is not installed (pip install 'ganbench[parquet]')"
)
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~-])")
_TEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "±": r"$\pm$",
    "↑": r"$\uparrow$",
    "↓": r"$\downarrow$",
    "–": "--",
    "−": "$-$",
    "∞": r"$\infty$",
}


@dataclass
class Exports:
    """What was written (file names relative to the report folder) and what was not."""

    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def md_escape(text: str) -> str:
    """Backslash-escape Markdown punctuation so user strings render literally."""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def tex_escape(text: str) -> str:
    """Escape LaTeX special characters (and map ±, arrows, dashes to math)."""
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in str(text))


def to_markdown(tables: list[Table], suite: str) -> str:
    """GitHub-flavoured Markdown: one table per dataset, best **bold**, tied marked ≈."""
    lines = [f"# {md_escape(suite)}", ""]
    for t in tables:
        lines += [f"## {md_escape(t.dataset)}", ""]
        head = ["entry", *(f"{md_escape(c.metric)} {c.arrow}" for c in t.columns)]
        head += ["seeds ok", "diverged", "failed"]
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|")
        for r in t.rows:
            cells = [
                f"**{c.text}**" if c.best else f"{c.text} ≈" if c.tied else c.text for c in r.cells
            ]
            row = [md_escape(r.label), *cells, str(r.n_ok), str(r.n_diverged), str(r.n_failed)]
            lines.append("| " + " | ".join(row) + " |")
        lines.append("")
    lines.append(
        "Mean over the finite seeds ± half-width of the 95% confidence interval; in parentheses, "
        "seeds without a finite value (ranked as the worst value). **Bold**: best entry; "
        "≈: not significantly different from the best (Holm-corrected Welch t-test, α = 0.05)."
    )
    return "\n".join(lines) + "\n"


def to_latex(tables: list[Table], suite: str) -> str:
    """One booktabs ``table`` per dataset; best ``\\textbf``, tied ``\\underline``."""
    out = [f"% ganbench leaderboard of suite {tex_escape(suite)}; needs \\usepackage{{booktabs}}"]
    for t in tables:
        spec = "l" + "r" * (len(t.columns) + 2)
        head = ["entry", *(f"{tex_escape(c.metric)} {tex_escape(c.arrow)}" for c in t.columns)]
        head += ["ok", "div./failed"]
        out += [
            r"\begin{table}[t]",
            r"\centering",
            f"\\caption{{{tex_escape(suite)}: {tex_escape(t.dataset)} "
            r"(mean $\pm$ 95\% CI over seeds)}",
            f"\\begin{{tabular}}{{{spec}}}",
            r"\toprule",
            " & ".join(head) + r" \\",
            r"\midrule",
        ]
        for r in t.rows:
            cells = []
            for c in r.cells:
                text = tex_escape(c.text)
                cells.append(
                    f"\\textbf{{{text}}}"
                    if c.best
                    else f"\\underline{{{text}}}"
                    if c.tied
                    else text
                )
            row = [tex_escape(r.label), *cells, str(r.n_ok), f"{r.n_diverged}/{r.n_failed}"]
            out.append(" & ".join(row) + r" \\")
        out += [r"\bottomrule", r"\end{tabular}", r"\end{table}", ""]
    return "\n".join(out)


def has_parquet() -> bool:
    """Whether pandas can write Parquet here (pyarrow installed)."""
    return importlib.util.find_spec("pyarrow") is not None


def _frame_for_files(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object:
            out[c] = out[c].astype("string")
    return out


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet runs such a cell as a formula


def csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with text cells that a spreadsheet would evaluate (``=HYPERLINK(…)``) prefixed ``'``.

    Only text columns change (labels, notes); numbers stay numbers.
    """
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == "string" or out[c].dtype == object:
            out[c] = out[c].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v
            )
    return out


def write_exports(
    out_dir: Path,
    summary: pd.DataFrame,
    seeds: pd.DataFrame,
    tables: list[Table],
    suite: str,
) -> Exports:
    """Write every export into ``out_dir`` and return what was written."""
    done = Exports()
    frames = {"leaderboard": summary, "seeds": seeds}
    for stem, df in frames.items():
        df = _frame_for_files(df)
        atomic_write_text(out_dir / f"{stem}.csv", csv_safe(df).to_csv(index=False))
        done.files.append(f"{stem}.csv")
        if has_parquet():
            df.to_parquet(out_dir / f"{stem}.parquet", index=False)
            done.files.append(f"{stem}.parquet")
    if not has_parquet():
        log.warning(PARQUET_MISSING)
        done.notes.append(PARQUET_MISSING)
    atomic_write_text(out_dir / "leaderboard.md", to_markdown(tables, suite))
    atomic_write_text(out_dir / "leaderboard.tex", to_latex(tables, suite))
    done.files += ["leaderboard.md", "leaderboard.tex"]
    return done
