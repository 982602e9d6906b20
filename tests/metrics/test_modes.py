from __future__ import annotations

import math

import pytest
import torch

from ganbench.datasets import DATASETS
from ganbench.metrics import mode_statistics


@pytest.fixture
def ring():
    return DATASETS.get("ring")()


def test_all_samples_on_one_mode(ring):
    x = ring.means[3].repeat(500, 1)
    s = mode_statistics(x, ring.means, ring.stds)
    assert s.modes == 1
    assert s.hq_fraction == 1.0
    assert s.reverse_kl == pytest.approx(math.log(8))


def test_exact_mode_centres_cover_everything(ring):
    x = ring.means.repeat(10, 1)
    s = mode_statistics(x, ring.means, ring.stds)
    assert s.modes == 8 and s.modes_fair10 == 8
    assert s.hq_fraction == 1.0
    assert s.reverse_kl == pytest.approx(0.0, abs=1e-12)


def test_far_samples_are_not_high_quality(ring):
    x = torch.zeros(100, 2)  # the ring's centre: 100 std from every mode
    s = mode_statistics(x, ring.means, ring.stds)
    assert s.modes == 0 and s.hq_fraction == 0.0
    assert math.isnan(s.reverse_kl)


def test_threshold_is_three_std(ring):
    mu, sd = ring.means[0], float(ring.stds[0])
    radial = mu / mu.norm()
    inside = mu + 2.99 * sd * radial
    outside = mu + 3.01 * sd * radial
    s = mode_statistics(torch.stack([inside, outside]), ring.means, ring.stds)
    assert s.hq_fraction == 0.5


def test_perfect_sampler_matches_calibration(ring):
    """HQ ≈ 1 − e^{−4.5} = 98.89 % and E[KL(p̂‖U)] ≈ (K−1)/(2N) (REFERENCES.md)."""
    kls, hqs = [], []
    for seed in range(20):
        x = ring.sample(2500, torch.Generator().manual_seed(seed))
        s = mode_statistics(x, ring.means, ring.stds)
        kls.append(s.reverse_kl)
        hqs.append(s.hq_fraction)
        assert s.modes == 8
    assert sum(hqs) / len(hqs) == pytest.approx(1 - math.exp(-4.5), abs=0.002)
    assert sum(kls) / len(kls) == pytest.approx(7 / (2 * 2500 * (1 - math.exp(-4.5))), rel=0.3)


def test_fair_share_count_ignores_a_stray_sample(ring):
    x = torch.cat([ring.means[0].repeat(999, 1), ring.means[1:2]])
    s = mode_statistics(x, ring.means, ring.stds)
    assert s.modes == 2
    assert s.modes_fair10 == 1


def test_permutation_invariance(ring):
    x = ring.sample(1000, torch.Generator().manual_seed(0)) * 1.02
    perm = torch.randperm(1000, generator=torch.Generator().manual_seed(1))
    a = mode_statistics(x, ring.means, ring.stds)
    b = mode_statistics(x[perm], ring.means, ring.stds)
    assert (a.modes, a.hq_fraction, a.reverse_kl) == (b.modes, b.hq_fraction, b.reverse_kl)
