"""The local backend: in-process (``--jobs 1``) or ``N`` worker processes (``--jobs N``).

With ``--jobs N`` every task (one ensemble of cells) runs in a fresh process
(forked from a clean ``forkserver`` that has imported torch and ganbench once,
or spawned where there is no fork: no state comes from the driver or from
earlier cells), at most ``N`` at a time. CUDA devices are handed out to running tasks least-loaded
first, i.e. round-robin when tasks take equally long; on CPU each worker gets
``cores // N`` threads so the workers do not oversubscribe the cores. Workers
send step progress and their records to the driver over a pipe; a worker that
dies (killed, out of memory) is reported as a failed task, which the driver
retries once. Workers exit when the driver dies.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import os
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

import torch

from ganbench.config import Cell
from ganbench.runner.tasks import Outcome, ProgressFn, Task, run_cells

__all__ = ["ProcessExecutor", "cpu_count"]

log = logging.getLogger(__name__)


def cpu_count() -> int:
    """CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _watch_parent(driver_pid: int) -> None:
    """Exit this worker as soon as the driver is gone (it holds the locks and writes).

    The parent is the driver (spawn) or the fork server, which exits with the
    driver; either way the worker is re-parented when the driver dies.
    """
    parent = os.getppid()

    def watch() -> None:
        while True:
            if os.getppid() != parent or not _alive(driver_pid):
                os._exit(3)
            time.sleep(0.5)

    threading.Thread(target=watch, daemon=True, name="ganbench-parent-watch").start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _worker_main(
    task_id: int,
    cells: Sequence[Cell],
    device: str,
    threads: int,
    conn: Connection,
    driver_pid: int,
) -> None:
    """Entry point of a worker process: run one task, send progress and its records."""
    _watch_parent(driver_pid)
    try:
        records = run_cells(
            cells, device, threads=threads, progress=lambda f: conn.send(("progress", f))
        )
    except BaseException as exc:
        conn.send(("error", f"{type(exc).__name__}: {exc}", traceback.format_exc()))
        raise SystemExit(1) from None
    conn.send(("done", records))
    conn.close()


def _context() -> Any:
    """``forkserver`` (fresh processes forked from a clean server that has imported
    torch and ganbench once), or ``spawn`` where there is no fork."""
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["ganbench.runner.tasks"])
        return ctx
    return mp.get_context("spawn")


def worker_devices(device: torch.device) -> list[str]:
    """Devices to spread workers over: every visible GPU for ``cuda``, else ``device``."""
    if device.type == "cuda" and device.index is None:
        return [f"cuda:{i}" for i in range(max(1, torch.cuda.device_count()))]
    return [str(device)]


@dataclass
class _Worker:
    proc: Any
    task: Task
    conn: Connection


class ProcessExecutor:
    """Up to ``jobs`` tasks at a time, each in a fresh process with its own pipe.

    One pipe per worker (not a shared queue): a worker killed in the middle of
    sending cannot corrupt or block another worker's messages.
    """

    name = "local"

    def __init__(
        self,
        jobs: int,
        device: torch.device,
        progress: ProgressFn | None = None,
        threads: int | None = None,
        target: Callable[..., None] | None = None,
    ) -> None:
        """``target`` replaces the worker entry point (same arguments as ``_worker_main``)."""
        self.jobs = jobs
        self.target = target or _worker_main
        self.devices = worker_devices(device)
        self.threads = threads or max(1, cpu_count() // jobs)
        self.progress = progress
        self._ctx = _context()
        self._running: dict[int, _Worker] = {}

    def capacity(self) -> int:
        """Free worker slots."""
        return self.jobs - len(self._running)

    def _pick_device(self) -> str:
        load = dict.fromkeys(self.devices, 0)
        for worker in self._running.values():
            load[worker.task.device] = load.get(worker.task.device, 0) + 1
        return min(self.devices, key=lambda d: load[d])

    def submit(self, task: Task) -> None:
        """Start a worker process for ``task``."""
        task.device = self._pick_device()
        recv, send = self._ctx.Pipe(duplex=False)
        proc = self._ctx.Process(
            target=self.target,
            args=(task.id, task.cells, task.device, self.threads, send, os.getpid()),
            name=f"ganbench-task-{task.id}",
            daemon=True,
        )
        proc.start()
        send.close()  # the driver keeps only the reading end: EOF when the worker is gone
        self._running[task.id] = _Worker(proc, task, recv)

    def _receive(self, worker: _Worker) -> Outcome | None:
        """Read what ``worker`` sent; its outcome once it is finished or dead."""
        try:
            while worker.conn.poll():
                msg = worker.conn.recv()
                if msg[0] == "progress":
                    if self.progress is not None:
                        self.progress(worker.task.id, msg[1])
                elif msg[0] == "done":
                    return Outcome(worker.task, records=msg[1])
                else:
                    return Outcome(worker.task, error=msg[1], traceback=msg[2])
        except (EOFError, OSError):
            worker.proc.join(timeout=10)
            code = worker.proc.exitcode
            return Outcome(worker.task, error=f"worker process died (exit code {code})")
        return None

    def poll(self, timeout: float) -> list[Outcome]:
        """Outcomes of the tasks that finished or whose worker died within ``timeout``."""
        by_conn = {w.conn: w for w in self._running.values()}
        out = []
        for conn in wait(list(by_conn), timeout):
            worker = by_conn[conn]  # type: ignore[index]
            outcome = self._receive(worker)
            if outcome is not None:
                del self._running[worker.task.id]
                worker.conn.close()
                worker.proc.join(timeout=30)
                out.append(outcome)
        return out

    def close(self) -> None:
        """Kill running workers."""
        for worker in self._running.values():
            with contextlib.suppress(Exception):
                worker.proc.kill()
        for worker in self._running.values():
            worker.proc.join(timeout=10)
            worker.conn.close()
        self._running.clear()
