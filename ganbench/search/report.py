"""The search page of a suite's report: ``search.html`` beside the phase-2 leaderboard.

Phase 1 runs K trials per (dataset, objective, architecture) on the search
seeds (variant ``trial-NN``); phase 2 re-runs each search's best trial on fresh
seeds (variant ``best``) and the main leaderboard shows those. This page shows,
per dataset: the expected best metric after k trials (Dodge et al. 2019) with a
bootstrap band and the probability that all k trials fail, the distribution of
trial outcomes, the sensitivity of the score to each searched parameter, the
chosen configurations with their re-run results and whether each objective's
difference from the best survives equal budgets (from the phase-2 summary's own
significance columns), and the search protocol.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ganbench import __version__
from ganbench.report.format import arrow, fmt_num
from ganbench.report.html import jinja_env
from ganbench.runner.store import atomic_write_text
from ganbench.search import figures
from ganbench.search.expected_max import bootstrap_band, expected_max, failure_probability
from ganbench.search.space import LogUniform
from ganbench.search.spec import SearchSpec
from ganbench.search.trials import GROUP, Selection, select_best, trial_scores, trials_frame
from ganbench.search.verdicts import Rerun, rerun_for, rerun_verdicts

__all__ = ["Selection", "render_search_page", "select_best", "trials_frame"]

TABLE_KS = (1, 5, 10)  # E[best] is tabulated at these k (those <= K) and at K
N_BOOT = 1000
LEVEL = 0.95
ESTIMATOR = (
    "expected maximum over k trials drawn with replacement from the K observed "
    "(Dodge et al. 2019, arXiv 1909.03004)"
)


def _entry_labels(trials: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(objective, architecture) → label: the objective, plus the architecture where it varies."""
    pairs = list(dict.fromkeys(zip(trials["objective"], trials["architecture"], strict=True)))
    many = len({a for _, a in pairs}) > 1
    return {(str(o), str(a)): f"{o} / {a}" if many else str(o) for o, a in pairs}


def _with_entries(trials: pd.DataFrame, labels: dict[tuple[str, str], str]) -> pd.DataFrame:
    """``trials`` plus the ``entry`` label of each row."""
    pairs = zip(trials["objective"], trials["architecture"], strict=True)
    return trials.assign(entry=[labels[(str(o), str(a))] for o, a in pairs])


def _per_trial(trials: pd.DataFrame) -> pd.DataFrame:
    """One row per trial: its score and its parameter values (from its lowest seed)."""
    scores = trial_scores(trials)
    params = trials.sort_values([*GROUP, "trial", "seed"], kind="stable")
    params = params.drop_duplicates([*GROUP, "trial"]).drop(
        columns=["run_id", "seed", "status", "value"]
    )
    return scores.merge(params, on=[*GROUP, "trial"], how="left")


def _table_ks(k_max: int) -> list[int]:
    return sorted({k for k in TABLE_KS if k <= k_max} | {k_max})


def _band_text(mean: float, low: float, high: float) -> str:
    if np.isnan(low):
        return fmt_num(mean)
    return f"{fmt_num(mean)} [{fmt_num(low)}, {fmt_num(high)}]"


def _expected(
    per: pd.DataFrame, k_max: int, higher: bool
) -> tuple[list[figures.Curve], list[dict[str, Any]], dict[str, np.ndarray]]:
    """Curves, table rows (at :func:`_table_ks`) and E[best] per entry label."""
    curves, rows, means = [], [], {}
    ks = _table_ks(k_max)
    for label, sub in per.groupby("entry", sort=False):
        values = sub.sort_values("trial")["score"].to_numpy(dtype=np.float64)
        mean = expected_max(values, k_max, higher_is_better=higher)
        low, high = bootstrap_band(
            values, k_max, n_boot=N_BOOT, seed=0, level=LEVEL, higher_is_better=higher
        )
        fail = failure_probability(values, k_max)
        curves.append(figures.Curve(str(label), mean, low, high))
        means[str(label)] = mean
        rows.append(
            {
                "label": label,
                "n_trials": len(values),
                "cells": [_band_text(mean[k - 1], low[k - 1], high[k - 1]) for k in ks],
                "fail": [fmt_num(float(fail[k - 1])) for k in ks],
            }
        )
    return curves, rows, means


def _outcome_rows(trials: pd.DataFrame, per: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for label, sub in per.groupby("entry", sort=False):
        runs = trials[trials["entry"] == label]
        scores = sub["score"].to_numpy(dtype=np.float64)
        finite = scores[np.isfinite(scores)]
        n_runs = len(runs)
        rows.append(
            {
                "label": label,
                "n_trials": len(sub),
                "n_runs": n_runs,
                "bad_status": f"{(runs['status'] != 'ok').mean():.0%}" if n_runs else "–",
                "no_value": f"{(~np.isfinite(runs['value'])).mean():.0%}" if n_runs else "–",
                "bad_trials": f"{len(scores) - len(finite)}/{len(scores)}",
                "median": fmt_num(float(np.median(finite))) if len(finite) else "–",
                "range": f"{fmt_num(finite.min())} … {fmt_num(finite.max())}"
                if len(finite)
                else "–",
            }
        )
    return rows


def _sensitivity(
    per: pd.DataFrame, spec: SearchSpec
) -> tuple[dict[str, pd.DataFrame], set[str], int]:
    """Per searched path, the finite-score trials that set it; log-scaled paths; trials left out."""
    finite = per[np.isfinite(per["score"].to_numpy(dtype=np.float64))]
    frames, log_paths = {}, set()
    for path in spec.all_paths():
        objectives = [o for o in dict.fromkeys(per["objective"]) if spec.space_for(o).get(path)]
        if not objectives:
            continue
        if any(isinstance(spec.space_for(o).get(path), LogUniform) for o in objectives):
            log_paths.add(path)
        sub = finite[finite["objective"].isin(objectives)][["entry", "score", path]]
        if len(sub):
            frames[path] = sub
    return frames, log_paths, len(per) - len(finite)


def _param(path: str, value: Any) -> dict[str, str]:
    """A chosen parameter for display: compact text, the exact value as a tooltip."""
    if isinstance(value, float):
        return {"path": path, "text": fmt_num(value, 4), "exact": repr(value)}
    text = figures.category_text(value)
    return {"path": path, "text": text, "exact": text}


def _chosen_rows(
    selections: Sequence[Selection],
    labels: dict[tuple[str, str], str],
    ds: str,
    rerun: pd.DataFrame | None,
    spec: SearchSpec,
) -> list[dict[str, Any]]:
    rows = []
    for s in selections:
        if s.dataset != ds or (s.objective, s.architecture) not in labels:
            continue
        space = spec.space_for(s.objective)
        found: Rerun | None = rerun_for(rerun, spec.metric, s) if rerun is not None else None
        rows.append(
            {
                "label": labels[(s.objective, s.architecture)],
                "trial": s.trial,
                "score": fmt_num(s.score),
                "params": [_param(p, v) for p, v in s.params.items() if space.get(p)],
                "rerun": found,
            }
        )
    return rows


def _per_entry(sub: pd.DataFrame, labels: dict[tuple[str, str], str]) -> pd.DataFrame:
    """:func:`_per_trial` of one dataset's trials with their entry labels, in suite order."""
    per = _per_trial(sub.drop(columns="entry"))
    per["entry"] = [
        labels[(str(o), str(a))] for o, a in zip(per["objective"], per["architecture"], strict=True)
    ]
    order = list(dict.fromkeys(sub["entry"]))
    per = per.assign(_o=per["entry"].map(order.index)).sort_values(["_o", "trial"], kind="stable")
    return per.drop(columns="_o").reset_index(drop=True)


def _draw(
    i: int, ds: str, per: pd.DataFrame, spec: SearchSpec, higher: bool, fig_dir: Path
) -> dict[str, Any]:
    """Writes one dataset's three figures; returns the tables and facts shown beside them."""
    colors = figures.palette(list(dict.fromkeys(per["entry"])))
    names = {k: f"search-{k}-{i}.png" for k in ("expected", "outcomes", "sensitivity")}
    curves, expected_rows, means = _expected(per, spec.trials, higher)
    title = f"{ds}: expected best {spec.metric} after k trials (band: {LEVEL:.0%} bootstrap)"
    figures.plot_expected_best(curves, spec.metric, title, colors, fig_dir / names["expected"])
    by_entry = {
        str(k): g["score"].to_numpy(dtype=np.float64) for k, g in per.groupby("entry", sort=False)
    }
    title = f"{ds}: per-trial scores"
    figures.plot_outcomes(by_entry, spec.metric, title, colors, fig_dir / names["outcomes"])
    frames, log_paths, left_out = _sensitivity(per, spec)
    if frames:
        title = f"{ds}: score vs parameter"
        path = fig_dir / names["sensitivity"]
        figures.plot_sensitivity(frames, log_paths, spec.metric, title, colors, path)
    return {
        "expected_rows": expected_rows,
        "means": means,
        "sensitivity": bool(frames),
        "left_out": left_out,
        "n_trials": len(per),
        "figures": {k: f"figures/{v}" for k, v in names.items()},
    }


def _dataset_section(
    i: int, ds: str, trials: pd.DataFrame, ctx: dict[str, Any], fig_dir: Path
) -> dict[str, Any]:
    """Everything one dataset shows; writes its three figures."""
    spec: SearchSpec = ctx["spec"]
    sub = trials[trials["dataset"] == ds]
    per = _per_entry(sub, ctx["labels"])
    order = list(dict.fromkeys(per["entry"]))
    chosen = _chosen_rows(ctx["selections"], ctx["labels"], ds, ctx["rerun"], spec)
    return {
        "index": i,
        "dataset": ds,
        "ks": _table_ks(spec.trials),
        **_draw(i, ds, per, spec, ctx["higher"], fig_dir),
        "outcome_rows": _outcome_rows(sub, per),
        "chosen": sorted(
            chosen, key=lambda r: order.index(r["label"]) if r["label"] in order else len(order)
        ),
        "verdicts": rerun_verdicts(ctx["rerun"], spec.metric, ds, ctx["labels"]),
    }


def _protocol(spec: SearchSpec, trials: pd.DataFrame, higher: bool) -> dict[str, Any]:
    objectives = sorted(set(map(str, trials["objective"])) | set(spec.objective_labels))
    seeds = sorted({int(s) for s in trials["seed"].dropna()})
    return {
        "trials": spec.trials,
        "sampler": spec.sampler,
        "seed": spec.seed,
        "metric": spec.metric,
        "direction": f"{arrow(higher)} {'higher' if higher else 'lower'} is better",
        "search_seeds": ", ".join(map(str, seeds)) or "–",
        "fresh_seeds": ", ".join(map(str, spec.fresh_seeds)),
        "shared": spec.space.describe(),
        "spaces": {o: spec.space_for(o).describe() for o in objectives},
        "estimator": ESTIMATOR,
        "band": f"{LEVEL:.0%} percentile bootstrap over the trials ({N_BOOT} resamples, seed 0)",
    }


def _terminal(sections: list[dict[str, Any]], spec: SearchSpec, higher: bool) -> list[str]:
    lines = []
    for sec in sections:
        lines.append(
            f"== search: {sec['dataset']} ({spec.metric} {arrow(higher)}, K={spec.trials})"
        )
        head = [
            "objective",
            "E[best] k=1",
            f"E[best] k={spec.trials}",
            "trial",
            "re-run",
            "verdict",
        ]
        chosen = {r["label"]: r for r in sec["chosen"]}
        body = []
        for label, mean in sec["means"].items():
            row = chosen.get(label)
            rerun: Rerun | None = row["rerun"] if row else None
            body.append(
                [
                    label,
                    fmt_num(float(mean[0])),
                    fmt_num(float(mean[-1])),
                    str(row["trial"]) if row else "–",
                    rerun.text if rerun else "–",
                    rerun.verdict if rerun else "–",
                ]
            )
        widths = [max(len(r[j]) for r in [head, *body]) for j in range(len(head))]
        lines += [
            "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
            for r in [head, *body]
        ]
    return lines or ["(no search trials)"]


def render_search_page(
    suite: str,
    spec: SearchSpec,
    trials: pd.DataFrame,
    selections: Sequence[Selection],
    rerun_summary: pd.DataFrame | None,
    out_dir: Path,
    *,
    higher_is_better: bool,
) -> tuple[Path, list[str]]:
    """Write ``out_dir/search.html`` and its figures (``figures/search-*.png``).

    ``trials``: :func:`trials_frame`; ``selections``: :func:`select_best`;
    ``rerun_summary``: the phase-2 leaderboard's summary
    (:func:`ganbench.report.stats.summarize`) or ``None`` before phase 2 ran.
    Returns the page's path and a compact terminal table per dataset.
    """
    out = Path(out_dir)
    fig_dir = out / "figures"
    fig_dir.mkdir(parents=True, exist_ok=True)
    labels = _entry_labels(trials)
    entries = _with_entries(trials, labels)
    ctx = {
        "spec": spec,
        "higher": higher_is_better,
        "labels": labels,
        "selections": selections,
        "rerun": rerun_summary,
    }
    datasets = [str(d) for d in dict.fromkeys(trials["dataset"])]
    sections = [_dataset_section(i, ds, entries, ctx, fig_dir) for i, ds in enumerate(datasets)]
    template = jinja_env().get_template("search.html.j2")
    html = template.render(
        suite=suite,
        sections=sections,
        protocol=_protocol(spec, trials, higher_is_better),
        has_rerun=rerun_summary is not None,
        generated=datetime.now(UTC).isoformat(timespec="seconds"),
        version=__version__,
    )
    path = out / "search.html"
    atomic_write_text(path, html)
    return path, _terminal(sections, spec, higher_is_better)
