"""The SNGAN ResNet for 32 px images (Miyato et al. 2018, CIFAR-10; Table 4 of the paper).

Follows the authors' chainer code (``pfnet-research/sngan_projection``,
``gen_models/resnet_32.py`` and ``dis_models/snresnet_32.py``):

* Generator: z (128) → linear to 4×4×``width`` (256) → 3 up-blocks
  [BN → ReLU → nearest ×2 → conv3×3 → BN → ReLU → conv3×3, shortcut ×2 →
  conv1×1] → BN → ReLU → conv3×3 to C channels → tanh.
* Discriminator (``d_width`` 128): an optimised first block [conv3×3 → ReLU →
  conv3×3 → avg-pool, shortcut avg-pool → conv1×1], a down-block, two plain
  blocks [ReLU → conv3×3 → ReLU → conv3×3 (→ avg-pool), learnable shortcut
  only where the shape changes], ReLU, global sum pooling, linear to 1 (plus
  the projection ⟨embed(y), φ⟩ when conditional).
* Spectral norm on every D layer (the paper's setting; ``d_spectral_norm:
  false`` gives the WGAN-GP ResNet critic shape of Gulrajani et al.);
  Glorot-uniform init with gain √2 inside residual branches.
* Conditional: conditional batch norm in G and the projection D, as in
  Miyato & Koyama 2018 (concat is available too).
"""

from __future__ import annotations

from types import SimpleNamespace

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
from ganbench.architectures.conv import MemberNets, ResidualConv2d, glorot_init, maybe_sn
from ganbench.architectures.dcgan import check_options, check_shape

RESOLUTIONS = (32,)


def _conv(i: int, o: int, k: int, sn: tuple[bool, int], residual: bool) -> nn.Module:
    conv = (ResidualConv2d if residual else nn.Conv2d)(i, o, k, 1, k // 2)
    return maybe_sn(conv, *sn)


class GBlock(nn.Module):
    """Generator up-block with (conditional) batch norm and a 1×1 learnable shortcut."""

    def __init__(
        self, i: int, o: int, n_classes: int | None, cond: GCond, sn: tuple[bool, int]
    ) -> None:
        super().__init__()
        self.n1, self.n2 = GNorm(i, n_classes, cond), GNorm(o, n_classes, cond)
        self.c1, self.c2 = _conv(i, o, 3, sn, True), _conv(o, o, 3, sn, True)
        self.sc = _conv(i, o, 1, sn, False)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        """``(B, i, s, s) → (B, o, 2s, 2s)``."""
        h = F.interpolate(F.relu(self.n1(x, y)), scale_factor=2, mode="nearest")
        h = self.c2(F.relu(self.n2(self.c1(h), y)))
        return h + self.sc(F.interpolate(x, scale_factor=2, mode="nearest"))


class DBlock(nn.Module):
    """Discriminator block; ``first`` is the optimised block without a leading ReLU."""

    def __init__(
        self, i: int, o: int, down: bool, sn: tuple[bool, int], first: bool = False
    ) -> None:
        super().__init__()
        self.down, self.first = down, first
        self.c1, self.c2 = _conv(i, o, 3, sn, True), _conv(o, o, 3, sn, True)
        self.sc = _conv(i, o, 1, sn, False) if (i != o or down) else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Residual branch plus shortcut, average-pooled ×½ when ``down``."""
        h = self.c2(F.relu(self.c1(x if self.first else F.relu(x))))
        if self.down:
            h = F.avg_pool2d(h, 2)
        if self.sc is None:
            return h + x
        if self.first:  # optimised block: pool, then 1×1 conv
            return h + self.sc(F.avg_pool2d(x, 2))
        s = self.sc(x)
        return h + (F.avg_pool2d(s, 2) if self.down else s)


class ResNetGenerator(nn.Module):
    """One member's SNGAN ResNet generator for 32 px."""

    def __init__(
        self,
        z_dim: int,
        channels: int,
        width: int,
        n_classes: int | None,
        cond: GCond,
        sn: tuple[bool, int],
    ) -> None:
        super().__init__()
        self.n_classes, self.cond, self.width = n_classes, cond, width
        z_in = z_dim + (n_classes if n_classes is not None and cond == "concat" else 0)
        self.project = maybe_sn(nn.Linear(z_in, 4 * 4 * width), *sn)
        self.blocks = nn.ModuleList(GBlock(width, width, n_classes, cond, sn) for _ in range(3))
        self.norm = nn.BatchNorm2d(width)
        self.out = _conv(width, channels, 3, sn, False)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """``(B, z_dim) → (B, C, 32, 32)`` in [-1, 1]."""
        y = need_labels(y, self.n_classes)
        if y is not None and self.cond == "concat":
            z = torch.cat([z, one_hot(y, self.n_classes, z.dtype)], 1)  # type: ignore[arg-type]
        h = self.project(z).reshape(len(z), self.width, 4, 4)
        for block in self.blocks:
            h = block(h, y)
        return torch.tanh(self.out(F.relu(self.norm(h))))


class ResNetDiscriminator(nn.Module):
    """One member's SNGAN ResNet discriminator for 32 px (raw scores)."""

    def __init__(
        self,
        channels: int,
        width: int,
        n_classes: int | None,
        cond: DCond,
        sn: tuple[bool, int],
        pack: int,
    ) -> None:
        super().__init__()
        self.n_classes, self.concat = n_classes, cond == "concat"
        in_ch = pack * (channels + (n_classes if n_classes is not None and self.concat else 0))
        self.blocks = nn.Sequential(
            DBlock(in_ch, width, True, sn, first=True),
            DBlock(width, width, True, sn),
            DBlock(width, width, False, sn),
            DBlock(width, width, False, sn),
        )
        self.head = ProjectionHead(width, width, n_classes, not self.concat, *sn)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """``(B, m·C, 32, 32)`` (m = packing degree) → ``(B,)``."""
        y = need_labels(y, self.n_classes)
        h, y_proj = merge_pack(x, y, self.n_classes, self.concat)
        phi = F.relu(self.blocks(h)).sum((2, 3))
        return self.head(phi, y_proj)


@ARCHITECTURES.register(
    "resnet", ensemble=False, resolutions=RESOLUTIONS, channels=(1, 3), kind="images"
)
def resnet(
    ctx: ModelContext,
    *,
    width: int = 256,
    d_width: int = 128,
    d_spectral_norm: bool = True,
    g_spectral_norm: bool = False,
    sn_power_iterations: int = 1,
    g_conditioning: GCond = "cbn",
    d_conditioning: DCond = "projection",
) -> GANPair:
    """SNGAN ResNet G/D for 32 px (Miyato et al. 2018): G width 256, D width 128, SN in D."""
    channels, side = check_shape(ctx.data_shape, "resnet")
    if side not in RESOLUTIONS:
        raise ValueError(f"resnet supports 32 px images, got {side} (set the dataset's resolution)")
    opts = {
        "width": width,
        "d_width": d_width,
        "sn_power_iterations": sn_power_iterations,
        "d_conditioning": d_conditioning,
    }
    check_options(ctx, SimpleNamespace(**opts), "resnet")
    g_sn, d_sn = (g_spectral_norm, sn_power_iterations), (d_spectral_norm, sn_power_iterations)
    gens = [
        ResNetGenerator(ctx.z_dim, channels, width, ctx.n_classes, g_conditioning, g_sn)
        for _ in range(ctx.ensemble)
    ]
    discs = [
        ResNetDiscriminator(channels, d_width, ctx.n_classes, d_conditioning, d_sn, ctx.pack)
        for _ in range(ctx.ensemble)
    ]
    return GANPair(MemberNets(gens, glorot_init), MemberNets(discs, glorot_init))
