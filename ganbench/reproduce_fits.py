"""``ganbench reproduce`` for ``kind: divergence-fit`` suites (e.g. Theis et al. 2016, Fig. 1).

The fits themselves (targets, objectives, optimisation, their report page)
live in :mod:`ganbench.fits`; this module only turns a fit suite's records
into the tidy tables of :mod:`ganbench.report.aggregate`, so the paper page
and its claims work as for GAN suites. Each fit is one entry (dataset = the
target, objective = the fit's label, architecture = the model) with one
deterministic "seed"; its metrics are the fitted scale ``scale_a`` and the
coverage summary the fit records.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ganbench.errors import ConfigError
from ganbench.fits.suite import (
    FitSuite,
    render_suite_report,
    run_fit_suite,
    suite_records,
)
from ganbench.kinds import ReproduceRequest
from ganbench.kinds.fit import NAME
from ganbench.papers import Paper, parse_paper
from ganbench.record import RunRecord
from ganbench.report.aggregate import METRIC_COLUMNS, RUN_COLUMNS
from ganbench.reproduce import Reproduction, finish, page_info

log = logging.getLogger(__name__)

# metric → (higher is better, how to read it from a fit record's ``result``)
FIT_METRICS: dict[str, tuple[bool, Any]] = {
    "scale_a": (True, lambda r: r["a"]),
    "modes_inside": (True, lambda r: len(r["coverage"]["modes_inside"])),
    "modes_missed": (False, lambda r: len(r["coverage"]["missed"])),
    "p_mass_inside": (True, lambda r: r["coverage"]["p_mass_inside"]),
    "e_q_log_p": (True, lambda r: r["coverage"]["e_q_log_p"]),
    "e_p_log_q": (True, lambda r: r["coverage"]["e_p_log_q"]),
}


@dataclass(frozen=True)
class FitPaperRun:
    """A fit suite with its validated paper section (fits have no budgets)."""

    suite: FitSuite
    paper: Paper
    budget_name: str = "full"
    kind: str = NAME


def load_fit_paper_run(suite: FitSuite, budget: str) -> FitPaperRun:
    """``suite`` (a loaded paper suite) with its ``paper:`` section validated.

    Fits are deterministic and take seconds on a CPU: they have no budgets and
    always run as written.
    """
    path = suite.path
    if budget != "full":
        log.info("%s: fit suites have no budgets; running it as written", path)
    if suite.paper is None:
        raise ConfigError(f"{path}: not a paper suite (it has no 'paper:' section)")
    if isinstance(suite.paper, Paper):
        return FitPaperRun(suite, suite.paper)
    axes = {
        "dataset": [suite.target.label],
        "objective": [f.label for f in suite.fits],
        "architecture": [suite.model],
        "variant": ["default"],
    }
    return FitPaperRun(suite, parse_paper(suite.paper, str(path), axes, list(FIT_METRICS)))


def _coords(rec: Mapping[str, Any], model: str) -> dict[str, Any]:
    c = rec.get("coords") or {}
    return {
        "dataset": c.get("target"),
        "objective": c.get("objective"),
        "architecture": model,
        "variant": "default",
        "seed": 0,
    }


def fit_frames(records: Iterable[Mapping[str, Any]], model: str) -> tuple[pd.DataFrame, ...]:
    """``(runs, metrics)`` tidy frames of fit records (see the module docstring)."""
    runs, rows = [], []
    for rec in records:
        coords = _coords(rec, model)
        runs.append(
            {"run_id": rec.get("run_id"), **coords, "status": rec.get("status"),
             "error": rec.get("error"), "diverged_step": None,
             "train_s": (rec.get("timing") or {}).get("fit_s")}
        )  # fmt: skip
        result = rec.get("result") or {}
        if rec.get("status") != "ok" or not result:
            continue
        for name, (hib, read) in FIT_METRICS.items():
            rows.append(
                {"run_id": rec.get("run_id"), **coords, "status": "ok", "metric": name,
                 "value": float(read(result)), "higher_is_better": hib, "note": None}
            )  # fmt: skip
    metrics = pd.DataFrame(rows, columns=METRIC_COLUMNS)
    metrics["value"] = metrics["value"].astype("float64")
    return pd.DataFrame(runs, columns=RUN_COLUMNS), metrics


def reproduce_fits(run: FitPaperRun, request: ReproduceRequest) -> Reproduction:
    """Run (or reuse) the fits, render their report and the paper page."""
    from ganbench.report.stats import summarize

    suite = run.suite
    records, index = run_fits(run, request)
    runs, metrics = fit_frames(records, suite.model)
    info = page_info(suite.name, suite.path, suite.file_hash, "full", None)
    info.budget_cost = "deterministic fits, seconds on a CPU; no budgets"
    return finish(run.paper, summarize(metrics, runs), metrics, info, index.parent, index)


def run_fits(run: FitPaperRun, request: ReproduceRequest) -> tuple[list[RunRecord], Path]:
    """Run (or reuse) the fits and render their own report; ``(records, index.html)``."""
    suite, results = run.suite, request.results
    if request.train:
        records = run_fit_suite(suite, results, force=request.force)
    else:
        records = suite_records(suite, results)
    if not records:
        raise ConfigError(f"reproduce {suite.name}: no fit records under {results}/{suite.name}")
    return records, render_suite_report(suite, records, request.reports)
