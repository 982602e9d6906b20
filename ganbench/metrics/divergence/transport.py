"""Wasserstein distances between empirical measures (Euclidean ground metric).

* 1-D: exact for any sizes, by integrating |F_p⁻¹(u) − F_q⁻¹(u)|^k over the
  merged quantile breakpoints.
* d ≥ 2, n·m ≤ ``exact_max``²: the exact optimal transport cost between the two
  uniform empirical measures (POT's network simplex, ``ot.emd2``).
* d ≥ 2, larger samples: the mean exact cost over ``repeats`` seeded subsamples
  of ``exact_max`` rows of each side, with the spread over the subsamples as
  its standard error. ``w1``/``w2`` never change meaning with the sample size.
* ``method="sliced"`` (:func:`sliced_divergence`, registered as ``sliced_w1``,
  ``sliced_w2``): the sliced Wasserstein distance
  SW_k = (E_θ W_k(θᵀp, θᵀq)^k)^{1/k} over ``projections`` random directions on
  the sphere. SW_k ≤ W_k: it is a different, smaller quantity, and the estimate
  says so in its notes.

The empirical W_k(p̂_n, q̂_m) is biased upwards as an estimate of W_k(p, q)
(for p = q it decays like n^{−1/d} in d ≥ 3; see docs/divergences.md for the
measured bias).
"""

from __future__ import annotations

from typing import Any

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


def _subsample_ot(
    p: np.ndarray, q: np.ndarray, order: int, size: int, repeats: int, seed: int
) -> tuple[float, float | None]:
    """Mean exact W_order over ``repeats`` seeded subsamples of ``size`` rows of each side."""
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(repeats):
        ip = rng.choice(len(p), size=min(size, len(p)), replace=False)
        iq = rng.choice(len(q), size=min(size, len(q)), replace=False)
        values.append(exact_ot(p[np.sort(ip)], q[np.sort(iq)], order))
    if repeats < 2:
        return values[0], None
    return mean_and_stderr(np.asarray(values))


def transport_divergence(
    p: np.ndarray,
    q: np.ndarray,
    divergence: str,
    *,
    seed: int = 0,
    exact_max: int = 5000,
    repeats: int = 3,
) -> DivergenceEstimate:
    """W1 (``w1``) or W2 (``w2``) by exact optimal transport, at every sample size.

    Up to n·m = ``exact_max``² the exact cost between the two empirical
    measures; above it, the mean exact cost over ``repeats`` seeded subsamples
    of ``exact_max`` rows of each side (``stderr`` = the spread over the
    subsamples / √repeats). It is never the sliced distance (that is
    :func:`sliced_divergence`, a different, smaller quantity).
    """
    order = {"w1": 1, "w2": 2}[divergence]
    if exact_max < 2 or repeats < 1:
        raise DivergenceError("ot: exact_max must be >= 2 and repeats >= 1")
    n = (len(p), len(q))
    if p.shape[1] == 1:
        details: dict[str, Any] = {"solver": "exact (1-D quantiles)"}
        return DivergenceEstimate(
            wasserstein_1d(p, q, order), divergence, "ot", None, *n, details=details
        )
    if len(p) * len(q) <= exact_max**2:
        details = {"solver": "exact (network simplex, POT ot.emd2)"}
        return DivergenceEstimate(
            exact_ot(p, q, order), divergence, "ot", None, *n, details=details
        )
    value, se = _subsample_ot(p, q, order, exact_max, repeats, seed)
    details = {
        "solver": "exact on subsamples (network simplex, POT ot.emd2)",
        "subsample_size": exact_max,
        "repeats": repeats,
        "subsample": f"numpy default_rng(seed={seed}).choice without replacement, per side",
    }
    note = (
        f"mean of exact W{order} over {repeats} random subsamples of {exact_max} per side "
        "(stderr: spread over the subsamples)"
    )
    return DivergenceEstimate(value, divergence, "ot", se, *n, notes=(note,), details=details)


def sliced_divergence(
    p: np.ndarray, q: np.ndarray, divergence: str, *, seed: int = 0, projections: int = 256
) -> DivergenceEstimate:
    """Sliced W1/W2 over ``projections`` random directions: a lower bound on W, not W."""
    order = {"w1": 1, "w2": 2}[divergence]
    if projections < 1:
        raise DivergenceError("sliced: projections must be >= 1")
    value, se = sliced(p, q, order, projections, np.random.default_rng(seed))
    note = (
        f"sliced W{order} over {projections} random directions: a lower bound on "
        f"W{order}, not W{order} itself"
    )
    if p.shape[1] == 1:
        note = "1-D: the sliced distance equals the distance"
    details = {"solver": "sliced", "projections": projections}
    return DivergenceEstimate(
        value, divergence, "sliced", se, len(p), len(q), notes=(note,), details=details
    )
