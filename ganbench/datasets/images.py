"""Image datasets held as one uint8 tensor per split.

Every image set is decoded once per process into ``uint8`` tensors of shape
``(N, C, H, W)`` (one per named split, ``train`` and ``test``) with ``int64``
labels; training batches are index draws into that tensor, converted to
float32 in [-1, 1]. No per-item decoding happens in the training loop.

Where the files are looked up (nothing is downloaded at import time):

* ``fashion-mnist``: an explicit ``root``; the Debian package location
  ``/usr/share/datasets/fashion-mnist/`` (``apt-get install dataset-fashion-mnist``);
  torchvision's ``FashionMNIST/raw`` layout under the data root; a torchvision
  download into the data root where the network allows.
* ``mnist``, ``cifar10``: an explicit ``root`` or the data root, else a
  torchvision download where the network allows.
* ``digits``: scikit-learn's bundled 8×8 digits (never downloaded).
* ``imagefolder``: any folder of images, searched recursively.

The data root is ``$GANBENCH_DATA`` or ``~/.cache/ganbench/datasets``.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F

from ganbench.datasets.base import DATASETS, Dataset
from ganbench.datasets.image_files import load_cifar10, load_idx_folder, locate_idx
from ganbench.datasets.imagefolder import load_folder, split_indices
from ganbench.errors import AssetError

log = logging.getLogger(__name__)

SPLITS = ("train", "test")
Split = Literal["train", "test"]
DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")
FASHION_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
CIFAR_CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)


def to_float(images: torch.Tensor) -> torch.Tensor:
    """uint8 pixels → float32 in [-1, 1] (x / 127.5 − 1)."""
    return images.to(torch.float32).div_(127.5).sub_(1.0)


def to_uint8(images: torch.Tensor) -> torch.Tensor:
    """Float images in [-1, 1] → uint8 pixels (clamped, rounded); inverts :func:`to_float`."""
    return ((images.detach().float().clamp(-1, 1) + 1) * 127.5).round_().to(torch.uint8)


class ImageDataset(Dataset):
    """Images in memory: ``sample`` draws (with replacement) from the ``split`` it trains on."""

    kind = "images"
    n_skipped: int = 0  # unreadable files skipped while loading (imagefolder)
    skipped_files: tuple[str, ...] = ()

    def __init__(
        self,
        name: str,
        images: Mapping[str, torch.Tensor],
        labels: Mapping[str, torch.Tensor] | None = None,
        *,
        split: str = "train",
        n_classes: int | None = None,
        class_names: tuple[str, ...] | None = None,
        source: str = "",
    ) -> None:
        if split not in images:
            raise ValueError(f"{name}: unknown split {split!r} (valid: {', '.join(images)})")
        shapes = {tuple(t.shape[1:]) for t in images.values()}
        if len(shapes) != 1 or any(t.dtype != torch.uint8 or t.ndim != 4 for t in images.values()):
            raise ValueError(f"{name}: every split must be a uint8 (N, C, H, W) tensor")
        if labels is not None and set(labels) != set(images):
            raise ValueError(f"{name}: labels must be given for every split")
        self.name, self.split, self.source = name, split, source
        self._images = {k: v.contiguous() for k, v in images.items()}
        self._labels = None if labels is None else {k: v.to(torch.int64) for k, v in labels.items()}
        self.shape = shapes.pop()
        self.n_classes = n_classes if labels is not None else None
        self.class_names = class_names

    @property
    def splits(self) -> tuple[str, ...]:
        """Names of the available splits."""
        return tuple(self._images)

    def _check_split(self, split: str | None) -> str:
        split = self.split if split is None else split
        if split not in self._images:
            raise ValueError(
                f"{self.name}: unknown split {split!r} (valid: {', '.join(self.splits)})"
            )
        return split

    def images_uint8(self, split: str | None = None) -> torch.Tensor:
        """All images of ``split`` (default: the training split) as uint8 ``(N, C, H, W)``."""
        return self._images[self._check_split(split)]

    def labels(self, split: str | None = None) -> torch.Tensor:
        """Integer class labels of ``split`` as int64 ``(N,)``; raises for unlabelled sets."""
        split = self._check_split(split)
        if self._labels is None:
            raise ValueError(f"{self.name} has no labels")
        return self._labels[split]

    def __len__(self) -> int:
        return int(self._images[self.split].shape[0])

    def _indices(self, n: int, generator: torch.Generator) -> torch.Tensor:
        return torch.randint(len(self), (n,), generator=generator)

    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        """``n`` images drawn uniformly with replacement, float32 in [-1, 1]."""
        return to_float(self._images[self.split][self._indices(n, generator)])

    def sample_labeled(
        self, n: int, generator: torch.Generator
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``n`` images with their labels (the same draws as :meth:`sample`)."""
        idx = self._indices(n, generator)
        return to_float(self._images[self.split][idx]), self.labels()[idx]

    def info(self) -> dict[str, object]:
        """A JSON-able description for records: name, split, sizes, source."""
        return {
            "name": self.name,
            "split": self.split,
            "shape": list(self.shape),
            "n": {s: int(t.shape[0]) for s, t in self._images.items()},
            "n_classes": self.n_classes,
            "source": self.source,
            "n_skipped": self.n_skipped,
        }


def resize(images: torch.Tensor, resolution: int | None) -> torch.Tensor:
    """Resize uint8 ``(N, C, H, W)`` to ``resolution``² (bilinear, antialiased when shrinking)."""
    if resolution is None or tuple(images.shape[-2:]) == (resolution, resolution):
        return images
    if resolution < 4:
        raise ValueError(f"resolution must be >= 4, got {resolution}")
    out = []
    for chunk in images.split(4096):
        x = F.interpolate(
            chunk.float(),
            size=(resolution, resolution),
            mode="bilinear",
            align_corners=False,
            antialias=resolution < chunk.shape[-1],
        )
        out.append(x.round_().clamp_(0, 255).to(torch.uint8))
    return torch.cat(out)


@functools.lru_cache(maxsize=16)
def _idx_arrays(
    folder: Path, resolution: int | None
) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
    images, labels = load_idx_folder(folder)
    return {k: resize(v, resolution) for k, v in images.items()}, labels


def _mnist_family(
    name: str,
    tv_name: str,
    extra: list[Path],
    how: str,
    classes: tuple[str, ...],
    *,
    root: str | None,
    split: str,
    resolution: int | None,
    download: bool,
) -> ImageDataset:
    folder = locate_idx(name, tv_name, root, extra, download, how)
    images, labels = _idx_arrays(folder, resolution)
    return ImageDataset(
        name, images, labels, split=split, n_classes=10, class_names=classes, source=str(folder)
    )


@DATASETS.register("fashion-mnist")
def fashion_mnist(
    root: str | None = None,
    split: Split = "train",
    resolution: int | None = None,
    download: bool = True,
) -> ImageDataset:
    """Fashion-MNIST (Xiao et al. 2017): 60k/10k 28×28 grey clothing images, 10 classes."""
    how = (
        "install it with `apt-get install dataset-fashion-mnist`, set params.root to a folder "
        "with the idx files, or allow the torchvision download"
    )
    return _mnist_family(
        "fashion-mnist",
        "FashionMNIST",
        [DEBIAN_FASHION_MNIST],
        how,
        FASHION_CLASSES,
        root=root,
        split=split,
        resolution=resolution,
        download=download,
    )


@DATASETS.register("mnist")
def mnist(
    root: str | None = None,
    split: Split = "train",
    resolution: int | None = None,
    download: bool = True,
) -> ImageDataset:
    """MNIST (LeCun et al. 1998): 60k/10k 28×28 grey digits, 10 classes."""
    how = "set params.root to a folder with the idx files (or MNIST/raw), or allow the download"
    return _mnist_family(
        "mnist",
        "MNIST",
        [],
        how,
        tuple(str(i) for i in range(10)),
        root=root,
        split=split,
        resolution=resolution,
        download=download,
    )


@functools.lru_cache(maxsize=4)
def _cifar_arrays(
    root: str | None, download: bool, resolution: int | None
) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor], Path]:
    (images, labels), where = load_cifar10(root, download)
    return {k: resize(v, resolution) for k, v in images.items()}, labels, where


@DATASETS.register("cifar10")
def cifar10(
    root: str | None = None,
    split: Split = "train",
    resolution: int | None = None,
    download: bool = True,
) -> ImageDataset:
    """CIFAR-10 (Krizhevsky 2009): 50k/10k 32×32 colour images, 10 classes."""
    images, labels, where = _cifar_arrays(root, download, resolution)
    return ImageDataset(
        "cifar10",
        images,
        labels,
        split=split,
        n_classes=10,
        class_names=CIFAR_CLASSES,
        source=str(where),
    )


def _digits_raw() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's ``digits.csv.gz`` (64 pixels 0..16 + label per row), read without
    importing scikit-learn (a slow import); ``load_digits`` when the file is not found."""
    spec = importlib.util.find_spec("sklearn")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "datasets" / "data" / "digits.csv.gz"
        if path.is_file():
            rows = np.loadtxt(path, delimiter=",", dtype=np.float64)
            return rows[:, :64].reshape(-1, 8, 8), rows[:, 64].astype(np.int64)
    if spec is None:
        raise AssetError("digits needs scikit-learn (pip install scikit-learn)")
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return bunch.images, bunch.target.astype(np.int64)


@functools.lru_cache(maxsize=4)
def _digits_arrays(
    resolution: int | None, test_fraction: float
) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
    pixels16, target = _digits_raw()
    pixels = np.rint(pixels16 * (255.0 / 16.0)).clip(0, 255).astype(np.uint8)
    images = torch.from_numpy(pixels).unsqueeze(1)
    labels = torch.from_numpy(target)
    parts = split_indices(len(images), test_fraction)
    return (
        {k: resize(images[i], resolution) for k, i in parts.items()},
        {k: labels[i] for k, i in parts.items()},
    )


@DATASETS.register("digits")
def digits(
    split: Split = "train", resolution: int | None = None, test_fraction: float = 0.2
) -> ImageDataset:
    """scikit-learn's bundled 8×8 digits (1,797 images, 10 classes): the smallest real set."""
    if not 0 < test_fraction < 1:
        raise ValueError("test_fraction must lie in (0, 1)")
    images, labels = _digits_arrays(resolution, test_fraction)
    return ImageDataset(
        "digits",
        images,
        labels,
        split=split,
        n_classes=10,
        class_names=tuple(str(i) for i in range(10)),
        source="sklearn.datasets.load_digits (fixed seed-0 split)",
    )


@DATASETS.register("imagefolder")
def imagefolder(
    root: str,
    resolution: int = 64,
    channels: Literal[1, 3] = 3,
    labels: bool = False,
    split: Split = "train",
    test_fraction: float = 0.1,
    cache: bool = True,
) -> ImageDataset:
    """Any folder of images (recursive), centre-cropped and resized; broken files are skipped."""
    if resolution < 4:
        raise ValueError(f"resolution must be >= 4, got {resolution}")
    if not 0 <= test_fraction < 1:
        raise ValueError("test_fraction must lie in [0, 1)")
    dec = load_folder(root, resolution, channels, labels, cache)
    parts = split_indices(len(dec.images), test_fraction)
    if len(parts[split]) == 0:
        raise ValueError(f"imagefolder: the {split!r} split is empty ({len(dec.images)} images)")
    images = {k: torch.from_numpy(dec.images[i.numpy()]) for k, i in parts.items()}
    lab = {k: torch.from_numpy(dec.classes[i.numpy()]) for k, i in parts.items()}
    ds = ImageDataset(
        "imagefolder",
        images,
        lab if labels else None,
        split=split,
        n_classes=len(dec.class_names) if labels else None,
        class_names=tuple(dec.class_names) if labels else None,
        source=str(Path(root).expanduser()),
    )
    ds.n_skipped, ds.skipped_files = len(dec.skipped), tuple(dec.skipped)
    return ds
