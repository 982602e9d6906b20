"""Hinge loss (Lim & Ye 2017, "Geometric GAN"; Miyato et al. 2018, SNGAN).

D minimises E_p relu(1 − v) + E_q relu(1 + v); G minimises −E_q v. The Bayes-
optimal D outputs v* = sign(p − q) (±1), where the D loss is 2∫min(p, q) =
2 − 2·TV(P, Q) with TV = ½∫|p − q|.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ganbench.objectives.base import OBJECTIVES, Objective, batch_mean


@OBJECTIVES.register("hinge")
class Hinge(Objective):
    """Hinge GAN: D E_p relu(1−v) + E_q relu(1+v), G −E_q v (Lim & Ye 2017; Miyato et al. 2018)."""

    reference = "Lim & Ye 2017, arXiv:1705.02894; Miyato et al. 2018, arXiv:1802.05957"

    def d_loss(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        """E_p relu(1 − v) + E_q relu(1 + v)."""
        return batch_mean(F.relu(1.0 - real)) + batch_mean(F.relu(1.0 + fake))

    def g_loss(self, fake: torch.Tensor, real: torch.Tensor | None = None) -> torch.Tensor:
        """−E_q v."""
        return -batch_mean(fake)
