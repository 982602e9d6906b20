"""The mlp architecture's options: shapes, conditioning, packing, norms, validation."""

from __future__ import annotations

import pytest
import torch

from ganbench.architectures import ARCHITECTURES
from ganbench.architectures.base import ModelContext
from ganbench.architectures.layers import EnsembleLinear, EnsembleMaxout, reset_members


def build(ctx: ModelContext, **params):
    pair = ARCHITECTURES.get("mlp")(ctx, depth=2, width=8, **params)
    g = [torch.Generator().manual_seed(i) for i in range(ctx.ensemble)]
    reset_members(pair.generator, g)
    reset_members(pair.discriminator, g)
    return pair


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"g_batch_norm": True},
        {"g_virtual_batch_norm": True, "vbn_reference_size": 4},
        {"d_spectral_norm": True, "g_spectral_norm": True, "sn_power_iterations": 2},
        {"d_maxout": 5, "init_std": 0.02},
    ],
)
@pytest.mark.parametrize("pack", [1, 3])
def test_shapes_with_every_option(params, pack):
    ctx = ModelContext(data_shape=(2,), z_dim=3, ensemble=2, pack=pack)
    pair = build(ctx, **params)
    x = pair.generator(torch.randn(2, 6 * pack, 3))
    assert x.shape == (2, 6 * pack, 2)
    assert pair.discriminator(x.reshape(2, 6, 2 * pack)).shape == (2, 6)


@pytest.mark.parametrize("conditioning", ["concat", "projection"])
def test_conditional_networks_use_the_labels(conditioning):
    ctx = ModelContext(data_shape=(2,), z_dim=2, ensemble=2, n_classes=4)
    pair = build(ctx, d_conditioning=conditioning)
    z = torch.randn(2, 5, 2)
    y0, y1 = torch.zeros(2, 5, dtype=torch.long), torch.full((2, 5), 3)
    assert not torch.equal(pair.generator(z, y0), pair.generator(z, y1))
    x = pair.generator(z, y0)
    assert not torch.equal(pair.discriminator(x, y0), pair.discriminator(x, y1))
    with pytest.raises(ValueError, match="pass labels"):
        pair.generator(z)


def test_packed_labels_are_concatenated_per_sample():
    ctx = ModelContext(data_shape=(2,), z_dim=2, ensemble=1, n_classes=3, pack=2)
    pair = build(ctx)
    assert pair.discriminator.net.hidden[0].in_features == 2 * 2 + 3 * 2
    out = pair.discriminator(torch.randn(1, 4, 4), torch.zeros(1, 4, 2, dtype=torch.long))
    assert out.shape == (1, 4)


def test_batch_norm_generators_drop_hidden_biases_and_maxout_uses_pieces():
    pair = build(ModelContext((2,), 2), g_batch_norm=True, d_maxout=5)
    assert all(layer.bias is None for layer in pair.generator.net.hidden)
    assert all(isinstance(layer, EnsembleMaxout) for layer in pair.discriminator.net.hidden)
    assert pair.discriminator.net.hidden[0].linear.out_features == 8 * 5


def test_spectral_norm_is_only_where_asked():
    pair = build(ModelContext((2,), 2), d_spectral_norm=True)
    d_layers = [m for m in pair.discriminator.modules() if isinstance(m, EnsembleLinear)]
    g_layers = [m for m in pair.generator.modules() if isinstance(m, EnsembleLinear)]
    assert all(m.spectral_norm for m in d_layers)
    assert not any(m.spectral_norm for m in g_layers)


def test_virtual_batch_norm_generator_is_per_example():
    pair = build(ModelContext((2,), 2), g_virtual_batch_norm=True, vbn_reference_size=16)
    z = torch.randn(1, 10, 2)
    torch.testing.assert_close(pair.generator(z)[:, 3:4], pair.generator(z[:, 3:4]))


@pytest.mark.parametrize(
    ("ctx", "params", "message"),
    [
        (ModelContext((2,), 2), {"g_batch_norm": True, "g_virtual_batch_norm": True}, "not both"),
        (ModelContext((2,), 2), {"d_maxout": 0}, ">= 1"),
        (ModelContext((2,), 2), {"init_std": 0.0}, "init_std"),
        (ModelContext((2,), 2, n_classes=3, pack=2), {"d_conditioning": "projection"}, "pack"),
    ],
)
def test_bad_options_raise(ctx, params, message):
    with pytest.raises(ValueError, match=message):
        ARCHITECTURES.get("mlp")(ctx, **params)
