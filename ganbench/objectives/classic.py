"""The classic GAN family (Goodfellow et al. 2014; Goodfellow, NIPS 2016 tutorial).

D(x) = σ(v) with v the raw discriminator output. The discriminator loss is the
cross-entropy −E_p log σ(v) − E_q log(1 − σ(v)) = E_p softplus(−v) + E_q softplus(v)
(no ½ factors). With the Bayes-optimal D (v = log p/q) its negative equals
2·JSD(p‖q) − log 4. The three members differ only in the generator's loss.

One-sided label smoothing (Salimans et al. 2016) replaces the real target 1 by
t < 1: E_p [t·softplus(−v) + (1 − t)·softplus(v)]; fake targets stay 0.
"""

from __future__ import annotations

import torch

from ganbench import elementwise as ew
from ganbench.objectives.base import OBJECTIVES, Objective, batch_mean


class _Classic(Objective):
    """Shared discriminator loss of the classic family."""

    reference = "Goodfellow et al. 2014, arXiv:1406.2661"
    supports_label_smoothing = True

    def d_loss(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        """E_p softplus(−v) + E_q softplus(v)."""
        return batch_mean(ew.softplus(-real)) + batch_mean(ew.softplus(fake))

    def smoothed_d_loss(
        self, real: torch.Tensor, fake: torch.Tensor, real_target: float
    ) -> torch.Tensor:
        """E_p [t·softplus(−v) + (1 − t)·softplus(v)] + E_q softplus(v), t = ``real_target``."""
        t = real_target
        real_term = t * ew.softplus(-real) + (1.0 - t) * ew.softplus(real)
        return batch_mean(real_term) + batch_mean(ew.softplus(fake))


@OBJECTIVES.register("minimax")
class Minimax(_Classic):
    """Minimax GAN: G minimises E log(1 − D(G(z))) = −E softplus(v) (saturates; Goodfellow 2014)."""

    def g_loss(self, fake: torch.Tensor, real: torch.Tensor | None = None) -> torch.Tensor:
        """E_q log(1 − σ(v)) = −E_q softplus(v)."""
        return -batch_mean(ew.softplus(fake))


@OBJECTIVES.register("nonsaturating")
class NonSaturating(_Classic):
    """Non-saturating GAN: G maximises E log D(G(z)), loss E softplus(−v) (Goodfellow 2014)."""

    def g_loss(self, fake: torch.Tensor, real: torch.Tensor | None = None) -> torch.Tensor:
        """−E_q log σ(v) = E_q softplus(−v)."""
        return batch_mean(ew.softplus(-fake))


@OBJECTIVES.register("ml-game")
class MaximumLikelihood(_Classic):
    """Maximum-likelihood game: G minimises −½ E exp(σ⁻¹(D(G(z)))) = −½ E exp(v).

    Goodfellow, NIPS 2016 tutorial (§3.2.3; Goodfellow 2014, "On distinguishability
    criteria"): with the Bayes-optimal D, exp(v) = D/(1 − D) = p/q, so the expected
    generator gradient equals ½ ∇ KL(p‖q), the gradient of maximum likelihood.
    The loss is exp(v) as written: it has no saturation-free stable form and is
    known for high-variance gradients (a large v shows up as a diverged run).
    """

    reference = "Goodfellow 2016, arXiv:1701.00160 (NIPS tutorial, §3.2.3)"

    def g_loss(self, fake: torch.Tensor, real: torch.Tensor | None = None) -> torch.Tensor:
        """−½ E_q exp(v)."""
        return -0.5 * batch_mean(ew.exp(fake))
