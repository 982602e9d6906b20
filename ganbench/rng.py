"""Named, reproducible random streams.

Every random draw in ganbench comes from a ``torch.Generator`` derived from a
seed and a stream name (``"init"``, ``"noise"``, ``"data"``, ``"eval"``, …).
A run's numbers therefore depend only on its own seed, never on which other
runs share its process or ensemble, nor on the order in which cells run.
"""

from __future__ import annotations

import hashlib

import numpy as np
import torch


def stream_seed(seed: int, stream: str) -> int:
    """A 63-bit integer derived from ``seed`` and ``stream`` (stable across platforms)."""
    digest = hashlib.sha256(f"{int(seed)}/{stream}".encode()).digest()
    return int.from_bytes(digest[:8], "little") & ((1 << 63) - 1)


def generator(seed: int, stream: str, device: str | torch.device = "cpu") -> torch.Generator:
    """A fresh ``torch.Generator`` on ``device`` for ``(seed, stream)``."""
    g = torch.Generator(device=device)
    g.manual_seed(stream_seed(seed, stream))
    return g


def numpy_rng(seed: int, stream: str) -> np.random.Generator:
    """A NumPy ``Generator`` for ``(seed, stream)``."""
    return np.random.default_rng(stream_seed(seed, stream))
