"""Gradient penalties as composable regularizers: ``gp``, ``r1``, ``r2``, ``dragan``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from ganbench.regularizers.base import REGULARIZERS, Regularizer
from ganbench.regularizers.penalties import (
    dragan_points,
    gradient_penalty,
    input_gradient_norm,
    squared_gradient_norm,
)

if TYPE_CHECKING:
    from ganbench.objectives.base import Critic, MemberRandom


def _non_negative(**values: float) -> None:
    for name, v in values.items():
        if v < 0:
            raise ValueError(f"{name} must be >= 0, got {v}")


@REGULARIZERS.register("gp")
class GradientPenalty(Regularizer):
    """Gradient penalty λ·E(‖∇D(x̂)‖ − target)² on real–fake interpolates (Gulrajani 2017).

    ``one_sided: true`` penalises only norms above the target, λ·E max(0, ‖∇D‖ − target)²
    (the one-sided variant discussed by Gulrajani et al. and Petzka et al. 2018);
    ``target: 0`` gives a zero-centred penalty on interpolates.
    """

    reference = "Gulrajani et al. 2017, arXiv:1704.00028"

    def __init__(self, weight: float = 10.0, target: float = 1.0, one_sided: bool = False):
        _non_negative(weight=weight, target=target)
        self.weight, self.target, self.one_sided = weight, target, one_sided

    def penalty(
        self, critic: Critic, real: torch.Tensor, fake: torch.Tensor, rng: MemberRandom
    ) -> torch.Tensor:
        """λ·E(‖∇D(x̂)‖ − target)², x̂ uniform on real–fake segments."""
        gp = gradient_penalty(critic, real, fake, rng, target=self.target, one_sided=self.one_sided)
        return self.weight * gp


@REGULARIZERS.register("r1")
class R1(Regularizer):
    """R1: γ/2 · E_p ‖∇D(x)‖² on real data (Mescheder, Geiger & Nowozin 2018)."""

    reference = "Mescheder et al. 2018, arXiv:1801.04406"

    def __init__(self, gamma: float = 10.0) -> None:
        _non_negative(gamma=gamma)
        self.gamma = gamma

    def penalty(
        self, critic: Critic, real: torch.Tensor, fake: torch.Tensor, rng: MemberRandom
    ) -> torch.Tensor:
        """γ/2 · E_p ‖∇D(x)‖²."""
        return 0.5 * self.gamma * squared_gradient_norm(critic, real)


@REGULARIZERS.register("r2")
class R2(Regularizer):
    """R2: γ/2 · E_q ‖∇D(x)‖² on generated data (Mescheder, Geiger & Nowozin 2018)."""

    reference = "Mescheder et al. 2018, arXiv:1801.04406"

    def __init__(self, gamma: float = 10.0) -> None:
        _non_negative(gamma=gamma)
        self.gamma = gamma

    def penalty(
        self, critic: Critic, real: torch.Tensor, fake: torch.Tensor, rng: MemberRandom
    ) -> torch.Tensor:
        """γ/2 · E_q ‖∇D(x)‖²."""
        return 0.5 * self.gamma * squared_gradient_norm(critic, fake)


@REGULARIZERS.register("dragan")
class Dragan(Regularizer):
    """DRAGAN: λ·E(‖∇D(x̂)‖ − 1)² around perturbed real data (Kodali et al. 2017)."""

    reference = "Kodali et al. 2017, arXiv:1705.07215"

    def __init__(self, weight: float = 10.0, perturb: float = 0.5) -> None:
        _non_negative(weight=weight, perturb=perturb)
        self.weight, self.perturb = weight, perturb

    def penalty(
        self, critic: Critic, real: torch.Tensor, fake: torch.Tensor, rng: MemberRandom
    ) -> torch.Tensor:
        """λ·E(‖∇D(x̂)‖ − 1)², x̂ between x and x + perturb·std(x)·U[0, 1)."""
        norms = input_gradient_norm(critic, dragan_points(real, rng, self.perturb))
        return self.weight * ((norms - 1.0) ** 2).mean(dim=-1)
