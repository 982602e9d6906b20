"""Executors, planning, locking and the record store."""

from ganbench.runner.store import ResultStore
from ganbench.runner.sweep import RunOptions, SweepSummary, run_suite

__all__ = ["ResultStore", "RunOptions", "SweepSummary", "run_suite"]
