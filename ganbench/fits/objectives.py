"""Divergences between a known isotropic mixture p and a Gaussian q = N(b, a²I), in torch.

Every objective is a smooth, deterministic function of (b, log a), so the fits
use L-BFGS with exact gradients instead of the original code's SGD:

* expectations under q and under each mixture component use a tensor-product
  Gauss–Hermite rule (``GH_POINTS`` nodes per axis), accurate because log p is
  smooth at the components' scale (σ_k ≥ 0.5 for the Theis mixture);
* E_p log q and the MMD kernel expectations are closed forms.

The divergences (nats): ``kl`` = KL(p‖q), ``reverse_kl`` = KL(q‖p), ``js`` =
JSD(p, q) ≤ log 2 with the correct normaliser (−D/2·log 2π) on both densities,
and ``mmd`` = MMD (not squared, as minimised by Theis et al.) under their kernel
k(x, y) = Σ_{σ∈scales} exp(−‖x − y‖²/σ²).

On the "JSD normaliser bug" (REFERENCES.md §6): the original code writes
−D/2·log π instead of −D/2·log 2π in ``normal()``, but ``normal()`` builds both
the mixture's log p and the model's log q, so the factor 2^{D/2} cancels in
log p − log q and the JSD objective — hence the published fit — is unaffected.
Only a normaliser error on q alone would move the fit, and only slightly (a from
0.7679 to 0.7690 for the Theis mixture; the offsets of :func:`js`
reproduce both cases; tests/fits/test_objectives.py shows them).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from ganbench.metrics.divergence.densities import GaussianMixtureDensity
from ganbench.registry import Registry

GH_POINTS = 32  # the fits: b and a agree with a 64-point rule to 1e-4 (Theis mixture)
EVAL_POINTS = 96  # the reported values: within 5e-4 of a 200-point rule even for a wide q (a = 1.5)
LOG2 = math.log(2.0)


@dataclass(frozen=True, eq=False)  # hashed by identity (for the entropy cache)
class Mixture:
    """An isotropic mixture as float64 tensors: weights (K,), means (K, D), variances (K,)."""

    w: Tensor
    m: Tensor
    v: Tensor

    @classmethod
    def of(cls, p: GaussianMixtureDensity) -> Mixture:
        """Convert a density whose covariances are multiples of the identity."""
        var = np.array([c[0, 0] for c in p.covs])
        if not all(np.allclose(c, s * np.eye(p.dim)) for c, s in zip(p.covs, var, strict=True)):
            raise ValueError("the fit target must be a mixture of isotropic Gaussians")
        t = lambda a: torch.as_tensor(np.asarray(a), dtype=torch.float64)  # noqa: E731
        return cls(t(p.weights), t(p.means), t(var))

    @property
    def dim(self) -> int:
        """Dimension D."""
        return int(self.m.shape[1])


@dataclass(frozen=True, eq=False)
class Quadrature:
    """Nodes z (M, D) and weights (M,) with Σ w f(z) ≈ E f(Z), Z ~ N(0, I_D)."""

    z: Tensor
    w: Tensor

    @classmethod
    def gauss_hermite(cls, dim: int, points: int = GH_POINTS) -> Quadrature:
        """Tensor-product Gauss–Hermite rule for the standard normal."""
        x, w = np.polynomial.hermite_e.hermegauss(points)
        w = w / w.sum()
        grids = np.meshgrid(*([x] * dim), indexing="ij")
        weights = np.meshgrid(*([w] * dim), indexing="ij")
        z = np.stack([g.ravel() for g in grids], axis=1)
        wz = np.prod(np.stack([g.ravel() for g in weights], axis=1), axis=1)
        return cls(torch.as_tensor(z), torch.as_tensor(wz))


def log_p(x: Tensor, mix: Mixture) -> Tensor:
    """Mixture log-density at the rows of x (..., D)."""
    d = mix.dim
    sq = ((x[..., None, :] - mix.m) ** 2).sum(-1)  # (..., K)
    comp = -0.5 * sq / mix.v - 0.5 * d * torch.log(2 * math.pi * mix.v)
    return torch.logsumexp(comp + torch.log(mix.w), dim=-1)


def log_q(x: Tensor, b: Tensor, log_a: Tensor) -> Tensor:
    """log N(x; b, a²I)."""
    d = x.shape[-1]
    return -0.5 * ((x - b) ** 2).sum(-1) * torch.exp(-2 * log_a) - d * (
        log_a + 0.5 * math.log(2 * math.pi)
    )


def expect_q(f: Callable[[Tensor], Tensor], b: Tensor, log_a: Tensor, quad: Quadrature) -> Tensor:
    """E_q f(x) by Gauss–Hermite."""
    return (quad.w * f(b + torch.exp(log_a) * quad.z)).sum()


def expect_p(f: Callable[[Tensor], Tensor], mix: Mixture, quad: Quadrature) -> Tensor:
    """E_p f(x) = Σ_k w_k E_{N(m_k, v_k I)} f by Gauss–Hermite per component."""
    x = mix.m[:, None, :] + torch.sqrt(mix.v)[:, None, None] * quad.z[None]  # (K, M, D)
    return (mix.w[:, None] * quad.w[None, :] * f(x)).sum()


@functools.lru_cache(maxsize=16)
def neg_entropy(mix: Mixture, quad: Quadrature) -> float:
    """E_p log p (a constant of the fits, computed once per mixture and rule)."""
    return float(expect_p(lambda x: log_p(x, mix), mix, quad))


def kl(mix: Mixture, b: Tensor, log_a: Tensor, quad: Quadrature) -> Tensor:
    """KL(p‖q) = E_p log p − E_p log q (the second term in closed form)."""
    d = mix.dim
    second = (mix.w * (d * mix.v + ((mix.m - b) ** 2).sum(-1))).sum()
    e_log_q = -d * (log_a + 0.5 * math.log(2 * math.pi)) - 0.5 * second * torch.exp(-2 * log_a)
    return neg_entropy(mix, quad) - e_log_q


def reverse_kl(mix: Mixture, b: Tensor, log_a: Tensor, quad: Quadrature) -> Tensor:
    """KL(q‖p) = −H(q) − E_q log p."""
    d = mix.dim
    neg_entropy = -d * (log_a + 0.5 * math.log(2 * math.pi * math.e))
    return neg_entropy - expect_q(lambda x: log_p(x, mix), b, log_a, quad)


def js(
    mix: Mixture,
    b: Tensor,
    log_a: Tensor,
    quad: Quadrature,
    log_p_offset: float = 0.0,
    log_q_offset: float = 0.0,
) -> Tensor:
    """JSD(p, q) in nats; the offsets add constants to log p / log q (normaliser errors)."""

    def lp(x: Tensor) -> Tensor:
        return log_p(x, mix) + log_p_offset

    def lq(x: Tensor) -> Tensor:
        return log_q(x, b, log_a) + log_q_offset

    def half(la: Callable[[Tensor], Tensor], lb: Callable[[Tensor], Tensor]) -> Callable:
        return lambda x: LOG2 + la(x) - torch.logaddexp(la(x), lb(x))

    return 0.5 * (expect_p(half(lp, lq), mix, quad) + expect_q(half(lq, lp), b, log_a, quad))


def _gauss_kernel_mean(
    m1: Tensor, v1: Tensor, m2: Tensor, v2: Tensor, scales: tuple[float, ...]
) -> Tensor:
    """E Σ_σ exp(−‖X − Y‖²/σ²) for X ~ N(m1, v1 I), Y ~ N(m2, v2 I) (broadcasting)."""
    d = m1.shape[-1]
    sq = ((m1 - m2) ** 2).sum(-1)
    out = torch.zeros_like(sq)
    for s in scales:
        t = 0.5 * s * s + v1 + v2  # exp(−r²/σ²) = exp(−r²/(2·σ²/2))
        out = out + (0.5 * s * s / t) ** (d / 2) * torch.exp(-0.5 * sq / t)
    return out


def mmd(mix: Mixture, b: Tensor, log_a: Tensor, scales: tuple[float, ...]) -> Tensor:
    """MMD(p, q) under Theis et al.'s kernel, in closed form."""
    a2 = torch.exp(2 * log_a)
    pp = (
        mix.w[:, None]
        * mix.w[None, :]
        * _gauss_kernel_mean(mix.m[:, None], mix.v[:, None], mix.m[None], mix.v[None], scales)
    ).sum()
    pq = (mix.w * _gauss_kernel_mean(mix.m, mix.v, b, a2, scales)).sum()
    qq = _gauss_kernel_mean(b, a2, b, a2, scales)
    return torch.sqrt((pp + qq - 2 * pq).clamp(min=1e-300))


Objective = Callable[[Mixture, Tensor, Tensor, Quadrature], Tensor]
FIT_OBJECTIVES: Registry[Callable[..., Objective]] = Registry("fit objective")


@FIT_OBJECTIVES.register("kl")
def kl_objective() -> Objective:
    """KL(p‖q): maximum likelihood, mode covering (closed-form minimiser)."""
    return kl


@FIT_OBJECTIVES.register("reverse_kl")
def reverse_kl_objective() -> Objective:
    """KL(q‖p): mode seeking."""
    return reverse_kl


@FIT_OBJECTIVES.register("js")
def js_objective() -> Objective:
    """Jensen-Shannon divergence (nats), correct normalisers."""
    return js


@FIT_OBJECTIVES.register("mmd")
def mmd_objective(scales: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0, 8.0)) -> Objective:
    """MMD with the kernel sum_sigma exp(-|x-y|^2/sigma^2) of Theis et al."""
    if not scales or any(s <= 0 for s in scales):
        raise ValueError("mmd scales must be positive")
    return lambda mix, b, log_a, quad: mmd(mix, b, log_a, scales)
