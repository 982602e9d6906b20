"""Kernel Inception Distance (Bińkowski et al. 2018, "Demystifying MMD GANs").

KID is the squared MMD between two feature sets under the cubic polynomial
kernel k(x, y) = (x·y/d + 1)³, estimated without bias on random subsets and
averaged over subsets. Per subset of m real (X) and m generated (Y) features::

    MMD²_u = Σ_{i≠j} k(xᵢ, xⱼ) / (m(m−1)) + Σ_{i≠j} k(yᵢ, yⱼ) / (m(m−1)) − 2 Σ_{i,j} k(xᵢ, yⱼ) / m²

Subsets are drawn exactly as torch-fidelity does (``numpy.random.RandomState(seed)``;
for each subset, ``choice(n_real, m, replace=False)`` then ``choice(n_fake, m,
replace=False)``), so with the same seed the two agree to float error; the
reported spread is the population standard deviation over subsets, also as
torch-fidelity and the paper's code report it. Kernels are computed in float64.
"""

from __future__ import annotations

import numpy as np
import torch

from ganbench.metrics.arrays import ArrayLike, as_features, same_dim


def polynomial_kernel(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The cubic kernel matrix (x·y/d + 1)³ for rows of ``x`` and ``y``."""
    return (x @ y.mT / x.shape[-1] + 1.0) ** 3


def mmd2_unbiased(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Unbiased MMD² under the cubic kernel between two equal-size sets ``(m, d)``."""
    m = x.shape[-2]
    k_xx, k_yy, k_xy = polynomial_kernel(x, x), polynomial_kernel(y, y), polynomial_kernel(x, y)
    off_xx = k_xx.sum(dim=(-2, -1)) - k_xx.diagonal(dim1=-2, dim2=-1).sum(-1)
    off_yy = k_yy.sum(dim=(-2, -1)) - k_yy.diagonal(dim1=-2, dim2=-1).sum(-1)
    return (off_xx + off_yy) / (m * (m - 1)) - 2.0 * k_xy.sum(dim=(-2, -1)) / (m * m)


def kernel_inception_distance(
    real: ArrayLike,
    fake: ArrayLike,
    subsets: int = 100,
    subset_size: int = 1000,
    seed: int = 0,
) -> tuple[float, float]:
    """KID as ``(mean, std)`` over ``subsets`` random subsets of ``subset_size`` from each set.

    Accepts NumPy arrays or torch tensors of shape ``(n, d)``.
    """
    x, y = as_features(real, "real"), as_features(fake, "fake")
    same_dim(x, y, "kernel_inception_distance")
    if subsets < 1:
        raise ValueError(f"kernel_inception_distance: subsets must be >= 1, got {subsets}")
    if not 2 <= subset_size <= min(len(x), len(y)):
        raise ValueError(
            f"kernel_inception_distance: subset_size must lie in [2, min(n_real, n_fake)] = "
            f"[2, {min(len(x), len(y))}], got {subset_size}"
        )
    rng = np.random.RandomState(seed)
    values = torch.empty(subsets, dtype=torch.float64)
    for i in range(subsets):
        xi = torch.from_numpy(rng.choice(len(x), subset_size, replace=False))
        yi = torch.from_numpy(rng.choice(len(y), subset_size, replace=False))
        values[i] = mmd2_unbiased(x[xi], y[yi])
    return float(values.mean()), float(values.std(correction=0))
