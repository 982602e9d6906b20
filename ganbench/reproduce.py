"""``ganbench reproduce``: find paper suites, apply a budget, run (or reuse) them, render.

Paper suites live in ``suites/papers/*.yaml`` (looked up in the working
directory first, then next to the ganbench checkout). ``--budget cpu`` or
``gpu`` applies the paper's named budget (fewer seeds or steps, stated in
words); ``full`` runs the suite exactly as written, i.e. the paper's protocol.
Records go to ``<results>/<name>-<budget>/`` so budgets never mix.

What a budget means and how a paper suite runs depends on its kind (GAN
suites: :mod:`ganbench.reproduce_gan`; fit suites: :mod:`ganbench.reproduce_fits`);
this module finds the suite, dispatches through :mod:`ganbench.kinds` and
renders the shared "paper vs. ganbench" page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import torch

import ganbench
from ganbench.errors import ConfigError
from ganbench.kinds import PaperRun, ReproduceRequest, get_kind, kind_name
from ganbench.paper_budgets import Budget
from ganbench.papers import Paper
from ganbench.yamlio import load_yaml_file

if TYPE_CHECKING:
    import pandas as pd

    from ganbench.report.paper import RunScope
    from ganbench.report.paper_page import PageInfo

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


def default_budget() -> str:
    """``gpu`` when CUDA is available, else ``cpu``."""
    return "gpu" if torch.cuda.is_available() else "cpu"


def load_paper_run(name: str, budget: str) -> PaperRun:
    """Load paper suite ``name`` and apply ``budget`` (``cpu``, ``gpu`` or ``full``)."""
    if budget not in BUDGET_CHOICES:
        raise ConfigError(f"--budget {budget!r}: expected one of {', '.join(BUDGET_CHOICES)}")
    path = find_paper_suite(name)
    kind = get_kind(kind_name(load_yaml_file(path), str(path)))
    return kind.load_paper_run(path, budget)


def list_lines(results: str | Path = "results") -> list[str]:
    """``ganbench reproduce --list``: one block per paper suite with its budgets.

    Each budget says which published rows it runs and its time, measured from
    its records under ``results`` where there are any.
    """
    lines = []
    for name, path in paper_suites().items():
        try:
            run = load_paper_run(str(path), "full")
        except ConfigError as exc:
            lines.append(f"{name}: not available ({exc})")
            continue
        paper = run.paper
        budgets = get_kind(run.kind).budget_lines(run, results)
        lines.append(f"{name}  {paper.authors} {paper.year}, {paper.source} (arXiv:{paper.arxiv})")
        lines.append(f"    {paper.title}")
        lines.append("    budgets:")
        lines += [f"      {b}" for b in budgets]
    return lines or ["(no paper suites found in suites/papers/)"]


@dataclass
class Reproduction:
    """What ``ganbench reproduce`` produced."""

    index: Path
    page: Path
    text: str  # the terminal table and closing note


def reproduce(
    run: PaperRun,
    results: str | Path,
    reports: str | Path,
    device: torch.device,
    *,
    train: bool = True,
    force: bool = False,
    progress: bool = True,
    jobs: int | None = 1,
) -> Reproduction:
    """Run the pending cells of ``run`` (unless ``train`` is off), then render both pages.

    Only records of the suite's current cells are used, so stale records of an
    edited suite never enter the comparison. ``jobs`` is the number of local
    worker processes; ``None`` picks one per CPU core on CPU and 1 on CUDA.
    """
    request = ReproduceRequest(results, reports, device, train, force, progress, jobs)
    return get_kind(run.kind).reproduce(run, request)


def page_info(name: str, path: Path, digest: str, budget: str, b: Budget | None) -> PageInfo:
    """The protocol block of the paper page (``b`` is ``None`` for the full protocol)."""
    from ganbench.report.paper_page import PageInfo

    cost = b.cost if b else "the paper's full protocol"
    return PageInfo(name, str(path), digest, budget, cost)


def finish(
    paper: Paper,
    summary: pd.DataFrame,
    metrics: pd.DataFrame,
    info: PageInfo,
    out: Path,
    index: Path,
    *,
    curves: pd.DataFrame | None = None,
    scope: RunScope | None = None,
) -> Reproduction:
    """Compare with the paper, render ``reproduce.html`` under ``out``; the result to print.

    ``scope`` says which published rows the budget ran; with ``curves`` (the
    records' curves frame) the page gets the plateau check of every row run.
    """
    from ganbench.report.paper import compare
    from ganbench.report.paper_note import closing_note
    from ganbench.report.paper_page import render_paper_page, terminal_comparison
    from ganbench.report.plateau import plateau_checks, plateau_figures
    from ganbench.runner.store import report_folder

    cmp = compare(paper, summary, metrics, scope)
    with report_folder(out):
        if curves is not None:
            info.plateau = plateau_checks(paper, curves, scope)
            info.plateau_figures = plateau_figures(paper, curves, out / "figures", scope)
        page = render_paper_page(paper, cmp, info, out)
    text = terminal_comparison(cmp) + "\n\n" + "\n".join(closing_note(cmp, paper))
    return Reproduction(index, page, text)
