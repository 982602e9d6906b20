"""The "real" side of an evaluation: a registered dataset split, a folder, or a stats file.

Spec strings (``ganbench eval --against SPEC``):

* ``NAME`` or ``NAME:SPLIT``: a registered dataset (``ganbench ls datasets``) with
  its default parameters, e.g. ``cifar10:train``, ``fashion-mnist:test``, ``ring``
  (point mixtures are the reference of point samples). Without a split the
  protocol's ``reference_split`` is used.
* ``folder:PATH`` (or a path to an existing folder): every image under PATH,
  decoded like an input folder (native size, no resizing); features are cached
  by pixel content like a dataset's.
* ``stats:PATH`` (or a path ending in ``.npz``): reference statistics in
  pytorch-fid's layout (``mu``, ``sigma``), with ganbench's optional
  ``features`` for KID and PR/DC (:mod:`ganbench.evaluate.statsfile`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from ganbench.datasets import DATASETS
from ganbench.datasets.base import Dataset
from ganbench.datasets.images import ImageDataset
from ganbench.errors import AssetError, ConfigError
from ganbench.evaluate.statsfile import StatsFile, as_reference, read_stats
from ganbench.metrics.cache import RealReference
from ganbench.metrics.features import FeatureExtractor

FOLDER_SPLIT = "all"


class Reference(ABC):
    """A real-data reference: a dataset view for the metrics, and its identity for records."""

    label: str  # how the report names it, e.g. "cifar10:train"

    @abstractmethod
    def dataset(self) -> Dataset:
        """The dataset the metrics see (capabilities, images or mixture density)."""

    @abstractmethod
    def identity(self) -> dict[str, Any]:
        """What identifies the reference in a run's config (hashed into the run id)."""

    def split(self, default: str) -> str:
        """The split the real statistics come from."""
        return default

    def real_source(self) -> Any:
        """A ``FeatureExtractor → RealReference`` override, or None to use the dataset."""
        return None


@dataclass
class DatasetReference(Reference):
    """A registered dataset (default parameters) and optionally a split."""

    name: str
    split_name: str | None

    def __post_init__(self) -> None:
        self.label = self.name if self.split_name is None else f"{self.name}:{self.split_name}"
        self._dataset: Dataset | None = None

    def dataset(self) -> Dataset:
        """The dataset built with its registered defaults (loaded once)."""
        if self._dataset is None:
            self._dataset = DATASETS.get(self.name)()
            splits = getattr(self._dataset, "splits", None)
            if self.split_name is not None and splits is not None and self.split_name not in splits:
                raise ConfigError(
                    f"--against {self.label}: unknown split {self.split_name!r} of {self.name} "
                    f"(valid: {', '.join(splits)})"
                )
        return self._dataset

    def identity(self) -> dict[str, Any]:
        """Dataset name and split (the pixels' hash is part of the feature cache key)."""
        return {"type": "dataset", "name": self.name, "split": self.split_name}

    def split(self, default: str) -> str:
        """The spec's split, else the protocol's."""
        return self.split_name or default


@dataclass
class FolderReference(Reference):
    """Every image under a folder, as one split named ``all``."""

    path: Path

    def __post_init__(self) -> None:
        self.label = f"folder:{self.path.name or self.path}"
        self._dataset: ImageDataset | None = None

    def _load(self) -> ImageDataset:
        if self._dataset is None:
            from ganbench.evaluate.inputs import load_samples

            samples = load_samples(str(self.path), n=None, seed=0)
            if samples.kind != "images":
                raise AssetError(f"folder:{self.path}: expected images, found {samples.kind}")
            self._dataset = ImageDataset(
                self.label, {FOLDER_SPLIT: samples.data}, split=FOLDER_SPLIT, source=str(self.path)
            )
            self._sha = str(samples.description.get("sha256", ""))
        return self._dataset

    def dataset(self) -> Dataset:
        """The decoded folder."""
        return self._load()

    def identity(self) -> dict[str, Any]:
        """Folder path and content hash."""
        self._load()
        return {"type": "folder", "path": str(self.path), "sha256": self._sha}

    def split(self, default: str) -> str:
        """Always ``all``."""
        return FOLDER_SPLIT


class _StatsOnly(Dataset):
    """An image 'dataset' known only through reference statistics (nothing to sample)."""

    kind = "images"

    def __init__(self, name: str) -> None:
        self.name = name
        self.shape = (3, 0, 0)

    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        """Not available: only statistics are known."""
        raise AssetError(f"{self.name}: a statistics file has no images to sample")


@dataclass
class StatsReference(Reference):
    """Precomputed statistics (pytorch-fid ``.npz``; ganbench's with features)."""

    path: Path

    def __post_init__(self) -> None:
        self.label = f"stats:{self.path.name}"
        self._stats: StatsFile | None = None

    def stats(self) -> StatsFile:
        """The file, read and checked once."""
        if self._stats is None:
            self._stats = read_stats(self.path)
        return self._stats

    def dataset(self) -> Dataset:
        """A stand-in image dataset (images capability only)."""
        return _StatsOnly(self.label)

    def identity(self) -> dict[str, Any]:
        """File name and SHA-256 of its bytes."""
        return {"type": "stats", "path": str(self.path), "sha256": self.stats().sha256}

    def split(self, default: str) -> str:
        """The split recorded in the file, if any."""
        return str((self.stats().meta or {}).get("split", "-"))

    def real_source(self) -> Any:
        """Statistics from the file, checked against the extractor in use."""
        stats = self.stats()

        def source(extractor: FeatureExtractor) -> RealReference:
            return as_reference(stats, extractor.dim, extractor.cache_id)

        return source


def parse_reference(spec: str) -> Reference:
    """A reference from its spec string (see the module docstring)."""
    if not spec or not spec.strip():
        raise ConfigError(
            "--against: empty reference (give NAME[:SPLIT], folder:PATH or stats:PATH)"
        )
    kind, _, rest = spec.partition(":")
    if kind == "folder" or (not rest and Path(spec).is_dir()):
        path = Path(rest if kind == "folder" else spec)
        if not path.is_dir():
            raise AssetError(f"--against {spec}: {path} is not a folder")
        return FolderReference(path)
    if kind == "stats" or spec.endswith(".npz"):
        path = Path(rest if kind == "stats" else spec)
        if not path.is_file():
            raise AssetError(f"--against {spec}: no statistics file at {path}")
        return StatsReference(path)
    if kind not in DATASETS:
        raise ConfigError(
            f"--against {spec}: {DATASETS.unknown_message(kind)}; or use folder:PATH / stats:PATH"
        )
    return DatasetReference(kind, rest or None)
