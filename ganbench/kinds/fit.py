"""The ``divergence-fit`` kind: fit a model to a known target under several divergences.

The implementation lives in :mod:`ganbench.fits.suite` (parsing, fitting, the
fit report) and :mod:`ganbench.reproduce_fits` (the paper page); they are
imported when used, so that they can import :data:`NAME` from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ganbench.kinds.base import (
    KINDS,
    PaperRun,
    ReproduceRequest,
    RunRequest,
    SuiteKind,
    file_digest,
)

if TYPE_CHECKING:
    from ganbench.fits.suite import FitSuite
    from ganbench.reproduce import Reproduction
    from ganbench.reproduce_fits import FitPaperRun

NAME = "divergence-fit"


@KINDS.register(NAME)
class FitKind(SuiteKind["FitSuite"]):
    """Fit a model to a known target by minimising divergences (deterministic, no seeds)."""

    name = NAME
    example = f"""
name: tiny-fit
kind: {NAME}
target: {{name: theis-mixture, params: {{seed: 22}}}}
fits: [kl]
quadrature_points: 12
"""

    def parse(self, path: Path, data: Mapping[str, Any], file_hash: str = "") -> FitSuite:
        """:func:`ganbench.fits.suite.parse_fit_suite`."""
        from ganbench.fits.suite import parse_fit_suite

        return parse_fit_suite(data, path, file_hash)

    def validate_summary(self, suite: FitSuite) -> str:
        """``divergence-fit: <n> fits of a <model> to <target> (<labels>)``."""
        return f"{NAME}: {suite.summary()}"

    def run(self, suite: FitSuite, request: RunRequest) -> list[str]:
        """Run the fits without a record (all with ``force``), then report."""
        from ganbench.fits.suite import fit_suite_command

        return fit_suite_command(
            suite, request.results, request.reports, run=True, force=request.force
        )

    def report(self, suite: FitSuite, results: str | Path, reports: str | Path) -> list[str]:
        """Render the fit report from the stored records."""
        from ganbench.fits.suite import fit_suite_command

        return fit_suite_command(suite, results, reports, run=False)

    def load_paper_run(self, path: Path, budget: str) -> PaperRun:
        """The fit suite with its ``paper:`` validated (fits have no budgets)."""
        from ganbench.reproduce_fits import load_fit_paper_run
        from ganbench.yamlio import load_yaml_file

        suite = self.parse(path, load_yaml_file(path), file_digest(path))
        return load_fit_paper_run(suite, budget)

    def budget_lines(self, run: PaperRun, results: str | Path = "results") -> list[str]:
        """Fits have one budget: the suite as written."""
        fits = cast("FitPaperRun", run).suite.cells()
        return [f"full: {len(fits)} deterministic fits (seconds on a CPU)"]

    def reproduce(self, run: PaperRun, request: ReproduceRequest) -> Reproduction:
        """:func:`ganbench.reproduce_fits.reproduce_fits`."""
        from ganbench.reproduce_fits import reproduce_fits

        return reproduce_fits(cast("FitPaperRun", run), request)
