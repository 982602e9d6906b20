"""The sweep driver: plan, lock, dispatch to a backend, retry once, write records.

The same driver serves every backend (in-process, worker processes, Ray):

1. :func:`~ganbench.runner.preflight.preflight` builds every component; a bad
   suite stops here, before any folder is created;
2. stale locks of dead runners are recovered; pending cells (no finished
   record, or all with ``force``) are grouped into ensembles;
3. before a task starts, the driver takes each cell's lock and re-checks its
   record: cells another runner holds wait until it is done with them, cells
   it finished meanwhile are skipped; so two runners on one folder never train
   or write the same cell twice;
4. a task that fails as a whole (its worker died, Ray lost it) is retried
   once, then each of its cells gets a ``failed`` record;
5. the driver writes every record (atomically) and then drops the cell's
   lock. An unwritable or full results folder stops the sweep with one line;
   records written before are untouched.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch

from ganbench import env
from ganbench.config import Cell, Suite
from ganbench.datasets.base import Dataset
from ganbench.errors import ConfigError
from ganbench.record import RunRecord, with_runner
from ganbench.runner.execute import cell_failed_record, now_iso
from ganbench.runner.locks import CellLock, LockDir
from ganbench.runner.plan import plan_groups
from ganbench.runner.preflight import preflight
from ganbench.runner.progress import SweepProgress
from ganbench.runner.store import RUN_ID_RE, ResultStore
from ganbench.runner.tasks import Executor, Outcome, Task, check_records

log = logging.getLogger(__name__)

BACKENDS = ("local", "ray")
RecordHook = Callable[[RunRecord], None]


@dataclass
class SweepSummary:
    """What a sweep did."""

    total: int
    skipped: int
    ran: int = 0
    status: dict[str, int] = field(default_factory=dict)
    wall_s: float = 0.0
    by_others: int = 0  # cells another runner finished while this one waited
    retried: int = 0  # tasks retried after failing as a whole


@dataclass(frozen=True)
class RunOptions:
    """How to execute a sweep (``ganbench run`` flags)."""

    backend: str = "local"
    jobs: int = 1
    address: str | None = None
    cpus_per_task: float | None = None  # Ray; default 1
    gpus_per_task: float | None = None  # Ray; default 1 where the cluster has GPUs, else 0
    poll_s: float = 0.5

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ConfigError(f"--backend {self.backend!r}: expected one of {', '.join(BACKENDS)}")
        if self.jobs < 1:
            raise ConfigError(f"--jobs {self.jobs}: expected an integer >= 1")
        if self.backend == "local":
            for flag, value in (
                ("--address", self.address),
                ("--cpus-per-task", self.cpus_per_task),
                ("--gpus-per-task", self.gpus_per_task),
            ):
                if value is not None:
                    raise ConfigError(f"{flag} applies only to --backend ray")
        elif self.jobs != 1:
            raise ConfigError("--jobs applies to --backend local (Ray sizes itself to the cluster)")
        if self.cpus_per_task is not None and self.cpus_per_task <= 0:
            raise ConfigError(f"--cpus-per-task {self.cpus_per_task}: expected a number > 0")
        if self.gpus_per_task is not None and self.gpus_per_task < 0:
            raise ConfigError(f"--gpus-per-task {self.gpus_per_task}: expected a number >= 0")


def _make_executor(
    options: RunOptions,
    device: torch.device | str,
    datasets: Mapping[str, Dataset],
    progress: SweepProgress,
) -> Executor:
    report = progress.advance
    if options.backend == "ray":
        from ganbench.runner.ray import RayExecutor

        return RayExecutor(options, str(device), report)
    dev = env.resolve_device(device) if isinstance(device, str) else device
    if options.jobs > 1:
        from ganbench.runner.local import ProcessExecutor

        return ProcessExecutor(options.jobs, dev, report)
    from ganbench.runner.tasks import InProcessExecutor

    return InProcessExecutor(dev, datasets, report)


class _Driver:
    """The dispatch loop of one sweep (see the module docstring)."""

    def __init__(
        self,
        store: ResultStore,
        executor: Executor,
        progress: SweepProgress,
        summary: SweepSummary,
        *,
        force: bool,
        poll_s: float,
        on_record: RecordHook | None,
    ) -> None:
        self.store, self.executor, self.progress, self.summary = store, executor, progress, summary
        self.locks = LockDir(store.lock_dir)
        self.force, self.poll_s, self.on_record = force, poll_s, on_record
        self.started = time.time()
        self.pending: list[list[Cell]] = []
        self.inflight: dict[int, Task] = {}
        self._next_id = 0

    def run(self, groups: list[list[Cell]]) -> None:
        """Dispatch ``groups`` until every cell has a record (here or by another runner)."""
        self.pending = [list(g) for g in groups]
        try:
            while self.pending or self.inflight:
                self._dispatch()
                if self.inflight:
                    for outcome in self.executor.poll(self.poll_s):
                        self._finish(outcome)
                elif self.pending:  # all that is left is held by other runners
                    time.sleep(self.poll_s)
        finally:
            self.executor.close()
            for task in self.inflight.values():
                for lock in task.locks:
                    lock.release()

    def _written_meanwhile(self, cell: Cell) -> bool:
        """Whether the cell's record is finished or was written by another runner this sweep."""
        try:
            mtime = self.store.path(cell.run_id).stat().st_mtime
        except FileNotFoundError:
            return False
        done = not self.force and self.store.is_done(cell.run_id, warn=False)
        return mtime >= self.started or done

    def _claim(self, group: list[Cell]) -> tuple[list[Cell], list[CellLock], list[Cell]]:
        mine, locks, busy = [], [], []
        for cell in group:
            lock = self.locks.try_acquire(cell.run_id)
            if lock is None:
                busy.append(cell)
            elif self._written_meanwhile(cell):
                lock.release()
                self.summary.by_others += 1
                self.progress.done_elsewhere(1)
            else:
                if lock.stale:  # its holder died, maybe while writing the record
                    self.store.remove_temp_files(cell.run_id)
                self.store.set_aside(cell.run_id)  # an untrusted record is kept, not overwritten
                mine.append(cell)
                locks.append(lock)
        return mine, locks, busy

    def _dispatch(self) -> None:
        still: list[list[Cell]] = []
        for group in self.pending:
            if self.executor.capacity() <= 0:
                still.append(group)
                continue
            mine, locks, busy = self._claim(group)
            if busy:
                still.append(busy)
            if mine:
                task = Task(self._next_id, mine, locks)
                self._next_id += 1
                self.executor.submit(task)
                self.inflight[task.id] = task
                self.progress.started(task.id, len(mine))
        self.pending = still

    def _finish(self, outcome: Outcome) -> None:
        task = outcome.task
        error = outcome.error
        if error is None:
            error = check_records(task, outcome.records)
        if error is not None and task.attempt == 0:
            log.warning("task of %d cell(s) failed (%s); retrying once", len(task.cells), error)
            task.attempt += 1
            self.summary.retried += 1
            self.progress.retried(task.id)
            self.executor.submit(task)
            return
        if error is not None:
            log.error("task of %d cell(s) failed twice: %s", len(task.cells), error)
            records = _failed_records(task, error, outcome.traceback)
        else:
            records = list(outcome.records or [])
        self._write(task, records)
        del self.inflight[task.id]
        self.progress.finished(task.id, [r["status"] for r in records])

    def _write(self, task: Task, records: list[RunRecord]) -> None:
        host, pid = socket.gethostname(), os.getpid()
        for computed, lock in zip(records, task.locks, strict=True):
            rec = with_runner(
                computed, backend=self.executor.name, host=host, pid=pid, attempts=task.attempt + 1
            )
            self.store.write(rec)
            lock.release()
            self.summary.ran += 1
            self.summary.status[rec["status"]] = self.summary.status.get(rec["status"], 0) + 1
            if self.on_record is not None:
                self.on_record(rec)
        task.locks.clear()


def _failed_records(task: Task, error: str, tb: str) -> list[RunRecord]:
    """``failed`` records for the cells of a task that failed as a whole."""
    now = now_iso()
    environment = {**env.environment(torch.device("cpu")), "device": task.device}
    return [cell_failed_record(c, environment, error, now, tb) for c in task.cells]


def recover(store: ResultStore) -> None:
    """Take over what dead runners left: stale locks, and temp files of unlocked cells."""
    locks = LockDir(store.lock_dir)
    locks.recover_stale(store.remove_temp_files)
    for run_id in sorted({p.name[1:].split(".json.")[0] for p in store.temp_files()}):
        if not RUN_ID_RE.fullmatch(run_id):
            continue
        lock = locks.try_acquire(run_id)
        if lock is not None:  # nobody is writing this cell's record now
            store.remove_temp_files(run_id)
            lock.release()


def run_suite(
    suite: Suite,
    results: str | Path,
    device: torch.device | str = "auto",
    *,
    force: bool = False,
    ensemble: bool = True,
    progress: bool = True,
    datasets: Mapping[str, Dataset] | None = None,
    options: RunOptions | None = None,
    on_record: RecordHook | None = None,
    cells: Sequence[Cell] | None = None,
) -> SweepSummary:
    """Train and evaluate every pending cell of ``suite``, writing one record per cell.

    ``device`` is ``cpu``, ``cuda`` or ``auto`` (for Ray: what each task asks
    for); ``on_record`` is called with every record after it is written;
    ``cells`` replaces ``suite.cells()`` (a search suite's second phase).
    """
    options = options or RunOptions()
    t0 = time.perf_counter()
    store = ResultStore(results, suite.name)
    datasets = dict(datasets) if datasets is not None else preflight(suite)
    store.check_writable()
    recover(store)
    all_cells = list(suite.cells() if cells is None else cells)
    todo = all_cells if force else [c for c in all_cells if not store.is_done(c.run_id, warn=False)]
    summary = SweepSummary(total=len(all_cells), skipped=len(all_cells) - len(todo))
    if not todo:
        log.info("all %d cells of %s already have records", len(all_cells), suite.name)
        return summary
    parts = options.jobs if options.backend == "local" else 1
    groups = plan_groups(todo, datasets, ensemble=ensemble, workers=parts)
    log.info(
        "%d cells to run in %d ensembles (%d skipped)", len(todo), len(groups), summary.skipped
    )
    with SweepProgress(len(todo), suite.name, enabled=progress) as bar:
        executor = _make_executor(options, device, datasets, bar)
        driver = _Driver(
            store,
            executor,
            bar,
            summary,
            force=force,
            poll_s=options.poll_s,
            on_record=on_record,
        )
        driver.run(groups)
    summary.wall_s = time.perf_counter() - t0
    return summary
