"""Weight clipping (Arjovsky, Chintala & Bottou 2017) as a composable regularizer."""

from __future__ import annotations

import torch
from torch import nn

from ganbench.regularizers.base import REGULARIZERS, Regularizer


@torch.no_grad()
def clip_parameters_(module: nn.Module, clip: float) -> None:
    """Clamp every parameter of ``module`` to [−clip, clip] in place."""
    for p in module.parameters():
        p.clamp_(-clip, clip)


def clip_params(params: dict[str, torch.Tensor], clip: float) -> dict[str, torch.Tensor]:
    """Functional form of :func:`clip_parameters_` (differentiable clamp)."""
    return {k: v.clamp(-clip, clip) for k, v in params.items()}


@REGULARIZERS.register("weight-clip")
class WeightClip(Regularizer):
    """Weight clipping: every D parameter clamped to [−c, c] after each D step (WGAN)."""

    reference = "Arjovsky et al. 2017, arXiv:1701.07875"

    def __init__(self, clip: float = 0.01) -> None:
        if clip <= 0:
            raise ValueError(f"clip must be > 0, got {clip}")
        self.clip = clip

    def after_d_step(self, discriminator: nn.Module) -> None:
        """Clamp D's parameters to [−c, c]."""
        clip_parameters_(discriminator, self.clip)

    def project_params(self, params: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """Clamp (functionally) to [−c, c]."""
        return clip_params(params, self.clip)
