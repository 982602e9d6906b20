"""Relativistic GANs (Jolicoeur-Martineau 2019): D estimates how much more real
a real sample is than a fake one, so both players see real data.

With C the raw output (the "critic") and σ the sigmoid:

* RSGAN (standard): D minimises E softplus(−(C(x_r) − C(x_f))) over pairs of a
  real and a fake sample (the i-th of each batch); G minimises
  E softplus(−(C(x_f) − C(x_r))).
* RaGAN (average): D minimises E_p softplus(−(C(x_r) − E_q C)) +
  E_q softplus(C(x_f) − E_p C); G swaps the roles of real and fake.

Both losses are invariant to adding a constant to C.
"""

from __future__ import annotations

import torch

from ganbench import elementwise as ew
from ganbench.objectives.base import OBJECTIVES, Objective, batch_mean


def _real(real: torch.Tensor | None) -> torch.Tensor:
    if real is None:
        raise ValueError("relativistic generator losses need the critic's real outputs")
    return real


class _Relativistic(Objective):
    reference = "Jolicoeur-Martineau 2019, arXiv:1807.00734"
    needs_real_for_g = True


@OBJECTIVES.register("rsgan")
class RSGAN(_Relativistic):
    """Relativistic standard GAN: D E softplus(−(C_r − C_f)), G E softplus(−(C_f − C_r))."""

    def d_loss(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        """E softplus(−(C(x_r) − C(x_f))), pairing the i-th real and fake samples."""
        return batch_mean(ew.softplus(fake - real))

    def g_loss(self, fake: torch.Tensor, real: torch.Tensor | None = None) -> torch.Tensor:
        """E softplus(−(C(x_f) − C(x_r)))."""
        return batch_mean(ew.softplus(_real(real) - fake))


@OBJECTIVES.register("ragan")
class RaGAN(_Relativistic):
    """Relativistic average GAN: D E_p softplus(−(C_r − E_q C)) + E_q softplus(C_f − E_p C).

    The generator's loss swaps the roles of real and fake.
    """

    @staticmethod
    def _loss(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """E_a softplus(−(a − E b)) + E_b softplus(b − E a): ``a`` plays "real"."""
        mean_a = a.mean(dim=-1, keepdim=True)
        mean_b = b.mean(dim=-1, keepdim=True)
        return batch_mean(ew.softplus(mean_b - a)) + batch_mean(ew.softplus(b - mean_a))

    def d_loss(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        """E_p softplus(−(C_r − E_q C_f)) + E_q softplus(C_f − E_p C_r)."""
        return self._loss(real, fake)

    def g_loss(self, fake: torch.Tensor, real: torch.Tensor | None = None) -> torch.Tensor:
        """E_q softplus(−(C_f − E_p C_r)) + E_p softplus(C_r − E_q C_f)."""
        return self._loss(fake, _real(real))
