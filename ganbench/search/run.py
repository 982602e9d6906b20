"""Running and reporting a search suite: phase 1 (trials), phase 2 (best on fresh seeds).

Both phases are ordinary sweeps (records, resume, locks, ensembles, Ray), the
second planned from the first's records; a killed search resumes where it
stopped and samples nothing anew. The report is the usual leaderboard of the
re-run phase (the comparison that is not biased by the selection), linked to
``search.html``: expected best after k trials, the distribution of outcomes,
sensitivity per hyper-parameter and the chosen configurations.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ganbench.config import Cell, Suite
from ganbench.errors import GanbenchError
from ganbench.kinds.base import RunRequest
from ganbench.metrics import METRICS
from ganbench.record import RunRecord
from ganbench.runner.store import ResultStore, report_folder, safe_child
from ganbench.search.plan import rerun_cells
from ganbench.search.report import Selection, render_search_page, select_best, trials_frame
from ganbench.search.spec import SearchSpec

log = logging.getLogger(__name__)

SEARCH_PAGE = "search.html"


def _spec(suite: Suite) -> SearchSpec:
    if suite.search is None:
        raise GanbenchError(f"{suite.path}: the suite has no search section")
    return suite.search


def _hib(suite: Suite) -> bool:
    return METRICS.get(_spec(suite).metric).higher_is_better


def selections(
    suite: Suite, store: ResultStore, cells: Sequence[Cell]
) -> tuple[pd.DataFrame, list[Selection]]:
    """The trials frame of the phase-1 records and the best trial of each complete group.

    ``cells`` are the suite's trial cells (``suite.cells()``, resolved once by
    the caller). A dataset × objective × architecture whose trials do not all
    have records yet is left out (its re-runs wait for the search to finish).
    """
    records, incomplete = [], set()
    for c in cells:
        rec = store.read(c.run_id)  # stale records are counted by the report
        if rec is None:
            incomplete.add((c.dataset.label, c.objective.label, c.architecture.label))
        else:
            records.append(rec)
    trials = trials_frame(records, _spec(suite))
    chosen = [
        s
        for s in select_best(trials, _hib(suite))
        if (s.dataset, s.objective, s.architecture) not in incomplete
    ]
    return trials, chosen


def phase_two(suite: Suite, chosen: list[Selection]) -> list[Cell]:
    """The re-run cells of the chosen trials."""
    return rerun_cells(suite, [(s.dataset, s.objective, s.architecture, s.trial) for s in chosen])


def run_search(suite: Suite, request: RunRequest) -> list[str]:
    """Phase 1, then phase 2 from its records, then the report; the lines to print."""
    from ganbench.env import resolve_device
    from ganbench.runner import RunOptions, run_suite

    options = request.options or RunOptions()
    device = request.device if options.backend == "ray" else resolve_device(request.device)
    kwargs = {
        "force": request.force,
        "ensemble": request.ensemble,
        "progress": request.progress,
        "options": options,
    }
    trial_cells = suite.cells()
    first = run_suite(suite, request.results, device, cells=trial_cells, **kwargs)  # type: ignore[arg-type]
    log.info("%s: search phase, %d cells, %d run", suite.name, first.total, first.ran)
    _, chosen = selections(suite, ResultStore(request.results, suite.name), trial_cells)
    cells = phase_two(suite, chosen)
    if cells:
        second = run_suite(suite, request.results, device, cells=cells, **kwargs)  # type: ignore[arg-type]
        log.info("%s: re-run phase, %d cells, %d run", suite.name, second.total, second.ran)
    return report_search(suite, request.results, request.reports)


def report_search(suite: Suite, results: str | Path, reports: str | Path) -> list[str]:
    """Render the re-run leaderboard and ``search.html`` from the stored records."""
    from ganbench.report import render_report
    from ganbench.report.format import terminal_table

    spec = _spec(suite)
    store = ResultStore(results, suite.name)
    trial_cells = suite.cells()
    trials, chosen = selections(suite, store, trial_cells)
    if trials.empty:
        raise GanbenchError(f"no records for suite {suite.name!r} under {store.dir}")
    rerun_ids = [c.run_id for c in phase_two(suite, chosen)]
    trial_ids = [c.run_id for c in trial_cells]
    current = store.cell_records([*trial_ids, *rerun_ids])  # one stale-records line
    wanted = set(rerun_ids)
    reruns: list[RunRecord] = [r for r in current if r["run_id"] in wanted]
    out = safe_child(reports, suite.name, "suite name")
    lines: list[str] = []
    with report_folder(out):
        summary = None
        if reruns:
            report = render_report(
                suite.name,
                list(reruns),
                out,
                suite_path=str(suite.path),
                suite_hash=suite.file_hash,
                description=suite.description,
                results_dir=store.dir,
                links=[("search", SEARCH_PAGE)],
            )
            summary = report.summary
            lines += [terminal_table(summary), ""]
        page, search_lines = render_search_page(
            suite.name, spec, trials, chosen, summary, out, higher_is_better=_hib(suite)
        )
    lines += [*search_lines, "", f"search: {page}"]
    if reruns:
        lines.append(f"report: {out / 'index.html'}")
    return lines
