"""Known densities for the ``exact`` method: Gaussian mixtures with full covariances.

:class:`GaussianMixtureDensity` covers a single Gaussian (one component), the
benchmark's isotropic :class:`~ganbench.datasets.mixtures.GaussianMixture`
datasets (:func:`as_density` converts them) and general mixtures, and gives
the log-density, the 1-D CDF and sampling that the exact integrators need.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import logsumexp, ndtr

from ganbench.metrics.divergence.base import DivergenceError


@dataclass(frozen=True, eq=False)
class GaussianMixtureDensity:
    """Σ_k w_k N(μ_k, Σ_k): weights (K,), means (K, d), covariances (K, d, d)."""

    weights: np.ndarray
    means: np.ndarray
    covs: np.ndarray

    def __post_init__(self) -> None:
        w, mu, cov = self.weights, self.means, self.covs
        k, d = mu.shape
        if w.shape != (k,) or cov.shape != (k, d, d):
            raise DivergenceError(
                f"mixture shapes do not match: weights {w.shape}, means {mu.shape}, "
                f"covs {cov.shape}"
            )
        if (w < 0).any() or not math.isclose(float(w.sum()), 1.0, rel_tol=1e-9):
            raise DivergenceError("mixture weights must be non-negative and sum to 1")
        if (np.linalg.eigvalsh(cov) <= 0).any():
            raise DivergenceError("mixture covariances must be positive definite")

    @classmethod
    def create(cls, weights: Any, means: Any, covs: Any) -> GaussianMixtureDensity:
        """A mixture from array-likes; ``covs`` may be (K,) variances, (K, d) or (K, d, d)."""
        mu = np.atleast_2d(np.asarray(means, dtype=np.float64))
        k, d = mu.shape
        w = np.asarray(weights, dtype=np.float64).reshape(k)
        cov = np.asarray(covs, dtype=np.float64)
        if cov.ndim <= 1:
            cov = np.broadcast_to(cov.reshape(-1, 1, 1) * np.eye(d), (k, d, d))
        elif cov.ndim == 2:
            cov = np.stack([np.diag(c) for c in np.broadcast_to(cov, (k, d))])
        return cls(w / w.sum(), mu, np.array(cov, dtype=np.float64))

    @classmethod
    def gaussian(cls, mean: Any, cov: Any) -> GaussianMixtureDensity:
        """N(mean, cov); ``cov`` a scalar variance, a diagonal or a full matrix."""
        mu = np.atleast_1d(np.asarray(mean, dtype=np.float64))
        c = np.asarray(cov, dtype=np.float64)
        if c.ndim < 2:
            c = np.diag(np.broadcast_to(c, mu.shape).astype(np.float64))
        return cls(np.ones(1), mu[None, :], c[None, :, :].copy())

    @property
    def dim(self) -> int:
        """Dimension d."""
        return int(self.means.shape[1])

    @property
    def is_gaussian(self) -> bool:
        """Whether there is a single component."""
        return len(self.weights) == 1

    def log_prob(self, x: np.ndarray) -> np.ndarray:
        """Log-density at each row of ``x`` (n, d)."""
        x = np.asarray(x, dtype=np.float64).reshape(-1, self.dim)
        chol = np.linalg.cholesky(self.covs)
        out = []
        for k in range(len(self.weights)):
            z = np.linalg.solve(chol[k], (x - self.means[k]).T)
            logdet = 2.0 * np.sum(np.log(np.diag(chol[k])))
            out.append(
                -0.5 * np.sum(z * z, axis=0) - 0.5 * (self.dim * math.log(2 * math.pi) + logdet)
            )
        with np.errstate(divide="ignore"):
            return logsumexp(np.stack(out, axis=1) + np.log(self.weights), axis=1)

    def cdf_1d(self, x: np.ndarray) -> np.ndarray:
        """CDF at ``x`` (1-D mixtures only)."""
        sd = np.sqrt(self.covs[:, 0, 0])
        return np.sum(self.weights * ndtr((np.asarray(x)[..., None] - self.means[:, 0]) / sd), -1)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` samples drawn with ``rng``, in random order."""
        counts = rng.multinomial(n, self.weights)
        chol = np.linalg.cholesky(self.covs)
        parts = [
            self.means[k] + rng.standard_normal((c, self.dim)) @ chol[k].T
            for k, c in enumerate(counts)
        ]
        return np.concatenate(parts, axis=0)[rng.permutation(n)]

    def support_box(self, width: float = 40.0) -> tuple[np.ndarray, np.ndarray]:
        """Per-coordinate bounds beyond which the density is below e^{−width²/2} of its peak."""
        sd = np.sqrt(np.diagonal(self.covs, axis1=1, axis2=2))
        return (self.means - width * sd).min(0), (self.means + width * sd).max(0)


def as_density(obj: Any, name: str) -> GaussianMixtureDensity:
    """``obj`` as a :class:`GaussianMixtureDensity` (it may be a ganbench ``GaussianMixture``)."""
    if isinstance(obj, GaussianMixtureDensity):
        return obj
    means, stds, weights = (getattr(obj, a, None) for a in ("means", "stds", "weights"))
    if means is None or stds is None or weights is None:
        raise DivergenceError(
            f"{name}: method 'exact' needs known densities (a GaussianMixtureDensity or a "
            f"GaussianMixture dataset), got {type(obj).__name__}"
        )
    mu = np.asarray(means, dtype=np.float64)
    var = np.asarray(stds, dtype=np.float64) ** 2
    return GaussianMixtureDensity.create(np.asarray(weights, dtype=np.float64), mu, var)
