"""Tiny built-in generators for examples and tests of ``ganbench eval`` (no files needed).

``ganbench eval ganbench.evaluate.examples:ring_generator --against ring``
scores a closed-form generator of the 8-mode ring: the first latent picks a
mode through the normal CDF, the second adds a small radial offset.
"""

from __future__ import annotations

import math

import torch
from torch import nn


class RingGenerator(nn.Module):
    """z ∈ R² → a point near one of ``modes`` centres on a circle (``spread`` = radial std)."""

    z_dim = 2

    def __init__(self, modes: int = 8, radius: float = 1.0, spread: float = 0.01) -> None:
        super().__init__()
        self.modes, self.radius, self.spread = modes, radius, spread

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Points (n, 2) for latents (n, 2)."""
        u = 0.5 * (1 + torch.erf(z[:, 0] / math.sqrt(2)))
        k = torch.clamp((u * self.modes).floor(), max=self.modes - 1)
        angle = 2 * math.pi * k / self.modes
        r = self.radius + self.spread * z[:, 1]
        return torch.stack([r * torch.cos(angle), r * torch.sin(angle)], dim=1)


def ring_generator() -> RingGenerator:
    """The 8-mode ring generator with ganbench's ``ring`` dataset geometry."""
    return RingGenerator()
