"""Multi-layer perceptrons for low-dimensional data (the 2-D mixtures).

Options (all per network, all ensemble-aware): batch norm or virtual batch
norm (Salimans et al. 2016) in G, spectral normalisation (Miyato et al. 2018)
in D and/or G, maxout units in D (as in PacGAN's discriminator), N(0, σ²)
initialisation, and class conditioning: one-hot labels concatenated to G's and
D's inputs, or a projection discriminator (Miyato & Koyama 2018).
"""

from __future__ import annotations

import itertools
from typing import Any, Literal

import torch
from torch import nn

from ganbench.architectures.base import ARCHITECTURES, GANPair, ModelContext
from ganbench.architectures.layers import (
    EnsembleBatchNorm,
    EnsembleEmbedding,
    EnsembleLinear,
    EnsembleMaxout,
    ReferenceBatch,
    VirtualBatchNorm,
    activation,
)

Norm = Literal["none", "batch", "virtual"]


class MLP(nn.Module):
    """``depth`` hidden layers of ``width`` units, per-member weights, linear output.

    With ``maxout > 1`` each hidden layer is a maxout layer of that many pieces
    and no further activation is applied. With ``norm="batch"`` or
    ``"virtual"`` the hidden layers have no bias (the norm's shift replaces it).
    """

    def __init__(
        self,
        ensemble: int,
        in_features: int,
        out_features: int,
        *,
        depth: int,
        width: int,
        act: str,
        norm: Norm = "none",
        maxout: int = 1,
        reference: int = 0,
        **linear: Any,
    ) -> None:
        super().__init__()
        dims = [in_features] + [width] * depth
        bias = norm == "none"

        def hidden(i: int, o: int) -> nn.Module:
            if maxout > 1:
                return EnsembleMaxout(ensemble, i, o, maxout, bias=bias, **linear)
            return EnsembleLinear(ensemble, i, o, bias=bias, **linear)

        def normalise() -> nn.Module:
            if norm == "batch":
                return EnsembleBatchNorm(ensemble, width)
            if norm == "virtual":
                return VirtualBatchNorm(ensemble, width, reference)
            return nn.Identity()

        self.hidden = nn.ModuleList(hidden(i, o) for i, o in itertools.pairwise(dims))
        self.norms = nn.ModuleList(normalise() for _ in range(depth))
        self.out = EnsembleLinear(ensemble, dims[-1], out_features, **linear)
        self.act = activation(act) if maxout == 1 else nn.Identity()

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The last hidden layer's output, ``(E, B, width)``."""
        for layer, norm in zip(self.hidden, self.norms, strict=True):
            x = self.act(norm(layer(x)))
        return x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(E, B, in) → (E, B, out)``."""
        return self.out(self.features(x))


def _one_hot(y: torch.Tensor, n_classes: int, like: torch.Tensor) -> torch.Tensor:
    """One-hot labels flattened per example: ``(E, B[, m])`` → ``(E, B, m·K)``."""
    return nn.functional.one_hot(y, n_classes).to(like.dtype).reshape(*like.shape[:2], -1)


class MLPGenerator(nn.Module):
    """z (optionally with a one-hot label) → MLP → sample of ``data_shape``."""

    def __init__(self, ctx: ModelContext, net: MLP, reference: ReferenceBatch | None) -> None:
        super().__init__()
        self.ctx, self.net, self.reference = ctx, net, reference

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """``(E, B, z_dim) → (E, B, *data_shape)``."""
        if self.ctx.n_classes is not None and y is None:
            raise ValueError("this generator is class-conditional: pass labels y")
        b = z.shape[1]
        if self.reference is not None:
            z = torch.cat([z, self.reference.z.to(z.dtype)], dim=1)
            y = None if y is None else torch.cat([y, self.reference.y], dim=1)
        if self.ctx.n_classes is not None and y is not None:
            z = torch.cat([z, _one_hot(y, self.ctx.n_classes, z)], -1)
        out = self.net(z)[:, :b]
        return out.reshape(*out.shape[:2], *self.ctx.data_shape)


class MLPDiscriminator(nn.Module):
    """Flattened (packed) samples, optionally with labels → MLP → one raw score.

    ``conditioning="concat"`` appends one-hot labels to the input (Mirza &
    Osindero 2014); ``"projection"`` adds ⟨embed(y), φ(x)⟩ to the output, with
    φ the last hidden layer (Miyato & Koyama 2018).
    """

    def __init__(
        self, ctx: ModelContext, net: MLP, embedding: EnsembleEmbedding | None = None
    ) -> None:
        super().__init__()
        self.ctx, self.net, self.embedding = ctx, net, embedding

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """``(E, B, *shape) → (E, B)``."""
        x = x.reshape(*x.shape[:2], -1)
        if self.ctx.n_classes is not None and y is None:
            raise ValueError("this discriminator is class-conditional: pass labels y")
        if self.embedding is not None and y is not None:
            h = self.net.features(x)
            return self.net.out(h).squeeze(-1) + (self.embedding(y) * h).sum(-1)
        if self.ctx.n_classes is not None and y is not None:
            x = torch.cat([x, _one_hot(y, self.ctx.n_classes, x)], -1)
        return self.net(x).squeeze(-1)


def _check(
    ctx: ModelContext,
    sizes: tuple[int, ...],
    both_norms: bool,
    init_std: float | None,
    conditioning: str,
) -> None:
    if min(sizes) < 1:
        raise ValueError("mlp needs depths, widths, d_maxout and sn_power_iterations >= 1")
    if both_norms:
        raise ValueError("choose g_batch_norm or g_virtual_batch_norm, not both")
    if init_std is not None and init_std <= 0:
        raise ValueError("init_std must be > 0 (or null for the default initialisation)")
    if conditioning == "projection" and ctx.n_classes is not None and ctx.pack > 1:
        raise ValueError("the projection discriminator does not support packing (pack > 1)")


@ARCHITECTURES.register("mlp", ensemble=True)
def mlp(
    ctx: ModelContext,
    *,
    depth: int = 3,
    width: int = 128,
    g_activation: str = "relu",
    d_activation: str = "leaky_relu",
    g_batch_norm: bool = False,
    g_virtual_batch_norm: bool = False,
    vbn_reference_size: int = 64,
    d_depth: int | None = None,
    d_width: int | None = None,
    d_maxout: int = 1,
    d_spectral_norm: bool = False,
    g_spectral_norm: bool = False,
    sn_power_iterations: int = 1,
    init_std: float | None = None,
    d_conditioning: Literal["concat", "projection"] = "concat",
) -> GANPair:
    """MLP generator and discriminator (``depth`` × ``width``; ReLU G, LeakyReLU(0.2) D).

    ``d_depth``/``d_width`` size D separately; ``g_batch_norm`` or
    ``g_virtual_batch_norm`` (reference batch of ``vbn_reference_size``) normalise
    G's hidden layers; ``d_maxout`` > 1 makes D's hidden layers maxout layers of that
    many pieces; ``d_spectral_norm``/``g_spectral_norm`` use ``sn_power_iterations``
    power iterations per forward pass; ``init_std`` draws weights from N(0, σ²) with
    zero biases; ``d_conditioning`` is how a conditional D sees labels.
    """
    d_depth, d_width = d_depth or depth, d_width or width
    _check(ctx, (depth, width, d_depth, d_width, d_maxout, sn_power_iterations),
           g_batch_norm and g_virtual_batch_norm, init_std, d_conditioning)  # fmt: skip
    projection = d_conditioning == "projection" and ctx.n_classes is not None
    cond = ctx.n_classes or 0
    g_norm: Norm = "batch" if g_batch_norm else "virtual" if g_virtual_batch_norm else "none"
    reference = (
        ReferenceBatch(ctx.ensemble, vbn_reference_size, ctx.z_dim, ctx.n_classes)
        if g_norm == "virtual"
        else None
    )
    sn: dict[str, Any] = {"init_std": init_std, "power_iterations": sn_power_iterations}
    g_net = MLP(
        ctx.ensemble, ctx.z_dim + cond, ctx.data_dim, depth=depth, width=width,
        act=g_activation, norm=g_norm, reference=vbn_reference_size,
        spectral_norm=g_spectral_norm, **sn,
    )  # fmt: skip
    d_in = ctx.data_dim * ctx.pack + (0 if projection else cond * ctx.pack)
    d_net = MLP(
        ctx.ensemble, d_in, 1, depth=d_depth, width=d_width, act=d_activation,
        maxout=d_maxout, spectral_norm=d_spectral_norm, **sn,
    )  # fmt: skip
    embedding = EnsembleEmbedding(ctx.ensemble, cond, d_width) if projection else None
    return GANPair(MLPGenerator(ctx, g_net, reference), MLPDiscriminator(ctx, d_net, embedding))
