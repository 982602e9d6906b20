"""Suites of ``kind: divergence-fit``: fit a model to a known target under several divergences.

A suite names one ``target`` (registry ``FIT_TARGETS``), the ``model``
(``isotropic-gaussian``, the only one so far) and a list of ``fits`` (registry
``FIT_OBJECTIVES`` entries, a name or ``{name, label?, params?}``)::

    name: theis2015
    kind: divergence-fit
    target: {name: theis-mixture, params: {seed: 22}}
    model: isotropic-gaussian
    fits: [kl, reverse_kl, js, {name: mmd, params: {scales: [0.5, 1, 2, 4, 8]}}]

Each fit is one record ``<results>/<suite>/<run_id>.json`` (atomic, like a GAN
cell's), with the best fit, every local optimum, the mode-coverage summary and
all objectives evaluated at the fit. The fits are deterministic (no seeds).
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganbench import env
from ganbench.axes import ComponentSpec, parse_entry
from ganbench.config import build_component
from ganbench.errors import ConfigError, GanbenchError, echo
from ganbench.fits.objectives import EVAL_POINTS, FIT_OBJECTIVES, Mixture, Quadrature
from ganbench.fits.optimize import coverage, density_modes, fit_isotropic_gaussian
from ganbench.fits.target import FIT_TARGETS
from ganbench.kinds.fit import NAME as KIND
from ganbench.metrics.divergence import estimate_divergence
from ganbench.metrics.divergence.critic import single_thread
from ganbench.record import (
    RecordHead,
    RunRecord,
    config_run_id,
    failed_fit_record,
    fit_record,
)
from ganbench.runner.store import ResultStore
from ganbench.strict import check_keys, expect, suite_header, unique_labels

log = logging.getLogger(__name__)

MODELS = ("isotropic-gaussian",)
TOP_KEYS = {"name", "kind", "description", "paper", "target", "model", "fits", "quadrature_points"}
CHECK_MC = 50_000  # Monte Carlo samples of the independent check of the fitted values


@dataclass(frozen=True)
class FitCell:
    """One fit: a target, a model and an objective."""

    suite: str
    target: ComponentSpec
    objective: ComponentSpec
    model: str
    quadrature_points: int

    def resolved(self) -> dict[str, Any]:
        """The JSON-able resolved config; its hash is the run id."""
        return {
            "kind": KIND,
            "target": {"name": self.target.name, "params": self.target.params},
            "objective": {
                "name": self.objective.name,
                "label": self.objective.label,
                "params": _listify(self.objective.params),
            },
            "model": self.model,
            "quadrature_points": self.quadrature_points,
        }

    @property
    def run_id(self) -> str:
        """Stable 16-hex-digit hash of the resolved config."""
        return config_run_id(self.resolved())


def _listify(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {k: _listify(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_listify(v) for v in obj]
    return obj


@dataclass(frozen=True)
class FitSuite:
    """A validated ``kind: divergence-fit`` suite."""

    name: str
    path: Path
    file_hash: str
    description: str
    target: ComponentSpec
    model: str
    fits: tuple[ComponentSpec, ...]
    quadrature_points: int = 32
    paper: dict[str, Any] | None = None

    def cells(self) -> list[FitCell]:
        """One cell per fit, in suite order."""
        return [
            FitCell(self.name, self.target, f, self.model, self.quadrature_points)
            for f in self.fits
        ]

    def summary(self) -> str:
        """One line for ``ganbench validate``."""
        names = ", ".join(f.label for f in self.fits)
        return f"{len(self.fits)} fits of an {self.model} to {self.target.label} ({names})"


def parse_fit_suite(data: Mapping[str, Any], path: Path, file_hash: str = "") -> FitSuite:
    """Validate a parsed ``kind: divergence-fit`` mapping (strict: unknown keys are errors)."""
    where = str(path)
    check_keys(data, TOP_KEYS, where)
    name, desc = suite_header(data, path)
    if "target" not in data:
        raise ConfigError(f"{where}: missing required key 'target'")
    target = parse_entry(data["target"], FIT_TARGETS, f"{where}: target", None)
    model = data.get("model", MODELS[0])
    if model not in MODELS:
        raise ConfigError(
            f"{where}: model: {echo(model)} is not valid (valid: {', '.join(MODELS)})"
        )
    raw_fits = expect(data.get("fits"), list, f"{where}: fits", "a non-empty list of objectives")
    if not raw_fits:
        raise ConfigError(f"{where}: fits: empty list")
    fits = [
        parse_entry(f, FIT_OBJECTIVES, f"{where}: fits[{i}]", None) for i, f in enumerate(raw_fits)
    ]
    unique_labels(fits, f"{where}: fits")
    points = expect(
        data.get("quadrature_points", 32), int, f"{where}: quadrature_points", "an integer"
    )
    if not 8 <= points <= 200:
        raise ConfigError(f"{where}: quadrature_points: expected 8..200, got {points}")
    paper = data.get("paper")
    if paper is not None:
        expect(paper, dict, f"{where}: paper", "a mapping")
    suite = FitSuite(name, path, file_hash, desc, target, model, tuple(fits), points, paper)
    for f in fits:  # build once so bad parameter values fail at validation
        build_component(f, FIT_OBJECTIVES, f"{where}: fits")
    build_component(target, FIT_TARGETS, f"{where}: target")
    return suite


def _objective_values(
    suite: FitSuite, b: np.ndarray, a: float, quad: Quadrature, target: Any
) -> dict[str, float]:
    """Every registered objective at the fit (the suite's params where the suite lists it)."""
    params = {f.name: f.params for f in suite.fits}
    mix = Mixture.of(target)
    bt, la = torch.as_tensor(b), torch.tensor(np.log(a), dtype=torch.float64)
    out = {}
    for name in FIT_OBJECTIVES.names():
        fn = FIT_OBJECTIVES.get(name)(**params.get(name, {}))
        out[name] = float(fn(mix, bt, la, quad))
    return out


def run_fit(cell: FitCell, suite: FitSuite) -> RunRecord:
    """Run one fit and return its record (``failed`` with the error on an exception)."""
    started = time.perf_counter()
    head = RecordHead(
        cell.run_id,
        cell.suite,
        {"target": cell.target.label, "objective": cell.objective.label},
        cell.resolved(),
        env.environment(torch.device("cpu")),
        kind=KIND,
    )
    try:
        result = _fit_result(cell, suite)
    except Exception as exc:  # failures are data
        log.error("fit %s failed: %s", cell.objective.label, exc)
        return failed_fit_record(
            head,
            error=f"{type(exc).__name__}: {exc}",
            traceback_text=traceback.format_exc(),
            fit_s=time.perf_counter() - started,
        )
    return fit_record(head, result=result, fit_s=time.perf_counter() - started)


def _fit_result(cell: FitCell, suite: FitSuite) -> dict[str, Any]:
    """The ``result`` of one fit: the best fit, every local optimum, coverage and checks."""
    target = build_component(cell.target, FIT_TARGETS, "target")
    objective = build_component(cell.objective, FIT_OBJECTIVES, "fits")
    quad = Quadrature.gauss_hermite(target.dim, cell.quadrature_points)
    res = fit_isotropic_gaussian(target, objective, quad)
    fine = Quadrature.gauss_hermite(target.dim, max(EVAL_POINTS, cell.quadrature_points))
    b, a = np.asarray(res.best.b), res.best.a
    modes = density_modes(target)
    return {
        "b": list(res.best.b),
        "a": a,
        "objective_value": res.best.value,
        "local_optima": [f.as_dict() for f in res.local_optima],
        "from_kl_start": res.from_kl_start.as_dict(),
        "coverage": coverage(target, b, a, fine, modes),
        "objectives_at_fit": _objective_values(suite, b, a, fine, target),
        "check": _mc_check(target, b, a),
        "modes": [
            {"x": list(m.x), "weight": m.weight, "components": list(m.components)} for m in modes
        ],
    }


def _mc_check(target: Any, b: np.ndarray, a: float) -> dict[str, dict[str, float | None]]:
    """KL, reverse KL and JS at the fit by the independent Monte Carlo integrator."""
    from ganbench.metrics.divergence import GaussianMixtureDensity

    q = GaussianMixtureDensity.gaussian(b, a * a)
    out = {}
    for div in ("kl", "reverse_kl", "js"):
        est = estimate_divergence(target, q, div, method="exact", n_mc=CHECK_MC)
        out[div] = {"value": est.value, "stderr": est.stderr}
    return out


def run_fit_suite(suite: FitSuite, results: str | Path, *, force: bool = False) -> list[RunRecord]:
    """Run every fit of ``suite`` without a record (all with ``force``); return all its records."""
    store = ResultStore(results, suite.name)
    store.check_writable()
    for cell in suite.cells():
        if not force and store.is_done(cell.run_id, warn=False):
            log.info("%s: %s already has a record", suite.name, cell.objective.label)
            continue
        store.set_aside(cell.run_id)  # an untrusted record is kept, not overwritten
        log.info("%s: fitting under %s", suite.name, cell.objective.label)
        with single_thread():
            store.write(run_fit(cell, suite))
    return suite_records(suite, results)


def suite_records(suite: FitSuite, results: str | Path) -> list[RunRecord]:
    """The stored records of ``suite``'s fits, in suite order (fits without one are left out)."""
    store = ResultStore(results, suite.name)
    return list(store.cell_records([c.run_id for c in suite.cells()]))


def render_suite_report(suite: FitSuite, records: Sequence[RunRecord], reports: str | Path) -> Path:
    """Render the fit report under ``reports/<name>/`` (one line if it cannot be written)."""
    from ganbench.fits.report import render_fit_report
    from ganbench.runner.store import report_folder

    folder = Path(reports) / suite.name
    with report_folder(folder):
        return render_fit_report(
            suite.name,
            records,
            folder,
            suite_path=str(suite.path),
            suite_hash=suite.file_hash,
            paper=suite.paper,
        )


def fit_suite_command(
    suite: FitSuite, results: str | Path, reports: str | Path, *, run: bool, force: bool = False
) -> list[str]:
    """``ganbench run`` (``run=True``) or ``ganbench report`` of a fit suite; the lines to print."""
    records = run_fit_suite(suite, results, force=force) if run else suite_records(suite, results)
    if not records:
        raise GanbenchError(f"no records for suite {suite.name!r} under {results}/{suite.name}")
    path = render_suite_report(suite, records, reports)
    lines = []
    for rec in records:
        res = rec.get("result") or {}
        what = res["coverage"]["behaviour"] if res else rec.get("error", "")
        a = f"a = {res['a']:.4f}" if res else ""
        lines.append(f"{rec['coords']['objective']:12s} {rec['status']:7s} {a:11s} {what}")
    return [*lines, "", f"report: {path}"]
