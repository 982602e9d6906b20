"""Wasserstein distances between empirical measures (Euclidean ground metric).

* 1-D: exact for any sizes, by integrating |F_p⁻¹(u) − F_q⁻¹(u)|^k over the
  merged quantile breakpoints.
* d ≥ 2, n·m ≤ ``exact_max``²: the exact optimal transport cost between the two
  uniform empirical measures (POT's network simplex, ``ot.emd2``).
* otherwise (or with ``method="sliced"``): the sliced Wasserstein distance
  SW_k = (E_θ W_k(θᵀp, θᵀq)^k)^{1/k} over ``projections`` random directions on
  the sphere. SW_k ≤ W_k: it is a different, smaller quantity, and the estimate
  says so in its notes and in ``details["solver"]``.

The empirical W_k(p̂_n, q̂_m) is biased upwards as an estimate of W_k(p, q)
(for p = q it decays like n^{−1/d} in d ≥ 3; see docs/divergences.md for the
measured bias).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from ganbench.metrics.divergence.base import DivergenceError, DivergenceEstimate, mean_and_stderr

EMD_MAX_ITER = 10_000_000


def wasserstein_1d(x: np.ndarray, y: np.ndarray, order: int) -> float:
    """Exact W_order between the uniform empirical measures of 1-D samples ``x`` and ``y``."""
    xs, ys = np.sort(np.ravel(x)), np.sort(np.ravel(y))
    n, m = len(xs), len(ys)
    u = np.union1d(np.arange(1, n + 1) / n, np.arange(1, m + 1) / m)
    du = np.diff(np.concatenate([[0.0], u]))
    mid = u - 0.5 * du  # inside each constant piece of both quantile functions
    qx = xs[np.minimum((mid * n).astype(np.int64), n - 1)]
    qy = ys[np.minimum((mid * m).astype(np.int64), m - 1)]
    return float(np.sum(du * np.abs(qx - qy) ** order) ** (1.0 / order))


def exact_ot(p: np.ndarray, q: np.ndarray, order: int) -> float:
    """Exact W_order between uniform empirical measures by network simplex (POT)."""
    import ot  # POT; imported lazily (a few hundred ms)

    cost = ot.dist(p, q, metric="euclidean")
    if order != 1:
        cost = cost**order
    a, b = np.full(len(p), 1.0 / len(p)), np.full(len(q), 1.0 / len(q))
    value, log = ot.emd2(a, b, cost, numItermax=EMD_MAX_ITER, log=True)
    if log.get("warning"):
        raise DivergenceError(f"exact OT did not converge: {log['warning']} (use method='sliced')")
    return float(value) ** (1.0 / order)


def sliced(
    p: np.ndarray, q: np.ndarray, order: int, projections: int, rng: np.random.Generator
) -> tuple[float, float]:
    """Sliced W_order over random directions, with the standard error over directions."""
    theta = rng.standard_normal((p.shape[1], projections))
    theta /= np.linalg.norm(theta, axis=0, keepdims=True)
    px, qx = p @ theta, q @ theta
    powers = np.array(
        [wasserstein_1d(px[:, j], qx[:, j], order) ** order for j in range(projections)]
    )
    mean, se = mean_and_stderr(powers)
    value = mean ** (1.0 / order)
    return value, se * value / (order * mean) if mean > 0 else 0.0  # delta method


def transport_divergence(
    p: np.ndarray,
    q: np.ndarray,
    divergence: str,
    *,
    seed: int = 0,
    solver: Literal["auto", "exact", "sliced"] = "auto",
    exact_max: int = 5000,
    projections: int = 256,
) -> DivergenceEstimate:
    """W1 (``w1``) or W2 (``w2``) between the samples; ``details["solver"]`` says how."""
    order = {"w1": 1, "w2": 2}[divergence]
    if projections < 1 or exact_max < 1:
        raise DivergenceError("ot: projections and exact_max must be >= 1")
    d = p.shape[1]
    if solver == "auto":
        solver = "exact" if d == 1 or len(p) * len(q) <= exact_max**2 else "sliced"
    n = (len(p), len(q))
    if solver == "exact":
        if d == 1:
            value, how = wasserstein_1d(p, q, order), "exact (1-D quantiles)"
        else:
            value, how = exact_ot(p, q, order), "exact (network simplex, POT ot.emd2)"
        return DivergenceEstimate(value, divergence, "ot", None, *n, details={"solver": how})
    value, se = sliced(p, q, order, projections, np.random.default_rng(seed))
    note = (
        f"sliced W{order} over {projections} random directions: a lower bound on "
        f"W{order}, not W{order} itself"
    )
    details = {"solver": "sliced", "projections": projections}
    if math.isfinite(value) and d == 1:
        note = "1-D: the sliced distance equals the distance"
    return DivergenceEstimate(value, divergence, "sliced", se, *n, notes=(note,), details=details)
