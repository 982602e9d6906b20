"""Feature extractors: uint8 images in, float32 features (and logits) out.

Two backbones share one interface, :class:`FeatureExtractor`:

* :class:`InceptionExtractor`: the TF Inception 2015-12-05 pool3 (2048-d) and,
  with pytorch-fid's weights, its 1008 logits, after explicit preprocessing
  (:mod:`ganbench.metrics.preprocess`); weights found offline by
  :mod:`ganbench.metrics.weights`. This is the backbone that makes FID/KID/IS
  comparable with papers.
* the domain classifier of :mod:`ganbench.metrics.classifier`, a small CNN
  trained on the dataset itself (its own metric names, never reported as
  Inception numbers).

Extraction is batched under ``torch.inference_mode()`` with channels_last
inputs; the batch size does not change the features beyond float rounding.
Networks are loaded on first use (nothing at import time) and kept for the
process, one per weights file and device.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import time
import warnings
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ganbench.metrics.inception import FIDInception, build_inception
from ganbench.metrics.preprocess import as_uint8_images, preprocess
from ganbench.metrics.weights import InceptionSource, load_canonical, resolve_inception

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Extracted:
    """Features ``(n, d)`` float32 and, when the backbone has a classifier, logits ``(n, k)``."""

    features: np.ndarray
    logits: np.ndarray | None


class FeatureExtractor(ABC):
    """A backbone turning uint8 ``(N, C, H, W)`` images into features (and maybe logits)."""

    name: str  # e.g. "inception-2015-12-05" or "classifier:fashion-mnist"
    weights_sha256: str
    preprocessing: str
    dim: int
    has_logits: bool

    @abstractmethod
    def forward_batch(
        self, images: torch.Tensor, device: torch.device
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Features (and logits) of one uint8 batch, on ``device``."""

    @property
    def cache_id(self) -> str:
        """What identifies this extractor's outputs in cache keys."""
        return f"{self.name}@{self.weights_sha256[:16]}/{self.preprocessing}"

    def protocol(self) -> dict[str, Any]:
        """Extractor fields of a metric's protocol."""
        return {
            "extractor": self.name,
            "weights_sha256": self.weights_sha256,
            "preprocessing": self.preprocessing,
            "feature_dim": self.dim,
        }

    def extract(
        self,
        images: np.ndarray | torch.Tensor,
        *,
        batch_size: int = 50,
        device: torch.device | str | None = None,
    ) -> Extracted:
        """Features of all ``images`` (uint8 ``(N, C, H, W)``), ``batch_size`` at a time."""
        x = as_uint8_images(images)
        dev = torch.device(device) if device is not None else torch.device("cpu")
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        feats, logits = [], []
        t0 = time.perf_counter()
        with torch.inference_mode():
            for start in range(0, x.shape[0], batch_size):
                f, z = self.forward_batch(x[start : start + batch_size], dev)
                feats.append(f.float().cpu())
                if z is not None:
                    logits.append(z.float().cpu())
        elapsed = time.perf_counter() - t0
        log.info("%s: %d images in %.1f s", self.name, x.shape[0], elapsed)
        return Extracted(torch.cat(feats).numpy(), torch.cat(logits).numpy() if logits else None)


@contextlib.contextmanager
def full_precision() -> Iterator[None]:
    """Disable TF32 in cuDNN convolutions and CUDA matmuls (on by default on Ampere+ GPUs).

    TF32 rounds inputs to 10 mantissa bits, moving pool3 features by ~1e-3 relative;
    Inception numbers are only comparable across machines in full float32.
    """
    matmul = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False
    try:
        with torch.backends.cudnn.flags(
            enabled=torch.backends.cudnn.enabled,
            benchmark=torch.backends.cudnn.benchmark,
            deterministic=torch.backends.cudnn.deterministic,
            allow_tf32=False,
        ):
            yield
    finally:
        torch.backends.cuda.matmul.allow_tf32 = matmul


@functools.lru_cache(maxsize=2)
def _inception_network(source: InceptionSource, device: torch.device) -> FIDInception:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # torch.jit.load's deprecation notice
        net = build_inception(load_canonical(source))
    return net.to(device).to(memory_format=torch.channels_last)


class InceptionExtractor(FeatureExtractor):
    """Inception 2015-12-05 pool3 features (2048-d) with the given preprocessing."""

    def __init__(self, source: InceptionSource, preprocessing: str = "legacy_tensorflow") -> None:
        self.source = source
        self.name = "inception-2015-12-05"
        self.weights_sha256 = source.sha256
        self.preprocessing = preprocessing
        self.dim = 2048
        self.has_logits = source.has_logits

    def network(self, device: torch.device) -> FIDInception:
        """The (process-wide cached) network on ``device``."""
        return _inception_network(self.source, device)

    def forward_batch(
        self, images: torch.Tensor, device: torch.device
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Preprocess on the CPU side, then run the network on ``device``."""
        x = preprocess(images.to(device), self.preprocessing)
        with full_precision():
            return self.network(device)(x.contiguous(memory_format=torch.channels_last))

    def protocol(self) -> dict[str, Any]:
        """Adds the weights' format and where they were found."""
        return {
            **super().protocol(),
            "weights_format": self.source.format,
            "weights_origin": self.source.origin,
        }


def inception_extractor(
    preprocessing: str = "legacy_tensorflow",
    *,
    weights: str | os.PathLike[str] | None = None,
    need_logits: bool = False,
    allow_download: bool = False,
) -> InceptionExtractor:
    """An :class:`InceptionExtractor` for the weights found by :func:`resolve_inception`."""
    source = resolve_inception(weights, need_logits=need_logits, allow_download=allow_download)
    return InceptionExtractor(source, preprocessing)


def inception_features(
    images: np.ndarray | torch.Tensor,
    *,
    preprocessing: str = "legacy_tensorflow",
    batch_size: int = 50,
    device: torch.device | str | None = None,
    weights: str | os.PathLike[str] | None = None,
) -> np.ndarray:
    """Inception pool3 features ``(N, 2048)`` float32 of uint8 images ``(N, C, H, W)``.

    Grayscale is repeated to 3 channels; the default preprocessing is
    ``legacy_tensorflow`` (TF1 bilinear resize to 299, (x − 128)/128).
    """
    extractor = inception_extractor(preprocessing, weights=weights)
    return extractor.extract(images, batch_size=batch_size, device=device).features
