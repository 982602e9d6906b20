"""What a reproduction costs: its runs, steps and seeds, and the time records measured.

Every GAN record keeps its training time (``timing.train_s``: the run's share
of its ensemble's training), its evaluation time (``eval_s``) and when it
started and finished. From the records of a budget (:func:`timing_frame`),
:func:`measured_time` sums them (the compute time of one worker running the
runs one ensemble after the other) and takes the elapsed span from the first
start to the last finish; :func:`expected_s` extrapolates the measured
seconds per step to the budget's planned runs, so a half-finished budget still
gives an honest estimate.
"""

from __future__ import annotations

import math
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

TIMED_STATUSES = ("ok", "diverged")  # records that trained (a failed record has no times)


@dataclass(frozen=True)
class MeasuredTime:
    """The times that a set of records measured (seconds)."""

    n_runs: int  # records with training and evaluation times
    compute_s: float  # Σ (train_s + eval_s): one worker, one ensemble after another
    elapsed_s: float | None  # first start → last finish (None without both times)
    s_per_step: float  # Σ train_s / Σ steps of the runs
    eval_s: float  # mean evaluation time of a run
    dates: tuple[str, ...]  # the days the records finished (YYYY-MM-DD, sorted)
    hosts: tuple[str, ...]  # the hosts that wrote them (sorted; empty when not recorded)


def _parse(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def measured_time(timing: pd.DataFrame) -> MeasuredTime | None:
    """The :class:`MeasuredTime` of a :func:`~ganbench.report.aggregate.timing_frame`.

    ``None`` when no record trained with recorded times and steps.
    """
    ok = timing[timing["status"].isin(TIMED_STATUSES)]
    ok = ok[np.isfinite(ok["train_s"].astype(float)) & ok["steps"].notna()]
    if ok.empty:
        return None
    train = float(ok["train_s"].sum())
    evals = ok["eval_s"].astype(float)
    eval_mean = float(evals[np.isfinite(evals)].mean()) if np.isfinite(evals).any() else 0.0
    starts = [t for t in map(_parse, ok["started"]) if t is not None]
    ends = [t for t in map(_parse, ok["finished"]) if t is not None]
    elapsed = (max(ends) - min(starts)).total_seconds() if starts and ends else None
    return MeasuredTime(
        n_runs=len(ok),
        compute_s=train + float(evals[np.isfinite(evals)].sum()),
        elapsed_s=elapsed,
        s_per_step=train / max(1.0, float(ok["steps"].sum())),
        eval_s=eval_mean,
        dates=tuple(sorted({t.date().isoformat() for t in ends})),
        hosts=tuple(sorted({str(h) for h in ok["host"] if isinstance(h, str) and h})),
    )


def expected_s(measured: MeasuredTime, planned_steps: Sequence[int]) -> float:
    """Seconds to run ``planned_steps`` (one entry per run) at the measured speed."""
    return sum(planned_steps) * measured.s_per_step + len(planned_steps) * measured.eval_s


def fmt_duration(seconds: float) -> str:
    """``12 s``, ``3 min 18 s``, ``41 min``, ``3 h 05 min`` (whole units, rounded)."""
    if not math.isfinite(seconds):
        return "unknown"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 600:
        whole = round(seconds)
        return f"{whole // 60} min {whole % 60:02d} s"
    minutes = round(seconds / 60)
    if minutes < 120:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def fmt_steps(steps: Sequence[int]) -> str:
    """``1,500 steps`` or ``1,500–6,000 steps`` (the planned runs' steps)."""
    lo, hi = min(steps), max(steps)
    return f"{lo:,} steps" if lo == hi else f"{lo:,}–{hi:,} steps"


def _where(measured: MeasuredTime) -> str:
    here = socket.gethostname()
    if not measured.hosts or measured.hosts == (here,):
        return "on this machine" if measured.hosts else "on the machine that wrote them"
    return "on " + ", ".join(measured.hosts)


def _dates(measured: MeasuredTime) -> str:
    if not measured.dates:
        return "undated"
    first, last = measured.dates[0], measured.dates[-1]
    return first if first == last else f"{first} to {last}"


def time_estimate(measured: MeasuredTime | None, planned_steps: Sequence[int], stated: str) -> str:
    """The budget's time in words: measured (or extrapolated) from records, and as stated.

    ``stated`` is the budget's own cost (``~25 CPU min``; ``""`` when it has none).
    """
    n = len(planned_steps)
    stated_part = f"stated {stated}" if stated else "no stated time"
    if measured is None:
        return f"{stated_part} (no records yet)"
    how = f"{_where(measured)}, records of {_dates(measured)}"
    if measured.n_runs >= n:
        # summed over runs; with several workers the elapsed time is what a stated budget means
        elapsed = (
            f", {fmt_duration(measured.elapsed_s)} elapsed"
            if measured.elapsed_s is not None
            else ""
        )
        text = f"measured {fmt_duration(measured.compute_s)} summed over runs{elapsed} {how}"
    else:
        total = fmt_duration(expected_s(measured, planned_steps))
        text = f"expected {total} from the speed of {measured.n_runs} of {n} runs {how}"
    return f"{text} / {stated_part}"


def run_facts(measured: MeasuredTime | None, planned_steps: Sequence[int], seeds: int) -> list[str]:
    """The page's lines on this run: runs, steps, seeds, and the wall time its records took."""
    n = len(planned_steps)
    lines = [f"{n} runs ({seeds} seeds per entry), {fmt_steps(planned_steps)} each."]
    if measured is None:
        return [*lines, "Wall time: no record has training times."]
    elapsed = (
        f"; {fmt_duration(measured.elapsed_s)} elapsed from the first start to the last finish"
        if measured.elapsed_s is not None
        else ""
    )
    lines.append(
        f"Wall time: {fmt_duration(measured.compute_s)} of training and evaluation summed over "
        f"{measured.n_runs} records{elapsed} ({_where(measured)}, {_dates(measured)})."
    )
    return lines
