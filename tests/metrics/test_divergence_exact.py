"""The ``exact`` method against independent closed forms and quadrature written here."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats
from scipy.spatial.distance import cdist

from ganbench.metrics.divergence import GaussianMixtureDensity as GMD
from ganbench.metrics.divergence import estimate_divergence

G = GMD.gaussian


def quad_1d(f, lo=-40.0, hi=40.0):
    return integrate.quad(f, lo, hi, limit=500, points=[-5, -1, 0, 1, 5])[0]


def npdf(m, s):
    return lambda x: math.exp(-0.5 * ((x - m) / s) ** 2) / (s * math.sqrt(2 * math.pi))


def nlogpdf(m, s):
    return lambda x: -0.5 * ((x - m) / s) ** 2 - math.log(s * math.sqrt(2 * math.pi))


CASES_1D = [(0.0, 1.0, 1.0, 1.5), (0.0, 1.0, -2.0, 0.7), (0.5, 2.0, 0.0, 2.0)]


@pytest.mark.parametrize(("m1", "s1", "m2", "s2"), CASES_1D)
def test_gaussian_1d_against_quadrature(m1, s1, m2, s2):
    p, q = npdf(m1, s1), npdf(m2, s2)
    lp, lq = nlogpdf(m1, s1), nlogpdf(m2, s2)
    truth = {
        "kl": quad_1d(lambda x: p(x) * (lp(x) - lq(x))),
        "reverse_kl": quad_1d(lambda x: q(x) * (lq(x) - lp(x))),
        "hellinger": 1.0 - quad_1d(lambda x: math.sqrt(p(x) * q(x))),
        "tv": 0.5 * quad_1d(lambda x: abs(p(x) - q(x))),
        "js": quad_1d(
            lambda x: (
                0.5
                * sum(
                    f(x) * (lf(x) - np.logaddexp(lp(x), lq(x)) + math.log(2))
                    for f, lf in ((p, lp), (q, lq))
                )
            )
        ),
    }
    if 2 * s2**2 > s1**2:
        truth["pearson"] = quad_1d(lambda x: math.exp(2 * lp(x) - lq(x))) - 1.0
    for div, want in truth.items():
        est = estimate_divergence(G(m1, s1**2), G(m2, s2**2), div)
        assert est.method == "exact"
        assert est.value == pytest.approx(want, rel=1e-6, abs=1e-9), div


def test_published_normalisation_traps():
    """REFERENCES §5: for N(0,1) vs N(1, 1.5²) the f-GAN JS row is 2·JSD = 0.19858019."""
    js = estimate_divergence(G(0.0, 1.0), G(1.0, 2.25), "js").value
    assert 2 * js == pytest.approx(0.19858019, abs=1e-8)
    assert 2 * js - math.log(4) == pytest.approx(-1.18771417, abs=1e-8)  # the GAN row


def test_tv_equal_variance_closed_form():
    delta = 1.3
    tv = estimate_divergence(G(0.0, 1.0), G(delta, 1.0), "tv").value
    assert tv == pytest.approx(2 * stats.norm.cdf(delta / 2) - 1, rel=1e-8)


def test_pearson_infinite_when_q_too_narrow():
    est = estimate_divergence(G(0.0, 1.0), G(0.0, 0.4), "pearson")  # 2·0.4 < 1
    assert est.is_infinite and est.notes


def _random_spd(rng, d):
    a = rng.normal(size=(d, d))
    return a @ a.T / d + 0.5 * np.eye(d)


def test_gaussian_dd_closed_forms_against_monte_carlo():
    rng = np.random.default_rng(3)
    d = 4
    m1, m2 = rng.normal(size=d), rng.normal(size=d) * 0.5
    s1, s2 = _random_spd(rng, d), _random_spd(rng, d)
    p1, p2 = stats.multivariate_normal(m1, s1), stats.multivariate_normal(m2, s2)
    x = p1.rvs(400_000, random_state=rng)
    lr = p1.logpdf(x) - p2.logpdf(x)
    kl_mc, kl_se = lr.mean(), lr.std() / math.sqrt(len(x))
    bc_mc = np.exp(-0.5 * lr)  # E_p sqrt(q/p) = BC
    bc, bc_se = bc_mc.mean(), bc_mc.std() / math.sqrt(len(x))
    kl = estimate_divergence(G(m1, s1), G(m2, s2), "kl").value
    h2 = estimate_divergence(G(m1, s1), G(m2, s2), "hellinger").value
    rkl = estimate_divergence(G(m2, s2), G(m1, s1), "reverse_kl").value
    assert abs(kl - kl_mc) < 4 * kl_se
    assert abs((1 - h2) - bc) < 4 * bc_se
    assert rkl == pytest.approx(kl, rel=1e-12)  # KL(q‖p) with the roles swapped


def test_w2_gaussian_formula():
    # 1-D: W2² = Δμ² + (σ1 − σ2)²; commuting (diagonal) covariances: Σ (√a − √b)²
    assert estimate_divergence(G(0.0, 4.0), G(3.0, 1.0), "w2").value == pytest.approx(
        math.sqrt(9 + 1)
    )
    a, b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 1.0])
    want = math.sqrt(1.0 + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2))
    got = estimate_divergence(G([1, 0, 0], a), G([0, 0, 0], b), "w2").value
    assert got == pytest.approx(want, rel=1e-9)


def test_w1_1d_shift_and_mixture():
    assert estimate_divergence(G(0.0, 1.0), G(2.5, 1.0), "w1").value == pytest.approx(2.5)
    p = GMD.create([0.5, 0.5], [[-2.0], [2.0]], [0.25, 0.25])
    q = G(0.0, 1.0)
    x = np.linspace(-20, 20, 400_001)
    want = np.trapezoid(np.abs(p.cdf_1d(x) - stats.norm.cdf(x)), x)
    assert estimate_divergence(p, q, "w1").value == pytest.approx(want, rel=1e-6)


@pytest.mark.parametrize("sigmas", [[1.0], [0.5, 2.0]])
def test_mmd_closed_form_against_sampled_kernel(sigmas):
    rng = np.random.default_rng(0)
    p = GMD.create([0.3, 0.7], [[0.0, 0.0], [2.0, 1.0]], [0.5, 1.0])
    q = G([1.0, 0.0], [1.0, 2.0])
    x, y = p.sample(2000, rng), q.sample(2000, rng)

    def k(a, b):
        sq = cdist(a, b, "sqeuclidean")
        return np.mean([np.exp(-sq / (2 * s * s)) for s in sigmas], axis=0)

    kxx, kyy, kxy = k(x[:1000], x[1000:]), k(y[:1000], y[1000:]), k(x, y)
    mc = kxx.mean() + kyy.mean() - 2 * kxy.mean()
    got = estimate_divergence(p, q, "mmd", bandwidth=sigmas).value
    assert got == pytest.approx(mc, abs=0.01)
    assert got > 0.02


def test_monte_carlo_matches_quadrature_in_2d():
    """Same covariance, shift along x: the 2-D f-divergences equal the 1-D ones."""
    p2, q2 = G([0.0, 0.0], 1.0), G([1.2, 0.0], 1.0)
    p1, q1 = G(0.0, 1.0), G(1.2, 1.0)
    for div in ("js", "tv", "hellinger", "pearson", "kl"):
        mc = estimate_divergence(p2, q2, div, method="exact", n_mc=40_000)
        one_d = estimate_divergence(p1, q1, div).value
        if mc.stderr is None:  # closed form for Gaussian pairs
            assert mc.value == pytest.approx(one_d, rel=1e-9)
        else:
            assert abs(mc.value - one_d) < 4 * mc.stderr + 1e-9, div


def test_mixture_vs_gaussian_1d_quadrature_and_mc_agree():
    p = GMD.create([0.2, 0.8], [[-1.0], [1.5]], [0.3, 0.6])
    q = G(0.5, 1.8)
    pp = GMD.create([0.2, 0.8], [[-1.0, 0.0], [1.5, 0.0]], [[0.3, 1.0], [0.6, 1.0]])
    qq = G([0.5, 0.0], [1.8, 1.0])
    for div in ("reverse_kl", "js", "tv"):
        quad = estimate_divergence(p, q, div)
        mc = estimate_divergence(pp, qq, div, n_mc=40_000, seed=1)
        assert "quadrature" in quad.details["how"] and "Monte Carlo" in mc.details["how"]
        assert abs(mc.value - quad.value) < 4 * mc.stderr, div


def test_exact_needs_densities_and_bandwidths():
    with pytest.raises(ValueError, match="bandwidth"):
        estimate_divergence(G(0.0, 1.0), G(1.0, 1.0), "mmd")
    with pytest.raises(ValueError, match="known densities"):
        estimate_divergence(np.zeros((5, 1)), G(1.0, 1.0), "kl", method="exact")
