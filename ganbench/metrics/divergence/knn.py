"""k-nearest-neighbour KL estimation and the support check shared by the sample methods.

Wang, Kulkarni & Verdú (2009), "Divergence estimation for multidimensional
densities via k-nearest-neighbor distances", IEEE Trans. Inf. Theory 55(5), eq. (5):

    KL̂(p‖q) = d/n Σ_i log(ν_k(i)/ρ_k(i)) + log(m/(n − 1)),

with ρ_k(i) the distance from the p-sample X_i to its k-th nearest other
p-sample and ν_k(i) to its k-th nearest q-sample (n p-samples, m q-samples, d
dimensions). With the same k on both sides the bias terms cancel and the
estimator is consistent for every fixed k.

The support check: KL(p‖q) (and Pearson χ²(p‖q)) is reported as +inf when p
has mass where q has essentially no samples. The pointwise version of the
estimator above, ℓ_i = d·log(ν_k(i)/ρ_k(i)) + log(m/(n−1)), estimates log p/q
at X_i; when at least ``support_mass`` of the p-samples have ℓ_i above
``support_log_ratio`` (default 5 nats: q at most 1/148 of p there), the
divergence cannot be bounded from the samples (its value there is set by q's
unseen tails, e.g. a dropped mode), and ``inf`` is returned with the fraction.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.spatial import cKDTree

from ganbench.metrics.divergence.base import (
    DivergenceError,
    DivergenceEstimate,
    infinite,
    mean_and_stderr,
)

SUPPORT_LOG_RATIO = 5.0
SUPPORT_MASS = 0.02
SUPPORT_K = 5


def kth_distances(x: np.ndarray, y: np.ndarray, k: int, *, same: bool) -> np.ndarray:
    """Distance from each row of ``x`` to its k-th nearest row of ``y`` (``same``: skip itself)."""
    kk = k + 1 if same else k
    if kk > len(y):
        raise DivergenceError(f"k = {k} needs more than {len(y)} samples")
    dist, _ = cKDTree(y).query(x, k=kk)
    return np.asarray(dist if kk == 1 else dist[:, -1], dtype=np.float64)


def pointwise_log_ratio(x: np.ndarray, y: np.ndarray, k: int) -> np.ndarray:
    """k-NN estimate of log p_x/p_y at each row of ``x`` (inf where x has duplicates)."""
    n, d = x.shape
    rho = kth_distances(x, x, k, same=True)
    nu = kth_distances(x, y, k, same=False)
    floor = 1e-12 * max(float(np.std(np.vstack([x, y]))), 1e-300)
    with np.errstate(divide="ignore"):
        return d * (np.log(np.maximum(nu, floor)) - np.log(rho)) + math.log(len(y) / (n - 1))


def unsupported_fraction(
    x: np.ndarray, y: np.ndarray, k: int = SUPPORT_K, log_ratio: float = SUPPORT_LOG_RATIO
) -> float:
    """Fraction of rows of ``x`` where the k-NN estimate of log p_x/p_y exceeds ``log_ratio``."""
    return float(np.mean(pointwise_log_ratio(x, y, k) > log_ratio))


def support_reason(
    p: np.ndarray,
    q: np.ndarray,
    divergence: str,
    *,
    log_ratio: float = SUPPORT_LOG_RATIO,
    mass: float = SUPPORT_MASS,
) -> str | None:
    """Why ``divergence`` is unbounded from these samples, or ``None`` when it is not."""
    if divergence not in ("kl", "reverse_kl", "pearson"):
        return None
    a, b, an, bn = (q, p, "q", "p") if divergence == "reverse_kl" else (p, q, "p", "q")
    if len(a) <= SUPPORT_K or len(b) < SUPPORT_K:
        return None
    repeated = 1.0 - len(np.unique(a, axis=0)) / len(a)
    if repeated >= mass:
        return (
            f"{repeated:.1%} of the {an}-samples are repeated values (atoms): {divergence} of "
            f"a distribution with atoms against one with a density is infinite"
        )
    ell = pointwise_log_ratio(a, b, SUPPORT_K)
    frac = float(np.mean(ell > log_ratio))
    if frac >= mass and frac * len(a) >= 3:
        return (
            f"{frac:.1%} of the {an}-samples lie where {bn} has essentially no samples "
            f"(k-NN log {an}/{bn} > {log_ratio:g}, k = {SUPPORT_K}): {bn} misses part of "
            f"{an}'s support (e.g. a dropped mode), so {divergence} is unbounded"
        )
    return None


def knn_divergence(
    p: np.ndarray,
    q: np.ndarray,
    divergence: str,
    *,
    seed: int = 0,
    k: int = 1,
    support_check: bool = True,
    support_log_ratio: float = SUPPORT_LOG_RATIO,
    support_mass: float = SUPPORT_MASS,
) -> DivergenceEstimate:
    """KL(p‖q) (``kl``) or KL(q‖p) (``reverse_kl``) by Wang et al. (2009) with ``k`` neighbours.

    ``stderr`` is the standard deviation of the per-sample terms over √n, which
    ignores the dependence between neighbouring terms (indicative only).
    ``seed`` is unused (the estimator is deterministic).
    """
    del seed
    if k < 1:
        raise DivergenceError(f"knn: k must be >= 1, got {k}")
    x, y = (q, p) if divergence == "reverse_kl" else (p, q)
    if support_check:
        reason = support_reason(p, q, divergence, log_ratio=support_log_ratio, mass=support_mass)
        if reason:
            return infinite(divergence, "knn", reason, len(p), len(q), k=k)
    terms = pointwise_log_ratio(x, y, k)
    if np.isinf(terms).any():
        who = "q" if divergence == "reverse_kl" else "p"
        return infinite(
            divergence,
            "knn",
            f"{who} has repeated samples (atoms): KL of an atomic distribution "
            "against a density is infinite",
            len(p),
            len(q),
            k=k,
        )
    value, stderr = mean_and_stderr(terms)
    return DivergenceEstimate(value, divergence, "knn", stderr, len(p), len(q), details={"k": k})
