"""Synthetic Gaussian mixtures: the 2-D ring and grid of the mode-collapse literature.

The protocols follow PacGAN (Lin et al. 2018, ``synthetic_data_experiments``):
ring = 8 equal-weight components at angles 2πk/8 on a circle of radius 1 with
std 0.01; grid = 25 equal-weight components on {-4, -2, 0, 2, 4}² with std
0.05. (The unrolled-GAN notebook's ``linspace(0, 2π, 8)`` puts two modes on
top of each other and has only 7 distinct modes; we do not copy it.)
"""

from __future__ import annotations

import math
from typing import Any

import torch

from ganbench.datasets.base import DATASETS, Dataset

MAX_FACT_NUMBERS = 10_000  # mode centres a record keeps at most (numbers, not modes)


class GaussianMixture(Dataset):
    """A mixture of isotropic Gaussians with known means, stds and weights."""

    kind = "points"
    capabilities = frozenset({"mixture"})

    def __init__(self, means: torch.Tensor, stds: torch.Tensor, weights: torch.Tensor) -> None:
        if means.ndim != 2:
            raise ValueError("means must be a (K, d) tensor")
        k, d = means.shape
        self.means = means.to(torch.float32)
        self.stds = torch.as_tensor(stds, dtype=torch.float32).expand(k).clone()
        w = torch.as_tensor(weights, dtype=torch.float64).expand(k).clone()
        if (w < 0).any() or float(w.sum()) <= 0:
            raise ValueError("weights must be non-negative and not all zero")
        self.weights = (w / w.sum()).to(torch.float32)
        self.shape = (d,)
        self.n_classes = k

    @property
    def n_modes(self) -> int:
        """Number of mixture components."""
        return int(self.means.shape[0])

    def facts(self) -> dict[str, Any]:
        """The true mode centres and stds (left out past :data:`MAX_FACT_NUMBERS` numbers)."""
        if self.means.numel() > MAX_FACT_NUMBERS:
            return {}
        return {"mode_centres": self.means.tolist(), "mode_stds": self.stds.tolist()}

    def sample_labeled(
        self, n: int, generator: torch.Generator
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Samples and the index of the component each was drawn from."""
        idx = torch.multinomial(self.weights, n, replacement=True, generator=generator)
        noise = torch.randn(n, self.shape[0], generator=generator)
        return self.means[idx] + self.stds[idx, None] * noise, idx

    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        """Draw ``n`` points."""
        return self.sample_labeled(n, generator)[0]

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        """Exact log-density of each row of ``x`` under the mixture (float64)."""
        x = torch.as_tensor(x, dtype=torch.float64)
        mu = self.means.to(torch.float64)
        var = self.stds.to(torch.float64) ** 2
        d = mu.shape[1]
        sq = torch.cdist(x, mu) ** 2  # (n, K)
        log_comp = -0.5 * sq / var - 0.5 * d * torch.log(2 * math.pi * var)
        return torch.logsumexp(log_comp + torch.log(self.weights.to(torch.float64)), dim=1)


@DATASETS.register("ring")
def ring(n_modes: int = 8, radius: float = 1.0, std: float = 0.01) -> GaussianMixture:
    """2-D ring: n_modes equal-weight Gaussians at angles 2πk/n (PacGAN: 8, radius 1, std 0.01)."""
    if n_modes < 1 or radius <= 0 or std <= 0:
        raise ValueError("ring needs n_modes >= 1, radius > 0 and std > 0")
    angles = torch.arange(n_modes, dtype=torch.float64) * (2 * math.pi / n_modes)
    means = radius * torch.stack([angles.cos(), angles.sin()], dim=1)
    return GaussianMixture(means.float(), torch.tensor(std), torch.ones(n_modes))


@DATASETS.register("grid")
def grid(n_per_side: int = 5, spacing: float = 2.0, std: float = 0.05) -> GaussianMixture:
    """2-D grid: n×n equal-weight Gaussians, centred (PacGAN: 5×5 on {-4..4}², std 0.05)."""
    if n_per_side < 1 or spacing <= 0 or std <= 0:
        raise ValueError("grid needs n_per_side >= 1, spacing > 0 and std > 0")
    ticks = (torch.arange(n_per_side, dtype=torch.float64) - (n_per_side - 1) / 2) * spacing
    means = torch.cartesian_prod(ticks, ticks)
    return GaussianMixture(means.float(), torch.tensor(std), torch.ones(n_per_side**2))
