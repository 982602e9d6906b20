"""The typed run record: its schema version, builders, encoding and validation.

One record is one JSON file ``<results>/<suite>/<run_id>.json``. This module
alone defines its shape (:class:`RunRecord`), the schema version
(:data:`SCHEMA`), how a run id is derived from a resolved config
(:func:`config_run_id`), how a record is built, encoded (:func:`encode_record`:
NaN → ``null``, ±inf → ``"inf"``/``"-inf"``) and decoded
(:func:`decode_record`, which validates). The store checks every record it
reads with :func:`validate_record` and :func:`check_identity`; a record that
fails is not trusted (see :mod:`ganbench.runner.store`).

Records are built here and nowhere else (``tests/test_record_owner.py`` keeps
it so): runners compute values and pass them to a builder, which returns a new
:class:`RunRecord`. Each starts from a :class:`RecordHead` (which run of which
cell, where): :func:`gan_record` and :func:`failed_record` for GAN cells,
:func:`fit_record` and :func:`failed_fit_record` for ``kind: divergence-fit``,
:func:`eval_record` for ``kind: eval``; :func:`with_tracking`,
:func:`with_image_extras` and :func:`with_runner` add what the driver knows, and the store takes the
transient artifact bytes off with :func:`pop_files`. The checks of a record's
parts live in :mod:`ganbench.record_checks`.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NotRequired, TypedDict, cast

from ganbench.errors import RecordError
from ganbench.kinds.fit import NAME as FIT_KIND
from ganbench.record_checks import (
    ENCODED_FLOATS,
    check_coords,
    check_curves,
    check_fit_result,
    check_metrics,
    check_samples,
    fail,
    is_int,
)

SCHEMA = 1  # the record schema version; part of every run id's hash
STATUSES = ("ok", "failed", "diverged")
DONE_STATUSES = frozenset({"ok", "diverged"})  # deterministic outcomes; "failed" is retried
RUN_ID_RE = re.compile(r"^[0-9a-f]{8,64}$")
MAX_RECORD_BYTES = 256 << 20  # a record file larger than this is not read
MAX_TRACEBACK = 4000  # a failure keeps the last this many characters of its traceback

Status = Literal["ok", "failed", "diverged"]
Generator = Literal["final", "ema"]  # which generator a GAN cell was evaluated with


class MetricEntry(TypedDict, total=False):
    """One metric of a record (``metrics[name]``)."""

    value: float | str | None  # encoded float: number, null (NaN), "inf" / "-inf"
    higher_is_better: bool  # the metric's direction
    version: str  # the metric implementation's version
    protocol: dict[str, Any]  # how it was measured (sample counts, features, options)
    skipped: str  # why the metric does not apply (then no value)
    error: str  # the exception text when the metric raised (value is null)
    note: str  # a caveat shown beside the value


class RunRecord(TypedDict):
    """One run (a GAN cell, or a divergence fit with ``kind``) as stored on disk."""

    schema: int  # SCHEMA of the code that wrote it
    run_id: str  # config_run_id(config); also the file name
    suite: str  # the suite's name
    coords: dict[str, str | int]  # display coordinates (dataset, objective, …, seed)
    config: dict[str, Any]  # the fully resolved cell config (hashed into run_id)
    status: Status  # ok / failed / diverged
    environment: NotRequired[dict[str, Any]]  # ganbench, torch, device, git hash
    kind: NotRequired[str]  # the suite kind for non-GAN records (ganbench.kinds)
    error: NotRequired[str | None]  # error text of a failed or diverged run
    traceback: NotRequired[str]  # last 4000 characters of a failure's traceback
    diverged_step: NotRequired[int | None]  # step of the first non-finite loss
    metrics: NotRequired[dict[str, MetricEntry]]  # metric name → entry
    curves: NotRequired[dict[str, Any]]  # {"step": [int], series: [float], sub: {...}}
    samples: NotRequired[dict[str, Any]]  # {"points": [[float]] | null, "grid": "rel.png"}
    evaluation: NotRequired[dict[str, Any]]  # generator used (final / ema), n_samples
    timing: NotRequired[dict[str, Any]]  # started, finished, train_s, eval_s, …
    runner: NotRequired[dict[str, Any]]  # backend, host, pid, attempts
    numerics: NotRequired[dict[str, Any]]  # image runs: matmul precision settings
    tracking: NotRequired[dict[str, Any]]  # tracked runs: how curves["eval"] was measured
    artifacts: NotRequired[dict[str, Any]]  # image runs: artifact paths (relative)
    data: NotRequired[dict[str, Any]]  # dataset facts: mode_centres/_stds, skipped files
    result: NotRequired[dict[str, Any]]  # divergence fits: the fit and its coverage
    _files: NotRequired[dict[str, bytes]]  # transient artifact bytes; never on disk


def config_run_id(config: Mapping[str, Any]) -> str:
    """Stable 16-hex-digit hash of a resolved config and the record schema."""
    payload = json.dumps({"schema": SCHEMA, "config": config}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class RecordHead:
    """The fields every record has, before its outcome: which run of which cell, where."""

    run_id: str  # config_run_id(config)
    suite: str  # the suite's name
    coords: Mapping[str, str | int]  # display coordinates (dataset, objective, …, seed)
    config: Mapping[str, Any]  # the fully resolved cell config
    environment: Mapping[str, Any]  # ganbench, torch, device, git hash
    kind: str | None = None  # the suite kind of a non-GAN record (no key for GAN cells)


def _start(head: RecordHead, status: Status) -> RunRecord:
    """A new record with ``head``'s fields and ``status``."""
    rec: RunRecord = {
        "schema": SCHEMA,
        "run_id": head.run_id,
        "suite": head.suite,
        "coords": dict(head.coords),
        "config": dict(head.config),
        "status": status,
        "environment": dict(head.environment),
    }
    if head.kind is not None:
        rec["kind"] = head.kind
    return rec


def _metrics(metrics: Mapping[str, Mapping[str, Any]]) -> dict[str, MetricEntry]:
    """The ``metrics`` field: name → entry, as evaluate_samples returns them."""
    return {name: cast(MetricEntry, dict(entry)) for name, entry in metrics.items()}


def gan_record(
    head: RecordHead,
    *,
    status: str,
    error: str | None,
    diverged_step: int | None,
    metrics: Mapping[str, Mapping[str, Any]],
    curves: Mapping[str, Any],
    points: list[list[float]] | None,
    generator: Generator,
    n_samples: int,
    started: str,
    finished: str,
    train_ensemble_s: float,
    ensemble_size: int,
    eval_s: float,
    data: Mapping[str, Any] | None = None,
) -> RunRecord:
    """The record of a trained GAN cell (``status`` ``ok`` or ``diverged``).

    ``points`` (the kept samples) are stored only for an ``ok`` run; ``data``
    (dataset facts) only when there are any. Times are in seconds, rounded to
    ms; ``train_s`` is the ensemble's training time per member.
    """
    if status not in DONE_STATUSES:
        raise ValueError(f"a trained cell is ok or diverged, not {status!r}")
    rec = _start(head, cast(Status, status))
    if data:
        rec["data"] = dict(data)
    rec["error"] = error
    rec["diverged_step"] = diverged_step
    rec["metrics"] = _metrics(metrics)
    rec["curves"] = dict(curves)
    rec["samples"] = {"points": points} if status == "ok" else {}
    rec["evaluation"] = {"generator": generator, "n_samples": n_samples}
    rec["timing"] = {
        "started": started,
        "finished": finished,
        "train_s": round(train_ensemble_s / ensemble_size, 3),
        "train_ensemble_s": round(train_ensemble_s, 3),
        "ensemble_size": ensemble_size,
        "eval_s": round(eval_s, 3),
    }
    return rec


def failed_record(
    head: RecordHead, *, error: str, traceback_text: str, started: str, finished: str
) -> RunRecord:
    """The record of a GAN cell that failed (failures are data): the error and its traceback."""
    rec = _start(head, "failed")
    rec["error"] = error
    rec["traceback"] = traceback_text[-MAX_TRACEBACK:]
    rec["metrics"] = {}
    rec["curves"] = {}
    rec["timing"] = {"started": started, "finished": finished}
    return rec


def fit_record(head: RecordHead, *, result: Mapping[str, Any], fit_s: float) -> RunRecord:
    """The record of a divergence fit that ran (``result``: the fit, its optima and coverage)."""
    rec = _start(head, "ok")
    rec["result"] = dict(result)
    rec["timing"] = {"fit_s": round(fit_s, 3)}
    return rec


def failed_fit_record(
    head: RecordHead, *, error: str, traceback_text: str, fit_s: float
) -> RunRecord:
    """The record of a divergence fit that raised: the error and its traceback."""
    rec = _start(head, "failed")
    rec["error"] = error
    rec["traceback"] = traceback_text[-MAX_TRACEBACK:]
    rec["timing"] = {"fit_s": round(fit_s, 3)}
    return rec


def eval_record(
    head: RecordHead,
    *,
    metrics: Mapping[str, Mapping[str, Any]],
    input_type: str,
    input_description: Mapping[str, Any],
    n_samples: int,
    reference: str,
    protocol: str,
    started: str,
    finished: str,
    load_s: float,
    eval_s: float,
    points: list[list[float]] | None = None,
    data: Mapping[str, Any] | None = None,
) -> RunRecord:
    """The record of a ``ganbench eval`` cell: its metrics and what was scored against what.

    ``input_description`` says what was loaded (path, sample count, …);
    ``points`` (generated points kept for the report's plots) only for point
    inputs; ``data``: facts about the reference (a mixture's mode centres);
    times are in seconds, unrounded.
    """
    rec = _start(head, "ok")
    rec["metrics"] = _metrics(metrics)
    rec["evaluation"] = {
        "input_type": input_type,
        "input": dict(input_description),
        "n_samples": n_samples,
        "reference": reference,
        "protocol": protocol,
    }
    rec["timing"] = {"started": started, "finished": finished, "load_s": load_s, "eval_s": eval_s}
    if points is not None:
        rec["samples"] = {"points": points}
    if data:
        rec["data"] = dict(data)
    return rec


def with_image_extras(
    record: RunRecord,
    *,
    numerics: Mapping[str, str],
    eval_curves: Mapping[str, list[float]] | None = None,
    tracking: Mapping[str, Any] | None = None,
    artifacts: Mapping[str, Any] | None = None,
    files: Mapping[str, bytes] | None = None,
) -> RunRecord:
    """``record`` of an image run with its numerics, quality curve and artifacts added.

    ``eval_curves`` and ``tracking`` (the quality-over-training series and how
    it was measured) go in together, under ``curves["eval"]``; ``artifacts``
    (relative paths, ``grid`` the sample grid) with ``files`` (their bytes,
    transient until the store writes them, see :func:`pop_files`).
    """
    rec = with_tracking(record, eval_curves=eval_curves, tracking=tracking)
    rec["numerics"] = dict(numerics)
    if artifacts is not None:
        rec["artifacts"] = dict(artifacts)
        rec["_files"] = dict(files or {})
        rec["samples"] = {**rec.get("samples", {}), "grid": artifacts["grid"]}
    return rec


def with_tracking(
    record: RunRecord,
    *,
    eval_curves: Mapping[str, list[float]] | None,
    tracking: Mapping[str, Any] | None,
) -> RunRecord:
    """``record`` (of any GAN run) with its quality-over-training series, if there is one.

    ``eval_curves`` (``{"step": [...], <metric>: [...]}``) goes under
    ``curves["eval"]`` and ``tracking`` (how it was measured) beside it, together
    or not at all.
    """
    rec = cast(RunRecord, dict(record))
    if eval_curves is not None and tracking is not None and rec.get("curves") is not None:
        rec["curves"] = {**rec["curves"], "eval": dict(eval_curves)}
        rec["tracking"] = dict(tracking)
    return rec


def with_runner(
    record: RunRecord, *, backend: str, host: str, pid: int, attempts: int
) -> RunRecord:
    """``record`` with the runner that wrote it: backend, host, process id, attempts."""
    rec = cast(RunRecord, dict(record))
    rec["runner"] = {"backend": backend, "host": host, "pid": pid, "attempts": attempts}
    return rec


def pop_files(record: RunRecord) -> dict[str, bytes]:
    """Take the transient artifact bytes (``name → bytes``) off ``record``; ``{}`` if none."""
    return record.pop("_files", None) or {}


def encode_value(obj: Any) -> Any:
    """``obj`` as strict JSON data: NaN → ``None``, ±inf → ``"inf"``/``"-inf"``."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None if math.isnan(obj) else ("inf" if obj > 0 else "-inf")
    if isinstance(obj, dict):
        return {k: encode_value(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [encode_value(v) for v in obj]
    return obj


def encode_record(record: Mapping[str, Any]) -> str:
    """The JSON text of a record (one trailing newline)."""
    return json.dumps(encode_value(dict(record)), indent=1, sort_keys=True, allow_nan=False) + "\n"


def decode_float(value: Any) -> float:
    """Inverse of the float encoding (``null`` → NaN, ``"inf"`` → inf); anything else → NaN."""
    if value is None or isinstance(value, bool):
        return math.nan
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value in ENCODED_FLOATS:
        return float(value)
    return math.nan


def decode_record(data: bytes | str, path: str | Path) -> RunRecord:
    """Parse and validate a record's JSON; :class:`RecordError` names the file and field."""
    if len(data) > MAX_RECORD_BYTES:
        raise RecordError(f"{path}: larger than {MAX_RECORD_BYTES >> 20} MiB")
    try:
        obj = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RecordError(f"{path}: not valid JSON ({exc.__class__.__name__})") from None
    except RecursionError:
        raise RecordError(f"{path}: not valid JSON (nested too deeply)") from None
    return validate_record(obj, path)


_OPTIONAL: dict[str, tuple[type | tuple[type, ...], str]] = {
    "environment": (dict, "a mapping"),
    "kind": (str, "a string"),
    "error": ((str, type(None)), "a string or null"),
    "traceback": (str, "a string"),
    "evaluation": (dict, "a mapping"),
    "timing": (dict, "a mapping"),
    "runner": (dict, "a mapping"),
    "numerics": (dict, "a mapping"),
    "tracking": (dict, "a mapping"),
    "artifacts": (dict, "a mapping"),
    "data": (dict, "a mapping"),
    "result": (dict, "a mapping"),
}


def validate_record(obj: Any, path: str | Path) -> RunRecord:
    """``obj`` as a :class:`RunRecord`, or :class:`RecordError` naming ``path`` and the field."""
    if not isinstance(obj, dict):
        raise RecordError(f"{path}: expected a JSON object (a record), got {type(obj).__name__}")
    if obj.get("schema") != SCHEMA or not is_int(obj.get("schema")):
        raise fail(path, "schema", f"expected record schema {SCHEMA}", obj.get("schema"))
    run_id = obj.get("run_id")
    if not isinstance(run_id, str) or not RUN_ID_RE.fullmatch(run_id):
        raise fail(path, "run_id", "expected 8-64 lowercase hex digits", run_id)
    if not isinstance(obj.get("suite"), str):
        raise fail(path, "suite", "expected a string", obj.get("suite"))
    if obj.get("status") not in STATUSES:
        raise fail(path, "status", f"expected one of {', '.join(STATUSES)}", obj.get("status"))
    if not isinstance(obj.get("config"), dict):
        raise fail(path, "config", "expected a mapping", obj.get("config"))
    check_coords(obj.get("coords"), path)
    for key, (types, what) in _OPTIONAL.items():
        if key in obj and not isinstance(obj[key], types):
            raise fail(path, key, f"expected {what}", obj[key])
    ds = obj.get("diverged_step")
    if ds is not None and not is_int(ds):
        raise fail(path, "diverged_step", "expected an integer or null", ds)
    check_metrics(obj.get("metrics", {}), path)
    check_curves(obj.get("curves", {}), path, "curves", 0)
    check_samples(obj.get("samples", {}), path)
    if obj.get("kind") == FIT_KIND and obj["status"] == "ok":
        check_fit_result(obj.get("result"), path)
    return cast(RunRecord, obj)


def check_identity(record: RunRecord, path: str | Path, run_id: str) -> None:
    """Raise :class:`RecordError` unless ``record`` is the record of cell ``run_id``.

    Its ``run_id`` must be ``run_id`` (the file's name) and its stored config
    must hash to it, so a copy of another cell's record, or an edited config,
    is not trusted.
    """
    if record["run_id"] != run_id:
        raise fail(path, "run_id", f"expected {run_id} (the cell of this file)", record["run_id"])
    actual = config_run_id(record["config"])
    if actual != run_id:
        raise RecordError(
            f"{path}: config: hashes to run id {actual}, not {run_id} "
            "(the record is not this cell's result)"
        )
