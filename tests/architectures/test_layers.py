"""Ensemble layers: spectral norm, maxout, virtual batch norm, init, the 1-output fast path."""

from __future__ import annotations

import pytest
import torch

from ganbench.architectures.layers import (
    EnsembleEmbedding,
    EnsembleLinear,
    EnsembleMaxout,
    VirtualBatchNorm,
    reset_members,
)


def gens(n: int, offset: int = 0) -> list[torch.Generator]:
    return [torch.Generator().manual_seed(offset + i) for i in range(n)]


def test_spectral_norm_power_iteration_reaches_unit_largest_singular_value():
    layer = EnsembleLinear(3, 20, 30, spectral_norm=True, power_iterations=1)
    reset_members(layer, gens(3))
    x = torch.randn(3, 4, 20)
    for _ in range(200):  # one power iteration per training forward pass
        layer(x)
    w = layer.effective_weight().detach()
    for e in range(3):
        sigma = torch.linalg.svdvals(w[e]).max()
        assert float(sigma) == pytest.approx(1.0, abs=1e-3)
        assert float(torch.linalg.svdvals(layer.weight[e].detach()).max()) > 1.2  # not trivial


def test_spectral_norm_vectors_are_frozen_in_eval_mode_and_gradients_flow():
    layer = EnsembleLinear(2, 5, 4, spectral_norm=True, power_iterations=3)
    reset_members(layer, gens(2))
    layer.eval()
    u = layer.sn_u.clone()
    out = layer(torch.randn(2, 7, 5))
    assert torch.equal(layer.sn_u, u)
    out.sum().backward()
    assert layer.weight.grad is not None and torch.isfinite(layer.weight.grad).all()


def test_single_output_fast_path_equals_batched_matmul():
    layer = EnsembleLinear(3, 16, 1)
    reset_members(layer, gens(3))
    x = torch.randn(3, 9, 16, dtype=torch.float64)
    layer.double()
    expected = torch.baddbmm(layer.bias, x, layer.weight)
    torch.testing.assert_close(layer(x), expected)


def test_init_std_draws_normal_weights_and_zero_biases():
    layer = EnsembleLinear(2, 400, 300, init_std=0.02)
    reset_members(layer, gens(2))
    w = layer.weight.detach()
    assert float(w.std()) == pytest.approx(0.02, rel=0.01)
    assert float(w.mean()) == pytest.approx(0.0, abs=1e-4)
    assert torch.equal(layer.bias, torch.zeros_like(layer.bias))


def test_members_are_initialised_from_their_own_generators():
    a, b = EnsembleLinear(2, 3, 4), EnsembleLinear(1, 3, 4)
    reset_members(a, gens(2))
    reset_members(b, gens(1, offset=1))
    torch.testing.assert_close(a.weight[1], b.weight[0])


def test_maxout_is_the_max_over_pieces():
    layer = EnsembleMaxout(2, 3, 4, pieces=5)
    reset_members(layer, gens(2))
    x = torch.randn(2, 6, 3)
    pieces = torch.baddbmm(layer.linear.bias, x, layer.linear.weight).reshape(2, 6, 4, 5)
    torch.testing.assert_close(layer(x), pieces.max(-1).values)


def test_virtual_batch_norm_output_does_not_depend_on_the_rest_of_the_batch():
    vbn = VirtualBatchNorm(2, 3, reference=8)
    ref = torch.randn(2, 8, 3)
    x = torch.randn(2, 5, 3) * 4 + 2
    full = vbn(torch.cat([x, ref], 1))
    single = vbn(torch.cat([x[:, 2:3], ref], 1))
    torch.testing.assert_close(full[:, 2:3], single[:, :1])
    # the reference rows are normalised with their own statistics
    ref_out = full[:, -8:]
    torch.testing.assert_close(ref_out.mean(1), torch.zeros(2, 3), atol=1e-5, rtol=0)


def test_virtual_batch_norm_statistics_include_the_example_itself():
    """Mean (x + n·μ_ref)/(n + 1), E[x²] likewise, as in Salimans et al. (2016)."""
    vbn = VirtualBatchNorm(1, 1, reference=3)
    ref = torch.tensor([[[1.0], [2.0], [3.0]]])
    x = torch.tensor([[[10.0]]])
    out = vbn(torch.cat([x, ref], 1))[0, 0, 0].detach()
    batch = torch.tensor([10.0, 1.0, 2.0, 3.0])
    expected = (10.0 - batch.mean()) / torch.sqrt(batch.var(unbiased=False) + 1e-5)
    assert float(out) == pytest.approx(float(expected), rel=1e-6)


def test_embedding_looks_up_each_members_table():
    emb = EnsembleEmbedding(2, 5, 3)
    reset_members(emb, gens(2))
    y = torch.tensor([[0, 4, 4], [1, 1, 2]])
    out = emb(y)
    torch.testing.assert_close(out[1, 2], emb.weight[1, 2])
    torch.testing.assert_close(out[0, 1], emb.weight[0, 4])
