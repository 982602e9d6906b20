"""``ganbench reproduce`` for GAN suites: budgets, the pending cells, their report.

A paper suite at a budget is a :class:`GanPaperRun`: the suite to run (the
budget applied, named ``<name>-<budget>`` so budgets never mix) next to the
suite as written (the paper's protocol), whose differences the page states.
A budget may run only some variants (``variants:``); the page then lists the
published rows not run with the command of a budget that runs them
(:func:`run_scope`), and ``reproduce --list`` says which rows each budget runs
and how long it takes (:func:`budget_lines`).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ganbench.config import Cell, Suite, load_suite, parse_suite
from ganbench.errors import ConfigError
from ganbench.kinds import ReproduceRequest
from ganbench.kinds.gan import NAME
from ganbench.paper_budgets import Budget, apply_budget
from ganbench.papers import Paper
from ganbench.record import RunRecord
from ganbench.reproduce import Reproduction, finish, page_info, paper_suites
from ganbench.yamlio import load_yaml_file

if TYPE_CHECKING:
    import torch

    from ganbench.report.cost import MeasuredTime
    from ganbench.report.paper import RunScope

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GanPaperRun:
    """A paper suite at a budget: the suite to run and the budget applied (``None`` = full)."""

    suite: Suite
    base: Suite
    budget: Budget | None
    kind: str = NAME

    @property
    def budget_name(self) -> str:
        """``cpu``, ``gpu`` or ``full``."""
        return self.budget.name if self.budget else "full"

    @property
    def paper(self) -> Paper:
        """The paper section (always present: checked on loading)."""
        assert self.base.paper is not None
        return self.base.paper


def load_gan_paper_run(path: Path, budget: str) -> GanPaperRun:
    """Load GAN paper suite ``path`` and apply ``budget`` (``cpu``, ``gpu`` or ``full``)."""
    base = load_suite(path)
    if base.paper is None:
        raise ConfigError(f"{path}: not a paper suite (it has no 'paper:' section)")
    if budget == "full":
        data = dict(load_yaml_file(path))
        data["name"] = f"{base.name}-full"
        return GanPaperRun(parse_suite(data, path, base.file_hash), base, None)
    if budget not in base.paper.budgets:
        have = ", ".join([*base.paper.budgets, "full"])
        raise ConfigError(f"{path}: paper suite {base.name!r} has no {budget!r} budget ({have})")
    b = base.paper.budgets[budget]
    data = apply_budget(load_yaml_file(path), b)
    digest = hashlib.sha256(f"{base.file_hash}:{budget}".encode()).hexdigest()[:16]
    return GanPaperRun(parse_suite(data, path, digest), base, b)


def budget_lines(run: GanPaperRun, results: str | Path = "results") -> list[str]:
    """``reproduce --list``: per budget (then the full protocol) its rows, runs and time.

    E.g. ``cpu: 4 of 8 published rows (GAN, PacGAN2) × 5 seeds = 20 runs, 1,500 steps;
    measured 21 min on this machine, records of 2026-12-03 / stated ~25 CPU min``.
    The time is measured from the budget's records under ``results`` where it has
    any (extrapolated by steps when only some runs have one), else the budget's own.
    """
    lines = []
    for name in [*run.paper.budgets, "full"]:
        at = run if name == run.budget_name else load_gan_paper_run(run.base.path, name)
        lines.append(_budget_line(at, results))
    return lines


def _budget_line(run: GanPaperRun, results: str | Path) -> str:
    from ganbench.report.cost import fmt_steps, time_estimate

    cells = run.suite.cells()
    rows = [r for r in run.paper.results if _runs(run.budget, r.coords)]
    labels = ", ".join(dict.fromkeys(r.coords.get("variant", r.row) for r in rows))
    what = f"{len(rows)} of {len(run.paper.results)} published rows ({labels})"
    if len(rows) == len(run.paper.results):
        what = f"all {len(rows)} published rows" if rows else "no published rows (claims only)"
    steps = [c.train.steps for c in cells]
    stated = run.budget.cost if run.budget else ""
    estimate = time_estimate(_measured(stored_records(run, results, warn=False)), steps, stated)
    return (
        f"{run.budget_name}: {what} × {len(run.suite.seeds)} seeds = {len(cells)} runs, "
        f"{fmt_steps(steps)}; {estimate}"
    )


def _runs(budget: Budget | None, coords: dict[str, str]) -> bool:
    return budget is None or budget.runs_variant(coords.get("variant"))


def stored_records(run: GanPaperRun, results: str | Path, *, warn: bool = True) -> list[RunRecord]:
    """The trusted records of the run's current cells under ``results`` (in cell order)."""
    from ganbench.runner import ResultStore

    store = ResultStore(results, run.suite.name)
    order = [c.run_id for c in run.suite.cells()]
    if warn:
        return store.cell_records(order)
    return [r for r in (store.read(rid, warn=False) for rid in order) if r is not None]


def _measured(records: list[RunRecord]) -> MeasuredTime | None:
    from ganbench.report.aggregate import timing_frame
    from ganbench.report.cost import measured_time

    return measured_time(timing_frame(records))


def rerun_command(run: GanPaperRun, variant: str) -> str:
    """The command that runs ``variant``: the gpu budget if it includes it, else the full one.

    The suite is named as ``reproduce`` finds it (its name when it is the bundled
    paper suite of that name, else its path).
    """
    gpu = run.paper.budgets.get("gpu")
    budget = "gpu" if gpu is not None and gpu.runs_variant(variant) else "full"
    path = run.base.path
    found = paper_suites().get(run.base.name)
    target = run.base.name if found is not None and found.resolve() == path.resolve() else path
    return f"ganbench reproduce {target} --budget {budget}"


def run_scope(run: GanPaperRun) -> RunScope:
    """Which published rows this budget runs, and the command of each variant it does not."""
    from ganbench.report.paper import RunScope

    variants = run.budget.variants if run.budget is not None else None
    skipped = [v.label for v in run.base.variants if not _runs(run.budget, {"variant": v.label})]
    return RunScope(run.budget_name, variants, {v: rerun_command(run, v) for v in skipped})


def gan_differences(run: GanPaperRun) -> list[str]:
    """How the budget's cells differ from the paper's protocol, setting by setting."""
    from ganbench.report.paper import budget_differences

    paper = run.paper
    run_cell = run.suite.cells()[0]
    base_cell = next(  # the same entry in the paper's protocol (a budget may skip variants)
        (c for c in run.base.cells() if _entry(c) == _entry(run_cell)), run.base.cells()[0]
    )
    out = list(run.budget.differences) if run.budget else []
    if paper.n_runs and len(run.suite.seeds) != paper.n_runs:
        out.append(f"{len(run.suite.seeds)} seeds per cell; the paper averages {paper.n_runs}")
    out += budget_differences(asdict(base_cell.train), asdict(run_cell.train))
    out += budget_differences(
        base_cell.architecture.params, run_cell.architecture.params, "architecture"
    )
    return out


def _entry(cell: Cell) -> tuple[str, str, str, str]:
    return (cell.dataset.label, cell.objective.label, cell.architecture.label, cell.variant)


def auto_jobs(jobs: int | None, device: torch.device) -> int:
    """``jobs`` when given; else one worker per CPU core on CPU (1 thread each), 1 on CUDA.

    Measured on 2 cores (``benchmarks/README.md``): the pacgan2018 rows trained
    5 % faster as two one-thread workers than in one two-thread process, with
    bit-identical records (``plan_groups`` starts the most expensive ensembles first).
    """
    if jobs is not None:
        return jobs
    if device.type != "cpu":
        return 1
    from ganbench.runner.local import cpu_count

    return cpu_count()


def reproduce_gan(run: GanPaperRun, request: ReproduceRequest) -> Reproduction:
    """Run the pending cells (unless ``request.train`` is off); render the leaderboard and page.

    Only records of the suite's current cells are used, so stale records of an
    edited suite never enter the comparison.
    """
    from ganbench.report import render_report
    from ganbench.runner import ResultStore, RunOptions, run_suite
    from ganbench.runner.store import report_folder

    suite = run.suite
    if request.train:
        run_suite(
            suite,
            request.results,
            request.device,
            force=request.force,
            progress=request.progress,
            options=RunOptions(jobs=auto_jobs(request.jobs, request.device)),
        )
    store = ResultStore(request.results, suite.name)
    order = [c.run_id for c in suite.cells()]
    records = stored_records(run, request.results)
    if not records:
        raise ConfigError(
            f"reproduce {run.base.name}: no records of the {run.budget_name} budget under "
            f"{store.dir} (run it without --no-run first)"
        )
    out = Path(request.reports) / suite.name
    with report_folder(out):
        report = render_report(
            suite.name,
            records,
            out,
            suite_path=str(suite.path),
            suite_hash=suite.file_hash,
            description=suite.description,
            results_dir=store.dir,
            paper_page="reproduce.html",
        )
    info = page_info(suite.name, suite.path, suite.file_hash, run.budget_name, run.budget)
    info.differences = gan_differences(run)
    info.run_facts = _run_facts(run, records)
    missing = len(order) - len(records)
    if missing:
        log.warning("%d of %d cells have no record yet", missing, len(order))
        info.notes.append(f"{missing} of {len(order)} cells had no record when this was rendered")
    curves = report.frames.curves if report.frames is not None else None
    return finish(
        run.paper,
        report.summary,
        report.metrics,
        info,
        out,
        report.path,
        curves=curves,
        scope=run_scope(run),
    )


def _run_facts(run: GanPaperRun, records: list[RunRecord]) -> list[str]:
    """The page's lines on the run: runs, steps, seeds and the wall time of its records."""
    from ganbench.report.cost import run_facts

    steps = [c.train.steps for c in run.suite.cells()]
    return run_facts(_measured(records), steps, len(run.suite.seeds))
