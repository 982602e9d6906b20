"""Stacked Fashion-MNIST: three independent images as R, G, B with class-triple labels."""

from __future__ import annotations

import pytest
import torch

from ganbench.datasets import DATASETS
from ganbench.datasets.images import to_uint8
from ganbench.datasets.stacked import StackedDataset, channel_labels, triple_labels
from ganbench.metrics.base import dataset_capabilities

from .test_images import needs_fashion


def test_triple_label_coding_is_a_bijection():
    modes = torch.arange(1000)
    digits = channel_labels(modes)
    assert digits.shape == (1000, 3) and int(digits.max()) == 9
    assert torch.equal(triple_labels(digits), modes)
    assert triple_labels(torch.tensor([[1, 2, 3]])).item() == 123  # R is the leading digit


@needs_fashion
def test_stacked_samples_are_three_labelled_base_images():
    ds = DATASETS.get("stacked-fashion-mnist")()
    assert isinstance(ds, StackedDataset) and ds.kind == "images"
    assert ds.shape == (3, 28, 28) and ds.n_classes == 1000
    assert "stacked" in dataset_capabilities(ds)
    base = ds.base.images_uint8("train").reshape(60000, -1).to(torch.int64)
    weights = torch.randint(1, 2**31, (base.shape[1],), generator=torch.Generator().manual_seed(0))
    where = {int(h): i for i, h in enumerate(base @ weights)}
    x, y = ds.sample_labeled(50, torch.Generator().manual_seed(3))
    assert x.shape == (50, 3, 28, 28) and float(x.min()) >= -1 and float(x.max()) <= 1
    rows = torch.tensor(
        [
            [where[int(h)] for h in to_uint8(x[:, c]).reshape(50, -1).to(torch.int64) @ weights]
            for c in range(3)
        ]
    ).T
    assert torch.equal(triple_labels(ds.base.labels("train")[rows]), y)


@needs_fashion
def test_fixed_reference_triples_are_deterministic_and_cover_the_modes():
    a = DATASETS.get("stacked-fashion-mnist")(split="test")
    b = StackedDataset(a.base, "test")  # a fresh instance, no shared cache
    assert torch.equal(a.images_uint8("test"), b.images_uint8("test"))
    assert a.images_uint8("test").shape == (10000, 3, 28, 28)
    labels = a.labels("test")
    assert labels.shape == (10000,) and labels.unique().numel() == 1000
    small = StackedDataset(a.base, "test", n_fixed=64)
    assert small.images_uint8().shape == (64, 3, 28, 28)
    with pytest.raises(ValueError, match="n_fixed"):
        StackedDataset(a.base, "test", n_fixed=0)
