"""The regularizer interface and the ``REGULARIZERS`` registry.

A regularizer is composable with any objective: a suite lists them in
``train.regularizers`` (e.g. ``[{name: r1, gamma: 10}]``) and the training loop
adds every penalty to the discriminator loss and runs every post-step hook
(e.g. weight clipping) after each discriminator update. Penalties are computed
on the discriminator's actual inputs (packed and noised when those tricks are
on) and return one value per ensemble member, shape ``(E,)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import torch
from torch import nn

from ganbench.registry import Registry

if TYPE_CHECKING:
    from ganbench.objectives.base import Critic, MemberRandom


class Regularizer:
    """Base class: no penalty, no hook. Subclasses take typed keyword parameters."""

    reference: ClassVar[str] = ""

    def penalty(
        self, critic: Critic, real: torch.Tensor, fake: torch.Tensor, rng: MemberRandom
    ) -> torch.Tensor | None:
        """Penalty added to the discriminator loss (per member), or ``None``."""
        return None

    def after_d_step(self, discriminator: nn.Module) -> None:
        """Hook run (without gradients) after every discriminator update."""

    def project_params(self, params: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """Functional form of :meth:`after_d_step` for unrolled steps (identity here)."""
        return params


REGULARIZERS: Registry[type[Regularizer]] = Registry("regularizer")
