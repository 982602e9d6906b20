"""The search report: trial frames, best-trial selection and the search page."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from ganbench.report.aggregate import metrics_frame, runs_frame
from ganbench.report.stats import summarize
from ganbench.search import apply_trial, parse_search, sample_trials
from ganbench.search.report import Selection, render_search_page, select_best, trials_frame
from ganbench.search.spec import SearchSpec

OBJECTIVES = ("gan", "wgan-gp", "hinge")
SEARCH = {
    "trials": 6,
    "metric": "hq",
    "fresh_seeds": [100, 101, 102, 103],
    "space": {
        "train.lr": "log_uniform(1e-4, 1e-2)",
        "train.betas": [[0.0, 0.9], [0.5, 0.999]],
    },
    "objectives": {"wgan-gp": {"objective.gp_weight": "log_uniform(0.1, 100)"}},
}
BASE = {
    "train": {"steps": 100, "lr": 2e-4, "betas": [0.5, 0.999], "n_critic": 1},
    "objective": {"params": {}},
    "architecture": {"params": {"width": 16}},
}


def spec_of(**overrides: Any) -> SearchSpec:
    return parse_search({**SEARCH, **overrides}, "search")


def record(
    dataset: str,
    objective: str,
    variant: str,
    seed: int,
    value: Any,
    *,
    status: str = "ok",
    config: dict[str, Any] | None = None,
    architecture: str = "mlp",
    higher: bool = True,
) -> dict[str, Any]:
    """A record shaped like the runner's (only the fields the search report reads)."""
    coords = {
        "dataset": dataset,
        "objective": objective,
        "architecture": architecture,
        "variant": variant,
        "seed": seed,
    }
    metrics = {} if value is None else {"hq": {"value": value, "higher_is_better": higher}}
    return {
        "run_id": f"{dataset}-{objective}-{architecture}-{variant}-{seed}",
        "coords": coords,
        "config": config or BASE,
        "status": status,
        "metrics": metrics,
    }


def _value(objective: str, params: dict[str, Any], seed: int) -> float:
    """A made-up score: best near lr = 1e-3, a small objective offset and seed noise."""
    offset = {"gan": 0.0, "wgan-gp": 0.05, "hinge": 0.04}[objective]
    noise = np.random.default_rng([seed, int(params["train.lr"] * 1e9)]).normal(0, 0.01)
    return 0.8 + offset - 0.05 * abs(math.log10(params["train.lr"]) + 3) + float(noise)


def search_records(
    spec: SearchSpec, datasets: tuple[str, ...] = ("ring", "grid"), seeds: tuple[int, ...] = (0, 1)
) -> list[dict[str, Any]]:
    """Every trial of every (dataset, objective) on ``seeds``; some diverge or hold inf."""
    out = []
    for ds in datasets:
        for obj in OBJECTIVES:
            trials = sample_trials(spec.space_for(obj), spec.trials, spec.sampler, spec.seed)
            for i, params in enumerate(trials):
                config = apply_trial(
                    BASE,
                    {k.replace("objective.", "objective.params."): v for k, v in params.items()},
                )
                for seed in seeds:
                    status, value = "ok", _value(obj, params, seed)
                    if obj == "wgan-gp" and i == 1 and seed == seeds[-1]:
                        status, value = "diverged", None
                    if obj == "hinge" and i == 2 and ds == "grid":
                        value = "-inf"
                    out.append(
                        record(ds, obj, f"trial-{i:02d}", seed, value, status=status, config=config)
                    )
    return out


@pytest.fixture(scope="module")
def spec() -> SearchSpec:
    return spec_of()


@pytest.fixture(scope="module")
def records(spec: SearchSpec) -> list[dict[str, Any]]:
    return search_records(spec)


@pytest.fixture(scope="module")
def trials(records: list[dict[str, Any]], spec: SearchSpec) -> pd.DataFrame:
    return trials_frame(records, spec)


# --- trials_frame ---


def test_trials_frame_columns_and_rows(trials: pd.DataFrame, spec: SearchSpec) -> None:
    assert list(trials.columns) == [
        "run_id",
        "dataset",
        "objective",
        "architecture",
        "trial",
        "seed",
        "status",
        "value",
        "objective.gp_weight",
        "train.betas",
        "train.lr",
    ]
    assert len(trials) == 2 * 3 * 6 * 2
    assert trials["trial"].dtype == np.int64
    assert sorted(trials["trial"].unique()) == list(range(6))
    assert trials["value"].dtype == np.float64


def test_trials_frame_values(trials: pd.DataFrame, spec: SearchSpec) -> None:
    diverged = trials[trials["status"] == "diverged"]
    assert len(diverged) == 2 and diverged["value"].isna().all()
    neg = trials[
        (trials["objective"] == "hinge") & (trials["trial"] == 2) & (trials["dataset"] == "grid")
    ]
    assert (neg["value"] == -np.inf).all()
    sampled = sample_trials(spec.space_for("wgan-gp"), 6, spec.sampler, spec.seed)
    rows = trials[(trials["objective"] == "wgan-gp") & (trials["seed"] == 0)]
    rows = rows[rows["dataset"] == "ring"].sort_values("trial")
    for (_, row), params in zip(rows.iterrows(), sampled, strict=True):
        assert row["train.lr"] == params["train.lr"]
        assert row["objective.gp_weight"] == params["objective.gp_weight"]
        assert row["train.betas"] == tuple(params["train.betas"])
    assert trials.loc[trials["objective"] == "gan", "objective.gp_weight"].isna().all()


def test_trials_frame_skips_other_variants_and_reads_indices(spec: SearchSpec) -> None:
    config = {**BASE, "train": {**BASE["train"], "betas": [0.9, 0.99], "lr": 1e-3}}
    recs = [
        record("ring", "gan", "best", 100, 0.9),
        record("ring", "gan", "default", 0, 0.9),
        record("ring", "gan", "trial-12", 3, "inf", config=config),
        record("ring", "gan", "trial-03", 3, 0.5, status="failed"),
        record("ring", "gan", "trial-04", 3, None),
    ]
    df = trials_frame(recs, spec)
    assert df["trial"].tolist() == [12, 3, 4]
    assert df["value"].iloc[0] == np.inf
    assert df["value"].iloc[1:].isna().all()  # failed (even with a value), absent
    assert df["train.lr"].iloc[0] == 1e-3 and df["train.betas"].iloc[0] == (0.9, 0.99)
    assert trials_frame([], spec).columns.tolist()[:8] == [
        "run_id",
        "dataset",
        "objective",
        "architecture",
        "trial",
        "seed",
        "status",
        "value",
    ]


# --- select_best ---


def _manual_best(trials: pd.DataFrame, higher: bool) -> dict[tuple[str, str, str], int]:
    out = {}
    for key, grp in trials.groupby(["dataset", "objective", "architecture"]):
        means = grp.groupby("trial")["value"].apply(lambda v: np.mean(v.to_numpy()))
        finite = means[np.isfinite(means)]
        out[key] = int(finite.idxmax() if higher else finite.idxmin())
    return out


def test_select_best_matches_manual_and_ignores_row_order(trials: pd.DataFrame) -> None:
    best = select_best(trials, higher_is_better=True)
    assert [(s.dataset, s.objective) for s in best] == sorted(
        (d, o) for d in ("grid", "ring") for o in OBJECTIVES
    )
    manual = _manual_best(trials, True)
    assert {(s.dataset, s.objective, s.architecture): s.trial for s in best} == manual
    for seed in range(3):
        shuffled = trials.sample(frac=1.0, random_state=seed).reset_index(drop=True)
        assert select_best(shuffled, True) == best


def test_select_best_score_and_params(trials: pd.DataFrame, spec: SearchSpec) -> None:
    sel = next(
        s for s in select_best(trials, True) if s.objective == "wgan-gp" and s.dataset == "ring"
    )
    rows = trials[(trials["dataset"] == "ring") & (trials["objective"] == "wgan-gp")]
    rows = rows[rows["trial"] == sel.trial].sort_values("seed")
    assert sel.score == pytest.approx(rows["value"].mean())
    sampled = sample_trials(spec.space_for("wgan-gp"), 6, spec.sampler, spec.seed)[sel.trial]
    assert sel.params == sampled  # lists as lists, every searched path
    gan = next(s for s in select_best(trials, True) if s.objective == "gan")
    assert set(gan.params) == {"train.lr", "train.betas"}


def _frame(values: dict[int, list[Any]], spec: SearchSpec, higher: bool = True) -> pd.DataFrame:
    recs = [
        record(
            "ring",
            "gan",
            f"trial-{t:02d}",
            seed,
            v,
            higher=higher,
            status="diverged" if v is None else "ok",
        )
        for t, vs in values.items()
        for seed, v in enumerate(vs)
    ]
    return trials_frame(recs, spec)


def test_select_best_ties_go_to_lowest_trial(spec: SearchSpec) -> None:
    df = _frame({3: [0.5, 0.7], 1: [0.7, 0.5], 2: [0.1, 0.2]}, spec)
    assert select_best(df, True)[0].trial == 1
    assert select_best(df.iloc[::-1], True)[0].trial == 1
    assert select_best(df, False)[0].trial == 2


def test_select_best_non_finite_trials_are_worst(spec: SearchSpec) -> None:
    df = _frame({0: [0.5, 0.5], 1: [0.9, None], 2: [0.9, "inf"], 3: [0.2, "-inf"]}, spec)
    assert select_best(df, True)[0].trial == 0
    assert select_best(df, False)[0].trial == 0  # -inf is not a "lowest" score either
    only_bad = _frame({4: [None, None], 2: [0.9, "nan"], 3: ["inf", 1.0]}, spec)
    sel = select_best(only_bad, True)[0]
    assert sel.trial == 2 and not math.isfinite(sel.score)


def test_select_best_lower_is_better(spec: SearchSpec) -> None:
    df = _frame({0: [3.0, 3.2], 1: [1.0, 1.4], 2: [2.0, 0.1]}, spec, higher=False)
    sel = select_best(df, False)[0]
    assert sel.trial == 2 and sel.score == pytest.approx(1.05)
    assert select_best(df, True)[0].trial == 0
    assert select_best(df.iloc[0:0], True) == []


def test_selection_is_frozen() -> None:
    sel = Selection("ring", "gan", "mlp", 1, 0.5, {"train.lr": 1e-3})
    with pytest.raises(AttributeError):
        sel.trial = 2  # type: ignore[misc]


# --- the page ---


def rerun_summary(datasets: tuple[str, ...] = ("ring", "grid")) -> pd.DataFrame:
    """A real phase-2 summary: wgan-gp best, hinge tied with it, gan clearly worse."""
    means = {"gan": 0.60, "wgan-gp": 0.85, "hinge": 0.845}
    recs = [
        record(ds, obj, "best", seed, means[obj] + (-0.01, 0.0, 0.01, 0.0)[seed - 100] * (1 + j))
        for ds in datasets
        for j, obj in enumerate(OBJECTIVES)
        for seed in (100, 101, 102, 103)
    ]
    return summarize(metrics_frame(recs), runs_frame(recs))


SECTIONS = ("expected", "outcomes", "sensitivity", "chosen")


def _check_page(html: str, out: Path, n_datasets: int) -> None:
    for i in range(n_datasets):
        for name in SECTIONS:
            assert f'id="ds-{i}-{name}"' in html
        for fig in ("expected", "outcomes", "sensitivity"):
            assert (out / "figures" / f"search-{fig}-{i}.png").stat().st_size > 1000
            assert f"figures/search-{fig}-{i}.png" in html
    assert 'id="protocol"' in html and "arXiv 1909.03004" in html
    assert "log_uniform(0.1, 100.0)" in html  # wgan-gp's own space


@pytest.fixture(scope="module")
def rendered(
    trials: pd.DataFrame, spec: SearchSpec, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[str], str]:
    out = tmp_path_factory.mktemp("search")
    summary = rerun_summary()
    path, lines = render_search_page(
        "fake", spec, trials, select_best(trials, True), summary, out, higher_is_better=True
    )
    return path, lines, path.read_text()


def test_page_sections_and_figures(rendered: tuple[Path, list[str], str]) -> None:
    path, _, html = rendered
    assert path.name == "search.html"
    _check_page(html, path.parent, 2)
    assert "search seeds</dt><dd>0, 1</dd>" in html
    assert "fresh seeds</dt><dd>100, 101, 102, 103</dd>" in html
    assert "E[best] k=1<" in html and "E[best] k=5<" in html and "E[best] k=6<" in html
    assert "E[best] k=10" not in html


def test_page_verdicts_from_summary(rendered: tuple[Path, list[str], str]) -> None:
    _, _, html = rendered
    text = re.sub(r"\s+", " ", html)
    assert "Significantly worse than the best: gan." in text
    assert "Tied with the best (difference not significant): hinge." in text
    assert "best wgan-gp." in text
    assert "not re-run" not in text


def test_terminal_lines(rendered: tuple[Path, list[str], str], trials: pd.DataFrame) -> None:
    _, lines, _ = rendered
    assert lines[0].startswith("== search: ring (hq ↑, K=6)")
    assert lines[1].split()[:2] == ["objective", "E[best]"]
    body = {ln.split()[0]: ln for ln in lines[2:5]}
    assert set(body) == set(OBJECTIVES)
    assert body["gan"].rstrip().endswith("worse")
    assert body["hinge"].rstrip().endswith("tied")
    assert body["wgan-gp"].rstrip().endswith("best")
    chosen = {s.objective: s.trial for s in select_best(trials, True) if s.dataset == "ring"}
    assert f"  {chosen['gan']}  " in body["gan"]
    assert any(ln.startswith("== search: grid") for ln in lines)


def test_page_without_rerun_other_k_and_seeds(tmp_path: Path) -> None:
    spec = spec_of(trials=3, sampler="sobol", seed=4)
    trials = trials_frame(search_records(spec, ("r<b>ing",), (5, 6, 7)), spec)
    path, lines = render_search_page(
        "fake", spec, trials, select_best(trials, False), None, tmp_path, higher_is_better=False
    )
    html = path.read_text()
    _check_page(html, tmp_path, 1)
    assert "r&lt;b&gt;ing" in html and "r<b>ing" not in html
    assert "Not re-run on fresh seeds yet" in html
    assert "search seeds</dt><dd>5, 6, 7</dd>" in html and "sobol" in html
    assert "E[best] k=3<" in html and "E[best] k=5" not in html
    assert lines[0] == "== search: r<b>ing (hq ↓, K=3)"
    assert all(ln.rstrip().endswith("–") for ln in lines[2:])


def test_page_without_trials(tmp_path: Path, spec: SearchSpec) -> None:
    empty = trials_frame([], spec)
    path, lines = render_search_page("fake", spec, empty, [], None, tmp_path, higher_is_better=True)
    assert "No search trials" in path.read_text()
    assert lines == ["(no search trials)"]


def test_page_untested_verdicts_missing_reruns_and_architectures(tmp_path: Path) -> None:
    spec = spec_of(trials=2)
    recs = search_records(spec, ("ring",), (0,))
    recs += [
        {**r, "run_id": r["run_id"] + "-dcgan", "coords": {**r["coords"], "architecture": "dcgan"}}
        for r in recs
        if r["coords"]["objective"] == "gan"
    ]
    trials = trials_frame(recs, spec)
    phase2 = [
        record("ring", obj, "best", seed, 0.5 + 0.1 * j + 0.01 * seed)
        for j, obj in enumerate(("gan", "wgan-gp"))
        for seed in (100, 101)
    ]
    summary = summarize(metrics_frame(phase2), runs_frame(phase2))
    path, lines = render_search_page(
        "fake", spec, trials, select_best(trials, True), summary, tmp_path, higher_is_better=True
    )
    text = re.sub(r"\s+", " ", path.read_text())
    assert "gan / dcgan" in text and "hinge / mlp" in text
    assert "best wgan-gp / mlp." in text
    assert "Not tested: gan / mlp (not computed (n=2 here, 2 for the best; needs &gt;= 3))." in text
    assert "not re-run" in text  # hinge and gan / dcgan have no phase-2 entry
    body = {ln.split("  ")[0].strip(): ln for ln in lines[2:]}
    assert set(body) == {"gan / mlp", "wgan-gp / mlp", "hinge / mlp", "gan / dcgan"}
    assert body["gan / mlp"].rstrip().endswith("untested")
    assert body["hinge / mlp"].rstrip().endswith("–")
