"""Ensemble-aware building blocks.

Every network in ganbench carries a leading *member* dimension ``E``: inputs
are ``(E, B, ...)`` and each member has its own parameters. A single run is
``E = 1``; the seeds of a sweep train side by side as ``E > 1`` with one
batched matrix multiply per layer (:func:`torch.baddbmm`), which is what makes
small 2-D models fast on CPU. Members never mix: every op is per member, so a
member's numbers do not depend on which other members share its ensemble.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ganbench import elementwise as ew

ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "relu": F.relu,
    "leaky_relu": lambda x: F.leaky_relu(x, 0.2),
    "elu": ew.elu,  # the transcendental ones member-aligned (ganbench/elementwise.py)
    "tanh": ew.tanh,
    "silu": ew.silu,
}


def activation(name: str) -> Callable[[torch.Tensor], torch.Tensor]:
    """Look up an activation by name (relu, leaky_relu (slope 0.2), elu, tanh, silu)."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r} (valid: {', '.join(sorted(ACTIVATIONS))})"
        ) from None


class MemberModule(nn.Module):
    """A module whose parameters can be (re)initialised per member from generators."""

    def reset_members(self, generators: Sequence[torch.Generator]) -> None:
        """Initialise member ``e`` from ``generators[e]``."""
        raise NotImplementedError


class EnsembleLinear(MemberModule):
    """``E`` independent linear maps: ``(E, B, in) → (E, B, out)``.

    ``init_std=None`` keeps PyTorch's ``nn.Linear`` initialisation; a number
    draws weights from N(0, init_std²) and sets biases to 0 (DCGAN/PacGAN).
    ``spectral_norm`` divides the weight by its largest singular value,
    estimated by ``power_iterations`` steps of power iteration per training
    forward pass with one persistent pair of vectors per member (Miyato et al.
    2018); in eval mode the stored vectors are used as they are.
    """

    sn_u: torch.Tensor
    sn_v: torch.Tensor
    bias: nn.Parameter | None

    def __init__(
        self,
        ensemble: int,
        in_features: int,
        out_features: int,
        bias: bool = True,
        *,
        init_std: float | None = None,
        spectral_norm: bool = False,
        power_iterations: int = 1,
    ) -> None:
        super().__init__()
        if power_iterations < 1:
            raise ValueError("power_iterations must be >= 1")
        self.in_features, self.out_features = in_features, out_features
        self.init_std, self.spectral_norm = init_std, spectral_norm
        self.power_iterations = power_iterations
        self.weight = nn.Parameter(torch.empty(ensemble, in_features, out_features))
        self.bias = nn.Parameter(torch.empty(ensemble, 1, out_features)) if bias else None
        if spectral_norm:
            self.register_buffer("sn_u", torch.empty(ensemble, out_features))
            self.register_buffer("sn_v", torch.empty(ensemble, in_features))

    def reset_members(self, generators: Sequence[torch.Generator]) -> None:
        """Initialise member ``e``'s weight, bias (and power-iteration vectors) from ``g``."""
        bound = 1.0 / math.sqrt(self.in_features)
        with torch.no_grad():
            for e, g in enumerate(generators):
                shape = (self.in_features, self.out_features)
                if self.init_std is None:
                    w = torch.empty(shape).uniform_(-bound, bound, generator=g)
                else:
                    w = torch.empty(shape).normal_(0.0, self.init_std, generator=g)
                self.weight[e].copy_(w)
                if self.bias is not None and self.init_std is None:
                    b = torch.empty(1, self.out_features).uniform_(-bound, bound, generator=g)
                    self.bias[e].copy_(b)
                elif self.bias is not None:
                    self.bias[e].zero_()
                if self.spectral_norm:
                    u = F.normalize(torch.randn(self.out_features, generator=g), dim=0)
                    self.sn_u[e].copy_(u)
                    self.sn_v[e].copy_(F.normalize(w @ u, dim=0))

    def effective_weight(self) -> torch.Tensor:
        """The weight used in the forward pass: W, or W / σ_max(W) with spectral norm."""
        if not self.spectral_norm:
            return self.weight
        w = self.weight
        if self.training:
            with torch.no_grad():
                u = self.sn_u
                for _ in range(self.power_iterations):
                    v = F.normalize(torch.bmm(w, u.unsqueeze(-1)).squeeze(-1), dim=-1)
                    u = F.normalize(torch.bmm(v.unsqueeze(1), w).squeeze(1), dim=-1)
                self.sn_u.copy_(u)
                self.sn_v.copy_(v)
        u, v = self.sn_u.clone(), self.sn_v.clone()
        sigma = torch.bmm(v.unsqueeze(1), torch.bmm(w, u.unsqueeze(-1))).reshape(-1, 1, 1)
        return w / sigma

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply each member's map to its slice of ``x``."""
        w = self.effective_weight()
        if self.out_features == 1:
            # A (B×in)·(in×1) product as multiply-and-sum: batched GEMM kernels are slow for
            # a single output column, above all in the backward pass (an outer product).
            out = (x * w.transpose(1, 2)).sum(-1, keepdim=True)
            return out if self.bias is None else out + self.bias
        if self.bias is None:
            return torch.bmm(x, w)
        return torch.baddbmm(self.bias, x, w)


class EnsembleMaxout(MemberModule):
    """Maxout layer (Goodfellow et al. 2013): each unit is the max of ``pieces`` linear maps."""

    def __init__(self, ensemble: int, in_features: int, out_features: int, pieces: int, **kw: Any):
        super().__init__()
        if pieces < 1:
            raise ValueError("maxout needs pieces >= 1")
        self.pieces = pieces
        self.linear = EnsembleLinear(ensemble, in_features, out_features * pieces, **kw)

    def reset_members(self, generators: Sequence[torch.Generator]) -> None:
        """Initialised through the inner :class:`EnsembleLinear`."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(E, B, in) → (E, B, out)``: the max over each unit's pieces."""
        y = self.linear(x)
        return y.reshape(*y.shape[:-1], -1, self.pieces).amax(dim=-1)


class EnsembleBatchNorm(MemberModule):
    """Batch normalisation over the batch axis, separately per member and feature."""

    running_mean: torch.Tensor
    running_var: torch.Tensor

    def __init__(self, ensemble: int, features: int, momentum: float = 0.1, eps: float = 1e-5):
        super().__init__()
        self.momentum, self.eps = momentum, eps
        self.weight = nn.Parameter(torch.ones(ensemble, 1, features))
        self.bias = nn.Parameter(torch.zeros(ensemble, 1, features))
        self.register_buffer("running_mean", torch.zeros(ensemble, 1, features))
        self.register_buffer("running_var", torch.ones(ensemble, 1, features))

    def reset_members(self, generators: Sequence[torch.Generator]) -> None:
        """Unit scale, zero shift, fresh running statistics."""
        with torch.no_grad():
            self.weight.fill_(1.0)
            self.bias.zero_()
            self.running_mean.zero_()
            self.running_var.fill_(1.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Normalise ``(E, B, F)`` with batch statistics (training) or running ones (eval)."""
        if self.training:
            var, mean = torch.var_mean(x, dim=1, keepdim=True, unbiased=False)
            with torch.no_grad():
                n = x.shape[1]
                unbiased = var * (n / max(n - 1, 1))
                self.running_mean.lerp_(mean, self.momentum)
                self.running_var.lerp_(unbiased, self.momentum)
        else:
            mean, var = self.running_mean, self.running_var
        return (x - mean) * torch.rsqrt(var + self.eps) * self.weight + self.bias


class VirtualBatchNorm(MemberModule):
    """Virtual batch normalisation (Salimans et al. 2016), per member and feature.

    The input's last ``reference`` rows along the batch axis are a fixed
    reference batch (see :class:`ReferenceBatch`). Each other example is
    normalised with the statistics of the *virtual batch* made of the reference
    batch plus itself: mean = (x + n·μ_ref)/(n + 1), E[x²] likewise; the
    reference rows are normalised with their own statistics. Outputs do not
    depend on the other examples of the batch, only on the reference batch.
    """

    def __init__(self, ensemble: int, features: int, reference: int, eps: float = 1e-5):
        super().__init__()
        if reference < 1:
            raise ValueError("virtual batch norm needs a reference batch of >= 1 example")
        self.reference, self.eps = reference, eps
        self.weight = nn.Parameter(torch.ones(ensemble, 1, features))
        self.bias = nn.Parameter(torch.zeros(ensemble, 1, features))

    def reset_members(self, generators: Sequence[torch.Generator]) -> None:
        """Unit scale, zero shift."""
        with torch.no_grad():
            self.weight.fill_(1.0)
            self.bias.zero_()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Normalise ``(E, B + reference, F)``; the reference rows come last."""
        n = self.reference
        x, ref = x[:, :-n], x[:, -n:]
        ref_mean = ref.mean(dim=1, keepdim=True)
        ref_sq = (ref * ref).mean(dim=1, keepdim=True)
        c = 1.0 / (n + 1)
        mean = c * x + (1 - c) * ref_mean
        var = c * x * x + (1 - c) * ref_sq - mean * mean
        out = (x - mean) * torch.rsqrt(var.clamp(min=0) + self.eps)
        ref_out = (ref - ref_mean) * torch.rsqrt((ref_sq - ref_mean**2).clamp(min=0) + self.eps)
        return torch.cat([out, ref_out], dim=1) * self.weight + self.bias


class ReferenceBatch(MemberModule):
    """A fixed per-member batch of latent codes (and labels) for virtual batch norm."""

    z: torch.Tensor
    y: torch.Tensor

    def __init__(self, ensemble: int, size: int, z_dim: int, n_classes: int | None) -> None:
        super().__init__()
        self.n_classes = n_classes
        self.register_buffer("z", torch.zeros(ensemble, size, z_dim))
        self.register_buffer("y", torch.zeros(ensemble, size, dtype=torch.long))

    def reset_members(self, generators: Sequence[torch.Generator]) -> None:
        """Draw member ``e``'s codes from N(0, I) (labels uniformly) with its generator."""
        with torch.no_grad():
            for e, g in enumerate(generators):
                self.z[e].copy_(torch.randn(self.z.shape[1:], generator=g))
                if self.n_classes:
                    self.y[e].copy_(torch.randint(self.n_classes, self.y.shape[1:], generator=g))

    @property
    def size(self) -> int:
        """Number of reference examples."""
        return int(self.z.shape[1])


class EnsembleEmbedding(MemberModule):
    """Per-member class embeddings: ``(E, B)`` integer labels → ``(E, B, dim)``."""

    def __init__(self, ensemble: int, n_classes: int, dim: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(ensemble, n_classes, dim))

    def reset_members(self, generators: Sequence[torch.Generator]) -> None:
        """U(±1/√dim) per member."""
        bound = 1.0 / math.sqrt(self.weight.shape[-1])
        with torch.no_grad():
            for e, g in enumerate(generators):
                w = torch.empty(self.weight.shape[1:]).uniform_(-bound, bound, generator=g)
                self.weight[e].copy_(w)

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        """Look up each member's embedding of its labels."""
        index = y.unsqueeze(-1).expand(*y.shape, self.weight.shape[-1])
        return torch.gather(self.weight, 1, index)


def reset_members(module: nn.Module, generators: Sequence[torch.Generator]) -> None:
    """Initialise every :class:`MemberModule` inside ``module`` (in registration order)."""
    for sub in module.modules():
        if isinstance(sub, MemberModule):
            sub.reset_members(generators)
