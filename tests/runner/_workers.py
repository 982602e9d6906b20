"""Worker entry points for tests of the process backend (importable by worker processes)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from ganbench.runner.local import _worker_main


def die(task_id: int, cells: Any, *args: Any) -> None:
    """A worker that is killed before it sends anything."""
    os._exit(9)


def die_once(task_id: int, cells: Any, *args: Any) -> None:
    """Dies the first time a task's cells are seen (marker in the temp folder), then works."""
    marker = Path(tempfile.gettempdir()) / f"ganbench-test-die-once-{cells[0].run_id}"
    if not marker.exists():
        marker.write_text("died")
        os._exit(9)
    marker.unlink()
    _worker_main(task_id, cells, *args)


def send_error(task_id: int, cells: Any, device: str, threads: int, conn: Any, pid: int) -> None:
    """A worker whose task fails as a whole (outside the per-cell error handling)."""
    conn.send(("error", "OSError: dataset folder vanished", "Traceback: ... in the worker"))
