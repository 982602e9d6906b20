"""Divergence fits: a simple model fitted to a known target by minimising divergences.

The experiment kind ``divergence-fit`` (``kind: divergence-fit`` in a suite) of
Theis, van den Oord & Bethge (2016), Figure 1. The API the CLI and
``ganbench reproduce`` build on:

* :func:`run_fit_suite` ``(suite, results_dir, force=False) -> records``
* :func:`render_fit_report` ``(suite_name, records, out_dir, ...) -> Path``
* :func:`fit_table` ``(records) -> DataFrame`` and :func:`plot_fits` ``(records, path)``
* :func:`fit_isotropic_gaussian` for one fit outside a suite.
"""

from ganbench.fits.objectives import FIT_OBJECTIVES
from ganbench.fits.optimize import FitResult, coverage, density_modes, fit_isotropic_gaussian
from ganbench.fits.report import fit_table, plot_fits, render_fit_report
from ganbench.fits.suite import FitSuite, parse_fit_suite, run_fit_suite
from ganbench.fits.target import FIT_TARGETS, theis_data, theis_mixture

__all__ = [
    "FIT_OBJECTIVES",
    "FIT_TARGETS",
    "FitResult",
    "FitSuite",
    "coverage",
    "density_modes",
    "fit_isotropic_gaussian",
    "fit_table",
    "parse_fit_suite",
    "plot_fits",
    "render_fit_report",
    "run_fit_suite",
    "theis_data",
    "theis_mixture",
]
