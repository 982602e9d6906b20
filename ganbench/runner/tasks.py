"""What executors run: a task is one ensemble of cells; an outcome is its records or its error.

Executors only compute: they get the cells of a task and hand back one record
per cell. The driver (:mod:`ganbench.runner.sweep`) holds the cell locks and
writes every record itself, so workers need no access to the results folder
(no shared file system for Ray).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import torch

from ganbench.config import Cell
from ganbench.datasets.base import Dataset
from ganbench.record import RunRecord
from ganbench.runner.execute import run_group
from ganbench.runner.locks import CellLock
from ganbench.runner.preflight import datasets_for

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, float], None]  # (task id, fraction of training done)


@dataclass
class Task:
    """One ensemble of cells, the locks the driver holds for them and its attempt count."""

    id: int
    cells: list[Cell]
    locks: list[CellLock] = field(default_factory=list)
    attempt: int = 0
    device: str = "cpu"


@dataclass
class Outcome:
    """A finished task: one record per cell, or the error that stopped the whole task."""

    task: Task
    records: list[RunRecord] | None = None
    error: str | None = None
    traceback: str = ""


class Executor(Protocol):
    """A backend that runs tasks; ``poll`` returns those that finished."""

    name: str

    def capacity(self) -> int:
        """How many more tasks may be submitted now."""
        ...

    def submit(self, task: Task) -> None:
        """Start ``task`` (or queue it to start at the next poll)."""
        ...

    def poll(self, timeout: float) -> list[Outcome]:
        """Wait up to ``timeout`` seconds for tasks to finish; return those that did."""
        ...

    def close(self) -> None:
        """Stop every running task and free the backend's resources."""
        ...


def run_cells(
    cells: Sequence[Cell],
    device: str | torch.device,
    *,
    threads: int | None = None,
    datasets: Mapping[str, Dataset] | None = None,
    progress: Callable[[float], None] | None = None,
) -> list[RunRecord]:
    """Train and evaluate ``cells`` as one ensemble; what every worker runs."""
    if threads is not None and threads > 0:
        torch.set_num_threads(threads)
    data = dict(datasets) if datasets is not None else datasets_for(cells)
    steps = cells[0].train.steps

    def report(done: int) -> None:
        if progress is not None:
            progress(done / steps)

    return run_group(list(cells), data, torch.device(device), report)


def check_records(task: Task, records: Any) -> str | None:
    """Why ``records`` is not one record per cell of ``task`` in order (``None`` if it is)."""
    if not isinstance(records, list) or len(records) != len(task.cells):
        return f"expected {len(task.cells)} records, got {type(records).__name__}"
    for cell, rec in zip(task.cells, records, strict=True):
        if not isinstance(rec, dict) or rec.get("run_id") != cell.run_id:
            return f"record for the wrong cell (expected run id {cell.run_id})"
    return None


class InProcessExecutor:
    """Runs one task at a time in the driver process, reporting step progress."""

    name = "local"

    def __init__(
        self,
        device: torch.device,
        datasets: Mapping[str, Dataset],
        progress: ProgressFn | None = None,
    ) -> None:
        self.device, self.datasets, self.progress = device, datasets, progress
        self._queued: list[Task] = []

    def capacity(self) -> int:
        """One task at a time."""
        return 0 if self._queued else 1

    def submit(self, task: Task) -> None:
        """Queue ``task``; it runs at the next :meth:`poll`."""
        task.device = str(self.device)
        self._queued.append(task)

    def poll(self, timeout: float) -> list[Outcome]:
        """Run the queued task to the end (``timeout`` does not apply in-process)."""
        out = []
        while self._queued:
            task = self._queued.pop(0)
            frac = self._reporter(task.id)
            try:
                records = run_cells(task.cells, self.device, datasets=self.datasets, progress=frac)
            except (KeyboardInterrupt, SystemExit):
                raise
            except Exception as exc:
                log.warning("task %d failed: %s: %s", task.id, type(exc).__name__, exc)
                out.append(Outcome(task, error=f"{type(exc).__name__}: {exc}"))
            else:
                out.append(Outcome(task, records=records))
        return out

    def _reporter(self, task_id: int) -> Callable[[float], None]:
        def frac(fraction: float) -> None:
            if self.progress is not None:
                self.progress(task_id, fraction)

        return frac

    def close(self) -> None:
        """Nothing runs in the background."""
        self._queued.clear()
