"""The density-ratio trick: f-divergences from a probabilistic classifier.

A classifier S(x) = σ(V(x)) is trained to tell p-samples (label 1) from
q-samples (label 0) by logistic regression (an MLP critic, early-stopped on a
held-out split; :mod:`.critic`). Bayes' rule gives the density ratio

    r(x) = p(x)/q(x) = S(x)/(1 − S(x)) · n_q/n_p,  i.e.  log r = V(x) + log(n_q/n_p),

with n_p, n_q the class counts the classifier was trained on (Sugiyama,
Suzuki & Kanamori 2012, *Density Ratio Estimation in Machine Learning*, ch. 4).
The ratio is plugged into the f-divergence on samples the classifier did not
see: the samples are split into ``folds`` parts, a classifier is trained on
all but one part and evaluates log r on that part (cross-fitting), so every
sample is used once for evaluation and never by the classifier that scores it.

The classifier (:mod:`.critic`, ``quadratic=True``) is a quadratic logistic
regression fitted to convergence with an MLP on its residual: the log ratio
of two Gaussians is exactly quadratic, and a ReLU MLP alone extrapolated it
linearly into the tails (issue 12: reverse KL 0.54 for 0.725 at n = 3000).

``stderr`` covers the evaluation sampling error only (per-sample terms,
independent given the classifiers), **not** the classifiers' own fitting
error: on Gaussian pairs the sd over seeds was 1.3-2.9 times the reported
stderr (docs/divergences.md, ``benchmarks/ratio_gaussians.py``), so
``value ± 2·stderr`` covers the truth less often than 95 %.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch.nn.functional as F
from torch import Tensor

from ganbench.metrics.divergence.base import (
    DivergenceError,
    DivergenceEstimate,
    infinite,
    mean_and_stderr,
)
from ganbench.metrics.divergence.critic import QUADRATIC_MAX_DIM, CriticSettings, train_critic
from ganbench.metrics.divergence.fdiv import plugin_terms
from ganbench.metrics.divergence.knn import SUPPORT_LOG_RATIO, SUPPORT_MASS, support_reason


@dataclass(frozen=True)
class CrossFittedRatio:
    """Out-of-fold log p/q at every p-sample (``lp``) and q-sample (``lq``)."""

    lp: np.ndarray
    lq: np.ndarray
    epochs: list[int]
    val_loss: list[float]


def logistic_loss(vp: Tensor, vq: Tensor) -> Tensor:
    """Pooled binary cross-entropy with logits: p-items labelled 1, q-items 0."""
    return (F.softplus(-vp).sum() + F.softplus(vq).sum()) / max(vp.numel() + vq.numel(), 1)


def _fold_ids(n: int, folds: int, rng: np.random.Generator) -> np.ndarray:
    ids = np.arange(n) % folds
    return ids[rng.permutation(n)]


def cross_fitted_log_ratio(
    p: np.ndarray, q: np.ndarray, *, folds: int, settings: CriticSettings, seed: int
) -> CrossFittedRatio:
    """Train ``folds`` classifiers and return every sample's out-of-fold log-ratio."""
    if folds < 2:
        raise DivergenceError(f"ratio: folds must be >= 2, got {folds}")
    if min(len(p), len(q)) < 2 * folds:
        raise DivergenceError(f"ratio: needs at least {2 * folds} samples of each distribution")
    rng = np.random.default_rng(seed)
    fp, fq = _fold_ids(len(p), folds, rng), _fold_ids(len(q), folds, rng)
    lp, lq = np.empty(len(p)), np.empty(len(q))
    epochs, losses = [], []
    for f in range(folds):
        critic = train_critic(p[fp != f], q[fq != f], logistic_loss, settings, seed=seed * 1000 + f)
        prior = math.log(critic.n_q_train / critic.n_p_train)
        lp[fp == f] = critic(p[fp == f]) + prior
        lq[fq == f] = critic(q[fq == f]) + prior
        epochs.append(critic.best_epoch)
        losses.append(critic.val_loss)
    return CrossFittedRatio(lp, lq, epochs, losses)


def from_log_ratio(
    divergence: str, fitted: CrossFittedRatio, n_p: int, n_q: int, **details: object
) -> DivergenceEstimate:
    """Plug the cross-fitted log-ratio into ``divergence`` (see :func:`.fdiv.plugin_terms`)."""
    value, stderr = mean_and_stderr(*plugin_terms(divergence, fitted.lp, fitted.lq))
    details = {**details, "best_epochs": fitted.epochs}
    return DivergenceEstimate(value, divergence, "ratio", stderr, n_p, n_q, details=details)


def ratio_divergences(
    p: np.ndarray,
    q: np.ndarray,
    divergences: Sequence[str],
    *,
    seed: int = 0,
    folds: int = 2,
    width: int = 64,
    depth: int = 2,
    lr: float = 1e-3,
    batch_size: int = 256,
    max_epochs: int = 300,
    patience: int = 20,
    val_fraction: float = 0.2,
    quadratic: bool = True,
    support_check: bool = True,
    support_log_ratio: float = SUPPORT_LOG_RATIO,
    support_mass: float = SUPPORT_MASS,
) -> dict[str, DivergenceEstimate]:
    """Several f-divergences from one set of cross-fitted classifiers."""
    settings = CriticSettings(
        width, depth, lr, batch_size, max_epochs, patience, val_fraction, quadratic
    )
    critic = f"MLP {depth}x{width} ReLU"
    if quadratic and p.shape[1] <= QUADRATIC_MAX_DIM:
        critic = f"quadratic logistic regression (L-BFGS) + {critic} on its residual"
    details: dict[str, object] = {
        "folds": folds,
        "critic": critic,
        "stderr_covers": "evaluation sampling only, not the classifier's fitting error",
    }
    out: dict[str, DivergenceEstimate] = {}
    todo = []
    for div in divergences:
        reason = (
            support_reason(p, q, div, log_ratio=support_log_ratio, mass=support_mass)
            if support_check
            else None
        )
        if reason:
            out[div] = infinite(div, "ratio", reason, len(p), len(q))
        else:
            todo.append(div)
    if todo:
        fitted = cross_fitted_log_ratio(p, q, folds=folds, settings=settings, seed=seed)
        for div in todo:
            out[div] = from_log_ratio(div, fitted, len(p), len(q), **details)
    return {div: out[div] for div in divergences}
