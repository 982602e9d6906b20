"""``ganbench eval`` / ``ganbench stats`` end to end, with a stub Inception (fast)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

from ganbench.cli import main
from ganbench.datasets import DATASETS
from tests.evaluate.conftest import write_pngs


def _records(results, name):
    folder = results / "eval" / name
    recs = [json.loads(p.read_text()) for p in folder.glob("*.json")] if folder.is_dir() else []
    return sorted(recs, key=lambda r: r["run_id"])


def _eval(tmp_path, *args):
    return main(
        [
            "-q",
            "eval",
            *map(str, args),
            "--results",
            str(tmp_path / "results"),
            "--reports",
            str(tmp_path / "reports"),
            "--device",
            "cpu",
        ]
    )


@pytest.fixture
def folders(tmp_path):
    real = write_pngs(tmp_path / "real", 24, seed=0)
    good = write_pngs(tmp_path / "good", 18, seed=1)
    bad = write_pngs(tmp_path / "bad", 21, seed=2, shift=120)
    return real, good, bad


def test_folders_against_a_folder_write_records_and_a_report(tmp_path, folders, stub_inception):
    real, good, bad = folders
    rc = _eval(tmp_path, good, bad, "--against", f"folder:{real}", "--seeds", 0, 1, "--name", "x")
    assert rc == 0
    recs = _records(tmp_path / "results", "x")
    assert len(recs) == 4 and {r["kind"] for r in recs} == {"eval"}
    assert {r["coords"]["objective"] for r in recs} == {"good", "bad"}
    for r in recs:
        assert set(r["metrics"]) == {"fid", "kid", "precision", "recall"}
        proto = r["metrics"]["fid"]["protocol"]
        assert proto["reference_dataset"] == "folder:real" and proto["n_fake"] in (18, 21)
        assert r["evaluation"]["protocol"] == "ttur-10k" == proto["protocol_preset"]
    fid = {r["coords"]["objective"]: r["metrics"]["fid"]["value"] for r in recs}
    assert fid["good"] < fid["bad"]
    assert (tmp_path / "reports" / "eval" / "x" / "index.html").is_file()


def test_second_run_reuses_records_and_cached_reference(tmp_path, folders, stub_inception, capsys):
    real, good, bad = folders
    assert _eval(tmp_path, good, "--against", f"folder:{real}", "--name", "y") == 0
    calls_first = sum(e.calls for e in stub_inception)
    assert calls_first == 2  # one batch of real images, one of generated
    capsys.readouterr()
    assert _eval(tmp_path, good, "--against", f"folder:{real}", "--name", "y") == 0
    assert "0 evaluated, 1 from records" in capsys.readouterr().out
    assert sum(e.calls for e in stub_inception) == calls_first  # nothing extracted
    assert _eval(tmp_path, bad, "--against", f"folder:{real}", "--name", "y") == 0
    assert sum(e.calls for e in stub_inception) == calls_first + 1  # only the new input side


def test_json_prints_the_records(tmp_path, folders, stub_inception, capsys):
    real, good, _ = folders
    capsys.readouterr()
    assert _eval(tmp_path, good, "--against", f"folder:{real}", "--metrics", "fid", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data) == 1 and data[0]["metrics"]["fid"]["value"] > 0


def test_stats_file_round_trip_gives_the_same_fid(tmp_path, folders, stub_inception):
    real, good, _ = folders
    out = tmp_path / "ref.npz"
    assert main(["-q", "stats", f"folder:{real}", "--out", str(out), "--device", "cpu"]) == 0
    for against, name in ((f"folder:{real}", "a"), (f"stats:{out}", "b")):
        assert _eval(tmp_path, good, "--against", against, "--name", name) == 0
    (a,), (b,) = _records(tmp_path / "results", "a"), _records(tmp_path / "results", "b")
    for m in ("fid", "kid", "precision", "recall"):
        assert b["metrics"][m]["value"] == pytest.approx(a["metrics"][m]["value"], rel=1e-9)
    assert b["metrics"]["fid"]["protocol"]["stats_file"] == "ref.npz"


def test_mu_sigma_only_stats_refuse_kid_before_any_work(tmp_path, folders, stub_inception, capsys):
    real, good, _ = folders
    out = tmp_path / "ref.npz"
    assert main(["-q", "stats", f"folder:{real}", "--out", str(out), "--mu-sigma-only"]) == 0
    capsys.readouterr()
    rc = _eval(tmp_path, good, "--against", f"stats:{out}", "--metrics", "fid", "kid")
    err = capsys.readouterr().err
    assert rc == 2 and "kid" in err and "mu and sigma" in err and err.count("\n") == 1
    assert not (tmp_path / "results" / "eval").exists()
    assert _eval(tmp_path, good, "--against", f"stats:{out}", "--metrics", "fid") == 0


def test_points_against_a_mixture(tmp_path):
    ring = DATASETS.get("ring")()
    pts = ring.sample(600, torch.Generator().manual_seed(3)).numpy()
    np.save(tmp_path / "pts.npy", pts)
    assert _eval(tmp_path, tmp_path / "pts.npy", "--against", "ring", "--name", "p") == 0
    (rec,) = _records(tmp_path / "results", "p")
    assert rec["metrics"]["modes"]["value"] == 8
    assert len(rec["samples"]["points"]) == 600


NAN_GENERATOR = """
import torch
from torch import nn


class G(nn.Module):
    z_dim = 4

    def forward(self, z):
        x = torch.zeros(z.shape[0], 3, 8, 8)
        x[0, 0, 0, 0] = float("nan")
        return x


def make():
    return G()
"""

CASES = ["empty", "mixed", "points-vs-images", "unknown-metric", "stats-dim", "nan-generator"]


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_one_line_and_keeps_earlier_records(
    tmp_path, folders, stub_inception, capsys, monkeypatch, case
):
    real, good, _ = folders
    assert _eval(tmp_path, good, "--against", f"folder:{real}", "--name", "k") == 0
    before = _records(tmp_path / "results", "k")
    args: list[object]
    if case == "empty":
        (tmp_path / "empty").mkdir()
        args = [good, tmp_path / "empty"]
    elif case == "mixed":
        mixed = write_pngs(tmp_path / "mixed", 3, seed=5)
        write_pngs(tmp_path / "mixed" / "sub", 2, seed=6, size=20)
        args = [good, mixed]
    elif case == "points-vs-images":
        np.save(tmp_path / "p.npy", np.zeros((10, 2), dtype=np.float32))
        args = [tmp_path / "p.npy"]
    elif case == "stats-dim":
        np.savez(tmp_path / "s8.npz", mu=np.zeros(8), sigma=np.eye(8))
        args = [good, "--metrics", "fid"]
        real = tmp_path / "s8.npz"  # the stub extractor gives 16-d features
    elif case == "nan-generator":
        (tmp_path / "nangen.py").write_text(NAN_GENERATOR)
        monkeypatch.chdir(tmp_path)
        args = ["nangen:make", "-n", "10"]
    else:
        args = [good, "--metrics", "fdi"]
    capsys.readouterr()
    against = f"stats:{real}" if case == "stats-dim" else f"folder:{real}"
    rc = _eval(tmp_path, *args, "--against", against, "--name", "k")
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith("ganbench: error:") and err.count("\n") == 1
    assert _records(tmp_path / "results", "k") == before


def test_input_change_changes_the_run_id(tmp_path, folders, stub_inception):
    real, good, _ = folders
    assert (
        _eval(tmp_path, good, "--against", f"folder:{real}", "--name", "c", "--metrics", "fid") == 0
    )
    write_pngs(good, 1, seed=9)  # overwrite one image
    assert (
        _eval(tmp_path, good, "--against", f"folder:{real}", "--name", "c", "--metrics", "fid") == 0
    )
    recs = _records(tmp_path / "results", "c")
    assert len(recs) == 2 and len({r["run_id"] for r in recs}) == 2
    assert all(math.isfinite(r["metrics"]["fid"]["value"]) for r in recs)
