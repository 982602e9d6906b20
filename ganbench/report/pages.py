"""One HTML page per run: ``runs/<run_id>.html`` with its config, curves, samples and metrics.

Run ids are validated hex strings (:class:`ganbench.runner.store.ResultStore`),
so they are safe as file names; no user string ever becomes a path.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment
from markupsafe import Markup

from ganbench.metrics import METRICS
from ganbench.report import svg
from ganbench.report.aggregate import ENTRY, curves_frame
from ganbench.report.format import arrow, fmt_num
from ganbench.runner.store import RUN_ID_RE, atomic_write_text, decode_float

log = logging.getLogger(__name__)

RUNS_DIR = "runs"
IMAGE_KEYS = ("grid", "grid_png", "image_grid")  # record["samples"][key]: a PNG path


def run_href(run_id: str, from_index: bool = True) -> str | None:
    """Relative link to a run page (``None`` for an id that is not a valid run id)."""
    if not isinstance(run_id, str) or not RUN_ID_RE.match(run_id):
        return None
    return f"{RUNS_DIR}/{run_id}.html" if from_index else f"{run_id}.html"


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


MIXTURES = "ganbench.datasets.mixtures"  # datasets whose true modes the scatter plot shows
MAX_MODES = 10_000


def modes_of(record: Mapping[str, Any]) -> np.ndarray | None:
    """True mode centres of a run's mixture dataset, rebuilt from its resolved config.

    Only the cheap synthetic mixtures are rebuilt: the report never decodes data
    (an image folder, a download) because a record names it.
    """
    from ganbench.datasets import DATASETS

    ds = (record.get("config") or {}).get("dataset") or {}
    if not isinstance(ds, Mapping) or ds.get("name") not in DATASETS:
        return None
    fn = DATASETS.get(ds["name"])
    params = ds.get("params") or {}
    if fn.__module__ != MIXTURES or not isinstance(params, Mapping):
        return None
    if any(isinstance(v, int) and v > MAX_MODES for v in params.values()):
        return None  # not a mixture this suite could have run; do not allocate for it
    try:
        built = fn(**params)
    except Exception:
        return None
    means = getattr(built, "means", None)
    return None if means is None else means.numpy()


def _metric_rows(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for name, m in (record.get("metrics") or {}).items():
        spec = METRICS.get(name) if name in METRICS else None
        hib = m.get("higher_is_better", spec.higher_is_better if spec else True)
        rows.append(
            {
                "name": name,
                "value": "skipped" if m.get("skipped") else fmt_num(decode_float(m.get("value"))),
                "arrow": arrow(bool(hib)),
                "version": m.get("version", ""),
                "protocol": m.get("protocol") or {},
                "note": m.get("skipped") or m.get("error") or m.get("note") or "",
            }
        )
    return rows


def _run_figures(
    record: Mapping[str, Any], out: Path, results_dir: Path | None
) -> tuple[list[Markup], list[dict[str, str]]]:
    """Inline SVG charts (curves, 2-D samples) and copied image figures of one run."""
    rid = record["run_id"]
    charts = []
    curves = curves_frame([record])
    for name, grp in curves.groupby("series", sort=False):
        charts.append(svg.line_chart(str(name), grp["step"].tolist(), grp["value"].tolist()))
    pts = (record.get("samples") or {}).get("points")
    if pts:
        charts.append(svg.scatter("samples (x: true modes)", np.asarray(pts), modes_of(record)))
    figs = []
    img = sample_image(record, results_dir)
    if img is not None:
        shutil.copyfile(img, out / f"{rid}_grid.png")
        figs.append({"src": f"{rid}_grid.png", "caption": "generated samples (grid)"})
    return charts, figs


def _siblings(record: Mapping[str, Any], runs: pd.DataFrame) -> list[dict[str, Any]]:
    c = record["coords"]
    same = runs
    for k in ENTRY:
        same = same[same[k] == c.get(k)]
    return [
        {
            "seed": r.seed,
            "status": r.status,
            "href": run_href(r.run_id, from_index=False),
            "current": r.run_id == record["run_id"],
        }
        for r in same.sort_values("seed").itertuples()
        if run_href(r.run_id)
    ]


def write_run_pages(
    env: Environment,
    suite: str,
    records: Sequence[Mapping[str, Any]],
    runs: pd.DataFrame,
    out_dir: Path,
    dataset_index: Callable[[str], int],
    results_dir: Path | None = None,
) -> dict[str, str]:
    """Write ``runs/<run_id>.html`` (and its figures) for every record; run id → href."""
    out = out_dir / RUNS_DIR
    out.mkdir(parents=True, exist_ok=True)
    template = env.get_template("run.html.j2")
    hrefs = {}
    for rec in records:
        rid = rec.get("run_id")
        href = run_href(rid)
        if href is None:
            log.warning("skipping the page of a record with an invalid run id %r", rid)
            continue
        charts, figures = _run_figures(rec, out, results_dir)
        html = template.render(
            suite=suite,
            run_id=rid,
            coords=rec.get("coords") or {},
            ds_index=dataset_index(str((rec.get("coords") or {}).get("dataset"))),
            siblings=_siblings(rec, runs),
            status=rec.get("status"),
            diverged_step=rec.get("diverged_step"),
            error=rec.get("error"),
            traceback=rec.get("traceback"),
            evaluation=rec.get("evaluation") or {},
            data=rec.get("data") or {},
            timing=rec.get("timing") or {},
            metrics=_metric_rows(rec),
            charts=charts,
            figures=figures,
            config=json.dumps(rec.get("config") or {}, indent=2, sort_keys=True),
            environment=rec.get("environment") or {},
        )
        atomic_write_text(out / f"{rid}.html", html)
        hrefs[rid] = href
    return hrefs
