"""Inception Score (Salimans et al. 2016) in the convention of the released TF code.

IS = exp(E_x KL(p(y|x) ‖ p(y))), computed on 10 contiguous splits of the
samples (split i is ``[i·n // splits, (i+1)·n // splits)``), p(y) being the
split's mean prediction; the result is the mean and the *population* standard
deviation (``np.std``) of the per-split scores. p(y|x) is the softmax over all
given logits (the 1008 outputs of the 2015-12-05 Inception graph, taken, as in
the original ``inception_score.py`` and torch-fidelity, as pool3 · W without
the bias). The optional seeded shuffle permutes samples before splitting.
"""

from __future__ import annotations

import math

import torch

from ganbench.metrics.arrays import ArrayLike, as_features


def inception_score(
    logits: ArrayLike, splits: int = 10, *, shuffle_seed: int | None = None
) -> tuple[float, float]:
    """``(mean, std)`` of the Inception Score of ``(n, classes)`` logits over contiguous splits."""
    z = as_features(logits, "logits")
    n = z.shape[0]
    if not 1 <= splits <= n:
        raise ValueError(f"inception_score: splits must lie in [1, n={n}], got {splits}")
    if shuffle_seed is not None:
        z = z[torch.randperm(n, generator=torch.Generator().manual_seed(shuffle_seed))]
    log_p = torch.log_softmax(z, dim=1)
    p = log_p.exp()
    scores = []
    for i in range(splits):
        lo, hi = i * n // splits, (i + 1) * n // splits
        part_p, part_log_p = p[lo:hi], log_p[lo:hi]
        log_marginal = part_p.mean(dim=0).log()
        terms = part_p * (part_log_p - log_marginal)
        kl = torch.where(part_p > 0, terms, 0.0).sum(dim=1).mean()  # 0 · log 0 = 0
        scores.append(math.exp(float(kl)))
    t = torch.tensor(scores, dtype=torch.float64)
    return float(t.mean()), float(t.std(correction=0))
