"""The ``gan`` kind (the default): train every cell of the matrix, evaluate it, report.

The implementation lives in :mod:`ganbench.config` (parsing), :mod:`ganbench.runner`
(the sweep), :mod:`ganbench.report` (the leaderboard) and
:mod:`ganbench.reproduce_gan` (paper budgets); they are imported when used.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ganbench.kinds.base import KINDS, PaperRun, ReproduceRequest, RunRequest, SuiteKind

if TYPE_CHECKING:
    from ganbench.config import Suite
    from ganbench.reproduce import Reproduction
    from ganbench.reproduce_gan import GanPaperRun

NAME = "gan"

log = logging.getLogger("ganbench")


@KINDS.register(NAME)
class GanKind(SuiteKind["Suite"]):
    """Train and evaluate GANs over datasets × objectives × architectures × variants × seeds."""

    name = NAME
    example = """
name: tiny-gan
seeds: [0]
datasets: [ring]
objectives: [nonsaturating]
architectures: [{name: mlp, params: {depth: 1, width: 8}}]
train: {steps: 5, batch_size: 16, log_every: 5}
eval: {n_samples: 100, keep_samples: 10}
"""

    def parse(self, path: Path, data: Mapping[str, Any], file_hash: str = "") -> Suite:
        """:func:`ganbench.config.parse_suite`."""
        from ganbench.config import parse_suite

        return parse_suite(data, path, file_hash)

    def validate_summary(self, suite: Suite) -> str:
        """The matrix size, after checking that every dataset's files are here."""
        from ganbench.runner.preflight import preflight

        preflight(suite)
        if suite.search is not None:
            spec, n = suite.search, len(suite.seeds)
            reruns = len(suite.datasets) * len(suite.objectives) * len(suite.architectures)
            return (
                f"search: {len(suite.cells())} trial cells = {len(suite.datasets)} datasets × "
                f"{len(suite.objectives)} objectives × {len(suite.architectures)} architectures "
                f"× {spec.trials} trials ({spec.sampler}) × {n} search seeds, then "
                f"{reruns * len(spec.fresh_seeds)} re-run cells (the best of each on "
                f"{len(spec.fresh_seeds)} fresh seeds, by {spec.metric})"
            )
        return (
            f"{len(suite.cells())} cells = {len(suite.datasets)} datasets × "
            f"{len(suite.objectives)} objectives × {len(suite.architectures)} architectures × "
            f"{len(suite.variants)} variants × {len(suite.seeds)} seeds"
        )

    def run(self, suite: Suite, request: RunRequest) -> list[str]:
        """Run the cells without an ``ok`` record (all with ``force``), then report.

        A suite with a ``search:`` section runs its two phases
        (:func:`ganbench.search.run.run_search`).
        """
        if suite.search is not None:
            from ganbench.search.run import run_search

            return run_search(suite, request)
        from ganbench.env import resolve_device
        from ganbench.runner import RunOptions, run_suite

        options = request.options or RunOptions()
        device = request.device if options.backend == "ray" else resolve_device(request.device)
        summary = run_suite(
            suite,
            request.results,
            device,
            force=request.force,
            ensemble=request.ensemble,
            progress=request.progress,
            options=options,
        )
        log.info(
            "%s: %d cells, %d skipped, %d run %s, %d by another runner, in %.1f s",
            suite.name,
            summary.total,
            summary.skipped,
            summary.ran,
            summary.status or "",
            summary.by_others,
            summary.wall_s,
        )
        return self.report(suite, request.results, request.reports)

    def report(self, suite: Suite, results: str | Path, reports: str | Path) -> list[str]:
        """Render the leaderboard of the suite's current cells; its table and path."""
        if suite.search is not None:
            from ganbench.search.run import report_search

            return report_search(suite, results, reports)
        from ganbench.errors import GanbenchError
        from ganbench.report import render_report
        from ganbench.report.format import terminal_table
        from ganbench.runner.store import ResultStore, report_folder, safe_child

        store = ResultStore(results, suite.name)
        records = store.cell_records([c.run_id for c in suite.cells()])
        if not records:
            raise GanbenchError(f"no records for suite {suite.name!r} under {store.dir}")
        out = safe_child(reports, suite.name, "suite name")
        with report_folder(out):
            report = render_report(
                suite.name,
                list(records),
                out,
                suite_path=str(suite.path),
                suite_hash=suite.file_hash,
                description=suite.description,
                results_dir=store.dir,
            )
        return [terminal_table(report.summary), "", f"report: {report.path}"]

    def load_paper_run(self, path: Path, budget: str) -> PaperRun:
        """:func:`ganbench.reproduce_gan.load_gan_paper_run`."""
        from ganbench.reproduce_gan import load_gan_paper_run

        return load_gan_paper_run(path, budget)

    def budget_lines(self, run: PaperRun, results: str | Path = "results") -> list[str]:
        """Each budget's rows, runs, steps and time (measured where it has records)."""
        from ganbench.reproduce_gan import budget_lines

        return budget_lines(cast("GanPaperRun", run), results)

    def reproduce(self, run: PaperRun, request: ReproduceRequest) -> Reproduction:
        """:func:`ganbench.reproduce_gan.reproduce_gan`."""
        from ganbench.reproduce_gan import reproduce_gan

        return reproduce_gan(cast("GanPaperRun", run), request)
