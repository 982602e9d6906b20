"""Run records: one JSON file per cell, written atomically.

Layout: ``<results>/<suite>/<run_id>.json`` plus an optional artifacts folder
``<results>/<suite>/artifacts/<run_id>/`` and the per-cell locks under
``<results>/<suite>/.locks/`` (see :mod:`ganbench.runner.locks`). A record is
written to a temporary file ``.<run_id>.json.*.tmp`` in the same folder,
flushed and fsynced, then renamed over the final name, so a killed process
never leaves a half-written record; leftover temp files of a killed writer are
removed by the next process that takes the cell's lock. Unreadable records are
reported and treated as absent (the cell is run again).

Every path derived from a name goes through :func:`safe_child`, which accepts
only plain names (letters, digits, ``_``, ``-``, ``.``; no leading dot) and
checks that the result stays inside its root.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ganbench.errors import StoreError

log = logging.getLogger(__name__)

RUN_ID_RE = re.compile(r"^[0-9a-f]{8,64}$")
SAFE_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")
DONE_STATUSES = frozenset({"ok", "diverged"})  # deterministic outcomes; "failed" is retried


def _clean(obj: Any) -> Any:
    """Make ``obj`` strict JSON: NaN → ``null``, ±inf → the strings ``"inf"``/``"-inf"``."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None if math.isnan(obj) else ("inf" if obj > 0 else "-inf")
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    return obj


def decode_float(value: Any) -> float:
    """Inverse of the record encoding of floats (``null`` → NaN, ``"inf"`` → inf)."""
    if value is None:
        return math.nan
    if isinstance(value, str):
        return float(value)  # "inf" / "-inf"
    return float(value)


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` via a temp file + fsync + rename."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temp file + fsync + rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def safe_child(root: str | Path, name: str, what: str = "name") -> Path:
    """``root / name`` for a plain ``name`` that cannot leave ``root``, else :class:`StoreError`."""
    if not isinstance(name, str) or not SAFE_NAME_RE.fullmatch(name):
        raise StoreError(
            f"invalid {what} {name!r}: use letters, digits, '_', '-', '.' "
            "(starting with a letter or digit, at most 80 characters)"
        )
    return Path(root) / name  # one path component that is neither '.' nor '..'


class ResultStore:
    """The records of one suite under ``<root>/<suite>/``."""

    def __init__(self, root: str | Path, suite: str) -> None:
        self.root = Path(root)
        self.dir = safe_child(self.root, suite, "suite name")
        self.lock_dir = self.dir / ".locks"

    def path(self, run_id: str) -> Path:
        """Record path of ``run_id`` (validated so it cannot escape the folder)."""
        if not isinstance(run_id, str) or not RUN_ID_RE.fullmatch(run_id):
            raise StoreError(f"invalid run id {run_id!r}")
        return self.dir / f"{run_id}.json"

    def artifacts(self, run_id: str) -> Path:
        """Artifacts folder of ``run_id`` (not created)."""
        self.path(run_id)
        return self.dir / "artifacts" / run_id

    def read(self, run_id: str) -> dict[str, Any] | None:
        """The record of ``run_id``, or ``None`` when absent or unreadable."""
        p = self.path(run_id)
        if not p.exists():
            return None
        return self._load(p)

    def _load(self, p: Path) -> dict[str, Any] | None:
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            log.warning("ignoring unreadable record %s (%s)", p, exc.__class__.__name__)
            return None
        return data if isinstance(data, dict) else None

    def is_done(self, run_id: str) -> bool:
        """Whether a finished (``ok`` or ``diverged``) record exists."""
        rec = self.read(run_id)
        return rec is not None and rec.get("status") in DONE_STATUSES

    def write(self, record: dict[str, Any]) -> Path:
        """Write ``record`` atomically; raises :class:`StoreError` when the folder is unusable.

        A transient ``_files`` entry (``name -> bytes``, e.g. an image run's sample
        grid and checkpoint) is popped and written to the run's artifacts folder
        first, so a record never points at missing artifacts.
        """
        p = self.path(record["run_id"])
        files = record.pop("_files", None) or {}
        text = json.dumps(_clean(record), indent=1, sort_keys=True, allow_nan=False)
        try:
            folder = self.artifacts(record["run_id"])
            for name, data in files.items():
                atomic_write_bytes(safe_child(folder, name, "artifact name"), data)
            atomic_write_text(p, text + "\n")
        except OSError as exc:
            raise StoreError(
                f"cannot write record {p}: {exc.strerror or exc} (earlier records are untouched)"
            ) from None
        return p

    def temp_files(self, run_id: str | None = None) -> list[Path]:
        """Leftover temp files of record writes (of ``run_id``, or of every cell)."""
        prefix = f".{run_id}.json." if run_id else "."
        try:
            with os.scandir(self.dir) as it:
                names = [e.name for e in it if e.name.startswith(prefix)]
        except (FileNotFoundError, NotADirectoryError):
            return []
        return sorted(self.dir / n for n in names if n.endswith(".tmp") and ".json." in n)

    def remove_temp_files(self, run_id: str) -> int:
        """Delete ``run_id``'s leftover temp files; call only while holding its lock."""
        self.path(run_id)
        n = 0
        for p in self.temp_files(run_id):
            with contextlib.suppress(FileNotFoundError):
                p.unlink()
                n += 1
        return n

    def iter_records(self) -> Iterator[dict[str, Any]]:
        """Every readable record of the suite, in run-id order."""
        if not self.dir.is_dir():
            return
        for p in sorted(self.dir.glob("*.json")):
            if RUN_ID_RE.match(p.stem):
                rec = self._load(p)
                if rec is not None:
                    yield rec

    def records(self) -> list[dict[str, Any]]:
        """All readable records as a list."""
        return list(self.iter_records())

    def check_writable(self) -> None:
        """Fail early with a one-line error when the results folder cannot be written."""
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".probe.", dir=self.dir)
            os.close(fd)
            os.unlink(tmp)
        except OSError as exc:
            raise StoreError(
                f"results folder {self.dir} is not writable: {exc.strerror or exc}"
            ) from None
