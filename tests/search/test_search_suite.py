"""Search suites end to end: parsing against the suite, two phases, resume, report."""

from __future__ import annotations

import json

import pytest

from ganbench.cli import main
from ganbench.config import load_suite
from ganbench.errors import ConfigError
from ganbench.search.plan import BEST, trial_label

SUITE = """
name: tiny-search
seeds: [0]
datasets: [ring]
objectives: [nonsaturating, lsgan]
architectures: [{{name: mlp, params: {{width: 16, depth: 2}}}}]
train: {{steps: 30, batch_size: 64, log_every: 10}}
eval: {{n_samples: 200, metrics: [modes, hq]}}
search:
  trials: {trials}
  sampler: {sampler}
  seed: {seed}
  metric: hq
  fresh_seeds: [100, 101]
  space:
    train.lr: log_uniform(1e-4, 1e-2)
    train.betas: choice([0.0, 0.9], [0.5, 0.999])
  objectives:
    lsgan: {{objective.a: "uniform(-1.0, 0.0)"}}
"""


def _write(tmp_path, trials=3, sampler="random", seed=0, name="s.yaml"):
    path = tmp_path / name
    path.write_text(SUITE.format(trials=trials, sampler=sampler, seed=seed))
    return path


def test_trial_cells_are_deterministic_and_carry_the_sampled_values(tmp_path):
    a = load_suite(_write(tmp_path))
    b = load_suite(_write(tmp_path, name="t.yaml"))
    ids = [c.run_id for c in a.cells()]
    assert ids == [c.run_id for c in b.cells()] and len(ids) == 2 * 3
    assert {c.variant for c in a.cells()} == {trial_label(i) for i in range(3)}
    other = load_suite(_write(tmp_path, seed=1, name="u.yaml"))
    assert not set(ids) & {c.run_id for c in other.cells()}
    longer = load_suite(_write(tmp_path, trials=5, name="v.yaml"))  # a prefix: same first trials
    assert set(ids) <= {c.run_id for c in longer.cells()}
    lsgan = [c for c in a.cells() if c.objective.label == "lsgan"]
    assert len({c.objective.params["a"] for c in lsgan}) == 3
    assert all(-1.0 <= c.objective.params["a"] <= 0.0 for c in lsgan)
    assert all(1e-4 <= c.train.lr <= 1e-2 for c in a.cells())
    ns = {c.variant: c.train.lr for c in a.cells() if c.objective.label == "nonsaturating"}
    assert ns == {c.variant: c.train.lr for c in lsgan}  # shared space: same trials


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("metric: hq", "metric: hqq"), "unknown metric"),
        (("metric: hq", "metric: fid"), "not in eval.metrics"),
        (("fresh_seeds: [100, 101]", "fresh_seeds: [0, 101]"), "search seeds too"),
        (("    lsgan: {", "    wgan: {"), "not an objective of the suite"),
        (("train.lr:", "train.lrr:"), "lrr"),
        (("objective.a:", "objective.zz:"), "zz"),
        (("seeds: [0]", "seeds: [0]\nvariants: [a]"), "cannot be combined with variants"),
    ],
)
def test_search_sections_are_checked_against_the_suite(tmp_path, edit, message):
    path = _write(tmp_path)
    path.write_text(path.read_text().replace(*edit))
    with pytest.raises(ConfigError, match=message) as info:
        load_suite(path)
    assert "\n" not in str(info.value)


def test_two_phases_resume_and_report(tmp_path, capsys):
    path = _write(tmp_path)
    res, rep = tmp_path / "results", tmp_path / "reports"
    args = ["-q", "run", str(path), "--results", str(res), "--reports", str(rep)]
    assert main([*args, "--no-progress", "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    recs = [json.loads(p.read_text()) for p in (res / "tiny-search").glob("*.json")]
    variants = sorted(r["coords"]["variant"] for r in recs)
    assert variants.count(BEST) == 2 * 2 and len(recs) == 2 * 3 + 2 * 2
    best = {r["coords"]["seed"] for r in recs if r["coords"]["variant"] == BEST}
    assert best == {100, 101}
    assert (rep / "tiny-search" / "index.html").is_file()
    page = (rep / "tiny-search" / "search.html").read_text()
    assert "Expected best" in page or "expected best" in page.lower()
    assert "search.html" in (rep / "tiny-search" / "index.html").read_text()
    assert "search: " in out
    # the best re-run has the chosen trial's settings, only the seed differs
    trials = {r["run_id"]: r for r in recs if r["coords"]["variant"] != BEST}
    for r in (r for r in recs if r["coords"]["variant"] == BEST):
        same = [
            t
            for t in trials.values()
            if t["config"]["train"] == r["config"]["train"]
            and t["config"]["objective"] == r["config"]["objective"]
        ]
        assert len(same) == 1
    # kill one trial's record: a re-run trains only that cell (nothing re-sampled)
    victim = sorted(trials)[0]
    (res / "tiny-search" / f"{victim}.json").unlink()
    capsys.readouterr()
    assert main([*args, "--no-progress", "--device", "cpu"]) == 0
    again = {p.stem for p in (res / "tiny-search").glob("*.json")}
    assert again == {r["run_id"] for r in recs}
