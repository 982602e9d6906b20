"""Sample sets stored as files: an image folder, or a ``.npy`` / ``.npz`` array.

* **Folder**: every PNG, JPEG, BMP and WebP file below it (any depth), in
  sorted order of relative paths. Decoded with PIL at native size (no
  resizing) and converted to RGB as pytorch-fid does (``convert("RGB")``:
  palette expanded, alpha dropped), except that a folder whose images are all
  mode ``"L"`` stays 1-channel. All images must have one size.
* **Arrays**: ``.npy`` holds one array; from ``.npz`` the key ``images``,
  ``samples`` or ``arr_0`` is taken, or the only array. 4-D arrays are images
  (NHWC or NCHW, detected from where the channel axis of size 1, 3 or 4 is;
  a 4th channel, alpha, is dropped), 3-D arrays are grayscale ``(N, H, W)``,
  2-D float arrays are points ``(N, d)``. Float images in [-1, 1] become
  ``round((x + 1) · 127.5)``, in [0, 1] ``round(x · 255)`` (range detected
  from the values; 0.01 tolerance, then clamped).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from ganbench.errors import InputError
from ganbench.evaluate.input_common import (
    Samples,
    check_count,
    file_sha256,
    files_sha256,
    selection_note,
)
from ganbench.metrics.preprocess import to_uint8

log = logging.getLogger(__name__)

IMAGE_EXTENSIONS = (".bmp", ".jpeg", ".jpg", ".png", ".webp")
NPZ_KEYS = ("images", "samples", "arr_0")  # tried in this order
CHANNELS = (1, 3, 4)  # channel counts an array layout is detected from
RANGE_TOLERANCE = 0.01  # float pixels may exceed [-1, 1] or [0, 1] by this much


# ------------------------------------------------------------------ folders


def image_files(folder: Path) -> list[Path]:
    """The image files below ``folder`` (any depth), sorted by relative POSIX path."""
    found = [p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_EXTENSIONS and p.is_file()]
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def _decode(path: Path) -> tuple[np.ndarray, bool]:
    """The pixels of ``path`` as ``(H, W)`` uint8 (mode L) or ``(H, W, 3)`` (RGB); and gray?"""
    try:
        with Image.open(path) as img:
            if img.mode == "L":
                return np.array(img), True
            return np.array(img.convert("RGB")), False
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"cannot decode image {path}: {reason}") from None


def load_folder(folder: Path, source: str, n: int | None) -> Samples:
    """Every image file below ``folder`` (or the first ``n`` in sorted order) as uint8 NCHW."""
    files = image_files(folder)
    if not files:
        raise InputError(
            f"{source}: no image files in the folder or its subfolders "
            f"(accepted extensions: {', '.join(IMAGE_EXTENSIONS)}, any case)"
        )
    used = files[: check_count(len(files), n, source, "image files")]
    pixels, all_gray = _decode(used[0])
    size = (pixels.shape[1], pixels.shape[0])
    data = torch.empty((len(used), 3, size[1], size[0]), dtype=torch.uint8)
    for i, path in enumerate(used):
        if i > 0:
            pixels, gray = _decode(path)
            if pixels.shape[:2] != (size[1], size[0]):
                raise InputError(
                    f"{source}: images differ in size: {used[0]} is {_wh(size)} but {path} "
                    f"is {_wh((pixels.shape[1], pixels.shape[0]))} (resize them to one size first)"
                )
            all_gray = all_gray and gray
        t = torch.from_numpy(pixels)
        data[i] = t if t.ndim == 2 else t.permute(2, 0, 1)  # L: repeated, as convert("RGB")
    if all_gray:
        data = data[:, :1].contiguous()
    log.info("read %d images of %s from %s", len(used), _wh(size), folder)
    desc = {
        "layout": "image files decoded with PIL at native size",
        "channels": "1 (every image is mode L)" if all_gray else "3 (PIL convert('RGB'))",
        "size": list(size),
        "files": len(used),
        "files_found": len(files),
        "selection": selection_note(len(files), len(used), "sorted path order"),
        "sha256": files_sha256(folder, used),
        "sha256_of": "sorted relative paths, sizes and bytes of the files used",
    }
    return Samples("images", data, source, "folder", desc)


def _wh(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


# ------------------------------------------------------------------ arrays


def read_array(path: Path, source: str) -> tuple[np.ndarray, str | None]:
    """The array in a ``.npy`` file, or the chosen one of a ``.npz`` file, and its key."""
    try:
        loaded = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise InputError(f"{source}: cannot read the array file: {_first_line(exc)}") from None
    if isinstance(loaded, np.ndarray):
        return loaded, None
    with loaded:
        keys = list(loaded.files)
        key = next((k for k in NPZ_KEYS if k in keys), keys[0] if len(keys) == 1 else None)
        if key is None:
            raise InputError(
                f"{source}: cannot tell which array holds the samples: keys {keys}; "
                f"name it one of {', '.join(NPZ_KEYS)} or save only one array"
            )
        try:
            return loaded[key], key
        except (OSError, ValueError, EOFError) as exc:
            raise InputError(f"{source}: cannot read array {key!r}: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def load_array(path: Path, source: str, n: int | None, input_type: str) -> Samples:
    """Images or points from a ``.npy`` / ``.npz`` file, converted as the module docstring says."""
    arr, key = read_array(path, source)
    if arr.dtype.kind not in "uif" or arr.dtype.itemsize > 8:
        raise InputError(f"{source}: expected a numeric array, got dtype {arr.dtype}")
    if arr.ndim < 2 or arr.ndim > 4 or arr.shape[0] == 0 or 0 in arr.shape:
        raise InputError(
            f"{source}: expected images (N, H, W, C), (N, C, H, W) or (N, H, W), "
            f"or points (N, d), got shape {arr.shape}"
        )
    count = check_count(arr.shape[0], n, source, "samples")
    available, arr = arr.shape[0], arr[:count]
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise InputError(f"{source}: the array contains NaN or infinite values")
    desc: dict[str, Any] = {"key": key} if key is not None else {}
    desc["shape"] = [available, *arr.shape[1:]]
    desc["dtype"] = str(arr.dtype)
    desc["selection"] = selection_note(available, count, "array order")
    if arr.ndim == 2:
        if arr.dtype.kind != "f":
            raise InputError(
                f"{source}: a 2-D {arr.dtype} array: points (N, d) must be float; "
                "images must be (N, H, W, C), (N, C, H, W) or (N, H, W)"
            )
        desc["layout"] = "points (N, d)"
        data = torch.from_numpy(np.ascontiguousarray(arr, dtype=np.float32))
        return Samples("points", data, source, input_type, {**desc, "sha256": file_sha256(path)})
    nchw, layout = to_nchw(arr, source)
    pixels, conversion = to_uint8_pixels(nchw, source)
    desc.update(layout=layout, conversion=conversion, sha256=file_sha256(path))
    return Samples("images", pixels, source, input_type, desc)


def to_nchw(arr: np.ndarray, source: str) -> tuple[np.ndarray, str]:
    """A 3-D or 4-D image array as NCHW with 1 or 3 channels, and the detected layout."""
    if arr.ndim == 3:
        return arr[:, None], f"NHW {arr.dtype} (grayscale)"
    first, last = arr.shape[1] in CHANNELS, arr.shape[3] in CHANNELS
    if first and last:
        raise InputError(
            f"{source}: ambiguous image layout {arr.shape}: both axis 1 and axis 3 could "
            "hold the channels; save images larger than 4x4 pixels"
        )
    if not first and not last:
        raise InputError(
            f"{source}: cannot find the channel axis of images {arr.shape}: expected "
            "(N, H, W, C) or (N, C, H, W) with C in 1, 3 (or 4 with alpha)"
        )
    layout = "NCHW" if first else "NHWC"
    out = arr if first else arr.transpose(0, 3, 1, 2)
    note = f"{layout} {arr.dtype}"
    if out.shape[1] == 4:
        out, note = out[:, :3], f"{note}, alpha channel dropped"
    return out, note


def to_uint8_pixels(arr: np.ndarray, source: str) -> tuple[torch.Tensor, str]:
    """NCHW pixels as a contiguous uint8 tensor, and how they were converted."""
    if arr.dtype == np.uint8:
        return torch.from_numpy(np.ascontiguousarray(arr)), "none (uint8)"
    lo, hi = float(arr.min()), float(arr.max())
    if arr.dtype.kind in "iu":
        if lo < 0 or hi > 255:
            raise InputError(
                f"{source}: integer pixels must lie in [0, 255], got range [{lo:g}, {hi:g}]"
            )
        return torch.from_numpy(arr.astype(np.uint8)), f"{arr.dtype} in [0, 255] cast to uint8"
    t = torch.from_numpy(np.ascontiguousarray(arr, dtype=np.float32))
    tol = RANGE_TOLERANCE
    if lo >= -tol and hi <= 1 + tol:
        pixels = (t.clamp(0, 1) * 255).round_().to(torch.uint8)
        return pixels, f"float in [0, 1] (range [{lo:.4g}, {hi:.4g}]): round(x * 255)"
    if lo >= -1 - tol and hi <= 1 + tol:
        return to_uint8(t), f"float in [-1, 1] (range [{lo:.4g}, {hi:.4g}]): round((x + 1) * 127.5)"
    raise InputError(
        f"{source}: float pixels must lie in [-1, 1] or [0, 1], got range [{lo:.4g}, {hi:.4g}] "
        "(save [0, 255] pixels as uint8)"
    )
