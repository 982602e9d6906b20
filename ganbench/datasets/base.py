"""The dataset interface and registry.

A dataset is an object that draws training batches with a caller-supplied
``torch.Generator`` (so every run owns its random stream). Registered entries
are *builders*: functions whose typed keyword arguments are the suite's
dataset parameters, returning a :class:`Dataset`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar

import torch

from ganbench.registry import Registry

DATASETS: Registry[Callable[..., Dataset]] = Registry("dataset")


class Dataset(ABC):
    """A source of training samples, as float tensors of shape ``(n, *shape)``."""

    kind: ClassVar[str] = "points"  # "points" (R^d vectors) or "images" (C×H×W in [-1, 1])
    shape: tuple[int, ...]
    n_classes: int | None = None

    @abstractmethod
    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        """Draw ``n`` samples using ``generator`` (CPU tensor)."""

    def sample_labeled(
        self, n: int, generator: torch.Generator
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Draw ``n`` samples with integer labels; only for labelled datasets."""
        raise NotImplementedError(f"{type(self).__name__} has no labels")

    def facts(self) -> dict[str, Any]:
        """JSON facts about this dataset that a run record keeps (``record["data"]``)."""
        return {}

    @property
    def dim(self) -> int:
        """Number of scalar entries in one sample."""
        out = 1
        for s in self.shape:
            out *= s
        return out


def dataset_facts(dataset: Dataset) -> dict[str, Any]:
    """What a GAN run's record keeps about its dataset (its ``data`` field); ``{}`` for none.

    Mixtures give their true modes (``mode_centres``, ``mode_stds``), so the
    report draws them without rebuilding the dataset; a dataset that skipped
    unreadable files says how many (``skipped_unreadable_files``).
    """
    facts = dataset.facts() if isinstance(dataset, Dataset) else {}
    skipped = getattr(dataset, "n_skipped", 0)
    if skipped:
        facts["skipped_unreadable_files"] = skipped
    return facts
