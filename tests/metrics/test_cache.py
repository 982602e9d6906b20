from __future__ import annotations

import numpy as np
import pytest
import torch

from ganbench.metrics.cache import real_reference, select_subset
from ganbench.metrics.fid import feature_statistics
from tests.metrics.helpers import PixelExtractor, digits

pytestmark = pytest.mark.usefixtures("single_thread")


@pytest.fixture
def images():
    return digits()["train"][0]


def _ref(extractor, images, root, **kw):
    args = {"dataset": "digits", "split": "train", "n_real": 300, "batch_size": 64, "root": root}
    return real_reference(extractor, images, **{**args, **kw})


def test_second_run_extracts_nothing(images, cache_root):
    ext = PixelExtractor()
    first = _ref(ext, images, cache_root)
    calls = ext.calls
    second = _ref(ext, images, cache_root)
    assert not first.from_cache and second.from_cache and ext.calls == calls
    assert second.path == first.path and first.path.parent == cache_root / "reference"
    np.testing.assert_array_equal(second.features, first.features)
    np.testing.assert_array_equal(second.sigma, first.sigma)
    mu, sigma = feature_statistics(first.features)
    np.testing.assert_array_equal(first.mu, mu)
    np.testing.assert_array_equal(first.sigma, sigma)
    assert first.features.shape == (300, 16) and first.logits.shape == (300, 10)
    assert second.meta["subset"] == "first 300 of torch.randperm(seed=0)"


@pytest.mark.parametrize("change", ["n_real", "split", "dataset", "extractor", "pixels"])
def test_key_covers_everything_the_numbers_depend_on(images, cache_root, change):
    base = _ref(PixelExtractor(), images, cache_root, n_real=None)
    extractor, imgs, kwargs = PixelExtractor(), images, {"n_real": None}
    if change == "n_real":
        kwargs["n_real"] = 200
    elif change == "split":
        kwargs["split"] = "test"
    elif change == "dataset":
        kwargs["dataset"] = "other"
    elif change == "extractor":
        extractor = PixelExtractor(name="other")
    else:
        imgs = images.clone()
        imgs[0] ^= 1  # flip the lowest bit of one image's pixels
    other = _ref(extractor, imgs, cache_root, **kwargs)
    assert not other.from_cache and other.path != base.path


def test_subset_is_fixed_and_all_means_in_order():
    idx, rule = select_subset(100, 10)
    again, _ = select_subset(100, 10)
    assert torch.equal(idx, again) and len(set(idx.tolist())) == 10 and "seed=0" in rule
    assert select_subset(100, None)[0] is None and select_subset(100, 500)[0] is None


def test_cache_dir_comes_from_the_environment(images, cache_root):
    ref = real_reference(PixelExtractor(), images, dataset="digits", split="train", n_real=50)
    assert ref.path.is_relative_to(cache_root)
