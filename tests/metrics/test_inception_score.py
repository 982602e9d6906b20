from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from ganbench.metrics import inception_score

pytestmark = pytest.mark.usefixtures("single_thread")


def _tf_reference(logits: np.ndarray, splits: int) -> tuple[float, float]:
    """The loop of Salimans et al.'s released inception_score.py, on softmax(logits)."""
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    preds = e / e.sum(axis=1, keepdims=True)
    scores = []
    n = preds.shape[0]
    for i in range(splits):
        part = preds[(i * n // splits) : ((i + 1) * n // splits), :]
        kl = part * (np.log(part) - np.log(np.expand_dims(np.mean(part, 0), 0)))
        scores.append(np.exp(np.mean(np.sum(kl, 1))))
    return float(np.mean(scores)), float(np.std(scores))


def test_matches_the_tf_formula_by_hand():
    logits = np.random.default_rng(0).standard_normal((1003, 1008)) * 3  # ragged splits
    mean, std = inception_score(logits, splits=10)
    ref_mean, ref_std = _tf_reference(logits, 10)
    assert mean == pytest.approx(ref_mean, rel=1e-12)
    assert std == pytest.approx(ref_std, rel=1e-9)


def test_closed_forms():
    k = 10
    uniform = np.zeros((100, k))
    assert inception_score(uniform) == pytest.approx((1.0, 0.0))
    confident = np.full((200, k), -1e4)
    confident[np.arange(200), np.arange(200) % k] = 0.0  # each split holds every class equally
    mean, std = inception_score(confident, splits=10)
    assert mean == pytest.approx(k, rel=1e-9) and std == pytest.approx(0.0, abs=1e-9)


def test_extreme_logits_give_no_nan():
    logits = np.full((20, 5), -1e4)
    logits[:, 0] = 0.0  # every sample certain of class 0: p(y) is one-hot, IS = 1
    assert inception_score(logits, splits=2) == pytest.approx((1.0, 0.0))


def test_shuffle_is_seeded_and_contiguous_splits_are_the_default():
    rng = np.random.default_rng(1)
    logits = np.concatenate([rng.standard_normal((50, 8)) * 4, np.zeros((50, 8))])
    plain = inception_score(logits, splits=2)
    shuffled = inception_score(logits, splits=2, shuffle_seed=0)
    assert plain[1] > shuffled[1]  # contiguous splits separate the two halves
    assert shuffled == inception_score(torch.from_numpy(logits), splits=2, shuffle_seed=0)
    assert not math.isnan(plain[0])


def test_bad_splits():
    with pytest.raises(ValueError, match="splits"):
        inception_score(np.zeros((5, 3)), splits=6)
