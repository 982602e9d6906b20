"""Records → tidy pandas tables: the only module of the report that reads record dicts.

``metrics_frame``: long format, one row per (run_id, metric) of every record
that has metric values, with the cell's coordinates as columns and the raw
float value. ``runs_frame``: one row per record with its status.
``curves_frame``: one row per (run_id, series, step) of the training curves
(losses, and any periodic metric a record logs). :func:`report_frames` makes
all of them, plus the samples, metric details and run info that the pages
show, once per report (:class:`ReportFrames`); every other report module reads
those frames. Only the report layer formats numbers.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ganbench.runner.store import decode_float

log = logging.getLogger(__name__)

COORDS = ["dataset", "objective", "architecture", "variant", "seed"]
ENTRY = ["dataset", "objective", "architecture", "variant"]
RUN_COLUMNS = ["run_id", *COORDS, "status", "error", "diverged_step", "train_s"]
METRIC_COLUMNS = ["run_id", *COORDS, "status", "metric", "value", "higher_is_better", "note"]
CURVE_COLUMNS = ["run_id", *COORDS, "series", "step", "value"]
TIMING_COLUMNS = [
    "run_id", *COORDS, "status", "steps", "train_s", "eval_s", "started", "finished", "host",
]  # fmt: skip


def _coords(rec: Mapping[str, Any]) -> dict[str, Any]:
    coords = rec.get("coords") or {}
    return {c: coords.get(c) for c in COORDS}


def _run_row(rec: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "run_id": rec.get("run_id"),
        **_coords(rec),
        "status": rec.get("status"),
        "error": rec.get("error"),
        "diverged_step": rec.get("diverged_step"),
        "train_s": (rec.get("timing") or {}).get("train_s"),
    }


def runs_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per record: run id, coordinates, status, error, timing."""
    return pd.DataFrame([_run_row(rec) for rec in records], columns=RUN_COLUMNS)


def metrics_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Long table of metric values: run id, coordinates, metric, value, direction, note.

    Metrics recorded as ``skipped`` (not applicable to the dataset) are left
    out; a metric that raised has a NaN value and its error as ``note``.
    """
    rows = []
    for rec in records:
        coords = _coords(rec)
        for name, m in _in_suite_order(rec):
            if m.get("skipped"):
                continue
            rows.append(
                {
                    "run_id": rec.get("run_id"),
                    **coords,
                    "status": rec.get("status"),
                    "metric": name,
                    "value": decode_float(m.get("value")),
                    "higher_is_better": bool(m.get("higher_is_better", True)),
                    "note": m.get("error") or m.get("note"),
                }
            )
    df = pd.DataFrame(rows, columns=METRIC_COLUMNS)
    df["value"] = df["value"].astype("float64")
    return df


def _in_suite_order(rec: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """A record's metrics in the order its suite lists them (``eval.metrics``), else as stored."""
    metrics = rec.get("metrics") or {}
    listed = (((rec.get("config") or {}).get("eval") or {}).get("metrics")) or []
    order = [m for m in listed if m in metrics] + [m for m in metrics if m not in listed]
    return [(name, metrics[name]) for name in order]


def in_cell_order(
    records: Iterable[dict[str, Any]], run_ids: Sequence[str]
) -> list[dict[str, Any]]:
    """``records`` sorted like the suite's cells (``run_ids``); unknown records go last."""
    rank = {rid: i for i, rid in enumerate(run_ids)}
    recs = list(records)
    return sorted(
        recs, key=lambda r: (rank.get(str(r.get("run_id")), len(rank)), str(r.get("run_id")))
    )


def _series(curves: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, int, float]]:
    """``(series, step, value)`` of a curves mapping ``{step: [...], name: [...], sub: {...}}``."""
    steps = curves.get("step")
    for name, vals in curves.items():
        if name == "step":
            continue
        if isinstance(vals, Mapping):
            yield from _series(vals, f"{prefix}{name}/")
        elif isinstance(vals, list) and isinstance(steps, list) and len(vals) == len(steps):
            for s, v in zip(steps, vals, strict=True):
                yield f"{prefix}{name}", int(s), decode_float(v)


def curves_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Long table of training curves: one row per (run, series, step)."""
    rows = []
    for rec in records:
        coords = _coords(rec)
        for series, step, value in _series(rec.get("curves") or {}):
            rows.append(
                {
                    "run_id": rec.get("run_id"),
                    **coords,
                    "series": series,
                    "step": step,
                    "value": value,
                }
            )
    df = pd.DataFrame(rows, columns=CURVE_COLUMNS)
    df["value"] = df["value"].astype("float64")
    return df


# --- the frames one report reads (built once per report by :func:`report_frames`) ---

RUN_PAGE_COLUMNS = ["traceback", "config_json", "mode_centres"]
SAMPLE_COLUMNS = ["run_id", "points", "grid"]
DETAIL_COLUMNS = [
    "run_id", "metric", "value", "higher_is_better", "version", "protocol", "skipped", "error",
    "note",
]  # fmt: skip
INFO_COLUMNS = ["run_id", "section", "key", "value"]
INFO_SECTIONS = ("coords", "data", "evaluation", "timing", "environment")
# record["data"] keys the report shows as figures, not as ``key = value`` text
SHOWN_AS_FIGURES = frozenset({"mode_centres", "mode_stds"})
IMAGE_KEYS = ("grid", "grid_png", "image_grid")  # record["samples"][key]: a PNG path


@dataclass(frozen=True)
class ReportFrames:
    """Every table a report reads, made once from the run records.

    ``runs``: one row per record (:data:`RUN_COLUMNS` + :data:`RUN_PAGE_COLUMNS`:
    traceback text, the resolved config as JSON text, the true mode centres as
    an ``(n, 2)`` array or ``None``). ``metrics``: :func:`metrics_frame`.
    ``curves``: :func:`curves_frame`. ``samples``: one row per record, with
    the index of ``runs`` (``points``: an array or ``None``; ``grid``: a checked
    PNG path or ``None``; read rows with ``to_dict("records")`` or
    ``itertuples``: ``iterrows`` turns ``None`` into ``NaN``).
    ``metric_details``: one row per stored (run_id, metric), skipped ones too,
    in stored order, with version, protocol and notes.
    ``run_info``: one row per (run_id, section, key) of the records' coords,
    data, evaluation, timing and environment mappings.
    """

    runs: pd.DataFrame
    metrics: pd.DataFrame
    curves: pd.DataFrame
    samples: pd.DataFrame
    metric_details: pd.DataFrame
    run_info: pd.DataFrame

    def info_by_run(self) -> dict[str, dict[str, dict[str, Any]]]:
        """:attr:`run_info` as run id → section → {key: value}, in stored order."""
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for r in self.run_info.itertuples(index=False):
            out.setdefault(r.run_id, {}).setdefault(r.section, {})[r.key] = r.value
        return out


def report_frames(
    records: Iterable[Mapping[str, Any]], results_dir: Path | None = None
) -> ReportFrames:
    """The :class:`ReportFrames` of ``records``, in their order.

    Sample-grid paths are checked against ``results_dir`` (see :func:`sample_image`).
    """
    recs = list(records)
    runs = pd.DataFrame(
        [{**_run_row(rec), **_run_page_fields(rec)} for rec in recs],
        columns=[*RUN_COLUMNS, *RUN_PAGE_COLUMNS],
    )
    return ReportFrames(
        runs=runs,
        metrics=metrics_frame(recs),
        curves=curves_frame(recs),
        samples=samples_frame(recs, results_dir),
        metric_details=metric_details_frame(recs),
        run_info=run_info_frame(recs),
    )


def _run_page_fields(rec: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "traceback": rec.get("traceback") or "",
        "config_json": json.dumps(rec.get("config") or {}, indent=2, sort_keys=True),
        "mode_centres": mode_centres(rec.get("data")),
    }


def mode_centres(data: Any) -> np.ndarray | None:
    """The true mode centres a record's ``data`` carries (a 2-D mixture), else ``None``.

    Records written before the field existed have none: the report then draws
    no centres (it never rebuilds a dataset because a record names it).
    """
    raw = data.get("mode_centres") if isinstance(data, Mapping) else None
    if not isinstance(raw, list) or not raw:
        return None
    try:
        arr = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return arr if arr.ndim == 2 and arr.shape[1] == 2 else None


def _points(samples: Mapping[str, Any]) -> np.ndarray | None:
    pts = samples.get("points")
    if not pts:
        return None
    try:
        return np.asarray(pts, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def samples_frame(
    records: Iterable[Mapping[str, Any]], results_dir: Path | None = None
) -> pd.DataFrame:
    """One row per record: run id, ``points`` (array or ``None``), ``grid`` (PNG or ``None``)."""
    rows = [
        {
            "run_id": rec.get("run_id"),
            "points": _points(rec.get("samples") or {}),
            "grid": sample_image(rec, results_dir),
        }
        for rec in records
    ]
    return pd.DataFrame(rows, columns=SAMPLE_COLUMNS, dtype=object)


def sample_image(record: Mapping[str, Any], results_dir: Path | None) -> Path | None:
    """The sample-grid PNG a run saved (images): a relative path inside its results folder.

    Paths are taken from a record, so they are not trusted: an absolute path, or
    one that leaves ``results_dir`` (``..``, a symlink), is ignored with a warning.
    """
    samples = record.get("samples") or {}
    if results_dir is None:
        return None
    root = results_dir.resolve()
    for key in IMAGE_KEYS:
        rel = samples.get(key)
        if not isinstance(rel, str) or not rel:
            continue
        p = (root / rel).resolve()
        if Path(rel).is_absolute() or not p.is_relative_to(root):
            log.warning("ignoring samples.%s %r of run %s: outside %s", key, rel[:80],
                        record.get("run_id"), results_dir)  # fmt: skip
            continue
        if p.suffix.lower() == ".png" and p.is_file():
            return p
    return None


def metric_details_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per stored (run_id, metric), skipped ones too, in each record's stored order.

    ``higher_is_better`` is ``None`` where the record does not say.
    """
    rows = [
        {
            "run_id": rec.get("run_id"),
            "metric": name,
            "value": decode_float(m.get("value")),
            "higher_is_better": m.get("higher_is_better"),
            "version": m.get("version", ""),
            "protocol": m.get("protocol") or {},
            "skipped": m.get("skipped") or None,
            "error": m.get("error") or None,
            "note": m.get("note") or None,
        }
        for rec in records
        for name, m in (rec.get("metrics") or {}).items()
    ]
    df = pd.DataFrame(rows, columns=DETAIL_COLUMNS)
    df["value"] = df["value"].astype("float64")
    return df


def run_info_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per (run_id, section, key) of the records' :data:`INFO_SECTIONS` mappings."""
    rows = []
    for rec in records:
        for section in INFO_SECTIONS:
            values = rec.get(section) or {}
            if not isinstance(values, Mapping):
                continue
            for key, value in values.items():
                if section == "data" and key in SHOWN_AS_FIGURES:
                    continue
                rows.append(
                    {"run_id": rec.get("run_id"), "section": section, "key": key, "value": value}
                )
    return pd.DataFrame(rows, columns=INFO_COLUMNS, dtype=object)


def timing_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per record: coordinates, status, training steps, times and where it ran.

    ``steps``: the configured generator steps (``config.train.steps``);
    ``train_s``: the run's share of its ensemble's training time; ``eval_s``:
    its evaluation time; ``started``/``finished``: ISO times (``None`` if absent);
    ``host``: the runner's host name (``None`` if not recorded).
    """
    rows = []
    for rec in records:
        timing = rec.get("timing") or {}
        train = ((rec.get("config") or {}).get("train")) or {}
        rows.append(
            {
                "run_id": rec.get("run_id"),
                **_coords(rec),
                "status": rec.get("status"),
                "steps": train.get("steps"),
                "train_s": decode_float(timing.get("train_s")),
                "eval_s": decode_float(timing.get("eval_s")),
                "started": timing.get("started"),
                "finished": timing.get("finished"),
                "host": (rec.get("runner") or {}).get("host"),
            }
        )
    return pd.DataFrame(rows, columns=TIMING_COLUMNS)


def first_seed_runs(runs: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """The lowest-seed ``ok`` run of each entry of ``dataset`` (entries in order of first run)."""
    ok = runs[(runs["dataset"] == dataset) & (runs["status"] == "ok")]
    best: dict[tuple[Any, ...], tuple[Any, Any]] = {}
    entries = ok[ENTRY].itertuples(index=False, name=None)
    for idx, key, seed in zip(ok.index, entries, ok["seed"].fillna(0), strict=True):
        if key not in best or seed < best[key][1]:
            best[key] = (idx, seed)
    return ok.loc[[idx for idx, _ in best.values()]]


def present(value: Any) -> Any:
    """``value``, or ``None`` for a missing cell (``NaN``/``NA`` of a frame)."""
    return None if value is None or (np.ndim(value) == 0 and pd.isna(value)) else value
