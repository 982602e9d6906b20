"""Binned divergences against a known, well-separated isotropic Gaussian mixture.

The reference p is the data mixture Σ_k w_k N(μ_k, σ_k²I); q is known only by
samples. Space is cut into cells: each point goes to the component with the
smallest σ-normalised distance s = ‖x − μ_k‖/σ_k (the VEEGAN/PacGAN
assignment of :mod:`ganbench.metrics.modes`) and to the shell of s between
consecutive ``shells`` edges (default [0, 1), [1, 2), [2, 3)); points with s ≥
the last edge form one shared "far" cell. Under p the cell probabilities are
analytic, P(k, [a, b)) = w_k (F_{χ²_d}(b²) − F_{χ²_d}(a²)), exact up to the
mass a component puts in another component's cells, which a separation
check bounds by ``MAX_LEAK`` = 1e-4 (else a one-line error).

The result is the divergence between the two coarse-grained distributions: a
lower bound on the continuous divergence (data-processing inequality) that
sees mode weights and within-mode spread up to the shell resolution. The plug-in
with n samples is biased upwards; ``details["perfect_sampler_mean"]`` is the
mean value for a perfect sampler with the same n (simulated), i.e. the floor.
``stderr`` is from a multinomial bootstrap of the q counts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.stats import chi2

from ganbench.metrics.divergence.base import DivergenceError, DivergenceEstimate, infinite
from ganbench.metrics.divergence.densities import GaussianMixtureDensity

BOOTSTRAP = 200
MAX_LEAK = 1e-4


def isotropic_parts(p: GaussianMixtureDensity) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(means, stds, weights)`` of an isotropic mixture; raises for other covariances."""
    var = np.array([c[0, 0] for c in p.covs])
    if not all(
        np.allclose(c, v * np.eye(p.dim), rtol=1e-6) for c, v in zip(p.covs, var, strict=True)
    ):
        raise DivergenceError("binned: p must be a mixture of isotropic Gaussians")
    return p.means, np.sqrt(var), p.weights


def cell_probabilities(p: GaussianMixtureDensity, shells: Sequence[float]) -> np.ndarray:
    """Analytic probabilities of the K·len(shells) mode cells and the far cell, under p."""
    means, stds, weights = isotropic_parts(p)
    edges = np.concatenate([[0.0], np.asarray(shells, dtype=np.float64)])
    dist = np.sqrt(np.sum((means[:, None] - means[None]) ** 2, axis=-1))
    margin = (dist - edges[-1] * stds[None, :]).clip(min=0.0) / stds[:, None]
    np.fill_diagonal(margin, np.inf)
    leak = chi2.sf(margin**2, df=p.dim).sum(axis=1)  # mass of i that can land in j's cells
    if leak.max() > MAX_LEAK:
        raise DivergenceError(
            "binned: components are too close for analytic cell probabilities "
            f"(up to {leak.max():.1e} of a component's mass falls in another's cells; "
            f"at most {MAX_LEAK:g} allowed)"
        )
    shell_mass = np.diff(chi2.cdf(edges**2, df=p.dim))
    cells = (weights[:, None] * shell_mass[None, :]).ravel()
    return np.concatenate([cells, [max(1.0 - cells.sum(), 0.0)]])


def assign_cells(x: np.ndarray, p: GaussianMixtureDensity, shells: Sequence[float]) -> np.ndarray:
    """Cell index of each row of ``x`` (K·S for the far cell)."""
    means, stds, _ = isotropic_parts(p)
    s = np.sqrt(np.sum((x[:, None, :] - means[None]) ** 2, axis=-1)) / stds
    k = np.argmin(s, axis=1)
    smin = s[np.arange(len(x)), k]
    shell = np.searchsorted(np.asarray(shells), smin, side="right")
    n_shells = len(shells)
    return np.where(shell < n_shells, k * n_shells + shell, len(means) * n_shells)


def discrete_divergence(divergence: str, p: np.ndarray, q: np.ndarray) -> float:
    """The divergence between two probability vectors (may be inf)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if divergence == "kl":
            return math.inf if ((p > 0) & (q == 0)).any() else float(np.sum(_xlogy(p, p / q)))
        if divergence == "reverse_kl":
            return math.inf if ((q > 0) & (p == 0)).any() else float(np.sum(_xlogy(q, q / p)))
        if divergence == "js":
            m = 0.5 * (p + q)
            return 0.5 * float(np.sum(_xlogy(p, p / m)) + np.sum(_xlogy(q, q / m)))
        if divergence == "hellinger":
            return max(0.0, 1.0 - float(np.sum(np.sqrt(p * q))))
        if divergence == "tv":
            return 0.5 * float(np.abs(p - q).sum())
        if divergence == "pearson":
            return math.inf if ((p > 0) & (q == 0)).any() else float(np.sum(p * p / q) - 1.0)
    raise DivergenceError(f"binned: {divergence!r} is not supported")


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.where(x > 0, x * np.log(np.where(x > 0, y, 1.0)), 0.0)


def binned_divergence(
    p: GaussianMixtureDensity,
    q: np.ndarray,
    divergence: str,
    *,
    seed: int = 0,
    shells: list[float] | None = None,
) -> DivergenceEstimate:
    """``divergence`` between p's analytic cell probabilities and q's cell frequencies."""
    edges = [1.0, 2.0, 3.0] if shells is None else list(shells)
    if not edges or any(b <= a for a, b in zip([0.0, *edges], edges, strict=False)):
        raise DivergenceError(f"binned: shells must be increasing positive edges, got {shells}")
    if q.shape[1] != p.dim:
        raise DivergenceError(f"binned: q has dimension {q.shape[1]} but p has {p.dim}")
    probs = cell_probabilities(p, edges)
    n = len(q)
    counts = np.bincount(assign_cells(q, p, edges), minlength=len(probs))
    value = discrete_divergence(divergence, probs, counts / n)
    rng = np.random.default_rng(seed)
    perfect = [
        discrete_divergence(divergence, probs, c / n) for c in rng.multinomial(n, probs, BOOTSTRAP)
    ]
    details = {
        "cells": len(probs),
        "shells": edges,
        "perfect_sampler_mean": float(np.mean(perfect)),
        "empty_data_cells": int(((probs > 0) & (counts == 0)).sum()),
    }
    if math.isinf(value):
        missing = float(probs[counts == 0].sum())
        reason = f"cells holding {missing:.1%} of the data mass have no q-samples"
        return infinite(divergence, "binned", reason, None, n, **details)
    boot = [
        discrete_divergence(divergence, probs, c / n)
        for c in rng.multinomial(n, counts / n, BOOTSTRAP)
    ]
    finite = [b for b in boot if math.isfinite(b)]
    stderr = float(np.std(finite, ddof=1)) if len(finite) > 1 else None
    return DivergenceEstimate(value, divergence, "binned", stderr, None, n, details=details)
