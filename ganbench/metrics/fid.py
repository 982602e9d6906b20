"""Fréchet distance (FID) and its bias-extrapolated form FID∞.

FID (Heusel et al. 2017) is the Fréchet distance between Gaussians fitted to
two feature sets::

    d² = ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr √(Σ₁ Σ₂)

The matrix square root is never formed. Each covariance is factored as
Σ = F Fᵀ by LAPACK's pivoted Cholesky (``dpstrf``), which also reveals its
numerical rank r (F is d × r). Σ₁Σ₂ has the same non-zero eigenvalues as the
symmetric positive semi-definite r × r matrix Fᵀ Σ_other F, so tr √(Σ₁Σ₂) is the
sum of the square roots of that matrix's eigenvalues (``eigvalsh``; tiny
negative ones from rounding are clamped to zero), factoring whichever of the
two has the lower rank. Everything runs in float64. This is exact up to
rounding, avoids ``scipy.linalg.sqrtm`` (a Schur decomposition of a
non-symmetric matrix: several times slower, prone to spurious imaginary parts,
and its ``disp`` argument is gone in SciPy 1.18), never needs an ``eps``
offset, and stays accurate when a covariance is rank-deficient (N ≤ d): the
null space is dropped instead of contributing √(rounding noise) per direction.

FID∞ (Chong & Forsyth 2020, "Effectively Unbiased FID and Inception Score and
where to find them"): FID_N is biased upward by a term that is linear in 1/N,
so FID is evaluated on random subsets of N generated samples for several N,
a line is fitted against 1/N, and its intercept (N → ∞) is reported together
with the fit.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import torch
from scipy.linalg import lapack

from ganbench.metrics.arrays import ArrayLike, as_features, as_float64, same_dim


class RankDeficientCovarianceWarning(UserWarning):
    """A covariance was estimated from no more samples than dimensions."""


def feature_statistics(features: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Mean and unbiased covariance (float64) of an ``(n, d)`` feature matrix.

    Raises for ``n < 2``; warns when ``n <= d`` (the covariance then has rank
    at most ``n − 1`` and FID is strongly biased upward).
    """
    x = as_features(features, "features")
    n, d = x.shape
    if n < 2:
        raise ValueError(f"features: need at least 2 samples to estimate a covariance, got {n}")
    if n <= d:
        warnings.warn(
            f"{n} samples for {d} feature dimensions: the covariance is rank-deficient "
            f"(rank <= {n - 1}) and FID is biased upward; use more samples than dimensions",
            RankDeficientCovarianceWarning,
            stacklevel=2,
        )
    mu = x.mean(dim=0)
    xc = x - mu
    sigma = (xc.T @ xc) / (n - 1)
    return mu.numpy(), sigma.numpy()


def _symmetric(m: torch.Tensor) -> torch.Tensor:
    return (m + m.mT) * 0.5


def psd_factor(sigma: torch.Tensor) -> torch.Tensor:
    """F (d × rank) with Σ = F Fᵀ, by pivoted Cholesky; the rank is LAPACK's numerical rank."""
    c, piv, rank, info = lapack.dpstrf(sigma.numpy(), lower=1)
    if info < 0:
        raise ValueError(f"pivoted Cholesky failed (LAPACK dpstrf info={info})")
    factor = np.zeros((sigma.shape[0], rank))
    factor[piv - 1] = np.tril(c)[:, :rank]
    return torch.from_numpy(factor)


def trace_sqrt_product(sigma1: torch.Tensor, sigma2: torch.Tensor) -> float:
    """tr √(Σ₁Σ₂) for symmetric PSD float64 matrices, via a symmetric similar matrix."""
    s1, s2 = _symmetric(sigma1), _symmetric(sigma2)
    f1, f2 = psd_factor(s1), psd_factor(s2)
    if f1.shape[1] == 0 or f2.shape[1] == 0:
        return 0.0
    inner = f1.mT @ s2 @ f1 if f1.shape[1] <= f2.shape[1] else f2.mT @ s1 @ f2
    eig = torch.linalg.eigvalsh(_symmetric(inner))
    return float(eig.clamp(min=0).sqrt().sum())


def frechet_distance(mu1: ArrayLike, sigma1: ArrayLike, mu2: ArrayLike, sigma2: ArrayLike) -> float:
    """Fréchet distance between N(μ₁, Σ₁) and N(μ₂, Σ₂), computed in float64.

    Accepts NumPy arrays or torch tensors. The result is clamped at 0 (it can
    only fall below by rounding).
    """
    m1, m2 = as_float64(mu1, "mu1", 1), as_float64(mu2, "mu2", 1)
    s1, s2 = as_float64(sigma1, "sigma1", 2), as_float64(sigma2, "sigma2", 2)
    d = m1.shape[0]
    if m2.shape != m1.shape:
        raise ValueError(f"mu2: expected shape ({d},) to match mu1, got {tuple(m2.shape)}")
    for name, m in (("sigma1", s1), ("sigma2", s2)):
        if m.shape != (d, d):
            raise ValueError(
                f"{name}: expected shape ({d}, {d}) to match the means, got {tuple(m.shape)}"
            )
    diff = m1 - m2
    value = float(diff @ diff) + float(s1.trace() + s2.trace()) - 2.0 * trace_sqrt_product(s1, s2)
    return max(value, 0.0)


def fid_from_features(real: ArrayLike, fake: ArrayLike) -> float:
    """FID between two ``(n, d)`` feature sets."""
    r, f = as_features(real, "real"), as_features(fake, "fake")
    same_dim(r, f, "fid_from_features")
    return frechet_distance(*feature_statistics(r), *feature_statistics(f))


@dataclass(frozen=True)
class FIDInfinity:
    """FID∞ with the linear fit FID_N ≈ intercept + slope / N that produced it."""

    value: float  # the intercept: FID extrapolated to N → ∞
    slope: float
    r2: float
    ns: tuple[int, ...]
    fids: tuple[float, ...]

    def protocol(self) -> dict[str, object]:
        """The fit, for a record's protocol."""
        return {
            "fit": "FID_N = intercept + slope / N (least squares)",
            "slope": self.slope,
            "r2": self.r2,
            "n": list(self.ns),
            "fid_n": list(self.fids),
        }


def fid_infinity(
    real_mu: ArrayLike,
    real_sigma: ArrayLike,
    fake_features: ArrayLike,
    *,
    n_points: int = 15,
    n_min: int | None = None,
    seed: int = 0,
) -> FIDInfinity:
    """Chong & Forsyth's FID∞ from a pool of generated features.

    FID_N is computed for ``n_points`` values of N evenly spaced from ``n_min``
    (default: a tenth of the pool, as 5k of 50k in the paper) to the pool size,
    each on a fresh random subset drawn without replacement (``seed``), and
    FID_N = a + b/N is fitted by least squares; ``value`` is a.
    """
    fake = as_features(fake_features, "fake_features")
    n = fake.shape[0]
    lo = max(2, n // 10) if n_min is None else n_min
    if n_points < 2 or not 2 <= lo < n:
        raise ValueError(
            f"fid_infinity: need n_points >= 2 and 2 <= n_min < n_fake, "
            f"got n_points={n_points}, n_min={lo}, n_fake={n}"
        )
    ns = np.unique(np.linspace(lo, n, n_points).astype(np.int64))
    rng = np.random.default_rng(seed)
    fids = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RankDeficientCovarianceWarning)
        for size in ns:
            idx = torch.from_numpy(rng.permutation(n)[:size])
            fids.append(frechet_distance(real_mu, real_sigma, *feature_statistics(fake[idx])))
    y = np.asarray(fids)
    design = np.stack([np.ones(len(ns)), 1.0 / ns], axis=1)
    (a, b), *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ np.array([a, b])
    ss_tot = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - float((resid**2).sum()) / ss_tot if ss_tot > 0 else 1.0
    return FIDInfinity(float(a), float(b), r2, tuple(int(s) for s in ns), tuple(fids))
