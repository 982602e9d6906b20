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

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from ganbench import __version__
from ganbench.metrics import METRICS
from ganbench.report import plots
from ganbench.report.aggregate import ENTRY, ReportFrames, first_seed_runs, report_frames
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
from ganbench.report.pages import run_href, write_run_pages
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
    frames: ReportFrames | None = None  # every table the report was rendered from


def jinja_env() -> Environment:
    """The report's Jinja2 environment (autoescaping on for every template)."""
    return Environment(
        loader=PackageLoader("ganbench", "report/templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _sample_figures(
    frames: ReportFrames, ds: str, i: int, varying: list[str], fig_dir: Path
) -> list[dict[str, str]]:
    """The samples of the lowest seed of each entry of ``ds``: one scatter figure, grid images."""
    firsts = first_seed_runs(frames.runs, ds)
    pairs = list(
        zip(
            firsts.to_dict("records"),
            frames.samples.loc[firsts.index].to_dict("records"),
            strict=True,
        )
    )
    figs = []
    panels = [
        (f"{entry_label(r, varying)} (seed {r['seed']})", s["points"])
        for r, s in pairs
        if s["points"] is not None
    ]
    if panels:
        name = f"samples_{i}.png"
        title = f"{ds}: generated samples (x: true modes)"
        plots.plot_samples(panels, pairs[0][0]["mode_centres"], title, fig_dir / name)
        figs.append({"src": f"figures/{name}", "caption": f"{ds}: samples of the lowest seed"})
    for j, (r, s) in enumerate(pairs):
        if s["grid"] is not None:
            name = f"grid_{i}_{j}.png"
            shutil.copyfile(s["grid"], fig_dir / name)
            label = entry_label(r, varying)
            figs.append({"src": f"figures/{name}", "caption": f"{ds}: {label} (seed samples)"})
    return figs


def _figures(
    frames: ReportFrames, summary: pd.DataFrame, fig_dir: Path, headline: str | None
) -> list[dict[str, str]]:
    figs: list[dict[str, str]] = []
    runs, metrics, curves = frames.runs, frames.metrics, frames.curves
    varying = varying_coords(runs) if len(runs) else []
    for i, ds in enumerate(dict.fromkeys(runs["dataset"])):
        figs += _sample_figures(frames, str(ds), i, varying, fig_dir)
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
        head = headline if headline is not None and headline in names else names[0]
        plots.plot_heatmap(summary, head, fig_dir / "heatmap.png")
        figs.append({"src": "figures/heatmap.png", "caption": f"{head}: entry × dataset"})
    for j, m in enumerate(names):
        name = f"metric_{j}.png"
        plots.plot_metric(metrics, summary, m, fig_dir / name)
        figs.append({"src": f"figures/{name}", "caption": f"{m}: seeds and CI"})
    return figs


def _protocols(details: pd.DataFrame, names: list[str]) -> list[dict[str, Any]]:
    """Each metric's description, direction, version and the first protocol a run recorded."""
    with_protocol = details[details["protocol"].map(bool)]
    out = []
    for name in names:
        spec = METRICS.get(name) if name in METRICS else None
        proto = with_protocol.loc[with_protocol["metric"] == name, "protocol"]
        out.append(
            {
                "name": name,
                "description": spec.description if spec else "(not a registered metric)",
                "arrow": arrow(spec.higher_is_better) if spec else "",
                "version": spec.version if spec else "",
                "protocol": proto.iloc[0] if len(proto) else {},
            }
        )
    return out


def _provenance(run_info: pd.DataFrame) -> tuple[dict[str, list[str]], str]:
    """The distinct environment values of the runs, and the span of their finishing times."""
    values: dict[str, list[str]] = {k: [] for k in PROVENANCE_KEYS}
    env = run_info[(run_info["section"] == "environment") & run_info["key"].isin(PROVENANCE_KEYS)]
    for k, v in zip(env["key"], env["value"], strict=True):
        if v is not None and str(v) not in values[k]:
            values[k].append(str(v))
    timing = run_info[(run_info["section"] == "timing") & (run_info["key"] == "finished")]
    finished = sorted(str(t) for t in timing["value"] if t)
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
    links: Sequence[tuple[str, str]] = (),
) -> Report:
    """Write ``<out_dir>/index.html``, its figures, run pages and exports from ``records``.

    The records are turned into :class:`ReportFrames` once, here; everything
    below reads those frames.
    """
    out = Path(out_dir)
    fig_dir = out / "figures"
    fig_dir.mkdir(parents=True, exist_ok=True)
    stats = stats or StatsOptions()
    frames = report_frames(records, Path(results_dir) if results_dir is not None else None)
    runs, metrics = frames.runs, frames.metrics
    summary = summarize(metrics, runs, stats)
    tables = leaderboard_tables(summary, varying_coords(runs))
    ds_order = [str(d) for d in dict.fromkeys(runs["dataset"])]
    env = jinja_env()
    hrefs: dict[str, str] = {}
    if run_pages:
        index_of = {d: i for i, d in enumerate(t.dataset for t in tables)}
        hrefs = write_run_pages(env, suite_name, frames, out, lambda d: index_of.get(d, 0))
    figures = _figures(frames, summary, fig_dir, headline)
    exports = write_exports(out, summary, metrics, tables, suite_name)
    provenance, run_dates = _provenance(frames.run_info)
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
        protocols=_protocols(frames.metric_details, list(dict.fromkeys(metrics["metric"]))),
        exports=exports,
        provenance=provenance,
        run_dates=run_dates,
        paper_page=paper_page,
        links=list(links),
    )
    path = out / "index.html"
    atomic_write_text(path, html)
    srcs = [f["src"] for f in figures]
    return Report(path, runs, metrics, summary, srcs, tables, exports, hrefs, frames)
