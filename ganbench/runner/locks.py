"""Per-cell locks, so two runners on one results folder never train the same cell twice.

A cell's lock is an exclusive ``flock(2)`` on ``<results>/<suite>/.locks/<run_id>.lock``.
The kernel drops the lock when its holder dies, however it dies (SIGKILL,
OOM, power loss of a client), so a crashed runner leaves at most an *unlocked*
file behind: the next runner takes it over (stale-lock recovery) and removes it.

Protocol (the usual one for lock files that are deleted):

* acquire: open-or-create the file, ``LOCK_EX | LOCK_NB``; then check that the
  locked inode is still the one at the path (a releaser may have unlinked it in
  between) and retry otherwise; write the holder's host and pid for display;
* release: unlink the file *while holding* the lock, then close it.

A runner holds a cell's lock from just before it checks the cell's record until
the record is written, so a cell whose record appears meanwhile is skipped.
Locks need a POSIX file system with ``flock`` (local disks, NFSv4).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ganbench.errors import StoreError
from ganbench.runner.store import RUN_ID_RE

log = logging.getLogger(__name__)


class CellLock:
    """A held lock; :meth:`release` deletes the lock file."""

    def __init__(self, path: Path, fd: int, stale: bool = False) -> None:
        self.path, self._fd = path, fd
        self.stale = stale  # taken over from a holder that died without releasing it

    @property
    def held(self) -> bool:
        """Whether the lock is still held by this object."""
        return self._fd >= 0

    def release(self) -> None:
        """Delete the lock file and drop the lock (idempotent)."""
        if self._fd < 0:
            return
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        os.close(self._fd)
        self._fd = -1


def _same_file(fd: int, path: Path) -> bool:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    fst = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (fst.st_dev, fst.st_ino)


class LockDir:
    """The lock files of one suite's results folder."""

    def __init__(self, directory: str | Path) -> None:
        self.dir = Path(directory)

    def path(self, run_id: str) -> Path:
        """The lock file of ``run_id`` (validated by the caller's store)."""
        return self.dir / f"{run_id}.lock"

    def try_acquire(self, run_id: str) -> CellLock | None:
        """The lock of ``run_id``, or ``None`` when another process holds it."""
        path = self.path(run_id)
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            while True:
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError as exc:
                    os.close(fd)
                    if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                        return None
                    raise
                if _same_file(fd, path):
                    break
                os.close(fd)  # unlinked by its releaser between open and flock: retry
            stale = os.fstat(fd).st_size > 0  # a live releaser unlinks before closing
            info = {"host": socket.gethostname(), "pid": os.getpid()}
            os.ftruncate(fd, 0)
            os.write(fd, json.dumps(info).encode())
        except OSError as exc:
            raise StoreError(
                f"cannot create lock {path}: {exc.strerror or exc} (earlier records are untouched)"
            ) from None
        return CellLock(path, fd, stale)

    def holder(self, run_id: str) -> dict[str, Any] | None:
        """Host and pid written by the current holder, when readable."""
        try:
            data = json.loads(self.path(run_id).read_text())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def recover_stale(self, cleanup: Callable[[str], object] | None = None) -> list[str]:
        """Remove the lock files nobody holds (left by dead runners); their run ids.

        ``cleanup(run_id)`` runs while the recovered lock is held (e.g. to delete
        the dead writer's temp files).
        """
        if not self.dir.is_dir():
            return []
        recovered = []
        for p in sorted(self.dir.glob("*.lock")):
            if not RUN_ID_RE.fullmatch(p.stem):
                continue
            lock = self.try_acquire(p.stem)
            if lock is not None:
                try:
                    if cleanup is not None:
                        cleanup(p.stem)
                finally:
                    lock.release()
                recovered.append(p.stem)
        if recovered:
            log.info("recovered %d stale lock(s) of dead runners", len(recovered))
        return recovered
