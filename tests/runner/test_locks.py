"""Per-cell locks: exclusion, release, stale-lock recovery after SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from ganbench.errors import StoreError
from ganbench.runner.locks import LockDir

RID = "0123456789abcdef"

HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(120)
"""


def test_second_acquire_fails_until_release(tmp_path):
    locks = LockDir(tmp_path / ".locks")
    first = locks.try_acquire(RID)
    assert first is not None and first.held
    assert locks.try_acquire(RID) is None  # a second open file description is refused
    assert locks.holder(RID)["pid"] == os.getpid()
    first.release()
    assert not first.held and not locks.path(RID).exists()
    first.release()  # idempotent
    again = locks.try_acquire(RID)
    assert again is not None
    again.release()


def test_lock_of_a_killed_process_is_recovered(tmp_path):
    locks = LockDir(tmp_path / ".locks")
    locks.dir.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(locks.path(RID))], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "locked"
        assert locks.try_acquire(RID) is None
        assert locks.recover_stale() == []  # a live holder is not stale
        assert locks.path(RID).exists()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    cleaned = []
    assert locks.recover_stale(cleaned.append) == [RID]
    assert cleaned == [RID]
    assert not locks.path(RID).exists()


def test_locks_exclude_each_other_under_contention(tmp_path):
    """Threads racing on acquire/release (with unlinks in between) are never inside together."""
    locks = LockDir(tmp_path / ".locks")
    inside, overlaps, entries = [0], [0], [0]
    guard = threading.Lock()

    def worker() -> None:
        for _ in range(150):
            while (lock := locks.try_acquire(RID)) is None:
                time.sleep(0)
            with guard:
                inside[0] += 1
                overlaps[0] += inside[0] > 1
                entries[0] += 1
            time.sleep(0.0002)
            with guard:
                inside[0] -= 1
            lock.release()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert entries[0] == 600
    assert overlaps[0] == 0
    assert not locks.path(RID).exists()


def test_lock_folder_that_cannot_be_created_is_one_line_error(tmp_path):
    (tmp_path / "blocker").write_text("a file, not a folder")
    with pytest.raises(StoreError, match="cannot create lock") as info:
        LockDir(tmp_path / "blocker" / ".locks").try_acquire(RID)
    assert "\n" not in str(info.value)


def test_recover_ignores_foreign_files(tmp_path):
    locks = LockDir(tmp_path)
    (tmp_path / "notes.lock").write_text("x")
    assert locks.recover_stale() == []
    assert (tmp_path / "notes.lock").exists()


def test_a_lock_taken_over_from_a_dead_holder_is_marked_stale(tmp_path):
    locks = LockDir(tmp_path)
    fresh = locks.try_acquire(RID)
    assert fresh is not None and not fresh.stale
    fresh.release()
    locks.path(RID).write_text('{"host": "h", "pid": 1}')  # left by a killed runner
    taken = locks.try_acquire(RID)
    assert taken is not None and taken.stale
    taken.release()
