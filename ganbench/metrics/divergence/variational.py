"""The f-GAN variational lower bound (Nowozin, Cseke & Tomioka 2016, eq. 4 and Table 2).

For a critic V with T = g_f(V),

    D_f(P‖Q) ≥ E_P[g_f(V(x))] − E_Q[f*(g_f(V(x)))],

with equality at the optimal critic T* = f′(p/q). A critic (:mod:`.critic`)
is trained to maximise the bound, early-stopped on a held-out split, and the
bound is evaluated on samples it never saw (``folds``-fold cross-fitting, as
in :mod:`.ratio`). The held-out bound is a lower bound in expectation for any
critic, so the estimate errs low; ``stderr`` is the evaluation sampling error.
The activations and conjugates are the f-GAN table (REFERENCES.md §5) in
:data:`.fdiv.FGAN`, rescaled to our normalisation (js and hellinger × ½).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from ganbench.metrics.divergence.base import (
    F_DIVERGENCES,
    DivergenceError,
    DivergenceEstimate,
    infinite,
    mean_and_stderr,
)
from ganbench.metrics.divergence.critic import CriticSettings, Loss, safe_mean, train_critic
from ganbench.metrics.divergence.fdiv import fgan_terms
from ganbench.metrics.divergence.knn import SUPPORT_LOG_RATIO, SUPPORT_MASS, support_reason

V_CLAMP = 30.0  # keeps exp() in the conjugates finite while training


def negative_bound(divergence: str) -> Loss:
    """The training loss: minus the (scaled) f-GAN bound on a mini-batch."""

    def loss(vp: Tensor, vq: Tensor) -> Tensor:
        tp, tq = fgan_terms(divergence, vp.clamp(-V_CLAMP, V_CLAMP), vq.clamp(-V_CLAMP, V_CLAMP))
        return -(safe_mean(tp) + safe_mean(tq))

    return loss


def heldout_bound(
    divergence: str, p: np.ndarray, q: np.ndarray, folds: int, settings: CriticSettings, seed: int
) -> tuple[float, float, list[int]]:
    """Cross-fitted held-out bound, its standard error and each fold's best epoch."""
    rng = np.random.default_rng(seed)
    fp = (np.arange(len(p)) % folds)[rng.permutation(len(p))]
    fq = (np.arange(len(q)) % folds)[rng.permutation(len(q))]
    tp, tq = np.empty(len(p)), np.empty(len(q))
    epochs = []
    for f in range(folds):
        critic = train_critic(
            p[fp != f], q[fq != f], negative_bound(divergence), settings, seed * 1000 + f
        )
        with torch.no_grad():
            a, b = fgan_terms(
                divergence,
                torch.as_tensor(critic(p[fp == f])),
                torch.as_tensor(critic(q[fq == f])),
            )
        tp[fp == f], tq[fq == f] = a.numpy(), b.numpy()
        epochs.append(critic.best_epoch)
    value, stderr = mean_and_stderr(tp, tq)
    return value, stderr, epochs


def variational_divergence(
    p: np.ndarray,
    q: np.ndarray,
    divergence: str,
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
    support_check: bool = True,
    support_log_ratio: float = SUPPORT_LOG_RATIO,
    support_mass: float = SUPPORT_MASS,
) -> DivergenceEstimate:
    """The held-out f-GAN lower bound on ``divergence`` (an f-divergence)."""
    if divergence not in F_DIVERGENCES:
        raise DivergenceError(f"variational: {divergence!r} is not an f-divergence")
    if folds < 2:
        raise DivergenceError(f"variational: folds must be >= 2, got {folds}")
    if support_check:
        reason = support_reason(p, q, divergence, log_ratio=support_log_ratio, mass=support_mass)
        if reason:
            return infinite(divergence, "variational", reason, len(p), len(q))
    settings = CriticSettings(width, depth, lr, batch_size, max_epochs, patience, val_fraction)
    value, stderr, epochs = heldout_bound(divergence, p, q, folds, settings, seed)
    details = {
        "folds": folds,
        "critic": f"MLP {depth}x{width} ReLU, f-GAN activation",
        "best_epochs": epochs,
        "bound": "lower (in expectation)",
    }
    return DivergenceEstimate(
        value, divergence, "variational", stderr, len(p), len(q), details=details
    )
