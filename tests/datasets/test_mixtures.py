from __future__ import annotations

import inspect
import json
import math

import pytest
import torch

from ganbench.datasets import DATASETS
from ganbench.datasets.base import dataset_facts
from ganbench.datasets.mixtures import MAX_FACT_NUMBERS, GaussianMixture
from ganbench.errors import AssetError
from ganbench.params import signature_params


@pytest.mark.parametrize("name", DATASETS.names())
def test_every_dataset_samples_with_its_generator(name):
    params = signature_params(DATASETS.get(name))
    if any(default is inspect.Parameter.empty for _, default in params.values()):
        pytest.skip(f"{name} has required parameters (tested in its own module)")
    try:  # never download in tests; a missing local asset skips
        ds = DATASETS.get(name)(**({"download": False} if "download" in params else {}))
    except AssetError as exc:
        pytest.skip(str(exc))
    a = ds.sample(64, torch.Generator().manual_seed(1))
    b = ds.sample(64, torch.Generator().manual_seed(1))
    assert a.shape == (64, *ds.shape)
    assert torch.equal(a, b)


def test_ring_has_eight_distinct_modes_on_the_circle():
    ring = DATASETS.get("ring")()
    assert ring.n_modes == 8
    assert torch.allclose(ring.means.norm(dim=1), torch.ones(8), atol=1e-6)
    d = torch.cdist(ring.means, ring.means) + torch.eye(8) * 10
    assert d.min() > 0.7  # 2 sin(π/8) ≈ 0.765: no duplicated mode
    assert float(ring.stds[0]) == pytest.approx(0.01)


def test_grid_means_and_std():
    grid = DATASETS.get("grid")()
    assert grid.n_modes == 25
    assert sorted(set(grid.means[:, 0].tolist())) == [-4.0, -2.0, 0.0, 2.0, 4.0]
    assert float(grid.stds[0]) == pytest.approx(0.05)


def test_samples_follow_weights_and_std():
    mix = GaussianMixture(
        torch.tensor([[0.0, 0.0], [10.0, 0.0]]), torch.tensor(0.5), torch.tensor([0.25, 0.75])
    )
    x, y = mix.sample_labeled(40_000, torch.Generator().manual_seed(0))
    assert float(y.float().mean()) == pytest.approx(0.75, abs=0.01)
    resid = x - mix.means[y]
    assert float(resid.std()) == pytest.approx(0.5, rel=0.02)


def test_log_prob_matches_closed_form_for_one_component():
    mix = GaussianMixture(torch.tensor([[1.0, -1.0]]), torch.tensor(2.0), torch.tensor([1.0]))
    x = torch.tensor([[1.0, -1.0], [3.0, 0.0]])
    sq = torch.tensor([0.0, 5.0], dtype=torch.float64)
    expected = -sq / (2 * 4.0) - math.log(2 * math.pi * 4.0)
    assert torch.allclose(mix.log_prob(x), expected)


def test_invalid_parameters_raise():
    with pytest.raises(ValueError, match="std > 0"):
        DATASETS.get("ring")(std=0.0)


def test_mixture_facts_are_its_mode_centres_and_stds():
    ring = DATASETS.get("ring")(n_modes=4, std=0.5)
    facts = dataset_facts(ring)
    assert facts == {"mode_centres": ring.means.tolist(), "mode_stds": [0.5] * 4}
    assert json.loads(json.dumps(facts)) == facts  # JSON as it is
    assert len(dataset_facts(DATASETS.get("grid")())["mode_centres"]) == 25


def test_dataset_facts_leave_out_huge_mixtures_and_add_skipped_files():
    k = MAX_FACT_NUMBERS // 2 + 1
    huge = GaussianMixture(torch.zeros(k, 2), torch.tensor(1.0), torch.ones(k))
    assert dataset_facts(huge) == {}
    huge.n_skipped = 3  # as an image folder reports it
    assert dataset_facts(huge) == {"skipped_unreadable_files": 3}
