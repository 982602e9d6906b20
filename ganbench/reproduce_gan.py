"""``ganbench reproduce`` for GAN suites: budgets, the pending cells, their report.

A paper suite at a budget is a :class:`GanPaperRun`: the suite to run (the
budget applied, named ``<name>-<budget>`` so budgets never mix) next to the
suite as written (the paper's protocol), whose differences the page states.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

from ganbench.config import Suite, load_suite, parse_suite
from ganbench.errors import ConfigError
from ganbench.kinds import ReproduceRequest
from ganbench.kinds.gan import NAME
from ganbench.papers import Budget, Paper, apply_budget
from ganbench.reproduce import Reproduction, finish, page_info
from ganbench.yamlio import load_yaml_file

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


def budget_lines(run: GanPaperRun) -> list[str]:
    """``reproduce --list``: each budget's cost and number of runs, then the full protocol."""
    lines = [f"{b.name}: {b.cost}, {_cells(run.base, b)} runs" for b in run.paper.budgets.values()]
    lines.append(f"full: {len(run.base.cells())} runs (the paper's protocol)")
    return lines


def _cells(suite: Suite, budget: Budget) -> int:
    seeds = len(budget.seeds) if budget.seeds is not None else len(suite.seeds)
    return len(suite.cells()) // max(1, len(suite.seeds)) * seeds


def gan_differences(run: GanPaperRun) -> list[str]:
    """How the budget's cells differ from the paper's protocol, setting by setting."""
    from ganbench.report.paper import budget_differences

    paper = run.paper
    base_cell, run_cell = run.base.cells()[0], run.suite.cells()[0]
    out = list(run.budget.differences) if run.budget else []
    if paper.n_runs and len(run.suite.seeds) != paper.n_runs:
        out.append(f"{len(run.suite.seeds)} seeds per cell; the paper averages {paper.n_runs}")
    out += budget_differences(asdict(base_cell.train), asdict(run_cell.train))
    out += budget_differences(
        base_cell.architecture.params, run_cell.architecture.params, "architecture"
    )
    return out


def reproduce_gan(run: GanPaperRun, request: ReproduceRequest) -> Reproduction:
    """Run the pending cells (unless ``request.train`` is off); render the leaderboard and page.

    Only records of the suite's current cells are used, so stale records of an
    edited suite never enter the comparison.
    """
    from ganbench.report import render_report
    from ganbench.runner import ResultStore, run_suite
    from ganbench.runner.store import report_folder

    suite = run.suite
    if request.train:
        run_suite(
            suite, request.results, request.device, force=request.force, progress=request.progress
        )
    store = ResultStore(request.results, suite.name)
    order = [c.run_id for c in suite.cells()]
    records = list(store.cell_records(order))
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
    missing = len(order) - len(records)
    if missing:
        log.warning("%d of %d cells have no record yet", missing, len(order))
        info.notes.append(f"{missing} of {len(order)} cells had no record when this was rendered")
    return finish(run.paper, report.summary, report.metrics, info, out, report.path)
