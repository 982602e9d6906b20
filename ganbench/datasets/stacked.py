"""Stacked image sets: three independent grey images as the R, G, B channels.

The image analogue of Stacked MNIST (Metz et al. 2017; VEEGAN, Srivastava et
al. 2017; PacGAN, Lin et al. 2018): each sample stacks three independently
drawn images of a 10-class grey set, so the data has 10³ = 1000 equally likely
modes (class triples). A triple's label is ``100·c_R + 10·c_G + c_B``.

Training batches draw fresh triples from the training split. The fixed
reference triples of each split (what ``images_uint8(split)`` returns, for
real-data statistics) are drawn once from a seed-0 stream, as many as the
split has images unless ``n_fixed`` says otherwise.
"""

from __future__ import annotations

import functools
from typing import cast

import torch

from ganbench import rng
from ganbench.datasets.base import DATASETS
from ganbench.datasets.images import ImageDataset, Split, fashion_mnist, mnist, to_float

CHANNELS = 3


def triple_labels(channel_labels: torch.Tensor, k: int = 10) -> torch.Tensor:
    """``(N, 3)`` per-channel classes → mode index ``c_R·k² + c_G·k + c_B`` in ``[0, k³)``."""
    c = channel_labels.to(torch.int64)
    return (c[:, 0] * k + c[:, 1]) * k + c[:, 2]


def channel_labels(triples: torch.Tensor, k: int = 10) -> torch.Tensor:
    """Inverse of :func:`triple_labels`: mode indices → ``(N, 3)`` per-channel classes."""
    t = triples.to(torch.int64)
    return torch.stack([t // (k * k), (t // k) % k, t % k], dim=1)


class StackedDataset(ImageDataset):
    """Three independent images of a 1-channel ``base`` set stacked as channels (k³ modes)."""

    capabilities = frozenset({"stacked"})

    def __init__(self, base: ImageDataset, split: str = "train", n_fixed: int | None = None):
        if base.shape[0] != 1 or base.n_classes is None:
            raise ValueError("stacking needs a labelled 1-channel base dataset")
        if n_fixed is not None and n_fixed < 1:
            raise ValueError("n_fixed must be >= 1")
        self.base, self.n_fixed = base, n_fixed
        self.k = base.n_classes
        self.name, self.split = f"stacked-{base.name}", base._check_split(split)
        self.source = base.source
        self.shape = (CHANNELS, *base.shape[1:])
        self.n_classes = self.k**CHANNELS
        self.class_names = None
        self._fixed: dict[str, torch.Tensor] = {}
        self._materialised: dict[str, torch.Tensor] = {}  # materialised reference triples

    @property
    def splits(self) -> tuple[str, ...]:
        """The base set's splits."""
        return self.base.splits

    def __len__(self) -> int:
        return len(self.base.images_uint8(self.split))

    def _stack(self, split: str, idx: torch.Tensor) -> torch.Tensor:
        """Base images at ``idx`` ``(N, 3)`` as uint8 ``(N, 3, H, W)``."""
        return self.base.images_uint8(split)[:, 0][idx]

    def triples(self, split: str | None = None) -> torch.Tensor:
        """The fixed reference index triples ``(N, 3)`` of ``split`` (seed-0 stream)."""
        split = self._check_split(split)
        if split not in self._fixed:
            n_base = len(self.base.images_uint8(split))
            n = self.n_fixed or n_base
            g = rng.generator(0, f"stacked/{split}")
            self._fixed[split] = torch.randint(n_base, (n, CHANNELS), generator=g)
        return self._fixed[split]

    def _check_split(self, split: str | None) -> str:
        return self.base._check_split(self.split if split is None else split)

    def images_uint8(self, split: str | None = None) -> torch.Tensor:
        """The fixed reference triples of ``split`` as uint8 ``(N, 3, H, W)`` (built once)."""
        split = self._check_split(split)
        if split not in self._materialised:
            self._materialised[split] = self._stack(split, self.triples(split))
        return self._materialised[split]

    def labels(self, split: str | None = None) -> torch.Tensor:
        """Mode index (class triple) of each fixed reference triple."""
        split = self._check_split(split)
        return triple_labels(self.base.labels(split)[self.triples(split)], self.k)

    def sample_labeled(
        self, n: int, generator: torch.Generator
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``n`` fresh triples from the training split with their mode indices."""
        idx = torch.randint(len(self), (n, CHANNELS), generator=generator)
        y = triple_labels(self.base.labels(self.split)[idx], self.k)
        return to_float(self._stack(self.split, idx)), y

    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        """``n`` fresh triples, float32 in [-1, 1]."""
        return self.sample_labeled(n, generator)[0]

    def info(self) -> dict[str, object]:
        """Description for records (the base set's, plus the stacking)."""
        return {**self.base.info(), "name": self.name, "split": self.split, "stacked": CHANNELS}


@functools.lru_cache(maxsize=4)
def _stacked(
    builder_name: str,
    root: str | None,
    split: str,
    resolution: int | None,
    download: bool,
    n_fixed: int | None,
) -> StackedDataset:
    builder = {"fashion-mnist": fashion_mnist, "mnist": mnist}[builder_name]
    base = builder(root=root, split=split, resolution=resolution, download=download)
    return StackedDataset(cast(ImageDataset, base), split, n_fixed)


@DATASETS.register("stacked-fashion-mnist")
def stacked_fashion_mnist(
    root: str | None = None,
    split: Split = "train",
    resolution: int | None = None,
    download: bool = True,
    n_fixed: int | None = None,
) -> StackedDataset:
    """Three Fashion-MNIST images as R, G, B: 1000 class-triple modes (Stacked-MNIST analogue)."""
    return _stacked("fashion-mnist", root, split, resolution, download, n_fixed)


@DATASETS.register("stacked-mnist")
def stacked_mnist(
    root: str | None = None,
    split: Split = "train",
    resolution: int | None = None,
    download: bool = True,
    n_fixed: int | None = None,
) -> StackedDataset:
    """Stacked MNIST (Metz et al. 2017; VEEGAN; PacGAN): three MNIST digits as R, G, B."""
    return _stacked("mnist", root, split, resolution, download, n_fixed)
