"""Image preprocessing for the Inception network: explicit, named and recorded.

* ``legacy_tensorflow`` (default; TTUR, torch-fidelity): uint8 pixels as float,
  resized to 299×299 with TensorFlow 1.x ``resize_bilinear(align_corners=False)``
  (source coordinate = destination index × in/out, no half-pixel offset, the
  upper neighbour clamped to the border), then (x − 128)/128.
* ``clean`` (clean-fid, Parmar et al. 2022): each channel resized to 299×299 as
  a float32 PIL image with ``Image.BICUBIC`` (antialiased), clipped to [0, 255],
  then (x − 128)/128.
* ``pytorch_fid`` (pytorch-fid's ``fid_score``): pixels / 255 (torchvision's
  ``ToTensor``), resized with ``F.interpolate(mode="bilinear",
  align_corners=False)`` (half-pixel centres, no antialiasing), then 2x − 1, in
  that order, as pytorch-fid's ``InceptionV3(resize_input=True,
  normalize_input=True)`` does. Numbers match pytorch-fid's, not TTUR's.

Grayscale images are resized once and repeated to 3 channels. The result is
float32 ``(N, 3, 299, 299)``, the input :class:`~ganbench.metrics.inception.FIDInception`
expects.
"""

from __future__ import annotations

import functools

import numpy as np
import torch
from PIL import Image

INCEPTION_SIZE = 299
PREPROCESSINGS = ("legacy_tensorflow", "clean", "pytorch_fid")


def to_uint8(images: torch.Tensor) -> torch.Tensor:
    """Generated float images in [-1, 1] → uint8 pixels: round((x + 1) · 127.5), clamped.

    uint8 input (samples loaded from files) is returned as it is.
    """
    if images.dtype == torch.uint8:
        return images.detach()
    return ((images.detach().float().clamp(-1, 1) + 1) * 127.5).round_().to(torch.uint8)


def as_uint8_images(images: np.ndarray | torch.Tensor, name: str = "images") -> torch.Tensor:
    """A uint8 ``(N, C, H, W)`` tensor with C in {1, 3}, from NumPy or torch (CPU copy-free)."""
    t = torch.from_numpy(np.ascontiguousarray(images)) if isinstance(images, np.ndarray) else images
    if not isinstance(t, torch.Tensor):
        raise TypeError(
            f"{name}: expected a NumPy array or torch tensor, got {type(images).__name__}"
        )
    if t.dtype != torch.uint8:
        raise ValueError(
            f"{name}: expected uint8 pixels (N, C, H, W), got dtype {t.dtype}; "
            "convert float images in [-1, 1] with ganbench.metrics.preprocess.to_uint8"
        )
    if t.ndim != 4 or t.shape[1] not in (1, 3) or t.shape[0] == 0:
        raise ValueError(
            f"{name}: expected shape (N, 1 or 3, H, W) with N >= 1, got {tuple(t.shape)}"
        )
    return t.detach().cpu()


@functools.lru_cache(maxsize=16)
def tf1_bilinear_matrix(n_in: int, n_out: int) -> torch.Tensor:
    """``(n_out, n_in)`` interpolation matrix of TF1 ``resize_bilinear`` along one axis."""
    scale = np.float32(n_in) / np.float32(n_out)
    pos = np.arange(n_out, dtype=np.float32) * scale  # float32, as TF computes it
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, n_in - 1)
    frac = (pos - lo).astype(np.float64)
    m = np.zeros((n_out, n_in), dtype=np.float64)
    np.add.at(m, (np.arange(n_out), lo), 1.0 - frac)
    np.add.at(m, (np.arange(n_out), hi), frac)
    return torch.from_numpy(m.astype(np.float32))


def tf1_bilinear_resize(x: torch.Tensor, size: int = INCEPTION_SIZE) -> torch.Tensor:
    """TF1 bilinear resize (``align_corners=False``) of float ``(N, C, H, W)`` to ``size``²."""
    rows = tf1_bilinear_matrix(x.shape[-2], size).to(x.device)
    cols = tf1_bilinear_matrix(x.shape[-1], size).to(x.device)
    return rows @ x @ cols.T


def pil_bicubic_resize(x: torch.Tensor, size: int = INCEPTION_SIZE) -> torch.Tensor:
    """clean-fid's resize: each channel as a float32 PIL image, BICUBIC to ``size``², clipped."""
    arr = x.detach().cpu().numpy().astype(np.float32)
    out = np.empty((*arr.shape[:2], size, size), dtype=np.float32)
    for i in range(arr.shape[0]):
        for c in range(arr.shape[1]):
            img = Image.fromarray(arr[i, c]).resize((size, size), resample=Image.Resampling.BICUBIC)
            out[i, c] = np.asarray(img)
    return torch.from_numpy(out.clip(0.0, 255.0)).to(x.device)


def _pytorch_fid(images: torch.Tensor, size: int) -> torch.Tensor:
    """pytorch-fid's order of operations: /255, bilinear resize (half-pixel), then 2x − 1."""
    x = images.to(torch.float32) / 255.0
    if x.shape[-2:] != (size, size):
        x = torch.nn.functional.interpolate(
            x, size=(size, size), mode="bilinear", align_corners=False
        )
    x = 2 * x - 1
    return x.expand(-1, 3, -1, -1) if x.shape[1] == 1 else x


def preprocess(
    images: torch.Tensor, method: str = "legacy_tensorflow", size: int = INCEPTION_SIZE
) -> torch.Tensor:
    """uint8 ``(N, C, H, W)`` → float32 ``(N, 3, size, size)`` Inception input."""
    if method not in PREPROCESSINGS:
        raise ValueError(f"preprocessing {method!r}: expected one of {', '.join(PREPROCESSINGS)}")
    if method == "pytorch_fid":
        return _pytorch_fid(images, size)
    x = images.to(torch.float32)
    if x.shape[-2:] != (size, size):
        x = (
            tf1_bilinear_resize(x, size)
            if method == "legacy_tensorflow"
            else pil_bicubic_resize(x, size)
        )
    x = (x - 128.0) / 128.0
    return x.expand(-1, 3, -1, -1) if x.shape[1] == 1 else x
