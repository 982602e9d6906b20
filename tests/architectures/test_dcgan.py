"""Image architectures: forward/backward over the registry, shapes, conditioning, init, SN."""

from __future__ import annotations

import itertools

import pytest
import torch
from torch import nn

from ganbench.architectures import ARCHITECTURES, ModelContext
from ganbench.architectures.conv import MemberNets, SpectralNorm, numerics, spectral_norm
from ganbench.architectures.dcgan import layout
from ganbench.architectures.layers import reset_members
from ganbench.axes import ComponentSpec
from ganbench.config import build_component
from ganbench.errors import ConfigError

IMAGE_ARCHS = [
    n for n in ARCHITECTURES.names() if ARCHITECTURES.entry(n).meta.get("kind") == "images"
]
SMALL = {"dcgan": {"width": 8}, "resnet": {"width": 8, "d_width": 8}}
CASES = [
    (name, res, ch)
    for name in IMAGE_ARCHS
    for res in ARCHITECTURES.entry(name).meta["resolutions"]
    for ch in ARCHITECTURES.entry(name).meta["channels"]
]


def build(name, shape, ensemble=1, n_classes=None, pack=1, seeds=None, **params):
    ctx = ModelContext(shape, z_dim=16, ensemble=ensemble, n_classes=n_classes, pack=pack)
    pair = ARCHITECTURES.get(name)(ctx, **{**SMALL.get(name, {}), **params})
    gens = [torch.Generator().manual_seed(s) for s in (seeds or range(ensemble))]
    reset_members(pair.generator, gens)
    gens = [torch.Generator().manual_seed(s) for s in (seeds or range(ensemble))]
    reset_members(pair.discriminator, gens)
    return pair


def test_registry_has_the_image_architectures():
    assert {"dcgan", "resnet"} <= set(IMAGE_ARCHS)
    for name in IMAGE_ARCHS:
        assert ARCHITECTURES.entry(name).meta["ensemble"] is False  # measured: see conv.py


@pytest.mark.parametrize(("name", "res", "ch"), CASES)
def test_forward_backward_every_resolution_and_channel_count(name, res, ch):
    pair = build(name, (ch, res, res), ensemble=2)
    z = torch.randn(2, 4, 16)
    x = pair.generator(z)
    assert x.shape == (2, 4, ch, res, res) and x.dtype == torch.float32
    assert float(x.detach().abs().max()) <= 1.0
    out = pair.discriminator(x)
    assert out.shape == (2, 4)
    out.sum().backward()
    for net in (pair.generator, pair.discriminator):
        missing = [n for n, p in net.named_parameters() if p.grad is None]
        assert not missing, f"parameters without gradient: {missing}"
        assert all(torch.isfinite(p.grad).all() for p in net.parameters())


@pytest.mark.parametrize("name", IMAGE_ARCHS)
@pytest.mark.parametrize(("g_cond", "d_cond"), [("cbn", "projection"), ("concat", "concat")])
def test_conditional_outputs_depend_on_the_label(name, g_cond, d_cond):
    res = ARCHITECTURES.entry(name).meta["resolutions"][0]
    pair = build(name, (3, res, res), n_classes=5, g_conditioning=g_cond, d_conditioning=d_cond)
    with torch.no_grad():  # CBN starts at gain 1 / shift 0 for every class: move it off
        for m in pair.generator.modules():
            if isinstance(m, nn.Embedding):
                m.weight.normal_(1.0, 0.5)
    z = torch.randn(1, 1, 16).expand(1, 3, 16)  # one latent, three labels
    y = torch.tensor([[0, 1, 2]])
    x = pair.generator(z, y)
    assert not torch.allclose(x[0, 0], x[0, 1])
    same_x = x[:, :1].expand(1, 3, *x.shape[2:])
    scores = pair.discriminator(same_x, y)
    assert scores.shape == (1, 3) and not torch.allclose(scores[0, 0], scores[0, 1])
    with pytest.raises(ValueError, match="pass labels"):
        pair.generator(z)
    (scores.sum() + x.sum()).backward()


@pytest.mark.parametrize("name", IMAGE_ARCHS)
def test_packing_concatenates_samples_along_channels(name):
    res = ARCHITECTURES.entry(name).meta["resolutions"][0]
    pair = build(name, (1, res, res), pack=3)
    x = torch.randn(1, 2, 3, res, res)  # (E, B', pack·C, H, W), as the loop packs
    assert pair.discriminator(x).shape == (1, 2)
    first = next(m for m in pair.discriminator.modules() if isinstance(m, nn.Conv2d))
    assert first.in_channels == 3


@pytest.mark.parametrize("name", IMAGE_ARCHS)
def test_a_member_does_not_depend_on_its_ensemble(name):
    res = ARCHITECTURES.entry(name).meta["resolutions"][0]
    alone = build(name, (1, res, res), ensemble=1, seeds=[7])
    group = build(name, (1, res, res), ensemble=3, seeds=[3, 7, 9])
    z = torch.randn(3, 5, 16)
    torch.testing.assert_close(alone.generator(z[1:2])[0], group.generator(z)[1], rtol=0, atol=0)
    x = torch.rand(3, 5, 1, res, res) * 2 - 1
    torch.testing.assert_close(
        alone.discriminator(x[1:2])[0], group.discriminator(x)[1], rtol=0, atol=0
    )


def test_dcgan_init_is_seeded_and_follows_radford():
    a = build("dcgan", (1, 28, 28), seeds=[5], width=64)
    b = build("dcgan", (1, 28, 28), seeds=[5], width=64)
    c = build("dcgan", (1, 28, 28), seeds=[6], width=64)
    pa, pb, pc = (dict(p.generator.named_parameters()) for p in (a, b, c))
    assert all(torch.equal(pa[k], pb[k]) for k in pa)
    assert not all(torch.equal(pa[k], pc[k]) for k in pa)
    conv = a.generator.nets[0].ups[0].weight.detach()
    assert abs(float(conv.std()) - 0.02) < 0.001 and abs(float(conv.mean())) < 0.001


def _count_dcgan(z, c, res, w):
    """Parameters of the DCGAN spec in the module docstring, counted by hand."""
    base, n = layout(res)
    gw = [w * 2 ** (n - 1 - i) for i in range(n)]
    g = z * gw[0] * base**2 + 2 * gw[0]  # project (no bias) + BN
    g += sum(i * o * 16 + 2 * o for i, o in itertools.pairwise(gw))  # ConvT (no bias) + BN
    g += gw[-1] * c * 16 + c
    dw = [w * 2**i for i in range(n)]
    d = c * dw[0] * 16 + dw[0]
    d += sum(i * o * 16 + 2 * o for i, o in itertools.pairwise(dw))
    d += dw[-1] * base**2 + 1
    return g, d


@pytest.mark.parametrize(("res", "w"), [(28, 64), (32, 64), (64, 128)])
def test_dcgan_parameter_counts_match_the_spec(res, w):
    pair = ARCHITECTURES.get("dcgan")(ModelContext((3, res, res), z_dim=100), width=w)
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert (count(pair.generator), count(pair.discriminator)) == _count_dcgan(100, 3, res, w)
    if res == 64:  # Radford et al.: 1024-512-256-128 feature maps before the 3-channel output
        widths = [m.in_channels for m in pair.generator.nets[0].ups] + [128]
        assert widths == [1024, 512, 256, 128]


def test_unsupported_resolution_is_a_one_line_config_error():
    spec = ComponentSpec("dcgan", "dcgan", {})
    with pytest.raises(ConfigError, match="supports 28, 32, 64 px"):
        build_component(spec, ARCHITECTURES, "architectures", ModelContext((1, 8, 8), 16))
    spec = ComponentSpec("resnet", "resnet", {})
    with pytest.raises(ConfigError, match="supports 32 px"):
        build_component(spec, ARCHITECTURES, "architectures", ModelContext((3, 64, 64), 16))


@pytest.mark.parametrize(
    "make",
    [lambda: nn.Conv2d(6, 10, 3), lambda: nn.ConvTranspose2d(6, 10, 4), lambda: nn.Linear(7, 4)],
    ids=["conv", "conv_transpose", "linear"],
)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_spectral_norm_gives_unit_top_singular_value(make, seed):
    # The weights were drawn at collection time from the global RNG, so the test's
    # input depended on what ran before it (it failed once at 1.0025): seed them here.
    torch.manual_seed(seed)
    module = make()
    spectral_norm(module)
    sn = module.parametrizations.weight[0]
    assert isinstance(sn, SpectralNorm)
    sn.reset(module.parametrizations.weight.original, torch.Generator().manual_seed(0), steps=100)
    module.eval()  # no further power iterations: use the converged vectors
    w = module.weight.detach()
    mat = (w.transpose(0, 1) if isinstance(module, nn.ConvTranspose2d) else w).flatten(1)
    assert abs(float(torch.linalg.svdvals(mat)[0]) - 1.0) < 1e-3


def test_virtual_batch_norm_makes_samples_independent_of_their_batch():
    pair = build("dcgan", (1, 28, 28), g_norm="virtual", vbn_reference_size=8)
    z = torch.randn(1, 6, 16)
    full = pair.generator(z)
    alone = pair.generator(z[:, 2:3])
    torch.testing.assert_close(full[:, 2:3], alone, rtol=1e-5, atol=1e-6)
    plain = build("dcgan", (1, 28, 28))  # batch norm: a sample depends on its batch
    assert not torch.allclose(plain.generator(z)[:, 2:3], plain.generator(z[:, 2:3]))


def test_conditional_packed_discriminator_appends_label_maps():
    pair = build("dcgan", (1, 28, 28), n_classes=4, pack=2, d_conditioning="concat", d_norm="layer")
    first = next(m for m in pair.discriminator.modules() if isinstance(m, nn.Conv2d))
    assert first.in_channels == 2 * (1 + 4)
    x, y = torch.randn(1, 3, 2, 28, 28), torch.randint(4, (1, 3, 2))
    out = pair.discriminator(x, y)
    y2 = y.clone()
    y2[0, 0, 1] = (y2[0, 0, 1] + 1) % 4  # change the second packed sample's label
    changed = pair.discriminator(x, y2)
    assert out.shape == (1, 3) and changed[0, 0] != out[0, 0]
    torch.testing.assert_close(changed[0, 1:], out[0, 1:])
    with pytest.raises(ConfigError, match="does not support packing"):
        ctx = ModelContext((1, 28, 28), 16, n_classes=4, pack=2)
        build_component(ComponentSpec("dcgan", "dcgan", {}), ARCHITECTURES, "arch", ctx)


def test_numerics_per_device():
    assert numerics("cpu") == {"precision": "float32", "memory_format": "contiguous"}
    assert numerics("cuda") == {"precision": "bf16-autocast", "memory_format": "channels_last"}


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("name", IMAGE_ARCHS)
def test_cuda_uses_bf16_and_channels_last(name):
    res = ARCHITECTURES.entry(name).meta["resolutions"][0]
    pair = build(name, (3, res, res))
    g = pair.generator.cuda()
    assert isinstance(g, MemberNets)
    conv = next(p for p in g.parameters() if p.ndim == 4)
    assert conv.is_contiguous(memory_format=torch.channels_last)
    x = g(torch.randn(1, 4, 16, device="cuda"))
    assert x.dtype == torch.float32 and x.shape == (1, 4, 3, res, res)
    x.sum().backward()
