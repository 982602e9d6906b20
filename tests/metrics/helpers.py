"""Test helpers for the sample-quality metrics: tiny offline image sets and a cheap extractor."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import torch

from ganbench.datasets.base import Dataset
from ganbench.metrics.features import FeatureExtractor

FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")


def read_idx(path: Path) -> torch.Tensor:
    """A gzipped idx file (MNIST format) as a uint8 tensor."""
    with gzip.open(path) as fh:
        data = fh.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return torch.from_numpy(np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims).copy())


def fashion_mnist(split: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Fashion-MNIST ``(images (N, 1, 28, 28) uint8, labels int64)`` from the Debian package."""
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(FASHION_MNIST / f"{prefix}-images-idx3-ubyte.gz")[:, None]
    labels = read_idx(FASHION_MNIST / f"{prefix}-labels-idx1-ubyte.gz").long()
    return images, labels


def digits() -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """scikit-learn's 8×8 digits as uint8 (0–16 scaled to 0–255), split 1400 / 397."""
    from sklearn.datasets import load_digits

    d = load_digits()
    x = torch.from_numpy(np.round(d.images * 255 / 16).astype(np.uint8))[:, None]
    y = torch.from_numpy(d.target).long()
    return {"train": (x[:1400], y[:1400]), "test": (x[1400:], y[1400:])}


class ArrayImageDataset(Dataset):
    """The agreed image-dataset interface over in-memory uint8 splits."""

    kind = "images"

    def __init__(self, name: str, splits: dict[str, tuple[torch.Tensor, torch.Tensor]]) -> None:
        self.name, self.split, self._splits = name, "train", splits
        self.shape = tuple(splits["train"][0].shape[1:])
        self.n_classes = int(splits["train"][1].max()) + 1

    def images_uint8(self, split: str | None = None) -> torch.Tensor:
        return self._splits[split or self.split][0]

    def labels(self, split: str | None = None) -> torch.Tensor:
        return self._splits[split or self.split][1]

    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        x = self.images_uint8()
        idx = torch.randint(len(x), (n,), generator=generator)
        return x[idx].float() / 127.5 - 1.0


class PixelExtractor(FeatureExtractor):
    """A cheap stand-in backbone: a fixed random projection of the pixels, with fake logits."""

    def __init__(self, dim: int = 16, has_logits: bool = True, name: str = "pixels") -> None:
        self.name, self.weights_sha256, self.preprocessing = name, "0" * 64, "none"
        self.dim, self.has_logits, self.calls = dim, has_logits, 0

    def forward_batch(self, images, device):
        self.calls += 1
        flat = images.reshape(len(images), -1).double() / 255.0
        proj = torch.randn(flat.shape[1], self.dim, generator=torch.Generator().manual_seed(0))
        feats = (flat @ proj.double()).float()
        return feats, (feats[:, :10] if self.has_logits else None)


def random_covariance(d: int, rng: np.random.Generator, n: int | None = None) -> np.ndarray:
    """A random SPD matrix: the sample covariance of ``n`` (default 2d) Gaussian draws."""
    a = rng.standard_normal((n or 2 * d, d)) * rng.uniform(0.5, 2.0, size=d)
    return np.cov(a, rowvar=False)
