"""Gradient penalties on the discriminator.

All functions take a ``critic`` mapping samples ``(E, B, ...)`` to raw scores
``(E, B)`` and return one penalty per member, shape ``(E,)``, built with
``create_graph=True`` so it can be back-propagated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

if TYPE_CHECKING:
    from ganbench.objectives.base import Critic, MemberRandom


def input_gradient_norm(critic: Critic, x: torch.Tensor) -> torch.Tensor:
    """‖∇ₓ critic(x)‖₂ per sample, shape ``(E, B)``, differentiable."""
    return input_gradient(critic, x).flatten(2).norm(dim=2)


def input_gradient(critic: Critic, x: torch.Tensor) -> torch.Tensor:
    """∇ₓ critic(x) per sample (same shape as ``x``), differentiable."""
    x = x.detach().requires_grad_(True)
    out = critic(x)
    (grad,) = torch.autograd.grad(out.sum(), x, create_graph=True)
    return grad


def _per_sample(rng: MemberRandom, like: torch.Tensor) -> torch.Tensor:
    """U[0, 1) per sample of ``like`` (E, B, ...), broadcastable to it."""
    e, b = like.shape[:2]
    return rng.rand(b).reshape(e, b, *([1] * (like.ndim - 2))).to(like.dtype)


def interpolate(real: torch.Tensor, fake: torch.Tensor, rng: MemberRandom) -> torch.Tensor:
    """x̂ = α·real + (1 − α)·fake with α ~ U[0, 1] per sample (Gulrajani et al. 2017)."""
    alpha = _per_sample(rng, real)
    return alpha * real.detach() + (1 - alpha) * fake.detach()


def gradient_penalty(
    critic: Critic,
    real: torch.Tensor,
    fake: torch.Tensor,
    rng: MemberRandom,
    *,
    target: float = 1.0,
    one_sided: bool = False,
) -> torch.Tensor:
    """WGAN-GP penalty E[(‖∇D(x̂)‖ − target)²] on interpolates (one-sided: only norms above)."""
    norms = input_gradient_norm(critic, interpolate(real, fake, rng))
    gap = norms - target
    if one_sided:
        gap = gap.clamp(min=0)
    return (gap**2).mean(dim=-1)


def squared_gradient_norm(critic: Critic, x: torch.Tensor) -> torch.Tensor:
    """E‖∇D(x)‖² over the batch (the zero-centred penalty of R1/R2, Mescheder et al. 2018)."""
    return input_gradient(critic, x).flatten(2).pow(2).sum(dim=2).mean(dim=-1)


def dragan_points(real: torch.Tensor, rng: MemberRandom, scale: float) -> torch.Tensor:
    """DRAGAN's perturbed points: x̂ = α·x + (1 − α)·(x + scale·std(x)·u), α, u ~ U[0, 1).

    As in the authors' code (kodalinaveen3/DRAGAN): ``u`` is uniform per
    coordinate, ``std`` is the batch's standard deviation over all coordinates
    (per member, population form), and α is drawn per sample.
    """
    x = real.detach()
    std = x.flatten(1).std(dim=1, unbiased=False).reshape(-1, *([1] * (x.ndim - 1)))
    u = rng.rand(*x.shape[1:]).to(x.dtype)
    perturbed = x + scale * std * u
    alpha = _per_sample(rng, x)
    return alpha * x + (1 - alpha) * perturbed
