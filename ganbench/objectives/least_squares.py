"""Least-squares GAN (Mao et al. 2017): the raw output is regressed onto target codes.

D minimises ½E_p (v − b)² + ½E_q (v − a)²; G minimises ½E_q (v − c)². With the
default coding a = −1, b = 1, c = 0 (b − a = 2, b − c = 1, Mao et al. §3.2) the
optimal D is v* = (b·p + a·q)/(p + q) and the D loss at the optimum is
½(b − a)²∫pq/(p + q) = 1 − χ²(P‖M), with M = (P + Q)/2 and
χ²(P‖M) = ∫(p − m)²/m the Pearson χ² divergence; so −d_loss* = χ²(P‖M) − 1.
"""

from __future__ import annotations

import torch

from ganbench.objectives.base import OBJECTIVES, Objective, batch_mean


@OBJECTIVES.register("lsgan")
class LeastSquares(Objective):
    """LSGAN: D ½E_p(v−b)² + ½E_q(v−a)², G ½E_q(v−c)²; a/b/c default −1/1/0 (Mao et al. 2017)."""

    reference = "Mao et al. 2017, arXiv:1611.04076"

    def __init__(self, a: float = -1.0, b: float = 1.0, c: float = 0.0) -> None:
        if a == b:
            raise ValueError("lsgan needs a != b (the fake and real targets must differ)")
        self.a, self.b, self.c = a, b, c

    def d_loss(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        """½E_p (v − b)² + ½E_q (v − a)²."""
        return 0.5 * batch_mean((real - self.b) ** 2) + 0.5 * batch_mean((fake - self.a) ** 2)

    def g_loss(self, fake: torch.Tensor, real: torch.Tensor | None = None) -> torch.Tensor:
        """½E_q (v − c)²."""
        return 0.5 * batch_mean((fake - self.c) ** 2)
