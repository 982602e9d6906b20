"""Any folder of images as a dataset: recursive search, decoded once, resized.

Files with a common image extension are found recursively (sorted, so the
order is stable), centre-cropped to a square and resized to the requested
resolution with PIL (bicubic, antialiased), converted to grey or RGB, and held
as one uint8 tensor. A file PIL cannot read is skipped with a warning and
counted (``n_skipped``), never fatal. Decoded arrays are cached as ``.npz``
(loaded with ``allow_pickle=False``) under the data root, keyed by the file
list with sizes and modification times and by the decoding options, so a
second run decodes nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ganbench.datasets.image_files import data_root
from ganbench.errors import AssetError

log = logging.getLogger(__name__)

EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".ppm"})


@dataclass
class Decoded:
    """The decoded folder: images, class index per image, class names, skipped files."""

    images: np.ndarray  # uint8 (N, C, R, R)
    classes: np.ndarray  # int64 (N,), -1 when unlabelled
    class_names: list[str]
    skipped: list[str]


def list_images(root: Path) -> list[Path]:
    """Image files under ``root`` (recursive, by extension, sorted)."""
    return sorted(p for p in root.rglob("*") if p.suffix.lower() in EXTENSIONS and p.is_file())


def _fingerprint(root: Path, files: list[Path], options: Mapping[str, object]) -> str:
    h = hashlib.sha256(json.dumps(options, sort_keys=True).encode())
    for p in files:
        st = p.stat()
        h.update(f"{p.relative_to(root)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:24]


def _decode_one(path: Path, resolution: int, channels: int) -> np.ndarray | None:
    from PIL import Image, ImageOps

    try:
        with Image.open(path) as img:
            img.load()
            mode = "L" if channels == 1 else "RGB"
            fitted = ImageOps.fit(
                img.convert(mode), (resolution, resolution), Image.Resampling.BICUBIC
            )
            arr = np.asarray(fitted, dtype=np.uint8)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        log.warning("imagefolder: skipping unreadable %s (%s)", path, type(exc).__name__)
        return None
    return arr[None] if channels == 1 else arr.transpose(2, 0, 1)


def _class_of(root: Path, path: Path) -> str:
    rel = path.relative_to(root).parts
    if len(rel) < 2:
        raise AssetError(
            f"imagefolder: labels=true needs every image in a class subfolder; {path} is not"
        )
    return rel[0]


def decode_folder(root: Path, resolution: int, channels: int, labels: bool) -> Decoded:
    """Decode every image under ``root`` (no cache)."""
    files = list_images(root)
    arrays, names, skipped = [], [], []
    for p in files:
        arr = _decode_one(p, resolution, channels)
        if arr is None:
            skipped.append(str(p.relative_to(root)))
            continue
        arrays.append(arr)
        names.append(_class_of(root, p) if labels else "")
    if not arrays:
        raise AssetError(
            f"imagefolder: no readable images under {root} "
            f"({len(files)} files with extensions {', '.join(sorted(EXTENSIONS))})"
        )
    class_names = sorted(set(names)) if labels else []
    index = {c: i for i, c in enumerate(class_names)}
    classes = np.array([index[n] if labels else -1 for n in names], dtype=np.int64)
    return Decoded(np.stack(arrays), classes, class_names, skipped)


def load_folder(
    root: str, resolution: int, channels: int, labels: bool, cache: bool = True
) -> Decoded:
    """Decode ``root`` or load its cached decoding (see the module docstring)."""
    r = Path(root).expanduser()
    if not r.is_dir():
        raise AssetError(f"imagefolder: {r} is not a folder")
    files = list_images(r)
    options = {"resolution": resolution, "channels": channels, "labels": labels, "v": 1}
    path = data_root() / "imagefolder-cache" / f"{_fingerprint(r, files, options)}.npz"
    if cache and path.is_file():
        try:
            with np.load(path, allow_pickle=False) as z:
                return Decoded(
                    z["images"], z["classes"], list(z["class_names"]), list(z["skipped"])
                )
        except (OSError, ValueError, KeyError) as exc:
            log.warning("imagefolder: ignoring unreadable cache %s (%s)", path, exc)
    dec = decode_folder(r, resolution, channels, labels)
    if dec.skipped:
        log.warning("imagefolder: skipped %d unreadable file(s) under %s", len(dec.skipped), r)
    if cache:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npz")
            np.savez(
                tmp,
                images=dec.images,
                classes=dec.classes,
                class_names=np.array(dec.class_names, dtype=str),
                skipped=np.array(dec.skipped, dtype=str),
            )
            tmp.replace(path)
        except OSError as exc:
            log.warning("imagefolder: could not write cache %s (%s)", path, exc)
    return dec


def split_indices(n: int, test_fraction: float) -> dict[str, torch.Tensor]:
    """A fixed (seed 0) random split of ``range(n)`` into train and test indices."""
    perm = torch.from_numpy(np.random.default_rng(0).permutation(n))
    n_test = round(n * test_fraction)
    return {"train": perm[n_test:].sort().values, "test": perm[:n_test].sort().values}
