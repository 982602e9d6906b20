"""Datasets: synthetic mixtures and image sets, all in the ``DATASETS`` registry."""

from ganbench.datasets import images as images
from ganbench.datasets import mixtures as mixtures
from ganbench.datasets import stacked as stacked
from ganbench.datasets.base import DATASETS, Dataset
from ganbench.datasets.images import ImageDataset
from ganbench.datasets.mixtures import GaussianMixture

__all__ = ["DATASETS", "Dataset", "GaussianMixture", "ImageDataset"]
