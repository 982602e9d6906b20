"""``kind: eval`` suites: parsing, resume, the report over several inputs."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from ganbench.cli import main
from ganbench.datasets import DATASETS
from ganbench.errors import ConfigError, GanbenchError
from ganbench.kinds import load_suite

GEN = "ganbench.evaluate.examples:ring_generator"


def _write(tmp_path, text: str):
    path = tmp_path / "suite" / "e.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


def _points(path, n: int, seed: int, collapse: bool = False) -> None:
    pts = DATASETS.get("ring")().sample(n, torch.Generator().manual_seed(seed))
    if collapse:
        pts = pts[pts[:, 0] > 0.5]  # only the modes on the right
    np.save(path, pts.numpy())


def test_suite_runs_resumes_and_ranks_inputs(tmp_path, capsys):
    folder = tmp_path / "suite"
    folder.mkdir()
    _points(folder / "good.npy", 800, 1)
    _points(folder / "collapsed.npy", 2400, 2, collapse=True)
    path = _write(
        tmp_path,
        f"""
name: ring-eval
kind: eval
inputs: [good.npy, collapsed.npy, {{name: closed-form, path: "{GEN}"}}]
against: ring
metrics: [modes, hq]
n: 300
seeds: [0, 1, 2]
""",
    )
    res, rep = str(tmp_path / "results"), str(tmp_path / "reports")
    assert main(["-q", "validate", str(path)]) == 0
    assert "9 cells = 1 references × 3 inputs × 1 protocols × 3 seeds" in capsys.readouterr().out
    assert main(["-q", "run", str(path), "--results", res, "--reports", rep]) == 0
    out = capsys.readouterr().out
    assert "9 evaluated, 0 from records" in out and "closed-form" in out
    recs = [json.loads(p.read_text()) for p in (tmp_path / "results" / "ring-eval").glob("*.json")]
    modes = {}
    for r in recs:
        modes.setdefault(r["coords"]["objective"], []).append(r["metrics"]["modes"]["value"])
        assert r["data"]["mode_centres"] and len(r["samples"]["points"]) == 300
    assert min(modes["good"]) == 8 and max(modes["collapsed"]) <= 4
    assert main(["-q", "run", str(path), "--results", res, "--reports", rep]) == 0
    assert "0 evaluated, 9 from records" in capsys.readouterr().out
    assert (tmp_path / "reports" / "ring-eval" / "index.html").is_file()
    # a generator's seeds give different samples; stored samples do not depend on the seed
    gen = sorted((r for r in recs if r["coords"]["objective"] == "closed-form"), key=str)
    assert len({json.dumps(r["samples"]["points"][:5]) for r in gen}) == 3


def test_relative_paths_are_resolved_against_the_suite_folder(tmp_path, monkeypatch):
    folder = tmp_path / "suite"
    folder.mkdir()
    _points(folder / "p.npy", 50, 0)
    path = _write(tmp_path, "kind: eval\ninputs: [p.npy]\nagainst: ring\n")
    monkeypatch.chdir(tmp_path)  # not the suite's folder
    _, suite = load_suite(path)
    assert suite.inputs[0].spec == str(folder / "p.npy")
    assert suite.name == "e" and suite.seeds == (0,)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("inputs: [x]\nagainst: ring\nbogus: 1", "bogus"),
        ("against: ring\ninputs: []", "inputs: empty list"),
        ("inputs: [p.npy]", "missing required key 'against'"),
        ("inputs: [p.npy]\nagainst: ring\nprotocols: [tur]", "unknown protocol"),
        ("inputs: [p.npy]\nagainst: ring\nn: 1", "n: expected an integer"),
        ("inputs: [p.npy]\nagainst: ring\nseeds: [1, 1]", "duplicate seeds"),
        (
            "inputs: [{path: p.npy, name: a}, {path: p.npy, name: a}]\nagainst: ring",
            "duplicate names",
        ),
        ("inputs: [{path: p.npy, z: 3}]\nagainst: ring", "z"),
        ("inputs: [{path: p.npy, z_dim: 0}]\nagainst: ring", "z_dim: expected a positive"),
        ("inputs: [p.npy]\nagainst: ring\nmetrics: [fid]", "metric fid needs images"),
        ("inputs: [p.npy]\nagainst: nope", "unknown dataset"),
    ],
)
def test_bad_suites_are_one_line_errors(tmp_path, body, message):
    (tmp_path / "suite").mkdir()
    _points(tmp_path / "suite" / "p.npy", 20, 0)
    path = _write(tmp_path, f"kind: eval\n{body}\n")
    with pytest.raises(GanbenchError, match=message) as info:
        load_suite(path)
    assert "\n" not in str(info.value)
    assert isinstance(info.value, ConfigError) or "p.npy" in str(info.value)


def test_eval_kind_reproduces_no_paper(tmp_path, capsys):
    (tmp_path / "suite").mkdir()
    _points(tmp_path / "suite" / "p.npy", 20, 0)
    path = _write(tmp_path, "kind: eval\ninputs: [p.npy]\nagainst: ring\n")
    assert main(["reproduce", str(path)]) == 2
    assert "no paper section" in capsys.readouterr().err
