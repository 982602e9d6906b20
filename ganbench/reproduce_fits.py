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

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ganbench.errors import ConfigError
from ganbench.papers import Paper, parse_paper
from ganbench.report.aggregate import METRIC_COLUMNS, RUN_COLUMNS
from ganbench.yamlio import load_yaml_file

FIT_KIND = "divergence-fit"
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

    suite: Any  # ganbench.fits.suite.FitSuite
    paper: Paper
    budget_name: str = "full"


def _fits_module() -> Any:
    try:
        from ganbench.fits import suite
    except ImportError:
        return None
    return suite


def load_fit_paper_run(path: Path) -> FitPaperRun:
    """Load a ``kind: divergence-fit`` paper suite and validate its ``paper:`` section."""
    mod = _fits_module()
    if mod is None:
        raise ConfigError(f"{path}: kind {FIT_KIND!r} needs ganbench.fits, which is not installed")
    data = load_yaml_file(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    suite = mod.parse_fit_suite(data, path, digest)
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


def run_fits(
    run: FitPaperRun, results: str | Path, reports: str | Path, *, train: bool, force: bool
) -> tuple[list[dict[str, Any]], Path]:
    """Run (or reuse) the fits and render their own report; ``(records, index.html)``."""
    mod = _fits_module()
    suite = run.suite
    if train:
        records = mod.run_fit_suite(suite, results, force=force)
    else:
        records = mod.suite_records(suite, results)
    if not records:
        raise ConfigError(f"reproduce {suite.name}: no fit records under {results}/{suite.name}")
    index = mod.render_suite_report(suite, records, reports)
    return records, index
