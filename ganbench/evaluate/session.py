"""Run a list of evaluation cells with resume and locks, then report them like a suite.

Records go to ``<results>/<name>/``, the report to ``<reports>/<name>/`` (the
same leaderboard, run pages and exports as a trained suite: mean ± CI over
sampling seeds per input, every protocol field on the run pages). ``ganbench
eval`` passes ``results/eval`` and ``reports/eval`` as the roots; an eval
suite uses the plain roots, like every suite.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from ganbench.evaluate.run import EvalCell, evaluate_cell
from ganbench.record import RunRecord, encode_value
from ganbench.runner.locks import LockDir
from ganbench.runner.store import ResultStore, report_folder, safe_child

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SessionResult:
    """What a session did: its records in cell order and how many were computed."""

    records: list[RunRecord]
    computed: int
    skipped: int
    by_others: int


def store_for(results: str | Path, name: str) -> ResultStore:
    """The result store of evaluation ``name`` (``<results>/<name>``)."""
    return ResultStore(results, name)


def run_cells(
    cells: Sequence[EvalCell], results: str | Path, device: torch.device, *, force: bool = False
) -> SessionResult:
    """Evaluate every cell without a record (all with ``force``), one lock per cell.

    A cell another process holds is left to it. Bad input raises before its
    record is written, so earlier records stay and a re-run resumes after them.
    """
    if not cells:
        return SessionResult([], 0, 0, 0)
    store = store_for(results, cells[0].suite)
    store.check_writable()
    locks = LockDir(store.lock_dir)
    computed = skipped = by_others = 0
    for cell in cells:
        if not force and store.is_done(cell.run_id):
            skipped += 1
            continue
        lock = locks.try_acquire(cell.run_id)
        if lock is None:
            by_others += 1
            log.info("%s: being evaluated by another process", cell.run_id)
            continue
        try:
            if not force and store.is_done(cell.run_id, warn=False):
                skipped += 1
                continue
            store.write(evaluate_cell(cell, device))
            computed += 1
        finally:
            lock.release()
    records = store.cell_records([c.run_id for c in cells])
    return SessionResult(list(records), computed, skipped, by_others)


def render(
    name: str,
    records: Sequence[RunRecord],
    results: str | Path,
    reports: str | Path,
    *,
    description: str = "",
    suite_path: str | None = None,
    suite_hash: str | None = None,
) -> tuple[Path, str]:
    """Write the HTML report of an evaluation; returns its path and the terminal table."""
    from ganbench.report import render_report
    from ganbench.report.format import terminal_table

    out = safe_child(reports, name, "evaluation name")
    with report_folder(out):
        report = render_report(
            name,
            list(records),
            out,
            suite_path=suite_path,
            suite_hash=suite_hash,
            description=description,
            results_dir=store_for(results, name).dir,
        )
    return report.path, terminal_table(report.summary)


def records_json(records: Sequence[RunRecord]) -> str:
    """The records as one JSON array (non-finite floats encoded as in the files)."""
    data: list[Any] = [encode_value(dict(r)) for r in records]
    return json.dumps(data, indent=1, sort_keys=True, allow_nan=False)
