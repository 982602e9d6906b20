"""Maximum mean discrepancy with RBF kernels (Gretton et al. 2012, JMLR 13).

Kernel: k(x, y) = mean over bandwidths σ of exp(−‖x − y‖² / (2σ²)), so
k(x, x) = 1 for any set of bandwidths. ``bandwidth`` is a number, a list of
numbers, ``"median"`` (σ = the median pairwise distance of the pooled
sample, the median heuristic) or ``"multi"`` (the median times
0.25, 0.5, 1, 2, 4). Bandwidths chosen from the data are reported in
``details["bandwidths"]`` so the closed form can be evaluated with the same ones.

The value is the unbiased U-statistic MMD²_u (Gretton et al. 2012, Lemma 6),
which can be slightly negative when p = q. ``stderr`` is the first-order
(non-degenerate) delta-method error, 0 under p = q; use the permutation-test
p-value in ``details["p_value"]`` to test p = q.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np

from ganbench.metrics.divergence.base import DivergenceError, DivergenceEstimate

MULTI_FACTORS = (0.25, 0.5, 1.0, 2.0, 4.0)
MEDIAN_SUBSET = 1000
BLOCK = 1024


def median_distance(z: np.ndarray, rng: np.random.Generator) -> float:
    """Median pairwise Euclidean distance of (a random subset of at most 1000 of) the rows of z."""
    if len(z) > MEDIAN_SUBSET:
        z = z[np.sort(rng.choice(len(z), MEDIAN_SUBSET, replace=False))]
    norms = np.sum(z * z, axis=1)
    sq = (norms[:, None] + norms[None, :] - 2.0 * (z @ z.T)).clip(min=0.0)
    med = float(np.sqrt(np.median(sq[np.triu_indices(len(z), k=1)])))
    if med <= 0:
        raise DivergenceError("mmd: the median pairwise distance is 0 (all samples identical?)")
    return med


def resolve_bandwidths(
    bandwidth: float | Sequence[float] | str, z: np.ndarray, rng: np.random.Generator
) -> tuple[float, ...]:
    """The kernel bandwidths σ for ``bandwidth`` (see the module docstring)."""
    if bandwidth == "median":
        return (median_distance(z, rng),)
    if bandwidth == "multi":
        med = median_distance(z, rng)
        return tuple(f * med for f in MULTI_FACTORS)
    if isinstance(bandwidth, str):
        raise DivergenceError(
            f"mmd: bandwidth {bandwidth!r} is not valid (a number, a list, 'median' or 'multi')"
        )
    values = (float(bandwidth),) if isinstance(bandwidth, int | float) else tuple(bandwidth)
    if not values or any(not (s > 0 and math.isfinite(s)) for s in values):
        raise DivergenceError(f"mmd: bandwidths must be positive numbers, got {bandwidth!r}")
    return tuple(float(s) for s in values)


def rbf_kernel(x: np.ndarray, y: np.ndarray, sigmas: Sequence[float]) -> np.ndarray:
    """The (len(x), len(y)) kernel matrix of the mean-of-RBFs kernel."""
    sq = (np.sum(x * x, axis=1)[:, None] + np.sum(y * y, axis=1)[None, :] - 2.0 * (x @ y.T)).clip(
        min=0.0
    )
    return sum(np.exp(-sq / (2.0 * s * s)) for s in sigmas) / len(sigmas)


def _split_stats(ka: np.ndarray, a: np.ndarray, total: float, n: int, m: int) -> np.ndarray:
    """MMD²_u for every split column of ``a`` (indicators of X) given ``ka = K @ a``."""
    xx = np.sum(a * ka, axis=0)  # aᵀKa
    colsum = np.sum(ka, axis=0)  # 1ᵀKa
    xy = colsum - xx  # bᵀKa
    yy = total - 2.0 * colsum + xx  # bᵀKb
    return (xx - n) / (n * (n - 1)) + (yy - m) / (m * (m - 1)) - 2.0 * xy / (n * m)


def mmd_statistics(
    x: np.ndarray,
    y: np.ndarray,
    sigmas: Sequence[float],
    permutations: int,
    rng: np.random.Generator,
) -> tuple[float, float, np.ndarray]:
    """``(MMD²_u, stderr, permuted statistics)`` in one blocked pass over the pooled kernel."""
    n, m = len(x), len(y)
    z = np.vstack([x, y])
    big = n + m
    a = np.zeros((big, permutations + 1))
    a[:n, 0] = 1.0
    for j in range(1, permutations + 1):
        a[rng.permutation(big)[:n], j] = 1.0
    ka = np.empty_like(a)
    rows = np.empty(big)
    for i0 in range(0, big, BLOCK):
        kb = rbf_kernel(z[i0 : i0 + BLOCK], z, sigmas)
        ka[i0 : i0 + BLOCK] = kb @ a
        rows[i0 : i0 + BLOCK] = kb.sum(axis=1)
    stats = _split_stats(ka, a, float(rows.sum()), n, m)
    to_x, to_y = ka[:, 0], rows - ka[:, 0]  # Σ_{j∈X} K_ij, Σ_{j∈Y} K_ij (with K_ii = 1)
    hx = (to_x[:n] - 1.0) / (n - 1) - to_y[:n] / m
    hy = (to_y[n:] - 1.0) / (m - 1) - to_x[n:] / n
    stderr = 2.0 * math.sqrt(np.var(hx, ddof=1) / n + np.var(hy, ddof=1) / m)
    return float(stats[0]), stderr, stats[1:]


def mmd_divergence(
    p: np.ndarray,
    q: np.ndarray,
    divergence: str,
    *,
    seed: int = 0,
    bandwidth: float | list[float] | Literal["median", "multi"] = "median",
    permutations: int = 200,
) -> DivergenceEstimate:
    """Unbiased MMD² with an RBF kernel and a permutation-test p-value (``permutations`` ≥ 0)."""
    del divergence
    if permutations < 0:
        raise DivergenceError(f"mmd: permutations must be >= 0, got {permutations}")
    rng = np.random.default_rng(seed)
    sigmas = resolve_bandwidths(bandwidth, np.vstack([p, q]), rng)
    value, stderr, perm = mmd_statistics(p, q, sigmas, permutations, rng)
    details: dict[str, object] = {
        "bandwidths": [float(s) for s in sigmas],
        "kernel": "mean of exp(-|x-y|^2 / (2 sigma^2)) over bandwidths",
        "estimator": "unbiased U-statistic",
    }
    if permutations:
        details["p_value"] = float((1 + np.sum(perm >= value)) / (1 + permutations))
        details["permutations"] = permutations
    return DivergenceEstimate(value, "mmd", "mmd", stderr, len(p), len(q), details=details)
