"""The typed run record: its schema version, builders, encoding and validation.

One record is one JSON file ``<results>/<suite>/<run_id>.json``. This module
alone defines its shape (:class:`RunRecord`), the schema version
(:data:`SCHEMA`), how a run id is derived from a resolved config
(:func:`config_run_id`), how a record is built (:func:`new_record`,
:func:`failure_fields`), encoded (:func:`encode_record`: NaN → ``null``,
±inf → ``"inf"``/``"-inf"``) and decoded (:func:`decode_record`, which
validates). The store checks every record it reads with
:func:`validate_record` and :func:`check_identity`; a record that fails is not
trusted (see :mod:`ganbench.runner.store`).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, NotRequired, TypedDict, cast

from ganbench.errors import RecordError, echo
from ganbench.kinds.fit import NAME as FIT_KIND

SCHEMA = 1  # the record schema version; part of every run id's hash
STATUSES = ("ok", "failed", "diverged")
DONE_STATUSES = frozenset({"ok", "diverged"})  # deterministic outcomes; "failed" is retried
RUN_ID_RE = re.compile(r"^[0-9a-f]{8,64}$")
ENCODED_FLOATS = frozenset({"inf", "-inf", "nan"})  # non-finite floats as stored
MAX_RECORD_BYTES = 256 << 20  # a record file larger than this is not read
MAX_CURVE_DEPTH = 4  # curves nest sub-series (e.g. ``eval``) at most this deep

Status = Literal["ok", "failed", "diverged"]


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
    tracking: NotRequired[dict[str, Any]]  # image runs: how curves["eval"] was measured
    artifacts: NotRequired[dict[str, Any]]  # image runs: artifact paths (relative)
    data: NotRequired[dict[str, Any]]  # dataset facts: mode_centres/_stds, skipped files
    result: NotRequired[dict[str, Any]]  # divergence fits: the fit and its coverage


def config_run_id(config: Mapping[str, Any]) -> str:
    """Stable 16-hex-digit hash of a resolved config and the record schema."""
    payload = json.dumps({"schema": SCHEMA, "config": config}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def new_record(
    run_id: str,
    suite: str,
    coords: Mapping[str, str | int],
    config: Mapping[str, Any],
    environment: Mapping[str, Any],
    kind: str | None = None,
) -> dict[str, Any]:
    """The fields every record has, before its outcome (status, metrics, …) is added."""
    rec: dict[str, Any] = {
        "schema": SCHEMA,
        "run_id": run_id,
        "suite": suite,
        "coords": dict(coords),
        "config": dict(config),
        "environment": dict(environment),
    }
    if kind is not None:
        rec["kind"] = kind
    return rec


def failure_fields(error: str, traceback_text: str, started: str, finished: str) -> dict[str, Any]:
    """The outcome fields of a ``failed`` GAN record (failures are data)."""
    return {
        "status": "failed",
        "error": error,
        "traceback": traceback_text[-4000:],
        "metrics": {},
        "curves": {},
        "timing": {"started": started, "finished": finished},
    }


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


def _fail(path: str | Path, key: str, problem: str, value: Any) -> RecordError:
    return RecordError(f"{path}: {key}: {problem}, got {echo(value)}")


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_encoded_float(v: Any) -> bool:
    if v is None or (isinstance(v, str) and v in ENCODED_FLOATS):
        return True
    return isinstance(v, int | float) and not isinstance(v, bool)


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
    if obj.get("schema") != SCHEMA or not _is_int(obj.get("schema")):
        raise _fail(path, "schema", f"expected record schema {SCHEMA}", obj.get("schema"))
    run_id = obj.get("run_id")
    if not isinstance(run_id, str) or not RUN_ID_RE.fullmatch(run_id):
        raise _fail(path, "run_id", "expected 8-64 lowercase hex digits", run_id)
    if not isinstance(obj.get("suite"), str):
        raise _fail(path, "suite", "expected a string", obj.get("suite"))
    if obj.get("status") not in STATUSES:
        raise _fail(path, "status", f"expected one of {', '.join(STATUSES)}", obj.get("status"))
    if not isinstance(obj.get("config"), dict):
        raise _fail(path, "config", "expected a mapping", obj.get("config"))
    _check_coords(obj.get("coords"), path)
    for key, (types, what) in _OPTIONAL.items():
        if key in obj and not isinstance(obj[key], types):
            raise _fail(path, key, f"expected {what}", obj[key])
    ds = obj.get("diverged_step")
    if ds is not None and not _is_int(ds):
        raise _fail(path, "diverged_step", "expected an integer or null", ds)
    _check_metrics(obj.get("metrics", {}), path)
    _check_curves(obj.get("curves", {}), path, "curves", 0)
    _check_samples(obj.get("samples", {}), path)
    if obj.get("kind") == FIT_KIND and obj["status"] == "ok":
        _check_fit_result(obj.get("result"), path)
    return cast(RunRecord, obj)


def _check_fit_result(result: Any, path: str | Path) -> None:
    """The fields of a divergence fit's ``result`` that its report reads."""
    if not isinstance(result, dict):
        raise _fail(path, "result", "expected a mapping (an ok fit has a result)", result)
    a, b, cov = result.get("a"), result.get("b"), result.get("coverage")
    if not _is_encoded_float(a) or a is None or isinstance(a, str):
        raise _fail(path, "result.a", "expected a number", a)
    if not isinstance(b, list) or not all(_is_encoded_float(v) for v in b):
        raise _fail(path, "result.b", "expected a list of numbers", b)
    if not isinstance(cov, dict) or not isinstance(cov.get("behaviour"), str):
        raise _fail(path, "result.coverage", "expected a mapping with a 'behaviour'", cov)
    for key in ("modes_inside", "missed", "p_mass_inside", "e_q_log_p", "e_p_log_q"):
        if key not in cov:
            raise RecordError(f"{path}: result.coverage.{key}: missing")
    for key, kind, what in (
        ("local_optima", list, "a list"),
        ("objectives_at_fit", dict, "a mapping"),
        ("modes", list, "a list"),
    ):
        if not isinstance(result.get(key), kind):
            raise _fail(path, f"result.{key}", f"expected {what}", result.get(key))
    for i, mode in enumerate(result["modes"]):
        if not isinstance(mode, dict) or not isinstance(mode.get("x"), list):
            raise _fail(path, f"result.modes[{i}]", "expected a mapping with 'x'", mode)


def _check_coords(coords: Any, path: str | Path) -> None:
    if not isinstance(coords, dict):
        raise _fail(path, "coords", "expected a mapping", coords)
    for k, v in coords.items():
        if not isinstance(v, str) and not _is_int(v):
            raise _fail(path, f"coords.{k}", "expected a string or an integer", v)
    if "seed" in coords and not _is_int(coords["seed"]):
        raise _fail(path, "coords.seed", "expected an integer", coords["seed"])


def _check_metrics(metrics: Any, path: str | Path) -> None:
    if not isinstance(metrics, dict):
        raise _fail(path, "metrics", "expected a mapping", metrics)
    for name, m in metrics.items():
        where = f"metrics.{name}"
        if not isinstance(m, dict):
            raise _fail(path, where, "expected a mapping with a 'value'", m)
        if "value" in m and not _is_encoded_float(m["value"]):
            raise _fail(
                path, f"{where}.value", "expected a number, null, 'inf' or '-inf'", m["value"]
            )
        if "higher_is_better" in m and not isinstance(m["higher_is_better"], bool):
            raise _fail(
                path, f"{where}.higher_is_better", "expected true or false", m["higher_is_better"]
            )
        for key in ("error", "note", "version"):
            if m.get(key) is not None and not isinstance(m[key], str):
                raise _fail(path, f"{where}.{key}", "expected a string", m[key])
        if m.get("skipped") is not None and not isinstance(m["skipped"], str | bool):
            raise _fail(path, f"{where}.skipped", "expected a string", m["skipped"])
        if "protocol" in m and not isinstance(m["protocol"], dict | type(None)):
            raise _fail(path, f"{where}.protocol", "expected a mapping", m["protocol"])


def _check_curves(curves: Any, path: str | Path, where: str, depth: int) -> None:
    if not isinstance(curves, dict):
        raise _fail(path, where, "expected a mapping", curves)
    if depth > MAX_CURVE_DEPTH:
        raise RecordError(f"{path}: {where}: nested more than {MAX_CURVE_DEPTH} levels")
    steps = curves.get("step", [])
    if not isinstance(steps, list) or not all(_is_int(s) for s in steps):
        bad = steps if not isinstance(steps, list) else next(s for s in steps if not _is_int(s))
        raise _fail(path, f"{where}.step", "expected a list of integers", bad)
    for name, vals in curves.items():
        if name == "step":
            continue
        if isinstance(vals, dict):
            _check_curves(vals, path, f"{where}.{name}", depth + 1)
        elif not isinstance(vals, list) or not all(_is_encoded_float(v) for v in vals):
            raise _fail(path, f"{where}.{name}", "expected a list of numbers", vals)


def _check_samples(samples: Any, path: str | Path) -> None:
    if not isinstance(samples, dict):
        raise _fail(path, "samples", "expected a mapping", samples)
    points = samples.get("points")
    if points is not None:
        ok = isinstance(points, list) and all(
            isinstance(row, list) and all(_is_encoded_float(v) for v in row) for row in points
        )
        if not ok:
            raise _fail(path, "samples.points", "expected a list of lists of numbers", points)
    for key, value in samples.items():
        if key != "points" and not isinstance(value, str):
            raise _fail(path, f"samples.{key}", "expected a relative file path", value)


def check_identity(record: RunRecord, path: str | Path, run_id: str) -> None:
    """Raise :class:`RecordError` unless ``record`` is the record of cell ``run_id``.

    Its ``run_id`` must be ``run_id`` (the file's name) and its stored config
    must hash to it, so a copy of another cell's record, or an edited config,
    is not trusted.
    """
    if record["run_id"] != run_id:
        raise _fail(path, "run_id", f"expected {run_id} (the cell of this file)", record["run_id"])
    actual = config_run_id(record["config"])
    if actual != run_id:
        raise RecordError(
            f"{path}: config: hashes to run id {actual}, not {run_id} "
            "(the record is not this cell's result)"
        )
