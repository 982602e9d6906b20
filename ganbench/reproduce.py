"""``ganbench reproduce``: find paper suites, apply a budget, run (or reuse) them, render.

Paper suites live in ``suites/papers/*.yaml`` (looked up in the working
directory first, then next to the ganbench checkout). ``--budget cpu`` or
``gpu`` applies the paper's named budget (fewer seeds or steps, stated in
words); ``full`` runs the suite exactly as written, i.e. the paper's protocol.
Records go to ``<results>/<name>-<budget>/`` so budgets never mix.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import torch

import ganbench
from ganbench.config import Suite, load_suite, parse_suite
from ganbench.errors import ConfigError
from ganbench.papers import Budget, Paper, apply_budget
from ganbench.reproduce_fits import FIT_KIND, FitPaperRun, fit_frames, load_fit_paper_run, run_fits
from ganbench.yamlio import load_yaml_file

if TYPE_CHECKING:
    import pandas as pd

    from ganbench.report.paper import PageInfo

log = logging.getLogger(__name__)

BUDGET_CHOICES = ("cpu", "gpu", "full")


def paper_dirs() -> list[Path]:
    """Where paper suites are looked up: ``./suites/papers``, then the checkout's."""
    here = Path.cwd() / "suites" / "papers"
    repo = Path(ganbench.__file__).resolve().parent.parent / "suites" / "papers"
    return list(dict.fromkeys(p for p in (here, repo) if p.is_dir()))


def paper_suites() -> dict[str, Path]:
    """Name → file of every available paper suite (first directory wins)."""
    found: dict[str, Path] = {}
    for d in paper_dirs():
        for p in sorted(d.glob("*.yaml")):
            found.setdefault(p.stem, p)
    return found


def find_paper_suite(name: str) -> Path:
    """The file of paper suite ``name`` (or ``name`` itself when it is a YAML path)."""
    p = Path(name)
    if p.suffix in (".yaml", ".yml") and p.is_file():
        return p
    available = paper_suites()
    if name not in available:
        names = ", ".join(sorted(available)) or "none found"
        raise ConfigError(f"reproduce: unknown paper suite {name!r} (available: {names})")
    return available[name]


@dataclass(frozen=True)
class PaperRun:
    """A paper suite at a budget: the suite to run and the budget applied (``None`` = full)."""

    suite: Suite
    base: Suite
    budget: Budget | None

    @property
    def budget_name(self) -> str:
        """``cpu``, ``gpu`` or ``full``."""
        return self.budget.name if self.budget else "full"

    @property
    def paper(self) -> Paper:
        """The paper section (always present: checked on loading)."""
        assert self.base.paper is not None
        return self.base.paper


def default_budget() -> str:
    """``gpu`` when CUDA is available, else ``cpu``."""
    return "gpu" if torch.cuda.is_available() else "cpu"


def load_paper_run(name: str, budget: str) -> PaperRun | FitPaperRun:
    """Load paper suite ``name`` and apply ``budget`` (``cpu``, ``gpu`` or ``full``).

    A ``kind: divergence-fit`` suite (deterministic, seconds on a CPU) has no
    budgets: it always runs as written.
    """
    if budget not in BUDGET_CHOICES:
        raise ConfigError(f"--budget {budget!r}: expected one of {', '.join(BUDGET_CHOICES)}")
    path = find_paper_suite(name)
    data = load_yaml_file(path)
    if isinstance(data, dict) and data.get("kind") == FIT_KIND:
        if budget != "full":
            log.info("%s: fit suites have no budgets; running it as written", path)
        return load_fit_paper_run(path)
    base = load_suite(path)
    if base.paper is None:
        raise ConfigError(f"{path}: not a paper suite (it has no 'paper:' section)")
    if budget == "full":
        data = dict(load_yaml_file(path))
        data["name"] = f"{base.name}-full"
        suite = parse_suite(data, path, base.file_hash)
        return PaperRun(suite, base, None)
    if budget not in base.paper.budgets:
        have = ", ".join([*base.paper.budgets, "full"])
        raise ConfigError(f"{path}: paper suite {base.name!r} has no {budget!r} budget ({have})")
    b = base.paper.budgets[budget]
    data = apply_budget(load_yaml_file(path), b)
    digest = hashlib.sha256(f"{base.file_hash}:{budget}".encode()).hexdigest()[:16]
    suite = parse_suite(data, path, digest)
    return PaperRun(suite, base, b)


def list_lines() -> list[str]:
    """``ganbench reproduce --list``: one block per paper suite with its budgets."""
    lines = []
    for name, path in paper_suites().items():
        try:
            run = load_paper_run(str(path), "full")
        except ConfigError as exc:
            lines.append(f"{name}: not available ({exc})")
            continue
        paper = run.paper
        if isinstance(run, FitPaperRun):
            budgets = [f"full: {len(run.suite.cells())} deterministic fits (seconds on a CPU)"]
        else:
            budgets = [
                f"{b.name}: {b.cost}, {_cells(run.base, b)} runs" for b in paper.budgets.values()
            ]
            budgets.append(f"full: {len(run.base.cells())} runs (the paper's protocol)")
        lines.append(f"{name}  {paper.authors} {paper.year}, {paper.source} (arXiv:{paper.arxiv})")
        lines.append(f"    {paper.title}")
        lines.append("    budgets: " + "; ".join(budgets))
    return lines or ["(no paper suites found in suites/papers/)"]


def _cells(suite: Suite, budget: Budget) -> int:
    seeds = len(budget.seeds) if budget.seeds is not None else len(suite.seeds)
    return len(suite.cells()) // max(1, len(suite.seeds)) * seeds


@dataclass
class Reproduction:
    """What ``ganbench reproduce`` produced."""

    index: Path
    page: Path
    text: str  # the terminal table and closing note


def gan_differences(run: PaperRun) -> list[str]:
    """How the budget's cells differ from the paper's protocol, setting by setting."""
    from dataclasses import asdict

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


def reproduce(
    run: PaperRun | FitPaperRun,
    results: str | Path,
    reports: str | Path,
    device: torch.device,
    *,
    train: bool = True,
    force: bool = False,
    progress: bool = True,
) -> Reproduction:
    """Run the pending cells of ``run`` (unless ``train`` is off), then render both pages.

    Only records of the suite's current cells are used, so stale records of an
    edited suite never enter the comparison.
    """
    if isinstance(run, FitPaperRun):
        return _reproduce_fits(run, results, reports, train=train, force=force)
    from ganbench.report import render_report
    from ganbench.runner.local import run_suite
    from ganbench.runner.store import ResultStore, report_folder

    suite = run.suite
    if train:
        run_suite(suite, results, device, force=force, progress=progress)
    store = ResultStore(results, suite.name)
    order = [c.run_id for c in suite.cells()]
    records = list(store.cell_records(order))
    if not records:
        raise ConfigError(
            f"reproduce {run.base.name}: no records of the {run.budget_name} budget under "
            f"{store.dir} (run it without --no-run first)"
        )
    out = Path(reports) / suite.name
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
    info = _info(run.suite.name, suite.path, suite.file_hash, run.budget_name, run.budget)
    info.differences = gan_differences(run)
    missing = len(order) - len(records)
    if missing:
        log.warning("%d of %d cells have no record yet", missing, len(order))
        info.notes.append(f"{missing} of {len(order)} cells had no record when this was rendered")
    return _finish(run.paper, report.summary, report.metrics, info, out, report.path)


def _reproduce_fits(
    run: FitPaperRun, results: str | Path, reports: str | Path, *, train: bool, force: bool
) -> Reproduction:
    from ganbench.report.stats import summarize

    suite = run.suite
    records, index = run_fits(run, results, reports, train=train, force=force)
    runs, metrics = fit_frames(records, suite.model)
    info = _info(suite.name, suite.path, suite.file_hash, "full", None)
    info.budget_cost = "deterministic fits, seconds on a CPU; no budgets"
    return _finish(run.paper, summarize(metrics, runs), metrics, info, index.parent, index)


def _info(name: str, path: Path, digest: str, budget: str, b: Budget | None) -> PageInfo:
    from ganbench.report.paper import PageInfo

    cost = b.cost if b else "the paper's full protocol"
    return PageInfo(name, str(path), digest, budget, cost)


def _finish(
    paper: Paper,
    summary: pd.DataFrame,
    metrics: pd.DataFrame,
    info: PageInfo,
    out: Path,
    index: Path,
) -> Reproduction:
    from ganbench.report.paper import (
        closing_note,
        compare,
        render_paper_page,
        terminal_comparison,
    )
    from ganbench.runner.store import report_folder

    cmp = compare(paper, summary, metrics)
    with report_folder(out):
        page = render_paper_page(paper, cmp, info, out)
    text = terminal_comparison(cmp) + "\n\n" + "\n".join(closing_note(cmp, paper))
    return Reproduction(index, page, text)
