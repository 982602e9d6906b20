"""One HTML page per run: ``runs/<run_id>.html`` with its config, curves, samples and metrics.

Run ids are validated hex strings (:class:`ganbench.runner.store.ResultStore`),
so they are safe as file names; no user string ever becomes a path.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment
from markupsafe import Markup

from ganbench.metrics import METRICS
from ganbench.report import svg
from ganbench.report.aggregate import ENTRY, ReportFrames, present
from ganbench.report.format import arrow, fmt_num
from ganbench.runner.store import RUN_ID_RE, atomic_write_text

log = logging.getLogger(__name__)

RUNS_DIR = "runs"


def run_href(run_id: str, from_index: bool = True) -> str | None:
    """Relative link to a run page (``None`` for an id that is not a valid run id)."""
    if not isinstance(run_id, str) or not RUN_ID_RE.match(run_id):
        return None
    return f"{RUNS_DIR}/{run_id}.html" if from_index else f"{run_id}.html"


def _metric_rows(details: pd.DataFrame) -> list[dict[str, Any]]:
    """The metric table of one run page from its rows of ``metric_details``."""
    rows = []
    for m in details.itertuples(index=False):
        spec = METRICS.get(m.metric) if m.metric in METRICS else None
        hib = present(m.higher_is_better)
        if hib is None:
            hib = spec.higher_is_better if spec else True
        rows.append(
            {
                "name": m.metric,
                "value": "skipped" if present(m.skipped) else fmt_num(m.value),
                "arrow": arrow(bool(hib)),
                "version": m.version,
                "protocol": m.protocol,
                "note": present(m.skipped) or present(m.error) or present(m.note) or "",
            }
        )
    return rows


def _run_figures(
    frames: ReportFrames, run: Mapping[str, Any], samples: Mapping[str, Any], out: Path
) -> tuple[list[Markup], list[dict[str, str]]]:
    """Inline SVG charts (curves, 2-D samples) and copied image figures of one run."""
    rid = run["run_id"]
    charts = []
    curves = frames.curves[frames.curves["run_id"] == rid]
    for name, grp in curves.groupby("series", sort=False):
        charts.append(svg.line_chart(str(name), grp["step"].tolist(), grp["value"].tolist()))
    if samples["points"] is not None:
        modes = run["mode_centres"]
        charts.append(svg.scatter("samples (x: true modes)", samples["points"], modes))
    figs = []
    if samples["grid"] is not None:
        shutil.copyfile(samples["grid"], out / f"{rid}_grid.png")
        figs.append({"src": f"{rid}_grid.png", "caption": "generated samples (grid)"})
    return charts, figs


def _siblings(run: Mapping[str, Any], runs: pd.DataFrame) -> list[dict[str, Any]]:
    same = runs
    for k in ENTRY:
        same = same[same[k] == run[k]]
    return [
        {
            "seed": r.seed,
            "status": r.status,
            "href": run_href(r.run_id, from_index=False),
            "current": r.run_id == run["run_id"],
        }
        for r in same.sort_values("seed").itertuples()
        if run_href(r.run_id)
    ]


def _by_run(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """``df``'s rows per run id."""
    return {str(rid): grp for rid, grp in df.groupby("run_id", sort=False)}


def write_run_pages(
    env: Environment,
    suite: str,
    frames: ReportFrames,
    out_dir: Path,
    dataset_index: Callable[[str], int],
) -> dict[str, str]:
    """Write ``runs/<run_id>.html`` (and its figures) for every run; run id → href."""
    out = out_dir / RUNS_DIR
    out.mkdir(parents=True, exist_ok=True)
    template = env.get_template("run.html.j2")
    info = frames.info_by_run()
    details = _by_run(frames.metric_details)
    hrefs = {}
    samples = frames.samples.to_dict("records")
    for run, sample in zip(frames.runs.to_dict("records"), samples, strict=True):
        rid = run["run_id"]
        href = run_href(rid)
        if href is None:
            log.warning("skipping the page of a record with an invalid run id %r", rid)
            continue
        sections = info.get(rid, {})
        coords = sections.get("coords", {})
        charts, figures = _run_figures(frames, run, sample, out)
        step = present(run["diverged_step"])
        html = template.render(
            suite=suite,
            run_id=rid,
            coords=coords,
            ds_index=dataset_index(str(coords.get("dataset"))),
            siblings=_siblings(run, frames.runs),
            status=present(run["status"]),
            diverged_step=None if step is None else int(step),
            error=present(run["error"]),
            traceback=run["traceback"],
            evaluation=sections.get("evaluation", {}),
            data=sections.get("data", {}),
            timing=sections.get("timing", {}),
            metrics=_metric_rows(details.get(rid, frames.metric_details.iloc[:0])),
            charts=charts,
            figures=figures,
            config=run["config_json"],
            environment=sections.get("environment", {}),
        )
        atomic_write_text(out / f"{rid}.html", html)
        hrefs[rid] = href
    return hrefs
