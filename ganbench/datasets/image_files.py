"""Locating, reading and downloading image-set files (MNIST-family idx, CIFAR-10).

Readers return ``(images, labels)`` dicts keyed by split, images as uint8
``(N, C, H, W)`` tensors. Lookups are offline first; a download goes through
torchvision and only where the caller allows it; a missing asset is one
:class:`~ganbench.errors.AssetError` line that says how to provide it.
"""

from __future__ import annotations

import functools
import gzip
import logging
import os
from pathlib import Path

import numpy as np
import torch

from ganbench.errors import AssetError

log = logging.getLogger(__name__)

Arrays = tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]

IDX_NAMES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
CIFAR_BIN = {"train": [f"data_batch_{i}.bin" for i in range(1, 6)], "test": ["test_batch.bin"]}


def data_root() -> Path:
    """Where datasets are looked for and downloaded: ``$GANBENCH_DATA`` or the user cache."""
    env = os.environ.get("GANBENCH_DATA")
    return Path(env) if env else Path.home() / ".cache" / "ganbench" / "datasets"


def _read_maybe_gz(path: Path) -> bytes:
    if path.suffix == ".gz":
        with gzip.open(path, "rb") as fh:
            return fh.read()
    return path.read_bytes()


def read_idx(path: Path) -> np.ndarray:
    """Parse an idx file (optionally gzipped): uint8 images ``(N, H, W)`` or labels ``(N,)``."""
    try:
        data = _read_maybe_gz(path)
    except (OSError, EOFError) as exc:
        raise AssetError(f"{path}: unreadable ({type(exc).__name__}: {exc})") from None
    if len(data) < 4 or data[:3] != b"\x00\x00\x08":
        raise AssetError(f"{path}: not an unsigned-byte idx file")
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    offset = 4 + 4 * ndim
    count = int(np.prod(dims))
    if len(data) - offset != count:
        raise AssetError(f"{path}: truncated idx file ({len(data) - offset} of {count} bytes)")
    return np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(dims)


def _find(folder: Path, base: str) -> Path | None:
    for name in (base, base + ".gz"):
        if (folder / name).is_file():
            return folder / name
    return None


def idx_folder(candidates: list[Path]) -> Path | None:
    """The first of ``candidates`` holding all four idx files (raw or gzipped)."""
    for folder in candidates:
        if all(_find(folder, b) for pair in IDX_NAMES.values() for b in pair):
            return folder
    return None


@functools.lru_cache(maxsize=8)
def load_idx_folder(folder: Path) -> Arrays:
    """Images ``(N, 1, H, W)`` and labels of both splits from an idx folder (cached per process)."""
    images, labels = {}, {}
    for split, (img_name, lab_name) in IDX_NAMES.items():
        img = read_idx(_find(folder, img_name))  # type: ignore[arg-type]
        lab = read_idx(_find(folder, lab_name))  # type: ignore[arg-type]
        if img.ndim != 3 or lab.ndim != 1 or len(img) != len(lab):
            raise AssetError(f"{folder}: {split} images and labels do not match")
        images[split] = torch.from_numpy(img.copy()).unsqueeze(1)
        labels[split] = torch.from_numpy(lab.astype(np.int64))
    return images, labels


def download_torchvision(cls_name: str, root: Path, what: str, how: str) -> None:
    """Download both splits with ``torchvision.datasets.<cls_name>`` into ``root``.

    Any failure (no network, checksum) becomes a one-line :class:`AssetError`.
    """
    import torchvision.datasets as tvd

    log.info("downloading %s with torchvision into %s", what, root)
    try:
        for train in (True, False):
            getattr(tvd, cls_name)(str(root), train=train, download=True)
    except Exception as exc:
        first = str(exc).splitlines()[0] if str(exc) else "no network?"
        raise AssetError(
            f"{what} not found locally and the download failed ({type(exc).__name__}: {first}); "
            f"{how}"
        ) from None


def locate_idx(
    name: str, tv_name: str, root: str | None, extra: list[Path], download: bool, how: str
) -> Path:
    """Find an MNIST-format folder: ``root`` (strict), then ``extra``, the data root, download."""
    if root is not None:
        r = Path(root).expanduser()
        folder = idx_folder([r, r / tv_name / "raw"])
        if folder is None:
            raise AssetError(
                f"{name}: no idx files (train-images-idx3-ubyte[.gz], …) in {r} "
                f"or {r / tv_name / 'raw'}"
            )
        return folder.resolve()
    looked = [*extra, data_root() / tv_name / "raw"]
    folder = idx_folder(looked)
    if folder is None:
        if not download:
            shown = ", ".join(str(p) for p in looked)
            raise AssetError(f"{name} not found (looked in {shown}; download disabled); {how}")
        download_torchvision(tv_name, data_root(), name, how)
        folder = idx_folder([data_root() / tv_name / "raw"])
        if folder is None:
            raise AssetError(f"{name}: the torchvision download left no idx files; {how}")
    return folder.resolve()


def _cifar_bin(folder: Path) -> Arrays:
    images, labels = {}, {}
    for split, names in CIFAR_BIN.items():
        raw = np.concatenate([np.fromfile(folder / n, dtype=np.uint8) for n in names])
        if raw.size % 3073:
            raise AssetError(f"{folder}: CIFAR-10 binary batches have the wrong size")
        rows = raw.reshape(-1, 3073)
        labels[split] = torch.from_numpy(rows[:, 0].astype(np.int64))
        images[split] = torch.from_numpy(rows[:, 1:].reshape(-1, 3, 32, 32).copy())
    return images, labels


def _cifar_torchvision(root: Path) -> Arrays:
    """The python version via torchvision (it checks the official MD5s before unpickling)."""
    import torchvision.datasets as tvd

    images, labels = {}, {}
    for split in ("train", "test"):
        ds = tvd.CIFAR10(str(root), train=split == "train", download=False)
        images[split] = torch.from_numpy(np.ascontiguousarray(ds.data.transpose(0, 3, 1, 2)))
        labels[split] = torch.tensor(ds.targets, dtype=torch.int64)
    return images, labels


def _cifar_layout(r: Path) -> str | None:
    if all((r / "cifar-10-batches-bin" / n).is_file() for ns in CIFAR_BIN.values() for n in ns):
        return "bin"
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch", "batches.meta"]
    if all((r / "cifar-10-batches-py" / n).is_file() for n in names):
        return "py"
    return None


@functools.lru_cache(maxsize=4)
def load_cifar10(root: str | None, download: bool) -> tuple[Arrays, Path]:
    """CIFAR-10 from ``root`` (or the data root): binary batches, python batches, or download."""
    how = (
        "set params.root to a folder containing cifar-10-batches-bin/ or cifar-10-batches-py/, "
        "or allow the torchvision download"
    )
    roots = [Path(root).expanduser()] if root is not None else [data_root()]
    for r in roots:
        layout = _cifar_layout(r)
        if layout == "bin":
            return _cifar_bin(r / "cifar-10-batches-bin"), r
        if layout == "py":
            return _cifar_torchvision(r), r
    if root is not None or not download:
        shown = ", ".join(str(r) for r in roots)
        extra = "" if root is not None else "; download disabled"
        raise AssetError(f"cifar10 not found in {shown}{extra}; {how}")
    download_torchvision("CIFAR10", data_root(), "cifar10", how)
    return _cifar_torchvision(data_root()), data_root()
