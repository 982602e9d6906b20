"""DCGAN (Radford, Metz & Chintala 2016) for 28, 32 and 64 pixel images, one builder.

Generator: z (+ one-hot label) → linear "project and reshape" to ``base × base``
(7 for 28 px, 4 for 32 and 64 px) with ``width · 2^(n−1)`` channels → n
transposed convolutions (kernel 4, stride 2, padding 1), halving the channels
each time → C channels and tanh. Batch norm and ReLU after every layer but the
last. Discriminator: the mirror image with strided convolutions and
LeakyReLU(0.2), no normalisation on the first layer, then a linear map of the
flattened ``base × base`` features to one raw score. With width 128 at 64 px
this is the paper's 1024-512-256-128 generator. Weights start N(0, 0.02).

Options: D normalisation (batch as in the paper; ``layer`` or ``none`` for
gradient-penalty critics, as Gulrajani et al. advise), G normalisation (batch,
virtual batch norm of Salimans et al. 2016, none), spectral norm on D and/or G
(Miyato et al. 2018), PacGAN packing (from the context), and class
conditioning (concat or conditional batch norm in G; concat or projection in D).
Parameter names follow the ``mlp`` architecture's.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ganbench.architectures.base import ARCHITECTURES, GANPair, ModelContext
from ganbench.architectures.conditioning import (
    DCond,
    GCond,
    GNorm,
    ProjectionHead,
    merge_pack,
    need_labels,
    one_hot,
)
from ganbench.architectures.conv import (
    GNormKind,
    MemberNets,
    Norm,
    ReferenceLatents,
    dcgan_init,
    maybe_sn,
    norm2d,
)

RESOLUTIONS = (28, 32, 64)
CHANNELS = (1, 3)


def layout(resolution: int) -> tuple[int, int]:
    """``(base, n)``: the smallest feature map side and the number of ×2 stages."""
    if resolution not in RESOLUTIONS:
        raise ValueError(
            f"dcgan supports {', '.join(map(str, RESOLUTIONS))} px square images, got "
            f"{resolution} (set the dataset's resolution)"
        )
    base = 7 if resolution == 28 else 4
    return base, int(math.log2(resolution // base))


def check_shape(shape: tuple[int, ...], name: str) -> tuple[int, int]:
    """``(channels, side)`` of a square image shape, or a one-line error."""
    if len(shape) != 3 or shape[1] != shape[2] or shape[0] not in CHANNELS:
        raise ValueError(f"{name} needs square 1- or 3-channel images (C, H, W), got {shape}")
    return shape[0], shape[1]


@dataclass(frozen=True)
class DCGANOptions:
    """The suite-level options of one DCGAN pair (see :func:`dcgan`)."""

    width: int
    d_width: int
    g_norm: GNormKind
    d_norm: Norm
    vbn_reference_size: int
    d_spectral_norm: bool
    g_spectral_norm: bool
    sn_power_iterations: int
    g_conditioning: GCond
    d_conditioning: DCond


class DCGANGenerator(nn.Module):
    """One member's DCGAN generator."""

    def __init__(self, ctx: ModelContext, opt: DCGANOptions) -> None:
        super().__init__()
        channels, side = check_shape(ctx.data_shape, "dcgan")
        self.base, n = layout(side)
        self.n_classes, self.cond = ctx.n_classes, opt.g_conditioning
        widths = [opt.width * 2 ** (n - 1 - i) for i in range(n)]  # e.g. 4w, 2w, w
        concat = ctx.n_classes is not None and self.cond == "concat"
        z_in = ctx.z_dim + (ctx.n_classes if concat else 0)  # type: ignore[operator]
        sn, it, bias = opt.g_spectral_norm, opt.sn_power_iterations, opt.g_norm == "none"
        self.reference = (
            ReferenceLatents(opt.vbn_reference_size, ctx.z_dim, ctx.n_classes)
            if opt.g_norm == "virtual"
            else None
        )
        self.project = maybe_sn(nn.Linear(z_in, widths[0] * self.base**2, bias=bias), sn, it)
        self.norms = nn.ModuleList(
            GNorm(c, ctx.n_classes, self.cond, opt.g_norm, opt.vbn_reference_size) for c in widths
        )
        self.ups = nn.ModuleList(
            maybe_sn(nn.ConvTranspose2d(i, o, 4, 2, 1, bias=bias), sn, it)
            for i, o in itertools.pairwise(widths)
        )
        self.out = maybe_sn(nn.ConvTranspose2d(widths[-1], channels, 4, 2, 1), sn, it)
        self.widths = widths

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """``(B, z_dim) → (B, C, R, R)`` in [-1, 1]."""
        y = need_labels(y, self.n_classes)
        b = len(z)
        if self.reference is not None:
            z, y = self.reference.extend(z, y)
        if y is not None and self.cond == "concat":
            z = torch.cat([z, one_hot(y, self.n_classes, z.dtype)], 1)  # type: ignore[arg-type]
        h = self.project(z).reshape(len(z), self.widths[0], self.base, self.base)
        h = F.relu(self.norms[0](h, y))
        for up, norm in zip(self.ups, self.norms[1:], strict=True):
            h = F.relu(norm(up(h), y))
        return torch.tanh(self.out(h))[:b]


class DCGANDiscriminator(nn.Module):
    """One member's DCGAN discriminator (raw scores)."""

    def __init__(self, ctx: ModelContext, opt: DCGANOptions) -> None:
        super().__init__()
        channels, side = check_shape(ctx.data_shape, "dcgan")
        base, n = layout(side)
        self.n_classes, self.concat = ctx.n_classes, opt.d_conditioning == "concat"
        cond_ch = ctx.n_classes if ctx.n_classes is not None and self.concat else 0
        in_ch = ctx.pack * (channels + cond_ch)
        widths = [opt.d_width * 2**i for i in range(n)]  # w, 2w, 4w, …
        sn, it = opt.d_spectral_norm, opt.sn_power_iterations
        convs = [nn.Conv2d(in_ch, widths[0], 4, 2, 1)]
        convs += [
            nn.Conv2d(i, o, 4, 2, 1, bias=opt.d_norm == "none")
            for i, o in itertools.pairwise(widths)
        ]
        self.convs = nn.ModuleList(maybe_sn(c, sn, it) for c in convs)
        self.norms = nn.ModuleList([nn.Identity()] + [norm2d(opt.d_norm, c) for c in widths[1:]])
        feat = widths[-1]
        self.head = ProjectionHead(feat * base * base, feat, ctx.n_classes, not self.concat, sn, it)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """``(B, m·C, R, R)`` (m = packing degree) → ``(B,)``."""
        y = need_labels(y, self.n_classes)
        h, y_proj = merge_pack(x, y, self.n_classes, self.concat)
        for conv, norm in zip(self.convs, self.norms, strict=True):
            h = F.leaky_relu(norm(conv(h)), 0.2)
        return self.head(h.flatten(1), y_proj, h.sum((2, 3)))


def check_options(ctx: ModelContext, opt: DCGANOptions | object, name: str) -> None:
    """Shared one-line checks of the image builders' options."""
    if min(getattr(opt, "width", 1), getattr(opt, "d_width", 1)) < 1:
        raise ValueError(f"{name} needs width >= 1 and d_width >= 1")
    if getattr(opt, "sn_power_iterations", 1) < 1:
        raise ValueError(f"{name} needs sn_power_iterations >= 1")
    if getattr(opt, "vbn_reference_size", 1) < 1:
        raise ValueError(f"{name} needs vbn_reference_size >= 1")
    projection = getattr(opt, "d_conditioning", "") == "projection"
    if ctx.n_classes is not None and projection and ctx.pack > 1:
        raise ValueError("the projection discriminator does not support packing (pack > 1)")


@ARCHITECTURES.register(
    "dcgan", ensemble=False, resolutions=RESOLUTIONS, channels=CHANNELS, kind="images"
)
def dcgan(
    ctx: ModelContext,
    *,
    width: int = 64,
    d_width: int | None = None,
    g_norm: GNormKind = "batch",
    d_norm: Norm = "batch",
    vbn_reference_size: int = 64,
    d_spectral_norm: bool = False,
    g_spectral_norm: bool = False,
    sn_power_iterations: int = 1,
    g_conditioning: GCond = "cbn",
    d_conditioning: DCond = "projection",
) -> GANPair:
    """DCGAN (Radford et al. 2016) G/D for 28, 32, 64 px; width, norms, SN, VBN, conditioning."""
    check_shape(ctx.data_shape, "dcgan")
    layout(ctx.data_shape[1])
    opt = DCGANOptions(
        width,
        d_width or width,
        g_norm,
        d_norm,
        vbn_reference_size,
        d_spectral_norm,
        g_spectral_norm,
        sn_power_iterations,
        g_conditioning,
        d_conditioning,
    )
    check_options(ctx, opt, "dcgan")
    gens = [DCGANGenerator(ctx, opt) for _ in range(ctx.ensemble)]
    discs = [DCGANDiscriminator(ctx, opt) for _ in range(ctx.ensemble)]
    return GANPair(MemberNets(gens, dcgan_init), MemberNets(discs, dcgan_init))
