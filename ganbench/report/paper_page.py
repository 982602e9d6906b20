"""The "paper vs. ganbench" page (``reproduce.html``) and its terminal table.

:func:`render_paper_page` writes the comparison of :mod:`ganbench.report.paper`
with what :class:`PageInfo` says about the run: its budget and cost, how it
differs from the paper's protocol, its runs and wall time, the rows it did not
run (with the command that runs them) and the plateau check of every row run
(:mod:`ganbench.report.plateau`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ganbench.papers import Paper
from ganbench.report.paper import SPREAD_WORDS, Comparison, PaperComparison
from ganbench.report.paper_note import closing_note
from ganbench.runner.store import atomic_write_text

if TYPE_CHECKING:
    from ganbench.report.plateau import PlateauCheck


@dataclass
class PageInfo:
    """What the paper page says about the run besides the comparison itself."""

    suite: str
    suite_path: str
    suite_hash: str
    budget: str  # cpu, gpu or full
    budget_cost: str
    differences: list[str] = field(default_factory=list)  # beyond the paper's own list
    notes: list[str] = field(default_factory=list)
    run_facts: list[str] = field(default_factory=list)  # runs, steps, seeds, wall time
    plateau: list[PlateauCheck] | None = None  # None: no plateau section (e.g. fits)
    plateau_figures: list[dict[str, str]] = field(default_factory=list)  # {src, caption}


def render_paper_page(paper: Paper, cmp: PaperComparison, info: PageInfo, out_dir: Path) -> Path:
    """Write ``<out_dir>/reproduce.html``: paper vs. ganbench per cell, protocol, verdict."""
    from ganbench.report.html import jinja_env

    tables: dict[str, dict[str, dict[str, Comparison]]] = {}
    for c in cmp.rows:
        tables.setdefault(c.dataset, {}).setdefault(c.row, {})[c.metric] = c
    html = (
        jinja_env()
        .get_template("reproduce.html.j2")
        .render(
            paper=paper,
            spread_words=SPREAD_WORDS[paper.spread],
            info=info,
            tables=tables,
            verdicts=cmp.rows,
            columns=paper.metrics,
            protocol=paper.protocol,
            differences=[*paper.differences, *info.differences],
            notes=[*paper.notes, *info.notes],
            claims=cmp.claims,
            rows_not_run=cmp.rows_not_run,
            closing=closing_note(cmp, paper),
            generated=datetime.now(UTC).isoformat(timespec="seconds"),
        )
    )
    path = out_dir / "reproduce.html"
    atomic_write_text(path, html)
    return path


def _mark(c: Comparison) -> str:
    """✓ matched, ✗ not matched, ~ inconclusive, – not run, ? not judged."""
    if c.matched is not None:
        return "✓" if c.matched else "✗"
    return "~" if c.inconclusive else "–" if c.not_run else "?"


def terminal_comparison(cmp: PaperComparison) -> str:
    """Plain-text side-by-side table (✓ matched, ✗ not, ~ inconclusive, – not run, ? not judged)."""
    if not cmp.rows:
        return "(the paper prints no numbers to compare)"
    head = ["dataset", "paper row", "column", "paper", "ganbench", ""]
    body = [
        [
            c.dataset,
            c.row,
            c.column,
            c.paper_text,
            c.ours_text if c.not_run else f"{c.ours_text} (n={c.ours_n})",
            _mark(c),
        ]
        for c in cmp.rows
    ]
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    return "\n".join(
        "  ".join(x.ljust(w) for x, w in zip(row, widths, strict=True)).rstrip()
        for row in [head, *body]
    )
