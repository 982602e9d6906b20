from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from ganbench.metrics import feature_statistics, fid_infinity, frechet_distance
from ganbench.metrics.fid import (
    RankDeficientCovarianceWarning,
    fid_from_features,
    psd_factor,
    trace_sqrt_product,
)
from tests.metrics.helpers import random_covariance

pytestmark = pytest.mark.usefixtures("single_thread")


def _pytorch_fid(*args):
    fid_score = pytest.importorskip("pytorch_fid.fid_score")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(fid_score.calculate_frechet_distance(*args))


def _stats(d, seed):
    rng = np.random.default_rng(seed)
    return (
        rng.standard_normal(d),
        random_covariance(d, rng),
        rng.standard_normal(d),
        random_covariance(d, rng),
    )


def test_agrees_with_pytorch_fid_d64():
    args = _stats(64, 0)
    ours, ref = frechet_distance(*args), _pytorch_fid(*args)
    assert abs(ours - ref) / ref < 1e-6


@pytest.mark.reference
def test_agrees_with_pytorch_fid_d2048():
    args = _stats(2048, 1)
    ours, ref = frechet_distance(*args), _pytorch_fid(*args)
    assert abs(ours - ref) / ref < 1e-6


def test_closed_form_for_commuting_covariances():
    """Diagonal Σ: FID = ‖Δμ‖² + Σ (√a − √b)²."""
    rng = np.random.default_rng(2)
    a, b = rng.uniform(0.1, 3, 32), rng.uniform(0.1, 3, 32)
    m1, m2 = rng.standard_normal(32), rng.standard_normal(32)
    expected = ((m1 - m2) ** 2).sum() + ((np.sqrt(a) - np.sqrt(b)) ** 2).sum()
    assert frechet_distance(m1, np.diag(a), m2, np.diag(b)) == pytest.approx(expected, rel=1e-12)


def test_rank_deficient_covariance_matches_the_exact_gram_form():
    """Σ₁ from n = 10 < d samples: tr √(Σ₁Σ₂) = Σ √eig(Xc Σ₂ Xcᵀ / (n − 1)), an n × n problem."""
    rng = np.random.default_rng(3)
    d, n = 40, 10
    xc = rng.standard_normal((n, d))
    xc -= xc.mean(axis=0)
    low_rank = xc.T @ xc / (n - 1)
    s2 = random_covariance(d, rng)
    exact = np.sqrt(np.clip(np.linalg.eigvalsh(xc @ s2 @ xc.T / (n - 1)), 0, None)).sum()
    assert psd_factor(torch.from_numpy(low_rank)).shape == (d, n - 1)
    for a, b in ((low_rank, s2), (s2, low_rank)):
        assert trace_sqrt_product(torch.from_numpy(a), torch.from_numpy(b)) == pytest.approx(
            exact, rel=1e-10
        )
    mu = np.zeros(d)
    assert frechet_distance(mu, low_rank, mu, s2) == pytest.approx(
        _pytorch_fid(mu, low_rank, mu, s2), rel=1e-6
    )


def test_zero_covariance():
    rng = np.random.default_rng(9)
    s = random_covariance(5, rng)
    m = rng.standard_normal(5)
    assert frechet_distance(m, np.zeros((5, 5)), m, s) == pytest.approx(np.trace(s), rel=1e-12)


def test_numpy_and_torch_inputs_agree():
    args = _stats(16, 4)
    as_torch = [torch.from_numpy(a).float() for a in args]
    assert frechet_distance(*args) == pytest.approx(
        frechet_distance(*[a.double().numpy() for a in as_torch]), rel=1e-6
    )
    assert frechet_distance(*as_torch) == frechet_distance(*[a.double() for a in as_torch])


def test_set_with_itself_is_zero_and_mean_shift_is_squared_norm():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((500, 20))
    assert fid_from_features(x, x) == pytest.approx(0.0, abs=1e-9)
    shift = rng.standard_normal(20)
    assert fid_from_features(x, x + shift) == pytest.approx(float(shift @ shift), rel=1e-9)


def test_permutation_invariance():
    rng = np.random.default_rng(6)
    x, y = rng.standard_normal((300, 12)), rng.standard_normal((200, 12)) * 1.3
    perm = rng.permutation(200)
    assert fid_from_features(x, y[perm]) == pytest.approx(fid_from_features(x, y), rel=1e-12)


def test_statistics_are_float64_mean_and_unbiased_covariance():
    x = np.random.default_rng(7).standard_normal((50, 4)).astype(np.float32)
    mu, sigma = feature_statistics(x)
    assert mu.dtype == np.float64 and sigma.dtype == np.float64
    np.testing.assert_allclose(sigma, np.cov(x.astype(np.float64), rowvar=False), rtol=1e-12)


def test_too_few_samples_is_an_error_and_rank_deficiency_warns():
    with pytest.raises(ValueError, match="at least 2 samples"):
        feature_statistics(np.zeros((1, 3)))
    with pytest.warns(RankDeficientCovarianceWarning, match="rank-deficient"):
        feature_statistics(np.random.default_rng(0).standard_normal((5, 8)))


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((np.zeros(3), np.eye(3), np.zeros(4), np.eye(4)), "mu2"),
        ((np.zeros(3), np.eye(2), np.zeros(3), np.eye(3)), "sigma1"),
        ((np.zeros(3), np.eye(3), np.zeros(3), [[1.0]]), "NumPy array or a torch tensor"),
        ((np.full(3, np.nan), np.eye(3), np.zeros(3), np.eye(3)), "NaN"),
    ],
)
def test_bad_inputs_name_the_argument(args, match):
    with pytest.raises((ValueError, TypeError), match=match):
        frechet_distance(*args)


def test_fid_infinity_removes_the_one_over_n_bias():
    """Exact Gaussian reference; FID∞ lands closer to the true FID than FID at full N."""
    rng = np.random.default_rng(8)
    d, n = 16, 4000
    mu_r, sigma_r = np.zeros(d), np.eye(d)
    mu_f, scale = np.full(d, 0.1), 1.2
    true = float(mu_f @ mu_f) + d * (scale - 1.0) ** 2
    fake = mu_f + scale * rng.standard_normal((n, d))
    res = fid_infinity(mu_r, sigma_r, fake, n_points=15, seed=0)
    full = frechet_distance(mu_r, sigma_r, *feature_statistics(fake))
    assert abs(res.value - true) < abs(full - true)
    assert res.slope > 0 and res.r2 > 0.5
    assert len(res.ns) == 15 and res.ns[-1] == n and res.ns[0] == n // 10
    slope, intercept = np.polyfit(1.0 / np.array(res.ns), res.fids, 1)
    assert res.value == pytest.approx(intercept, rel=1e-9) and res.slope == pytest.approx(slope)


def test_fid_infinity_rejects_too_small_pools():
    with pytest.raises(ValueError, match="n_min"):
        fid_infinity(np.zeros(2), np.eye(2), np.zeros((3, 2)), n_min=3)
