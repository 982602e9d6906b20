"""The ``eval`` kind: score generators or samples that ganbench did not train.

The implementation lives in :mod:`ganbench.evaluate` (inputs, references,
protocols, cells, the session that runs and reports them); it is imported when
used, so that it can import :data:`NAME` from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ganbench.errors import ConfigError
from ganbench.kinds.base import KINDS, PaperRun, ReproduceRequest, RunRequest, SuiteKind

if TYPE_CHECKING:
    from ganbench.evaluate.suite import EvalSuite
    from ganbench.reproduce import Reproduction

NAME = "eval"


@KINDS.register(NAME)
class EvalKind(SuiteKind["EvalSuite"]):
    """Score folders, arrays, checkpoints or callables against references under named protocols."""

    name = NAME
    example = f"""
name: tiny-eval
kind: {NAME}
inputs: ["ganbench.evaluate.examples:ring_generator"]
against: ring
n: 500
seeds: [0, 1]
"""

    def parse(self, path: Path, data: Mapping[str, Any], file_hash: str = "") -> EvalSuite:
        """:func:`ganbench.evaluate.suite.parse_eval_suite`."""
        from ganbench.evaluate.suite import parse_eval_suite

        return parse_eval_suite(data, path, file_hash)

    def validate_summary(self, suite: EvalSuite) -> str:
        """``eval: <n> cells = r references × i inputs × p protocols × s seeds``."""
        return f"{NAME}: {suite.summary()}"

    def run(self, suite: EvalSuite, request: RunRequest) -> list[str]:
        """Evaluate the cells without a record (all with ``force``), then report."""
        from ganbench.env import resolve_device
        from ganbench.evaluate.session import run_cells

        device = resolve_device(request.device)
        done = run_cells(suite.cells(), request.results, device, force=request.force)
        head = f"{suite.name}: {done.computed} evaluated, {done.skipped} from records"
        return [head, *self.report(suite, request.results, request.reports)]

    def report(self, suite: EvalSuite, results: str | Path, reports: str | Path) -> list[str]:
        """Render the leaderboard of the suite's cells from their records."""
        from ganbench.evaluate.session import render, store_for

        store = store_for(results, suite.name)
        records = store.cell_records([c.run_id for c in suite.cells()])
        if not records:
            raise ConfigError(f"no records for suite {suite.name!r} under {store.dir}")
        path, table = render(
            suite.name,
            records,
            results,
            reports,
            description=suite.description,
            suite_path=str(suite.path),
            suite_hash=suite.file_hash,
        )
        return [table, f"report: {path}"]

    def load_paper_run(self, path: Path, budget: str) -> PaperRun:
        """Eval suites reproduce no paper table."""
        raise ConfigError(f"{path}: kind {NAME} has no paper section to reproduce")

    def budget_lines(self, run: PaperRun, results: str | Path = "results") -> list[str]:
        """No budgets."""
        return []

    def reproduce(self, run: PaperRun, request: ReproduceRequest) -> Reproduction:
        """Not available for eval suites."""
        raise ConfigError(f"kind {NAME} has no paper section to reproduce")
