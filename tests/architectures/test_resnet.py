"""The SNGAN ResNet (Miyato et al. 2018): size, spectral norm, shortcuts."""

from __future__ import annotations

import torch

from ganbench.architectures import ARCHITECTURES, ModelContext
from ganbench.architectures.conv import SpectralNorm

from .test_dcgan import build


def test_sngan_resnet_has_the_papers_size():
    pair = ARCHITECTURES.get("resnet")(ModelContext((3, 32, 32), z_dim=128))
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    ch, dch = 256, 128
    block_g = 2 * (9 * ch * ch + ch) + (ch * ch + ch) + 2 * 2 * ch  # 2 conv3, 1×1 sc, 2 BN
    g = 128 * 16 * ch + 16 * ch + 3 * block_g + 2 * ch + 9 * ch * 3 + 3
    d_first = (9 * 3 * dch + dch) + (9 * dch * dch + dch) + (3 * dch + dch)
    d_down = 2 * (9 * dch * dch + dch) + (dch * dch + dch)
    d_plain = 2 * (9 * dch * dch + dch)
    d = d_first + d_down + 2 * d_plain + dch + 1
    assert (count(pair.generator), count(pair.discriminator)) == (g, d)


def test_spectral_norm_vectors_are_seeded():
    a = build("resnet", (3, 32, 32), seeds=[1])
    b = build("resnet", (3, 32, 32), seeds=[1])
    ua = [m.u for m in a.discriminator.modules() if isinstance(m, SpectralNorm)]
    ub = [m.u for m in b.discriminator.modules() if isinstance(m, SpectralNorm)]
    assert len(ua) > 10 and all(torch.equal(x, y) for x, y in zip(ua, ub, strict=True))


def test_discriminator_is_spectrally_normalised_by_default():
    pair = ARCHITECTURES.get("resnet")(ModelContext((3, 32, 32), z_dim=128), width=8, d_width=8)
    sn_d = [m for m in pair.discriminator.modules() if isinstance(m, SpectralNorm)]
    sn_g = [m for m in pair.generator.modules() if isinstance(m, SpectralNorm)]
    # 4 blocks × 2 convs + 2 learnable shortcuts + the linear head
    assert len(sn_d) == 11 and not sn_g
    plain = ARCHITECTURES.get("resnet")(
        ModelContext((3, 32, 32), z_dim=128), width=8, d_width=8, d_spectral_norm=False
    )
    assert not any(isinstance(m, SpectralNorm) for m in plain.discriminator.modules())
