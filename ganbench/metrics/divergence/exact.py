"""Ground truth when both densities are known (``method="exact"``).

* Two Gaussians: closed forms for KL (both ways), the Bhattacharyya
  coefficient (hellinger), Pearson χ² (finite iff 2Σ_p⁻¹ − Σ_q⁻¹ ≻ 0), W2
  (‖Δμ‖² + tr(Σ_p + Σ_q − 2(Σ_q^½ Σ_p Σ_q^½)^½)).
* MMD² for any Gaussian mixtures, in closed form from the RBF expectation
  E exp(−‖X − Y‖²/2σ²) = det(I + S/σ²)^{−½} exp(−½ Δᵀ(S + σ²I)⁻¹Δ) for
  X − Y ~ N(Δ, S); ``bandwidth`` must be given (numbers, no heuristic).
* 1-D mixtures: adaptive quadrature (``scipy.integrate.quad``) of every
  f-divergence and of W1 = ∫|F_p − F_q|.
* d ≥ 2 mixtures: Monte Carlo with the true log-ratio, ``n_mc`` samples from
  each of p and q, using the bounded forms of :func:`~.fdiv.plugin_terms`;
  ``stderr`` is the Monte Carlo error.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from scipy import integrate, linalg

from ganbench.metrics.divergence.base import (
    DivergenceError,
    DivergenceEstimate,
    infinite,
    mean_and_stderr,
)
from ganbench.metrics.divergence.densities import GaussianMixtureDensity
from ganbench.metrics.divergence.fdiv import plugin_terms


def kl_gaussians(m1: np.ndarray, s1: np.ndarray, m2: np.ndarray, s2: np.ndarray) -> float:
    """KL(N(m1, s1) ‖ N(m2, s2)) in nats."""
    d = len(m1)
    delta = m2 - m1
    s2inv = np.linalg.inv(s2)
    _, ld1 = np.linalg.slogdet(s1)
    _, ld2 = np.linalg.slogdet(s2)
    return 0.5 * float(np.trace(s2inv @ s1) + delta @ s2inv @ delta - d + ld2 - ld1)


def bhattacharyya_gaussians(
    m1: np.ndarray, s1: np.ndarray, m2: np.ndarray, s2: np.ndarray
) -> float:
    """Bhattacharyya distance D_B = −log BC between two Gaussians."""
    s = 0.5 * (s1 + s2)
    delta = m1 - m2
    _, ld = np.linalg.slogdet(s)
    _, ld1 = np.linalg.slogdet(s1)
    _, ld2 = np.linalg.slogdet(s2)
    return float(delta @ np.linalg.solve(s, delta) / 8.0 + 0.5 * (ld - 0.5 * (ld1 + ld2)))


def pearson_gaussians(m1: np.ndarray, s1: np.ndarray, m2: np.ndarray, s2: np.ndarray) -> float:
    """χ²(N(m1, s1) ‖ N(m2, s2)) = ∫p²/q − 1; inf when 2 s1⁻¹ − s2⁻¹ is not positive definite."""
    p1, p2 = np.linalg.inv(s1), np.linalg.inv(s2)
    a = 2.0 * p1 - p2
    if np.linalg.eigvalsh(a).min() <= 0:
        return math.inf
    b = 2.0 * p1 @ m1 - p2 @ m2
    c = m1 @ p1 @ m1 - 0.5 * m2 @ p2 @ m2
    _, lda = np.linalg.slogdet(a)
    _, ld1 = np.linalg.slogdet(s1)
    _, ld2 = np.linalg.slogdet(s2)
    log_int = -ld1 + 0.5 * ld2 - 0.5 * lda + 0.5 * b @ np.linalg.solve(a, b) - c
    return float(math.expm1(log_int)) if log_int < 700 else math.inf


def w2_gaussians(m1: np.ndarray, s1: np.ndarray, m2: np.ndarray, s2: np.ndarray) -> float:
    """W2 between two Gaussians (Dowson & Landau 1982; Givens & Shortt 1984)."""
    r2 = linalg.sqrtm(s2)
    cross = linalg.sqrtm(r2 @ s1 @ r2).real
    val = float(np.sum((m1 - m2) ** 2) + np.trace(s1 + s2 - 2.0 * cross))
    return math.sqrt(max(val, 0.0))


def rbf_expectation(
    p: GaussianMixtureDensity, q: GaussianMixtureDensity, sigmas: Sequence[float]
) -> float:
    """E k(X, Y) for X ~ p, Y ~ q independent, k the mean-of-RBFs kernel of :mod:`.mmd`."""
    d = p.dim
    eye = np.eye(d)
    total = 0.0
    for wi, mi, si in zip(p.weights, p.means, p.covs, strict=True):
        for wj, mj, sj in zip(q.weights, q.means, q.covs, strict=True):
            s, delta = si + sj, mi - mj
            for sig in sigmas:
                v = sig * sig
                _, ld = np.linalg.slogdet(eye + s / v)
                quad = delta @ np.linalg.solve(s + v * eye, delta)
                total += wi * wj * math.exp(-0.5 * ld - 0.5 * quad) / len(sigmas)
    return total


def mmd2_closed_form(
    p: GaussianMixtureDensity, q: GaussianMixtureDensity, sigmas: Sequence[float]
) -> float:
    """Population MMD² between two Gaussian mixtures under the mean-of-RBFs kernel."""
    return (
        rbf_expectation(p, p, sigmas)
        + rbf_expectation(q, q, sigmas)
        - 2 * rbf_expectation(p, q, sigmas)
    )


def _log_prob_1d(d: GaussianMixtureDensity) -> Callable[[float], float]:
    """A fast scalar log-density of a 1-D mixture (for quadrature callbacks)."""
    mu, var = d.means[:, 0], d.covs[:, 0, 0]
    with np.errstate(divide="ignore"):
        const = np.log(d.weights) - 0.5 * np.log(2 * math.pi * var)
    return lambda x: float(np.logaddexp.reduce(const - 0.5 * (x - mu) ** 2 / var))


def _integrand_1d(
    divergence: str, p: GaussianMixtureDensity, q: GaussianMixtureDensity
) -> Callable[[float], float]:
    log_p, log_q = _log_prob_1d(p), _log_prob_1d(q)

    def f(x: float) -> float:
        lp, lq = log_p(x), log_q(x)
        dp, dq = math.exp(lp), math.exp(lq)
        if divergence == "kl":
            return dp * (lp - lq) if dp > 0 else 0.0
        if divergence == "reverse_kl":
            return dq * (lq - lp) if dq > 0 else 0.0
        if divergence == "js":
            lm = np.logaddexp(lp, lq) - math.log(2)
            return 0.5 * ((dp * (lp - lm) if dp else 0.0) + (dq * (lq - lm) if dq else 0.0))
        if divergence == "hellinger":
            return 0.5 * (math.sqrt(dp) - math.sqrt(dq)) ** 2
        if divergence == "tv":
            return 0.5 * abs(dp - dq)
        if divergence == "pearson":
            return math.exp(2 * lp - lq) - dp if dp > 0 else 0.0
        return abs(float(p.cdf_1d(np.array(x))) - float(q.cdf_1d(np.array(x))))  # w1

    return f


def _quadrature_1d(divergence: str, p: GaussianMixtureDensity, q: GaussianMixtureDensity) -> float:
    lo_p, hi_p = p.support_box()
    lo_q, hi_q = q.support_box()
    lo, hi = float(min(lo_p[0], lo_q[0])), float(max(hi_p[0], hi_q[0]))
    sd = np.sqrt(np.concatenate([p.covs[:, 0, 0], q.covs[:, 0, 0]]))
    mu = np.concatenate([p.means[:, 0], q.means[:, 0]])
    pts = np.unique(
        np.clip(np.concatenate([mu + f * sd for f in (-6, -3, -1, 0, 1, 3, 6)]), lo, hi)
    )
    value, _ = integrate.quad(
        _integrand_1d(divergence, p, q), lo, hi, points=pts, limit=2000, epsabs=1e-11, epsrel=1e-10
    )
    return float(value)


def _pearson_finite(p: GaussianMixtureDensity, q: GaussianMixtureDensity) -> bool:
    """Sufficient tail condition: each p-component has a q-component with 2Σ_i⁻¹ − Σ_j⁻¹ ≻ 0."""
    inv_q = [np.linalg.inv(c) for c in q.covs]
    return all(
        any(np.linalg.eigvalsh(2 * np.linalg.inv(ci) - iq).min() > 0 for iq in inv_q)
        for ci in p.covs
    )


def _gaussian_pair(divergence: str, p: GaussianMixtureDensity, q: GaussianMixtureDensity) -> float:
    args = (p.means[0], p.covs[0], q.means[0], q.covs[0])
    if divergence == "kl":
        return kl_gaussians(*args)
    if divergence == "reverse_kl":
        return kl_gaussians(args[2], args[3], args[0], args[1])
    if divergence == "hellinger":
        return -math.expm1(-bhattacharyya_gaussians(*args))
    if divergence == "pearson":
        return pearson_gaussians(*args)
    return w2_gaussians(*args)


def _monte_carlo(
    divergence: str, p: GaussianMixtureDensity, q: GaussianMixtureDensity, n: int, seed: int
) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    xp, xq = p.sample(n, rng), q.sample(n, rng)
    lp = p.log_prob(xp) - q.log_prob(xp)
    lq = p.log_prob(xq) - q.log_prob(xq)
    return mean_and_stderr(*plugin_terms(divergence, lp, lq))


def exact_divergence(
    p: GaussianMixtureDensity,
    q: GaussianMixtureDensity,
    divergence: str,
    *,
    seed: int = 0,
    n_mc: int = 200_000,
    bandwidth: float | list[float] | None = None,
) -> DivergenceEstimate:
    """The divergence between two known densities (see the module docstring for how)."""
    if p.dim != q.dim:
        raise DivergenceError(f"exact: p has dimension {p.dim} but q has {q.dim}")
    gauss = p.is_gaussian and q.is_gaussian

    def done(value: float, how: str, stderr: float | None = None) -> DivergenceEstimate:
        return DivergenceEstimate(float(value), divergence, "exact", stderr, details={"how": how})

    if divergence == "mmd":
        if bandwidth is None:
            raise DivergenceError("exact mmd needs explicit bandwidth(s), e.g. bandwidth=1.0")
        sig = [float(bandwidth)] if isinstance(bandwidth, int | float) else list(bandwidth)
        return done(mmd2_closed_form(p, q, sig), "closed form (RBF expectations)")
    if divergence == "pearson" and not (_pearson_finite(p, q) if not gauss else True):
        return infinite(
            divergence, "exact", "p's tails are too heavy for q: ∫p²/q diverges", None, None
        )
    if gauss and divergence in ("kl", "reverse_kl", "hellinger", "pearson", "w2"):
        value = _gaussian_pair(divergence, p, q)
        if math.isinf(value):
            return infinite(
                divergence, "exact", "2Σ_p⁻¹ − Σ_q⁻¹ is not positive definite", None, None
            )
        return done(value, "closed form (Gaussian pair)")
    if p.dim == 1 and divergence != "w2":
        return done(_quadrature_1d(divergence, p, q), "adaptive quadrature (1-D)")
    if divergence in ("w1", "w2"):
        raise DivergenceError(
            f"exact {divergence} is available for Gaussian pairs (w2) and 1-D (w1) only; "
            "use method='ot' on samples"
        )
    value, se = _monte_carlo(divergence, p, q, n_mc, seed)
    return done(value, f"Monte Carlo with the true log-ratio ({n_mc} samples of each)", se)
