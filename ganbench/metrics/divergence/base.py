"""Shared types of the divergence estimators: the result record and sample handling.

Conventions (binding for every method):

* ``p`` is the first argument, ``q`` the second; in the benchmark ``p`` is the data
  and ``q`` the generator.
* ``kl`` = KL(p‖q), ``reverse_kl`` = KL(q‖p), both in nats.
* ``js`` = Jensen–Shannon divergence in nats, ½KL(p‖m) + ½KL(q‖m) with
  m = (p+q)/2, so 0 ≤ js ≤ log 2 (the f-GAN "JS" row gives 2·js).
* ``hellinger`` = the squared Hellinger distance normalised to [0, 1]:
  H² = 1 − BC = ½∫(√p − √q)², BC = ∫√(pq) the Bhattacharyya coefficient
  (the f-GAN "squared Hellinger" row gives 2·H²).
* ``tv`` = total variation ½∫|p − q| ∈ [0, 1].
* ``pearson`` = Pearson χ²(p‖q) = ∫(p − q)²/q = ∫p²/q − 1.
* ``mmd`` = squared maximum mean discrepancy MMD² (unbiased U-statistic from samples).
* ``w1``, ``w2`` = Wasserstein-1 and -2 distances under the Euclidean ground metric.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ganbench.errors import GanbenchError

F_DIVERGENCES = ("kl", "reverse_kl", "js", "hellinger", "tv", "pearson")
DIVERGENCES = (*F_DIVERGENCES, "mmd", "w1", "w2")
UNBOUNDED = frozenset({"kl", "reverse_kl", "pearson"})  # may be +inf


class DivergenceError(GanbenchError, ValueError):
    """Bad input to a divergence estimator (unknown name, wrong shapes, bad option)."""


@dataclass(frozen=True)
class DivergenceEstimate:
    """An estimate of a divergence between two distributions.

    ``value`` is ``inf`` (never a silent huge number) when the divergence is
    infinite or cannot be bounded from the samples; ``notes`` then says why.
    ``stderr`` is the method's standard error where it gives one (see each
    method for what it covers); ``details`` holds method-specific facts
    (bandwidths, solver, p-value, …) that make the number reproducible.
    """

    value: float
    divergence: str
    method: str
    stderr: float | None = None
    n_p: int | None = None
    n_q: int | None = None
    notes: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def is_infinite(self) -> bool:
        """Whether the estimate is +inf."""
        return math.isinf(self.value)

    @property
    def ci95(self) -> tuple[float, float] | None:
        """Normal-approximation 95 % interval ``value ± 1.96·stderr`` (``None`` without one)."""
        if self.stderr is None or not math.isfinite(self.value):
            return None
        half = 1.959964 * self.stderr
        return (self.value - half, self.value + half)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able summary (floats kept raw; the record store encodes inf/NaN)."""
        out: dict[str, Any] = {
            "divergence": self.divergence,
            "method": self.method,
            "value": float(self.value),
            "stderr": None if self.stderr is None else float(self.stderr),
            "n_p": self.n_p,
            "n_q": self.n_q,
        }
        if self.notes:
            out["notes"] = list(self.notes)
        out.update({k: v for k, v in self.details.items() if k not in out})
        return out


def as_samples(x: Any, name: str) -> np.ndarray:
    """``x`` (array, tensor or nested list of shape (n,) or (n, d)) as finite float64 (n, d)."""
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise DivergenceError(
            f"{name}: expected an array of samples, got {type(x).__name__}"
        ) from None
    if arr.ndim == 1:
        arr = arr[:, None]
    elif arr.ndim > 2:
        arr = arr.reshape(arr.shape[0], -1)
    if arr.ndim != 2 or arr.shape[0] < 2 or arr.shape[1] < 1:
        raise DivergenceError(
            f"{name}: expected at least 2 samples of shape (n, d), got {arr.shape}"
        )
    if not np.isfinite(arr).all():
        raise DivergenceError(f"{name}: samples contain NaN or inf")
    return arr


def canonical_order(x: np.ndarray) -> np.ndarray:
    """Rows of ``x`` sorted lexicographically, so results do not depend on the input order."""
    return x[np.lexsort(x.T[::-1])]


def mean_and_stderr(*parts: np.ndarray) -> tuple[float, float]:
    """Sum of the means of independent samples of per-sample terms, and its standard error."""
    value = float(sum(float(np.mean(t)) for t in parts))
    var = sum(float(np.var(t, ddof=1)) / len(t) for t in parts if len(t) > 1)
    return value, math.sqrt(var)


def infinite(
    divergence: str, method: str, reason: str, n_p: int | None, n_q: int | None, **details: Any
) -> DivergenceEstimate:
    """An infinite estimate with the reason in its notes."""
    return DivergenceEstimate(
        math.inf, divergence, method, None, n_p, n_q, notes=(reason,), details=dict(details)
    )
