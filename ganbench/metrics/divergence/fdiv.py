"""f-divergence algebra: plug-in terms from a log density ratio, and the f-GAN table.

Two ways to turn a log density ratio ℓ(x) = log p(x)/q(x) into a divergence:

* :func:`plugin_terms` — per-sample terms on p-samples and q-samples whose means
  add up to the divergence (used by the ``ratio`` method with an estimated ℓ and
  by the ``exact`` Monte Carlo integrator with the true ℓ). Bounded forms are
  used where they exist: JS and BC are averages over the mixture m = (p+q)/2 of
  bounded functions of r, and TV = P(r > 1) − Q(r > 1).
* :data:`FGAN` — Nowozin et al. (2016), Table 2: the output activation g_f and
  the conjugate f* of each f, with the variational bound
  D_f(P‖Q) ≥ E_P[g_f(V)] − E_Q[f*(g_f(V))]. ``scale`` converts the f-GAN
  normalisation to ours (REFERENCES.md §5: the JS row gives 2·JSD, the squared
  Hellinger row gives 2(1 − BC)).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

LOG2 = math.log(2.0)


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


def plugin_terms(divergence: str, lp: np.ndarray, lq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-sample terms ``(tp, tq)`` with ``mean(tp) + mean(tq)`` = the divergence.

    ``lp`` is log p/q at samples of p, ``lq`` at samples of q. Either array of
    terms may be empty (zeros) when a divergence only needs one side.
    """
    none = np.zeros(1)
    if divergence == "kl":
        return lp, none
    if divergence == "reverse_kl":
        return none, -lq
    if divergence == "js":  # ½ E_p log(2r/(1+r)) + ½ E_q log(2/(1+r))
        return 0.5 * (LOG2 - _softplus(-lp)), 0.5 * (LOG2 - _softplus(lq))
    if divergence == "hellinger":  # 1 − BC, BC = E_m[2√r/(1+r)], each term ≤ 1
        return 0.5 - np.exp(0.5 * lp - _softplus(lp)), 0.5 - np.exp(0.5 * lq - _softplus(lq))
    if divergence == "tv":  # sup_A P(A) − Q(A) attained at A = {r > 1}
        return (lp > 0).astype(np.float64), -(lq > 0).astype(np.float64)
    if divergence == "pearson":  # ∫p²/q − 1 = E_p[r] − 1
        return np.expm1(lp), none
    raise ValueError(f"no plug-in form for {divergence!r}")


@dataclass(frozen=True)
class FGanRow:
    """An f-GAN row: T = g_f(V), bound E_P[T] − E_Q[f*(T)], our value = scale × D_f."""

    activation: Callable[[Tensor], Tensor]  # g_f(v)
    conjugate_of_activation: Callable[[Tensor], Tensor]  # f*(g_f(v)), in a stable closed form
    scale: float
    optimal_v: Callable[[np.ndarray], np.ndarray]  # V* from log r (for checks)


FGAN: dict[str, FGanRow] = {
    "kl": FGanRow(
        activation=lambda v: v,
        conjugate_of_activation=lambda v: torch.exp(v - 1.0),
        scale=1.0,
        optimal_v=lambda lr: 1.0 + lr,
    ),
    "reverse_kl": FGanRow(
        activation=lambda v: -torch.exp(-v),
        conjugate_of_activation=lambda v: v - 1.0,  # −1 − log(−t) at t = −e^{−v}
        scale=1.0,
        optimal_v=lambda lr: lr,
    ),
    "pearson": FGanRow(
        activation=lambda v: v,
        conjugate_of_activation=lambda v: 0.25 * v * v + v,
        scale=1.0,
        optimal_v=lambda lr: 2.0 * np.expm1(lr),
    ),
    "hellinger": FGanRow(
        activation=lambda v: -torch.expm1(-v),  # 1 − e^{−v}
        conjugate_of_activation=lambda v: torch.expm1(v),  # t/(1−t) = e^{v} − 1
        scale=0.5,  # f-GAN's (√u − 1)² gives 2(1 − BC)
        optimal_v=lambda lr: 0.5 * lr,
    ),
    "js": FGanRow(
        activation=lambda v: LOG2 - F.softplus(-v),  # log 2 − log(1 + e^{−v})
        conjugate_of_activation=lambda v: F.softplus(v) - LOG2,  # −log(2 − e^{t})
        scale=0.5,  # the f-GAN JS row gives 2·JSD
        optimal_v=lambda lr: lr,
    ),
    "tv": FGanRow(
        activation=lambda v: 0.5 * torch.tanh(v),
        conjugate_of_activation=lambda v: 0.5 * torch.tanh(v),  # f*(t) = t on |t| ≤ ½
        scale=1.0,
        optimal_v=lambda lr: 50.0 * np.sign(lr),
    ),
}


LOG_RATIO_CLIP = 5.0  # default |log p/q| the variational critic may express


def output_range(divergence: str, log_ratio_clip: float) -> tuple[float, float]:
    """The critic outputs V that stand for log p/q within ±``log_ratio_clip``.

    V* = ``optimal_v``(log r) is increasing in log r for every row, so the range
    is [V*(−c), V*(c)]. Any critic clamped to it is still a critic: the bound
    stays a lower bound, and each per-sample term stays within about e^c
    (Pearson: e^{2c}), so one held-out point cannot drive the mean to −10⁶
    (issue 12: reverse KL −3156 ± 3153 with a −16 output).
    """
    if not log_ratio_clip > 0:
        raise ValueError(f"log_ratio_clip must be > 0, got {log_ratio_clip}")
    lo, hi = FGAN[divergence].optimal_v(np.array([-log_ratio_clip, log_ratio_clip]))
    return float(lo), float(hi)


def clamped_fgan_terms(
    divergence: str, vp: Tensor, vq: Tensor, log_ratio_clip: float
) -> tuple[Tensor, Tensor]:
    """:func:`fgan_terms` of the critic clamped to :func:`output_range`: training and evaluation."""
    lo, hi = output_range(divergence, log_ratio_clip)
    return fgan_terms(divergence, vp.clamp(lo, hi), vq.clamp(lo, hi))


def fgan_terms(divergence: str, vp: Tensor, vq: Tensor) -> tuple[Tensor, Tensor]:
    """Per-sample terms of the scaled f-GAN bound: ``scale·g_f(vp)`` and ``−scale·f*(g_f(vq))``."""
    row = FGAN[divergence]
    return row.scale * row.activation(vp), -row.scale * row.conjugate_of_activation(vq)
