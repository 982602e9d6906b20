"""Records → tidy pandas tables.

``metrics_frame``: long format, one row per (run_id, metric) of every record
that has metric values, with the cell's coordinates as columns and the raw
float value. ``runs_frame``: one row per record with its status.
``curves_frame``: one row per (run_id, series, step) of the training curves
(losses, and any periodic metric a record logs). Only the report layer
formats numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from ganbench.runner.store import decode_float

COORDS = ["dataset", "objective", "architecture", "variant", "seed"]
ENTRY = ["dataset", "objective", "architecture", "variant"]
RUN_COLUMNS = ["run_id", *COORDS, "status", "error", "diverged_step", "train_s"]
METRIC_COLUMNS = ["run_id", *COORDS, "status", "metric", "value", "higher_is_better", "note"]
CURVE_COLUMNS = ["run_id", *COORDS, "series", "step", "value"]


def _coords(rec: Mapping[str, Any]) -> dict[str, Any]:
    coords = rec.get("coords") or {}
    return {c: coords.get(c) for c in COORDS}


def runs_frame(records: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """One row per record: run id, coordinates, status, error, timing."""
    rows = [
        {
            "run_id": rec.get("run_id"),
            **_coords(rec),
            "status": rec.get("status"),
            "error": rec.get("error"),
            "diverged_step": rec.get("diverged_step"),
            "train_s": (rec.get("timing") or {}).get("train_s"),
        }
        for rec in records
    ]
    return pd.DataFrame(rows, columns=RUN_COLUMNS)


def metrics_frame(records: Iterable[dict[str, Any]]) -> pd.DataFrame:
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
    return sorted(recs, key=lambda r: (rank.get(r.get("run_id"), len(rank)), str(r.get("run_id"))))


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


def curves_frame(records: Iterable[dict[str, Any]]) -> pd.DataFrame:
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
