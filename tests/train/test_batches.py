"""Per-member batch streams: independent of the ensemble, identical on every device."""

from __future__ import annotations

import pytest
import torch

from ganbench.datasets import DATASETS
from ganbench.train.batches import BatchStream

CPU = torch.device("cpu")


def _stream(seeds, device=CPU, chunk=4):
    ring = DATASETS.get("ring")()
    return BatchStream(
        [ring] * len(seeds), seeds, batch_size=8, z_dim=2, device=device, chunk=chunk
    )


def test_a_member_draws_the_same_batches_in_any_ensemble():
    alone, together = _stream([3]), _stream([5, 3, 7])
    for _ in range(6):  # crosses a chunk boundary
        z1, x1, _ = alone.next()
        z3, x3, _ = together.next()
        torch.testing.assert_close(z1[0], z3[1], rtol=0, atol=0)
        torch.testing.assert_close(x1[0], x3[1], rtol=0, atol=0)


def test_same_seeds_give_the_same_batches_and_other_seeds_do_not():
    a, b, c = _stream([1]), _stream([1]), _stream([2])
    for _ in range(5):
        za, xa, _ = a.next()
        zb, xb, _ = b.next()
        zc, _, _ = c.next()
        assert za.shape == (1, 8, 2) and xa.shape == (1, 8, 2)
        torch.testing.assert_close(za, zb, rtol=0, atol=0)
        torch.testing.assert_close(xa, xb, rtol=0, atol=0)
        assert not torch.equal(za, zc)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_batches_equal_the_cpu_batches():
    cpu, gpu = _stream([2, 4]), _stream([2, 4], device=torch.device("cuda"))
    for _ in range(5):
        zc, xc, _ = cpu.next()
        zg, xg, _ = gpu.next()
        assert zg.is_cuda and xg.is_cuda
        torch.testing.assert_close(zg.cpu(), zc, rtol=0, atol=0)
        torch.testing.assert_close(xg.cpu(), xc, rtol=0, atol=0)
