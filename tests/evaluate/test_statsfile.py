"""Statistics files: pytorch-fid's layout in and out, checked on read."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ganbench.errors import AssetError
from ganbench.evaluate.statsfile import as_reference, read_stats, write_stats
from ganbench.metrics.cache import RealReference
from ganbench.metrics.fid import feature_statistics, frechet_distance


def _ref(n: int, d: int, seed: int) -> RealReference:
    feats = np.random.default_rng(seed).standard_normal((n, d)).astype(np.float32)
    mu, sigma = feature_statistics(feats)
    meta = {"dataset": "toy", "split": "train", "subset": "all", "extractor": "x@0/none"}
    return RealReference(feats, None, mu, sigma, meta, path=None, from_cache=False)  # type: ignore[arg-type]


@pytest.mark.parametrize(("n", "d"), [(5, 3), (40, 8), (300, 64)])
def test_round_trip_keeps_statistics_features_and_meta(tmp_path, n, d):
    ref = _ref(n, d, seed=n)
    path = write_stats(tmp_path / "s.npz", ref)
    got = read_stats(path)
    np.testing.assert_array_equal(got.mu, ref.mu)
    np.testing.assert_array_equal(got.sigma, ref.sigma)
    np.testing.assert_array_equal(got.features, ref.features)
    assert got.meta is not None and got.meta["dataset"] == "toy" and got.dim == d


def test_file_loads_in_pytorch_fid_and_gives_the_same_fid(tmp_path):
    fid_score = pytest.importorskip("pytorch_fid.fid_score")
    a, b = _ref(200, 16, seed=1), _ref(150, 16, seed=2)
    pa, pb = write_stats(tmp_path / "a.npz", a), write_stats(tmp_path / "b.npz", b)
    # pytorch-fid's own .npz path (model unused for .npz inputs)
    m1, s1 = fid_score.compute_statistics_of_path(str(pa), None, 50, 16, "cpu")
    m2, s2 = fid_score.compute_statistics_of_path(str(pb), None, 50, 16, "cpu")
    theirs = fid_score.calculate_frechet_distance(m1, s1, m2, s2)
    ours = frechet_distance(a.mu, a.sigma, b.mu, b.sigma)
    assert ours == pytest.approx(theirs, rel=1e-6)


def test_mu_sigma_only_file_reads_like_pytorch_fids(tmp_path):
    ref = _ref(50, 4, seed=3)
    np.savez_compressed(tmp_path / "p.npz", mu=ref.mu, sigma=ref.sigma)  # pytorch-fid's writer
    got = read_stats(tmp_path / "p.npz")
    assert got.features is None and got.meta is None
    real = as_reference(got, 4, "any")
    assert real.features.shape == (0, 4) and real.meta["extractor_recorded"] is False
    path = write_stats(tmp_path / "m.npz", ref, with_features=False)
    assert read_stats(path).features is None


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"m": np.zeros(3)}, "expected pytorch-fid's keys 'mu' and 'sigma', found m"),
        ({"mu": np.zeros(3), "sigma": np.eye(2)}, "'sigma' must be 3×3"),
        ({"mu": np.zeros((3, 1)), "sigma": np.eye(3)}, "'mu' must be a vector"),
        ({"mu": np.array([0, np.nan]), "sigma": np.eye(2)}, "NaN or inf"),
        ({"mu": np.zeros(2), "sigma": np.eye(2), "features": np.zeros((4, 3))}, "'features'"),
        ({"mu": np.zeros(2), "sigma": np.eye(2), "meta": np.array("{")}, "not JSON"),
    ],
)
def test_bad_files_give_one_line_errors(tmp_path, arrays, message):
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(AssetError, match=message) as info:
        read_stats(tmp_path / "bad.npz")
    assert "\n" not in str(info.value)


def test_not_an_npz_and_missing_file(tmp_path):
    (tmp_path / "x.npz").write_text("hello")
    with pytest.raises(AssetError, match=r"not a readable \.npz"):
        read_stats(tmp_path / "x.npz")
    with pytest.raises(AssetError, match="no such file"):
        read_stats(tmp_path / "missing.npz")
    with pytest.raises(AssetError, match=r"expected a \.npz path"):
        write_stats(tmp_path / "out.txt", _ref(5, 2, 0))


def test_dimension_and_extractor_mismatch_are_refused(tmp_path):
    path = write_stats(tmp_path / "s.npz", _ref(30, 8, seed=0))
    stats = read_stats(path)
    with pytest.raises(AssetError, match="8-d statistics, but the extractor gives 2048-d"):
        as_reference(stats, 2048, "x@0/none")
    with pytest.raises(AssetError, match="extracted with x@0/none; this evaluation uses y@1/clean"):
        as_reference(stats, 8, "y@1/clean")
    ok = as_reference(stats, 8, "x@0/none")
    assert ok.meta["stats_sha256"] == stats.sha256 and json.dumps(ok.meta)
