"""Stop-gap ``classifier_fid`` on the mini classifier's features.

Registered only when no ``classifier_fid`` exists: the metrics issue's
domain-classifier FID (``ganbench.metrics.sample_quality``) is imported first
when it is present and keeps the name; this module can then be deleted. Fréchet distance
between Gaussians fitted to the 128-d penultimate features of
:mod:`ganbench.metrics.mini_classifier` on real (the dataset's test split, or
the ``reference_split`` option) and generated grey images; stacked (3-channel)
images are scored channel by channel against the base set's channels.
"""

from __future__ import annotations

import contextlib
import functools
import importlib

import torch

from ganbench.datasets.images import ImageDataset, to_uint8
from ganbench.datasets.stacked import StackedDataset
from ganbench.metrics.base import METRICS, EvalContext, MetricResult, register_metric
from ganbench.metrics.mini_classifier import MiniClassifier, mini_classifier

Stats = tuple[torch.Tensor, torch.Tensor]


def gaussian_stats(features: torch.Tensor) -> Stats:
    """Mean and unbiased covariance (float64) of ``(n, d)`` features."""
    x = features.to(torch.float64)
    mu = x.mean(0)
    xc = x - mu
    return mu, xc.T @ xc / (len(x) - 1)


def frechet(a: Stats, b: Stats) -> float:
    """‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr √(√Σ₁ Σ₂ √Σ₁) (symmetric form, via ``eigh``)."""
    (m1, s1), (m2, s2) = a, b
    w, v = torch.linalg.eigh(s1)
    root = (v * w.clamp(min=0).sqrt()) @ v.T
    inner = root @ s2 @ root
    tr = torch.linalg.eigvalsh((inner + inner.T) / 2).clamp(min=0).sqrt().sum()
    return float((m1 - m2).square().sum() + s1.trace() + s2.trace() - 2 * tr)


def _grey(images: torch.Tensor) -> torch.Tensor:
    """uint8 ``(N, C, H, W)`` → ``(N·C, 1, H, W)``: every channel as a grey image."""
    n, c, h, w = images.shape
    return images.reshape(n * c, 1, h, w)


@functools.lru_cache(maxsize=8)
def _real_stats(dataset: ImageDataset, split: str) -> Stats:
    base = dataset.base if isinstance(dataset, StackedDataset) else dataset
    return gaussian_stats(mini_classifier(base).features(_grey(dataset.images_uint8(split))))


def _classifier(dataset: ImageDataset) -> MiniClassifier:
    return mini_classifier(dataset.base if isinstance(dataset, StackedDataset) else dataset)


def classifier_fid(ctx: EvalContext) -> MetricResult:
    """FID on the mini classifier's features (lower is better)."""
    ds = ctx.dataset
    if not isinstance(ds, ImageDataset):
        raise ValueError("classifier_fid needs an image dataset")
    split = str(ctx.options.get("reference_split", "test"))
    clf = _classifier(ds)
    fake = gaussian_stats(clf.features(_grey(to_uint8(ctx.samples))))
    value = frechet(_real_stats(ds, split), fake)
    proto = {
        "features": "mini-classifier penultimate layer (128-d)",
        **clf.protocol(),
        "reference_split": split,
        "n_real": len(ds.images_uint8(split)),
        "n_fake": len(ctx.samples),
    }
    return MetricResult(value, proto)


with contextlib.suppress(ModuleNotFoundError):  # the metrics issue's metric, if present, wins
    importlib.import_module("ganbench.metrics.sample_quality")
if "classifier_fid" not in METRICS:
    register_metric(
        "classifier_fid",
        higher_is_better=False,
        requires={"images", "labels"},
        version="0-stopgap",
        description="FID on a small domain classifier's features (stop-gap mini MLP)",
    )(classifier_fid)
