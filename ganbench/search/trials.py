"""Search trials as a tidy frame, each trial's score, and the best trial per entry.

A search trial is an ordinary GAN cell whose ``variant`` is ``trial-NN`` (the
zero-padded trial index); its sampled parameters sit in the record's resolved
``config``. :func:`trials_frame` reads those records into one row per run,
:func:`trial_scores` averages each trial over its search seeds, and
:func:`select_best` picks each (dataset, objective, architecture)'s best trial.

A trial's **score** is the mean of its seeds' values (NaN and ±inf included,
not skipped), so a trial with a seed without a finite value has a non-finite
score: it counts as the worst trial, whatever the metric's direction.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ganbench.record import decode_float
from ganbench.search.spec import SearchSpec

TRIAL_RE = re.compile(r"^trial-(\d+)$")
GROUP = ["dataset", "objective", "architecture"]  # one search per group
TRIAL_COLUMNS = ["run_id", *GROUP, "trial", "seed", "status", "value"]
SCORE_COLUMNS = [*GROUP, "trial", "score", "n_seeds", "finite"]
_MISSING = object()


@dataclass(frozen=True)
class Selection:
    """The chosen trial of one (dataset, objective, architecture) search."""

    dataset: str  # coords labels
    objective: str
    architecture: str
    trial: int  # the chosen trial index
    score: float  # its mean metric over the search seeds
    params: dict[str, Any]  # the chosen trial's parameter values by path


def trial_index(variant: Any) -> int | None:
    """The trial index of a ``trial-NN`` variant, else ``None``."""
    match = TRIAL_RE.match(variant) if isinstance(variant, str) else None
    return int(match.group(1)) if match else None


def _section(config: Mapping[str, Any], head: str) -> Any:
    node = config.get(head)
    if head in ("objective", "architecture"):
        node = node.get("params") if isinstance(node, Mapping) else None
    return node


def config_value(config: Mapping[str, Any], path: str) -> Any:
    """The value at a parameter ``path`` of a resolved config, or NaN where there is none.

    ``train.X`` is ``config["train"]["X"]``, ``objective.X`` and ``architecture.X``
    are read from the section's ``params``; an integer segment indexes a list.
    Lists come back as tuples (hashable, so trials can be grouped by value).
    """
    head, *rest = path.split(".")
    node: Any = _section(config, head)
    for seg in rest:
        if isinstance(node, Mapping):
            node = node.get(seg, _MISSING)
        elif isinstance(node, list | tuple) and seg.isdigit() and int(seg) < len(node):
            node = node[int(seg)]
        else:
            node = _MISSING
        if node is _MISSING:
            return math.nan
    return _freeze(node)


def _freeze(value: Any) -> Any:
    return tuple(_freeze(v) for v in value) if isinstance(value, list | tuple) else value


def _thaw(value: Any) -> Any:
    return [_thaw(v) for v in value] if isinstance(value, tuple) else value


def _metric_value(rec: Mapping[str, Any], metric: str) -> float:
    if rec.get("status") != "ok":
        return math.nan
    entry = (rec.get("metrics") or {}).get(metric)
    if not isinstance(entry, Mapping) or entry.get("skipped"):
        return math.nan
    return decode_float(entry.get("value"))


def _trial_row(rec: Mapping[str, Any], spec: SearchSpec, trial: int) -> dict[str, Any]:
    coords = rec.get("coords") or {}
    config = rec.get("config") or {}
    searched = set(spec.space_for(str(coords.get("objective"))).paths)
    return {
        "run_id": rec.get("run_id"),
        **{c: coords.get(c) for c in GROUP},
        "trial": trial,
        "seed": coords.get("seed"),
        "status": rec.get("status"),
        "value": _metric_value(rec, spec.metric),
        **{p: config_value(config, p) if p in searched else math.nan for p in spec.all_paths()},
    }


def trials_frame(records: Sequence[Mapping[str, Any]], spec: SearchSpec) -> pd.DataFrame:
    """One row per trial record (variant ``trial-NN``), in the records' order.

    Columns: ``run_id``, ``dataset``, ``objective``, ``architecture``, ``trial``
    (int), ``seed``, ``status``, ``value`` (``spec.metric``'s value: NaN when
    absent or the run failed or diverged; ±inf kept), then one column per path
    of ``spec.all_paths()`` with the value read from the record's config (NaN
    where the objective's search space lacks the path or the config lacks the
    value; list values as tuples). Records of other variants are left out.
    """
    rows = []
    for rec in records:
        trial = trial_index((rec.get("coords") or {}).get("variant"))
        if trial is not None:
            rows.append(_trial_row(rec, spec, trial))
    df = pd.DataFrame(rows, columns=[*TRIAL_COLUMNS, *spec.all_paths()])
    df["trial"] = df["trial"].astype("int64")
    df["value"] = df["value"].astype("float64")
    return df


def trial_scores(trials: pd.DataFrame) -> pd.DataFrame:
    """One row per (dataset, objective, architecture, trial): its score over the search seeds.

    Columns :data:`SCORE_COLUMNS`: ``score`` is the mean of the seeds' values in
    seed order (non-finite when any seed is), ``n_seeds`` the number of seeds,
    ``finite`` whether the score is finite. Sorted by group and trial, so the
    result does not depend on the order of ``trials``' rows.
    """
    if trials.empty:
        return pd.DataFrame(columns=SCORE_COLUMNS)
    ordered = trials.sort_values([*GROUP, "trial", "seed"], kind="stable")
    rows = []
    for key, grp in ordered.groupby([*GROUP, "trial"], sort=True):
        values = grp["value"].to_numpy(dtype=np.float64)
        with np.errstate(invalid="ignore"):
            score = float(np.mean(values))
        rows.append(
            {
                **dict(zip([*GROUP, "trial"], key, strict=True)),
                "score": score,
                "n_seeds": len(values),
                "finite": bool(np.isfinite(values).all()),
            }
        )
    out = pd.DataFrame(rows, columns=SCORE_COLUMNS)
    out["trial"] = out["trial"].astype("int64")
    return out


def _params(trials: pd.DataFrame, key: tuple[Any, ...], trial: int) -> dict[str, Any]:
    paths = [c for c in trials.columns if c not in TRIAL_COLUMNS]
    mask = (trials[GROUP] == pd.Series(dict(zip(GROUP, key, strict=True)))).all(axis=1)
    rows = trials[mask & (trials["trial"] == trial)].sort_values("seed", kind="stable")
    first = rows.iloc[0]
    return {
        p: _thaw(first[p])
        for p in paths
        if not (isinstance(first[p], float) and math.isnan(first[p]))
    }


def _pick(scores: pd.DataFrame, higher_is_better: bool) -> pd.Series:
    finite = scores[scores["finite"]]
    if finite.empty:
        return scores.sort_values("trial").iloc[0]
    oriented = -finite["score"] if higher_is_better else finite["score"]
    order = finite.assign(_o=oriented).sort_values(["_o", "trial"], kind="stable")
    return order.iloc[0]


def select_best(trials: pd.DataFrame, higher_is_better: bool) -> list[Selection]:
    """The best trial of each (dataset, objective, architecture), sorted by those labels.

    Trials are compared by :func:`trial_scores`' score; a trial with a seed
    without a finite value is the worst (chosen only when every trial is such a
    trial); ties go to the lowest trial index. The result does not depend on the
    order of the rows of ``trials``. ``params`` holds the chosen trial's values of
    the paths its objective searches (lists as lists).
    """
    scores = trial_scores(trials)
    out = []
    for key, grp in scores.groupby(GROUP, sort=True):
        best = _pick(grp, higher_is_better)
        out.append(
            Selection(
                dataset=str(key[0]),
                objective=str(key[1]),
                architecture=str(key[2]),
                trial=int(best["trial"]),
                score=float(best["score"]),
                params=_params(trials, key, int(best["trial"])),
            )
        )
    return out
