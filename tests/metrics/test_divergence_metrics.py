"""Registered divergence metrics and the binned estimator against a known mixture."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from scipy.stats import chi2

from ganbench.datasets import DATASETS
from ganbench.metrics import METRICS
from ganbench.metrics.base import EvalContext
from ganbench.metrics.divergence import (
    DivergenceError,
    GaussianMixtureDensity,
    estimate_divergence,
)
from ganbench.metrics.divergence.binned import cell_probabilities
from ganbench.metrics.divergence.densities import as_density
from ganbench.metrics.divergence.registered import REGISTERED


@pytest.fixture
def ring():
    return DATASETS.get("ring")()


def _ctx(ds, n=200, seed=0):
    g = torch.Generator().manual_seed(123)
    fake = ds.sample(n, g) + 0.01 * torch.randn(n, 2, generator=g)
    return EvalContext(ds, fake, seed, torch.device("cpu"))


@pytest.mark.parametrize("spec", REGISTERED, ids=lambda s: s.name)
def test_every_divergence_metric_runs(spec, ring):
    """Each registered divergence metric gives a number (or inf with a note) and its protocol."""
    entry = METRICS.get(spec.name)
    ctx = _ctx(ring)
    res = entry.compute(ctx)
    assert not math.isnan(res.value)
    assert math.isfinite(res.value) or res.note
    assert res.protocol["method"] == spec.method and res.protocol["q"] == "generator"
    assert entry.higher_is_better is False
    json.dumps(res.protocol)  # goes into the JSON record as it is
    again = entry.compute(_ctx(ring))
    assert again.value == res.value  # deterministic


def test_real_sample_depends_on_seed_only(ring):
    from ganbench.metrics.divergence.registered import real_points

    a, b, c = (
        real_points(_ctx(ring, seed=1)),
        real_points(_ctx(ring, seed=1)),
        real_points(_ctx(ring, seed=2)),
    )
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_default_metrics_are_cheap_ones():
    defaults = {s.name: s.method for s in REGISTERED if s.default}
    assert set(defaults.values()) <= {"knn", "mmd", "binned"}


def test_cell_probabilities_are_the_chi2_shells(ring):
    p = as_density(ring, "p")
    probs = cell_probabilities(p, [1.0, 2.0, 3.0])
    shell = np.diff(chi2.cdf([0, 1, 4, 9], df=2))
    assert probs.sum() == pytest.approx(1.0)
    assert probs[:3] == pytest.approx(shell / 8)
    assert probs[-1] == pytest.approx(math.exp(-4.5))  # P(χ²₂ ≥ 9)


def test_binned_perfect_sampler_and_mode_dropping(ring):
    g = torch.Generator().manual_seed(0)
    perfect = ring.sample(4000, g)
    est = estimate_divergence(ring, perfect, "reverse_kl", method="binned")
    floor = est.details["perfect_sampler_mean"]
    assert est.value < 4 * floor and floor == pytest.approx(24 / (2 * 4000), rel=0.3)
    x, k = ring.sample_labeled(4000, g)
    half = x[k < 4]  # modes 0..3 only
    rkl = estimate_divergence(ring, half, "reverse_kl", method="binned")
    tv = estimate_divergence(ring, half, "tv", method="binned")
    kl = estimate_divergence(ring, half, "kl", method="binned")
    assert rkl.value == pytest.approx(math.log(2), abs=0.02)
    assert tv.value == pytest.approx(0.5, abs=0.02)
    assert kl.is_infinite and "49.4%" in kl.notes[0]  # 4 modes × P(χ²₂ < 9) / 8


def test_binned_refuses_overlapping_components():
    p = GaussianMixtureDensity.create([0.5, 0.5], [[0.0, 0.0], [2.0, 0.0]], [0.25, 0.25])
    with pytest.raises(DivergenceError, match="too close"):
        estimate_divergence(p, np.zeros((10, 2)), "tv", method="binned")
