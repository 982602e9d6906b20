"""The Wasserstein family: the critic's raw output is used as it is.

Critic loss E_q v − E_p v (Kantorovich–Rubinstein dual of W1), generator loss
−E_q v. Over 1-Lipschitz critics, −min d_loss = W1(P, Q). The Lipschitz
constraint comes from weight clipping (WGAN) or a gradient penalty (WGAN-GP).
"""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import nn

from ganbench.objectives.base import OBJECTIVES, Critic, MemberRandom, Objective, batch_mean
from ganbench.regularizers.clipping import clip_parameters_, clip_params
from ganbench.regularizers.penalties import gradient_penalty


class _Wasserstein(Objective):
    """Shared losses of the Wasserstein family."""

    def d_loss(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        """E_q v − E_p v."""
        return batch_mean(fake) - batch_mean(real)

    def g_loss(self, fake: torch.Tensor, real: torch.Tensor | None = None) -> torch.Tensor:
        """−E_q v."""
        return -batch_mean(fake)


@OBJECTIVES.register("wgan")
class WGAN(_Wasserstein):
    """WGAN: W1 critic E_q v − E_p v, weights clipped to [−c, c] (Arjovsky et al. 2017).

    Paper defaults (Algorithm 1): c = 0.01, n_critic = 5, RMSProp with lr 5e-5.
    """

    reference = "Arjovsky et al. 2017, arXiv:1701.07875"
    train_defaults: ClassVar = {"n_critic": 5, "optimizer": "rmsprop", "lr": 5e-5}

    def __init__(self, clip: float = 0.01) -> None:
        if clip <= 0:
            raise ValueError("clip must be > 0")
        self.clip = clip

    def after_d_step(self, discriminator: nn.Module) -> None:
        """Clamp every critic parameter to [−c, c]."""
        clip_parameters_(discriminator, self.clip)

    def project_params(self, params: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """Functional clipping for unrolled steps."""
        return clip_params(params, self.clip)


@OBJECTIVES.register("wgan-gp")
class WGANGP(_Wasserstein):
    """WGAN-GP: W1 critic + λ·E(‖∇D(x̂)‖ − 1)² on interpolates (Gulrajani et al. 2017).

    Paper defaults (Algorithm 1): λ = 10, n_critic = 5, Adam with lr 1e-4 and
    betas (0, 0.9). A suite overrides them in the objective entry's ``train``
    (``{name: wgan-gp, train: {lr: 2.0e-4}}``) or in a variant's ``train``.
    """

    reference = "Gulrajani et al. 2017, arXiv:1704.00028"
    train_defaults: ClassVar = {"n_critic": 5, "lr": 1e-4, "betas": (0.0, 0.9)}

    def __init__(self, gp_weight: float = 10.0, one_sided: bool = False) -> None:
        if gp_weight < 0:
            raise ValueError("gp_weight must be >= 0")
        self.gp_weight, self.one_sided = gp_weight, one_sided

    def d_penalty(
        self, critic: Critic, real_x: torch.Tensor, fake_x: torch.Tensor, rng: MemberRandom
    ) -> torch.Tensor | None:
        """λ·E[(‖∇D(x̂)‖₂ − 1)²] with x̂ uniform on real–fake segments."""
        gp = gradient_penalty(critic, real_x, fake_x, rng, one_sided=self.one_sided)
        return self.gp_weight * gp
