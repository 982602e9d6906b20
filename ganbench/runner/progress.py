"""Sweep progress, shown the same way for every backend.

The bar counts cells (a running ensemble contributes the fraction of its steps
done, when its backend reports steps); its postfix shows how many cells are
done, running (with how far the running cells' training has got: a cell is
done only when its whole ensemble is), failed, diverged and waiting on another
runner, and tqdm estimates the time left. With the bar hidden, the same figures are logged
after every finished task.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable
from types import TracebackType
from typing import Any

from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

log = logging.getLogger(__name__)


def _fmt_eta(seconds: float) -> str:
    seconds = round(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class SweepProgress:
    """Counts of cells by state and a bar with an ETA (a context manager)."""

    def __init__(self, total: int, desc: str, *, enabled: bool = True) -> None:
        self.total, self.desc, self.enabled = total, desc, enabled
        self.status: Counter[str] = Counter()
        self.running = 0
        self.elsewhere = 0
        self._partial: dict[int, float] = {}  # task id -> cells' worth of steps done
        self._sizes: dict[int, int] = {}  # task id -> cells
        self._bar: tqdm[Any] | None = None
        self._redirect: Any = None
        self._t0 = time.perf_counter()

    def __enter__(self) -> SweepProgress:
        if self.enabled:
            self._redirect = logging_redirect_tqdm()
            self._redirect.__enter__()
            self._bar = tqdm(
                total=self.total,
                desc=self.desc,
                unit="cell",
                dynamic_ncols=True,
                smoothing=0.05,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| [{elapsed}{postfix}]",
            )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._refresh()
            self._bar.close()
        if self._redirect is not None:
            self._redirect.__exit__(exc_type, exc, tb)

    @property
    def done(self) -> int:
        """Cells finished in this sweep (any status), plus those finished by other runners."""
        return sum(self.status.values()) + self.elsewhere

    def started(self, task_id: int, n_cells: int) -> None:
        """A task of ``n_cells`` cells was submitted."""
        self.running += n_cells
        self._partial[task_id] = 0.0
        self._sizes[task_id] = n_cells
        self._refresh()

    def advance(self, task_id: int, fraction: float) -> None:
        """A running task reports the fraction of its training done."""
        if task_id in self._partial:
            self._partial[task_id] = max(0.0, min(1.0, fraction)) * self._sizes[task_id]
            self._refresh()

    def retried(self, task_id: int) -> None:
        """A task is submitted again: its partial progress restarts."""
        if task_id in self._partial:
            self._partial[task_id] = 0.0

    def finished(self, task_id: int, statuses: Iterable[str]) -> None:
        """A task ended with one record per cell of the given statuses."""
        statuses = list(statuses)
        self._partial.pop(task_id, None)
        self._sizes.pop(task_id, None)
        self.running -= len(statuses)
        self.status.update(statuses)
        self._refresh()
        if not self.enabled:
            log.info("%s: %s", self.desc, self.line())

    def done_elsewhere(self, n_cells: int) -> None:
        """Another runner finished ``n_cells`` cells this sweep was waiting for."""
        self.elsewhere += n_cells
        self._refresh()

    def counts(self) -> dict[str, int]:
        """The figures of the postfix."""
        out = {"done": self.done, "running": self.running, "failed": self.status["failed"]}
        if self.status["diverged"]:
            out["diverged"] = self.status["diverged"]
        if self.elsewhere:
            out["by_others"] = self.elsewhere
        return out

    def trained_pct(self) -> int | None:
        """How far the running cells' training has got, in % of their steps (``None``: none run).

        Cells finish only when their whole ensemble does, so ``done`` can stay at 0
        for minutes while every cell trains; this figure shows that they move.
        """
        if not self.running:
            return None
        return int(100 * sum(self._partial.values()) / self.running)

    def eta_s(self) -> float | None:
        """Seconds left at the rate so far (``None`` before the first cell ends)."""
        progressed = self.done - self.elsewhere + sum(self._partial.values())
        left = self.total - self.done - sum(self._partial.values())
        if progressed <= 0:
            return None
        return (time.perf_counter() - self._t0) / progressed * max(0.0, left)

    def line(self) -> str:
        """One line: ``12/18 cells done, 6 running (40% of their steps), 0 failed, ETA 1:02``."""
        c = self.counts()
        eta = self.eta_s()
        pct = self.trained_pct()
        running = f"{c['running']} running"
        if pct is not None:
            running += f" ({pct}% of their steps)"
        parts = [f"{c['done']}/{self.total} cells done", running]
        extra = [(k, v) for k, v in c.items() if k not in ("done", "running")]
        parts += [f"{v} {k.replace('_', ' ')}" for k, v in extra]
        parts.append(f"ETA {_fmt_eta(eta)}" if eta is not None else "ETA ?")
        return ", ".join(parts)

    def _refresh(self) -> None:
        if self._bar is None:
            return
        self._bar.n = min(self.total, self.done + sum(self._partial.values()))
        eta = self.eta_s()
        postfix: dict[str, object] = dict(self.counts())
        pct = self.trained_pct()
        if pct is not None:
            postfix["trained"] = f"{pct}%"
        postfix["eta"] = _fmt_eta(eta) if eta is not None else "?"
        self._bar.set_postfix(postfix, refresh=False)
        self._bar.refresh()
