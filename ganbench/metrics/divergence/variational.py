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

The critic's output is clamped to the range that stands for |log p/q| ≤
``log_ratio_clip`` (:func:`.fdiv.output_range`), in training *and* at
evaluation: the clamped network is the critic that was fitted, the bound
stays a lower bound for it, and no held-out point can contribute more than
about e^clip / n (unclamped, one output of −16 gave a reverse-KL bound of
−3156 ± 3153 for a truth of 0.7). The price: the bound cannot exceed roughly
clip + 1 nats for kl/reverse_kl.
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
from ganbench.metrics.divergence.fdiv import LOG_RATIO_CLIP, clamped_fgan_terms, output_range
from ganbench.metrics.divergence.knn import SUPPORT_LOG_RATIO, SUPPORT_MASS, support_reason


def negative_bound(divergence: str, log_ratio_clip: float = LOG_RATIO_CLIP) -> Loss:
    """The training loss: minus the (scaled) f-GAN bound of the clamped critic on a mini-batch."""

    def loss(vp: Tensor, vq: Tensor) -> Tensor:
        tp, tq = clamped_fgan_terms(divergence, vp, vq, log_ratio_clip)
        return -(safe_mean(tp) + safe_mean(tq))

    return loss


def heldout_terms(
    divergence: str, vp: np.ndarray, vq: np.ndarray, log_ratio_clip: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per-sample bound terms of held-out critic outputs, clamped as in training."""
    a, b = clamped_fgan_terms(divergence, torch.as_tensor(vp), torch.as_tensor(vq), log_ratio_clip)
    return a.numpy(), b.numpy()


def heldout_bound(
    divergence: str,
    p: np.ndarray,
    q: np.ndarray,
    folds: int,
    settings: CriticSettings,
    seed: int,
    log_ratio_clip: float = LOG_RATIO_CLIP,
) -> tuple[float, float, list[int]]:
    """Cross-fitted held-out bound, its standard error and each fold's best epoch."""
    rng = np.random.default_rng(seed)
    fp = (np.arange(len(p)) % folds)[rng.permutation(len(p))]
    fq = (np.arange(len(q)) % folds)[rng.permutation(len(q))]
    tp, tq = np.empty(len(p)), np.empty(len(q))
    epochs = []
    for f in range(folds):
        loss = negative_bound(divergence, log_ratio_clip)
        critic = train_critic(p[fp != f], q[fq != f], loss, settings, seed * 1000 + f)
        tp[fp == f], tq[fq == f] = heldout_terms(
            divergence, critic(p[fp == f]), critic(q[fq == f]), log_ratio_clip
        )
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
    log_ratio_clip: float = LOG_RATIO_CLIP,
    support_check: bool = True,
    support_log_ratio: float = SUPPORT_LOG_RATIO,
    support_mass: float = SUPPORT_MASS,
) -> DivergenceEstimate:
    """The held-out f-GAN lower bound on ``divergence`` (an f-divergence)."""
    if divergence not in F_DIVERGENCES:
        raise DivergenceError(f"variational: {divergence!r} is not an f-divergence")
    if folds < 2:
        raise DivergenceError(f"variational: folds must be >= 2, got {folds}")
    if not log_ratio_clip > 0:
        raise DivergenceError(f"variational: log_ratio_clip must be > 0, got {log_ratio_clip}")
    if support_check:
        reason = support_reason(p, q, divergence, log_ratio=support_log_ratio, mass=support_mass)
        if reason:
            return infinite(divergence, "variational", reason, len(p), len(q))
    settings = CriticSettings(width, depth, lr, batch_size, max_epochs, patience, val_fraction)
    value, stderr, epochs = heldout_bound(divergence, p, q, folds, settings, seed, log_ratio_clip)
    details = {
        "folds": folds,
        "critic": f"MLP {depth}x{width} ReLU, f-GAN activation",
        "best_epochs": epochs,
        "bound": "lower (in expectation)",
        "log_ratio_clip": log_ratio_clip,
        "critic_output_range": list(output_range(divergence, log_ratio_clip)),
    }
    return DivergenceEstimate(
        value, divergence, "variational", stderr, len(p), len(q), details=details
    )
