"""Render ``reports/<suite>/`` from run records: index.html, run pages, figures and exports.

Everything is written with Jinja2 autoescaping (every user string is escaped),
links are relative, and the pages need no network (inline CSS and JS, PNG
figures next to the HTML), so the folder can be zipped and opened from
``file://``.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from ganbench import __version__
from ganbench.metrics import METRICS
from ganbench.report import plots
from ganbench.report.aggregate import ENTRY, curves_frame, metrics_frame, runs_frame
from ganbench.report.exports import Exports, write_exports
from ganbench.report.format import (
    Table,
    arrow,
    bad_seeds_note,
    entry_label,
    fmt_num,
    fmt_p,
    leaderboard_tables,
    varying_coords,
)
from ganbench.report.pages import modes_of, run_href, sample_image, write_run_pages
from ganbench.report.stats import StatsOptions, average_ranks, identical_entries, summarize
from ganbench.runner.store import atomic_write_text

log = logging.getLogger(__name__)

PROVENANCE_KEYS = ("ganbench", "torch", "python", "platform", "device", "device_name", "git")


@dataclass
class Report:
    """The data behind a rendered report (also handy for tests and the terminal)."""

    path: Path
    runs: pd.DataFrame
    metrics: pd.DataFrame
    summary: pd.DataFrame
    figures: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    exports: Exports = field(default_factory=Exports)
    run_pages: dict[str, str] = field(default_factory=dict)


def jinja_env() -> Environment:
    """The report's Jinja2 environment (autoescaping on for every template)."""
    return Environment(
        loader=PackageLoader("ganbench", "report/templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _first_seed_records(
    records: Sequence[Mapping[str, Any]], dataset: str
) -> list[Mapping[str, Any]]:
    """The lowest-seed ``ok`` record of each entry of ``dataset``."""
    best: dict[tuple, Mapping[str, Any]] = {}
    for rec in records:
        c = rec.get("coords") or {}
        if c.get("dataset") != dataset or rec.get("status") != "ok":
            continue
        key = tuple(c.get(k) for k in ENTRY)
        if key not in best or c.get("seed", 0) < best[key]["coords"].get("seed", 0):
            best[key] = rec
    return list(best.values())


def _sample_figures(
    records: Sequence[Mapping[str, Any]],
    ds: str,
    i: int,
    varying: list[str],
    fig_dir: Path,
    results_dir: Path | None,
) -> list[dict[str, str]]:
    firsts = _first_seed_records(records, ds)
    figs = []
    panels = [
        (
            f"{entry_label(r['coords'], varying)} (seed {r['coords'].get('seed')})",
            np.asarray(r["samples"]["points"], dtype=np.float64),
        )
        for r in firsts
        if (r.get("samples") or {}).get("points")
    ]
    if panels:
        name = f"samples_{i}.png"
        title = f"{ds}: generated samples (x: true modes)"
        plots.plot_samples(panels, modes_of(firsts[0]), title, fig_dir / name)
        figs.append({"src": f"figures/{name}", "caption": f"{ds}: samples of the lowest seed"})
    for j, r in enumerate(firsts):
        img = sample_image(r, results_dir)
        if img is not None:
            name = f"grid_{i}_{j}.png"
            shutil.copyfile(img, fig_dir / name)
            label = entry_label(r["coords"], varying)
            figs.append({"src": f"figures/{name}", "caption": f"{ds}: {label} (seed samples)"})
    return figs


def _figures(
    records: Sequence[Mapping[str, Any]],
    runs: pd.DataFrame,
    metrics: pd.DataFrame,
    summary: pd.DataFrame,
    fig_dir: Path,
    results_dir: Path | None,
    headline: str | None,
) -> list[dict[str, str]]:
    figs: list[dict[str, str]] = []
    varying = varying_coords(runs) if len(runs) else []
    curves = curves_frame(records)
    for i, ds in enumerate(dict.fromkeys(runs["dataset"])):
        figs += _sample_figures(records, str(ds), i, varying, fig_dir, results_dir)
        sub = curves[curves["dataset"] == ds]
        if len(sub):
            name = f"curves_{i}.png"
            plots.plot_curves(sub, f"{ds}: training curves", fig_dir / name)
            figs.append(
                {
                    "src": f"figures/{name}",
                    "caption": f"{ds}: training curves, mean over seeds; band: min–max of seeds",
                }
            )
    names = list(dict.fromkeys(metrics["metric"])) if len(metrics) else []
    if len(summary) and names:
        head = headline if headline in names else names[0]
        plots.plot_heatmap(summary, head, fig_dir / "heatmap.png")
        figs.append({"src": "figures/heatmap.png", "caption": f"{head}: entry × dataset"})
    for j, m in enumerate(names):
        name = f"metric_{j}.png"
        plots.plot_metric(metrics, summary, m, fig_dir / name)
        figs.append({"src": f"figures/{name}", "caption": f"{m}: seeds and CI"})
    return figs


def _protocols(records: Sequence[Mapping[str, Any]], names: list[str]) -> list[dict[str, Any]]:
    out = []
    for name in names:
        spec = METRICS.get(name) if name in METRICS else None
        proto = next(
            (
                m["protocol"]
                for rec in records
                if (m := (rec.get("metrics") or {}).get(name)) and m.get("protocol")
            ),
            {},
        )
        out.append(
            {
                "name": name,
                "description": spec.description if spec else "(not a registered metric)",
                "arrow": arrow(spec.higher_is_better) if spec else "",
                "version": spec.version if spec else "",
                "protocol": proto,
            }
        )
    return out


def _provenance(records: Sequence[Mapping[str, Any]]) -> tuple[dict[str, list[str]], str]:
    values: dict[str, list[str]] = {k: [] for k in PROVENANCE_KEYS}
    for rec in records:
        env = rec.get("environment") or {}
        for k in PROVENANCE_KEYS:
            v = env.get(k)
            if v is not None and str(v) not in values[k]:
                values[k].append(str(v))
    finished = sorted(str(t) for rec in records if (t := (rec.get("timing") or {}).get("finished")))
    dates = f"{finished[0]} … {finished[-1]}" if finished else ""
    return {k: v for k, v in values.items() if v}, dates


def _significance_rows(summary: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    if summary.empty:
        return out
    varying = varying_coords(summary)
    for r in summary.itertuples(index=False):
        row = r._asdict()
        if row["is_best"]:
            verdict = "best"
        elif row["significance"] == "computed":
            verdict = "tied for first" if row["tied_best"] else "significantly worse"
        else:
            verdict = row["significance"]
        out.setdefault(str(row["dataset"]), []).append(
            {
                "metric": row["metric"],
                "label": entry_label(row, varying),
                "n": row["n"],
                "rank": row["rank"],
                **{k: fmt_p(row[k]) for k in ("p_welch", "p_welch_holm", "p_mwu", "p_mwu_holm")},
                "verdict": verdict,
            }
        )
    return out


def _identical_notes(metrics: pd.DataFrame, varying: Sequence[str]) -> dict[str, list[str]]:
    """Per dataset, one sentence per group of entries with bit-identical values."""
    notes: dict[str, list[str]] = {}
    for ds, groups in identical_entries(metrics).items():
        for first, dups in groups:
            label = entry_label(dict(zip(ENTRY[1:], first, strict=True)), varying)
            others = [entry_label(dict(zip(ENTRY[1:], d, strict=True)), varying) for d in dups]
            notes.setdefault(ds, []).append(
                f"{', '.join(others)} {'is' if len(others) == 1 else 'are'} identical to "
                f"{label} on every seed and metric, bit for bit: their training updates "
                "coincide (e.g. fgan-gan and fgan-js with the non-saturating generator loss "
                "differ from the non-saturating GAN's losses by constants only)."
            )
    return notes


def _avg_rank_table(summary: pd.DataFrame) -> dict[str, Any] | None:
    if summary.empty or summary["dataset"].nunique() < 2:
        return None
    avg = average_ranks(summary)
    varying = varying_coords(summary)
    metrics = list(dict.fromkeys(summary["metric"]))
    rows = []
    for key, grp in avg.groupby(ENTRY[1:], sort=False, dropna=False):
        by = grp.set_index("metric")
        vals = []
        for m in metrics:
            if m in by.index:
                r = by.loc[m]
                note = bad_seeds_note(r)
                vals.append(
                    {
                        "text": fmt_num(r["avg_rank"]) + (f" ({note})" if note else ""),
                        "sort": float(r["avg_rank"]),
                        "title": f"over {int(r['n_datasets'])} datasets"
                        + (f"; seeds without a finite value: {note}" if note else ""),
                    }
                )
            else:
                vals.append({"text": "–", "sort": "", "title": ""})
        rows.append(
            {"label": entry_label(dict(zip(ENTRY[1:], key, strict=True)), varying), "values": vals}
        )
    return {"metrics": metrics, "rows": rows}


def _run_rows(runs: pd.DataFrame, hrefs: Mapping[str, str]) -> list[dict[str, Any]]:
    varying = varying_coords(runs)
    return [
        {
            "run_id": r["run_id"],
            "href": hrefs.get(r["run_id"]),
            "dataset": r["dataset"],
            "label": entry_label(r, varying),
            "seed": r["seed"],
            "status": r["status"],
            "train_s": fmt_num(r["train_s"]) if pd.notna(r["train_s"]) else "–",
            "error": r["error"] or "",
            "step": "" if pd.isna(r["diverged_step"]) else int(r["diverged_step"]),
        }
        for _, r in runs.iterrows()
    ]


def _seed_links(runs: pd.DataFrame, hrefs: Mapping[str, str]) -> dict[tuple[str, str], list]:
    varying = varying_coords(runs)
    links: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for _, r in runs.sort_values("seed", kind="stable").iterrows():
        key = (str(r["dataset"]), entry_label(r, varying))
        href = hrefs.get(r["run_id"]) or run_href(r["run_id"])
        links.setdefault(key, []).append({"seed": r["seed"], "status": r["status"], "href": href})
    return links


def render_report(
    suite_name: str,
    records: Sequence[Mapping[str, Any]],
    out_dir: str | Path,
    *,
    suite_path: str | None = None,
    suite_hash: str | None = None,
    description: str = "",
    results_dir: str | Path | None = None,
    stats: StatsOptions | None = None,
    run_pages: bool = True,
    headline: str | None = None,
    paper_page: str | None = None,
) -> Report:
    """Write ``<out_dir>/index.html``, its figures, run pages and exports from ``records``."""
    out = Path(out_dir)
    fig_dir = out / "figures"
    fig_dir.mkdir(parents=True, exist_ok=True)
    stats = stats or StatsOptions()
    res_dir = Path(results_dir) if results_dir is not None else None
    runs, metrics = runs_frame(records), metrics_frame(records)
    summary = summarize(metrics, runs, stats)
    tables = leaderboard_tables(summary, varying_coords(runs))
    ds_order = [str(d) for d in dict.fromkeys(runs["dataset"])]
    env = jinja_env()
    hrefs: dict[str, str] = {}
    if run_pages:
        index_of = {d: i for i, d in enumerate(t.dataset for t in tables)}
        hrefs = write_run_pages(
            env, suite_name, records, runs, out, lambda d: index_of.get(d, 0), res_dir
        )
    figures = _figures(records, runs, metrics, summary, fig_dir, res_dir, headline)
    exports = write_exports(out, summary, metrics, tables, suite_name)
    provenance, run_dates = _provenance(records)
    with_values = {t.dataset for t in tables}
    html = env.get_template("index.html.j2").render(
        suite=suite_name,
        description=description,
        suite_path=suite_path,
        suite_hash=suite_hash,
        generated=datetime.now(UTC).isoformat(timespec="seconds"),
        version=__version__,
        tables=tables,
        seed_links=_seed_links(runs, hrefs),
        sig_rows=_significance_rows(summary),
        identical=_identical_notes(metrics, varying_coords(runs)),
        datasets_without_values=[d for d in ds_order if d not in with_values],
        avg_ranks=_avg_rank_table(summary),
        n_datasets=len(with_values),
        ci_text=f"{round(stats.level * 100)}% "
        + ("Student-t interval" if stats.ci == "t" else "percentile bootstrap interval"),
        decide_text="Welch's t-test" if stats.decide_by == "welch" else "Mann–Whitney U test",
        alpha=stats.alpha,
        problems=[r for r in _run_rows(runs, hrefs) if r["status"] != "ok"],
        all_runs=_run_rows(runs, hrefs),
        n_runs=len(runs),
        status_counts=runs["status"].value_counts().to_dict() if len(runs) else {},
        figures=figures,
        protocols=_protocols(records, list(dict.fromkeys(metrics["metric"]))),
        exports=exports,
        provenance=provenance,
        run_dates=run_dates,
        paper_page=paper_page,
    )
    path = out / "index.html"
    atomic_write_text(path, html)
    return Report(path, runs, metrics, summary, [f["src"] for f in figures], tables, exports, hrefs)
