from __future__ import annotations

import numpy as np
import pytest
import torch

from ganbench.metrics import kernel_inception_distance
from ganbench.metrics.kid import mmd2_unbiased

pytestmark = pytest.mark.usefixtures("single_thread")


def _sets(seed=0, n=300, d=32, shift=0.3):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.standard_normal((n + 50, d)) + shift


def test_mmd2_matches_the_definition():
    x, y = (torch.from_numpy(a[:20]) for a in _sets(1))
    k = lambda a, b: (a @ b.T / a.shape[1] + 1) ** 3  # noqa: E731
    m = 20
    xx, yy, xy = k(x, x), k(y, y), k(x, y)
    expected = (
        (xx.sum() - xx.trace()) / (m * (m - 1))
        + (yy.sum() - yy.trace()) / (m * (m - 1))
        - 2 * xy.mean()
    )
    assert float(mmd2_unbiased(x, y)) == pytest.approx(float(expected), rel=1e-12)


def test_agrees_with_torch_fidelity_on_the_same_subsets():
    kid = pytest.importorskip("torch_fidelity.metric_kid")
    x, y = _sets(2)
    ours = kernel_inception_distance(x, y, subsets=20, subset_size=100, seed=3)
    ref = kid.kid_features_to_metric(
        torch.from_numpy(x),
        torch.from_numpy(y),
        kid_subsets=20,
        kid_subset_size=100,
        kid_degree=3,
        kid_gamma=None,
        kid_coef0=1,
        kid_kernel="poly",
        kid_kernel_poly_degree=3,
        kid_kernel_poly_gamma=None,
        kid_kernel_poly_coef0=1,
        rng_seed=3,
        verbose=False,
    )
    assert ours[0] == pytest.approx(ref["kernel_inception_distance_mean"], rel=1e-9)
    assert ours[1] == pytest.approx(ref["kernel_inception_distance_std"], rel=1e-7)


def test_different_subsets_agree_within_subset_noise():
    x, y = _sets(4)
    a_mean, a_std = kernel_inception_distance(x, y, subsets=50, subset_size=100, seed=0)
    b_mean, b_std = kernel_inception_distance(x, y, subsets=50, subset_size=100, seed=1)
    assert abs(a_mean - b_mean) < 4 * np.hypot(a_std, b_std) / np.sqrt(50)
    assert a_mean > 5 * a_std / np.sqrt(50)  # the shift is detected


def test_unbiased_for_identical_distributions():
    """E[MMD²_u] = 0 when both sets come from one distribution: check over independent draws."""
    rng = np.random.default_rng(5)
    values = [
        kernel_inception_distance(
            rng.standard_normal((60, 8)), rng.standard_normal((60, 8)), subsets=1, subset_size=60
        )[0]
        for _ in range(40)
    ]
    assert abs(np.mean(values)) < 4 * np.std(values) / np.sqrt(len(values))


def test_permutation_invariance_with_full_subsets():
    x, y = _sets(6, n=120)
    y = y[:120]
    perm = np.random.default_rng(0).permutation(120)
    a = kernel_inception_distance(x, y, subsets=1, subset_size=120)
    b = kernel_inception_distance(x[perm], y[::-1].copy(), subsets=1, subset_size=120)
    assert a[0] == pytest.approx(b[0], rel=1e-10)


def test_numpy_and_torch_inputs_agree():
    x, y = _sets(7, n=60)
    a = kernel_inception_distance(x, y, subsets=3, subset_size=50)
    b = kernel_inception_distance(
        torch.from_numpy(x), torch.from_numpy(y), subsets=3, subset_size=50
    )
    assert a == b


def test_bad_subset_size_is_a_clear_error():
    x, y = _sets(8, n=10)
    with pytest.raises(ValueError, match="subset_size"):
        kernel_inception_distance(x, y, subset_size=1000)
    with pytest.raises(ValueError, match="feature dimensions differ"):
        kernel_inception_distance(x, y[:, :3], subset_size=5)
