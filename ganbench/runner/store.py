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
import logging
import os
import re
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from ganbench.errors import RecordError, StoreError
from ganbench.record import (
    DONE_STATUSES,
    RUN_ID_RE,
    RunRecord,
    check_identity,
    decode_float,
    decode_record,
    encode_record,
    pop_files,
)

log = logging.getLogger(__name__)

__all__ = ["DONE_STATUSES", "RUN_ID_RE", "ResultStore", "decode_float", "safe_child"]

SAFE_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")
REJECTED_DIR = "rejected"  # untrusted records are moved here, never deleted
_warned: set[tuple[str, int, int]] = set()  # (path, mtime_ns, size) already warned about


_umask_lock = threading.Lock()


def current_umask() -> int:
    """The process's file-mode creation mask (read without changing it for other threads)."""
    with _umask_lock:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` via a temp file + fsync + rename."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temp file + fsync + rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~current_umask())  # mkstemp makes 0600; honour the umask instead
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


@contextlib.contextmanager
def report_folder(folder: str | Path) -> Iterator[None]:
    """Turn an ``OSError`` while writing a report in ``folder`` into a one-line StoreError.

    The records are read-only inputs of a report, so they are kept whatever happens.
    """
    try:
        yield
    except OSError as exc:
        raise StoreError(
            f"cannot write the report in {folder}: {exc.strerror or exc} (the records are kept)"
        ) from None


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

    def read(self, run_id: str, *, warn: bool = True) -> RunRecord | None:
        """The trusted record of ``run_id``, or ``None`` when absent or not trusted.

        A record is trusted when it passes :func:`~ganbench.record.validate_record`
        and is the record of its cell (:func:`~ganbench.record.check_identity`);
        otherwise a warning naming the file and the field is logged once
        (unless ``warn`` is off) and ``None`` is returned.
        """
        try:
            return self.load(run_id)
        except RecordError as exc:
            if warn:
                self._warn_once(self.path(run_id), f"ignoring record {exc}")
            return None

    def load(self, run_id: str) -> RunRecord | None:
        """The record of ``run_id`` (``None`` when absent); :class:`RecordError` when untrusted."""
        p = self.path(run_id)
        try:
            data = p.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise RecordError(f"{p}: unreadable ({exc.strerror or exc})") from None
        rec = decode_record(data, p)
        check_identity(rec, p, run_id)
        return rec

    def _warn_once(self, p: Path, message: str) -> None:
        """Log ``message`` about file ``p`` unless it was logged for this version of ``p``."""
        try:
            st = p.stat()
            key = (str(p), st.st_mtime_ns, st.st_size)
        except OSError:
            key = (str(p), 0, 0)
        if key not in _warned:
            _warned.add(key)
            log.warning("%s", message)

    def is_done(self, run_id: str, *, warn: bool = True) -> bool:
        """Whether a trusted, finished (``ok`` or ``diverged``) record exists."""
        rec = self.read(run_id, warn=warn)
        return rec is not None and rec["status"] in DONE_STATUSES

    def set_aside(self, run_id: str) -> Path | None:
        """Move an untrusted record of ``run_id`` to ``rejected/`` (call holding its lock).

        Returns the new path, or ``None`` when the record is absent or trusted.
        The file is kept, under ``rejected/<run_id>.<n>.json``, and a warning
        names it and the reason; the cell is then run again.
        """
        p = self.path(run_id)
        try:
            self.load(run_id)
            return None
        except RecordError as exc:
            reason = str(exc)
        folder = self.dir / REJECTED_DIR
        n = 0
        while (dest := folder / f"{run_id}.{n}.json").exists():
            n += 1
        try:
            folder.mkdir(exist_ok=True)
            os.replace(p, dest)
        except OSError as err:
            raise StoreError(
                f"cannot move the untrusted record {p} aside: {err.strerror or err}"
            ) from None
        log.warning("record not trusted, moved to %s; the cell runs again: %s", dest, reason)
        return dest

    def write(self, record: RunRecord) -> Path:
        """Write ``record`` atomically; raises :class:`StoreError` when the folder is unusable.

        A transient ``_files`` entry (``name -> bytes``, e.g. an image run's sample
        grid and checkpoint) is popped and written to the run's artifacts folder
        first, so a record never points at missing artifacts.
        """
        p = self.path(record["run_id"])
        files = pop_files(record)
        text = encode_record(record)
        try:
            folder = self.artifacts(record["run_id"])
            for name, data in files.items():
                atomic_write_bytes(safe_child(folder, name, "artifact name"), data)
            atomic_write_text(p, text)
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

    def run_ids(self) -> list[str]:
        """Run ids of every record file in the folder (trusted or not), sorted."""
        if not self.dir.is_dir():
            return []
        return sorted(
            p.stem for p in self.dir.glob("*.json") if RUN_ID_RE.fullmatch(p.stem) and p.is_file()
        )

    def iter_records(self) -> Iterator[RunRecord]:
        """Every trusted record in the folder, in run-id order (see :meth:`cell_records`)."""
        for run_id in self.run_ids():
            rec = self.read(run_id)
            if rec is not None:
                yield rec

    def records(self) -> list[RunRecord]:
        """All trusted records in the folder as a list."""
        return list(self.iter_records())

    def cell_records(self, run_ids: Sequence[str]) -> list[RunRecord]:
        """The trusted records of cells ``run_ids``, in that order (cells without one left out).

        Records of other cells in the folder are never returned; they are
        counted in one warning line (see :meth:`stale`).
        """
        records = [r for r in (self.read(rid) for rid in run_ids) if r is not None]
        stale = self.stale(run_ids)
        if stale:
            log.warning(
                "%d record(s) in %s are not cells of suite %s as it is now (stale: an earlier "
                "version of the suite, or another suite of that name) and are not counted; "
                "delete them, or move them to another folder to keep them",
                len(stale),
                self.dir,
                self.dir.name,
            )
        return records

    def stale(self, run_ids: Sequence[str]) -> list[str]:
        """Run ids of record files in the folder that are not among ``run_ids``."""
        current = set(run_ids)
        return [rid for rid in self.run_ids() if rid not in current]

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
