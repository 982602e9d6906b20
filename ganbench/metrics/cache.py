"""On-disk cache of real-data features and statistics, so a second run extracts nothing.

The cache folder is ``$GANBENCH_CACHE`` (default ``~/.cache/ganbench``). A real
reference is stored under ``reference/`` as one ``.npz`` holding μ and Σ
(float64), the raw features (float32, needed by KID and PR/DC), the logits
when the backbone has a classifier, and a JSON description. Its key is the
dataset name, split, extractor (name and weights SHA-256), preprocessing,
sample count and subset rule, plus a SHA-256 of the selected pixels, so changed
data under an old name can never hit a stale entry. Files are written
atomically (temporary file + rename), and a lock file keeps two processes from
extracting the same reference at once (the second waits, then loads).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganbench.metrics.features import FeatureExtractor
from ganbench.metrics.fid import feature_statistics

log = logging.getLogger(__name__)

ENV_CACHE = "GANBENCH_CACHE"
FORMAT_VERSION = 1
SUBSET_SEED = 0


def cache_dir() -> Path:
    """``$GANBENCH_CACHE`` or ``~/.cache/ganbench``."""
    return Path(os.environ.get(ENV_CACHE) or "~/.cache/ganbench").expanduser()


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive advisory lock on ``path`` + ``.lock`` (a no-op where ``fcntl`` is missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - non-POSIX
        yield
        return
    with open(f"{path}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class RealReference:
    """Real-data features and their statistics for one (dataset, split, extractor, n) key."""

    features: np.ndarray  # (n, d) float32, in subset order
    logits: np.ndarray | None
    mu: np.ndarray  # float64
    sigma: np.ndarray  # float64
    meta: dict[str, Any]
    path: Path
    from_cache: bool


def select_subset(n_available: int, n_real: int | None) -> tuple[torch.Tensor | None, str]:
    """Indices of the real subset (``None`` = all, in order) and the rule, for the protocol."""
    if n_real is None or n_real >= n_available:
        return None, "all images of the split, in order"
    perm = torch.randperm(n_available, generator=torch.Generator().manual_seed(SUBSET_SEED))
    return perm[:n_real], f"first {n_real} of torch.randperm(seed={SUBSET_SEED})"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)[:60]


def _key(meta: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(meta, sort_keys=True).encode()).hexdigest()


def real_reference(
    extractor: FeatureExtractor,
    images: torch.Tensor,
    *,
    dataset: str,
    split: str,
    n_real: int | None,
    batch_size: int = 50,
    device: torch.device | str | None = None,
    root: Path | None = None,
) -> RealReference:
    """Features and statistics of the real ``images`` (uint8, the whole split), cached on disk."""
    idx, rule = select_subset(images.shape[0], n_real)
    chosen = images if idx is None else images[idx]
    pixels = hashlib.sha256(chosen.contiguous().numpy().tobytes()).hexdigest()
    meta = {
        "format": FORMAT_VERSION,
        "dataset": dataset,
        "split": split,
        "n_real": int(chosen.shape[0]),
        "n_available": int(images.shape[0]),
        "subset": rule,
        "extractor": extractor.cache_id,
        "pixels_sha256": pixels,
    }
    key = _key(meta)
    path = (
        (root or cache_dir())
        / "reference"
        / (
            f"{_slug(dataset)}-{_slug(split)}-n{chosen.shape[0]}-{_slug(extractor.name)}-{key[:16]}.npz"
        )
    )
    with file_lock(path):
        if path.is_file():
            return _load(path, meta)
        out = extractor.extract(chosen, batch_size=batch_size, device=device)
        mu, sigma = feature_statistics(out.features)
        arrays = {
            "features": out.features,
            "mu": mu,
            "sigma": sigma,
            "meta": np.array(json.dumps(meta)),
        }
        if out.logits is not None:
            arrays["logits"] = out.logits
        buf = io.BytesIO()
        np.savez(buf, **arrays)  # type: ignore[arg-type]
        atomic_write_bytes(path, buf.getvalue())
        log.info("cached real statistics: %s", path)
        return RealReference(out.features, out.logits, mu, sigma, meta, path, from_cache=False)


def _load(path: Path, meta: dict[str, Any]) -> RealReference:
    with np.load(path, allow_pickle=False) as data:
        stored = json.loads(str(data["meta"]))
        if stored != meta:  # a key collision is astronomically unlikely; a mixed-up file is not
            raise ValueError(f"cached reference {path} does not match its key; delete it")
        logits = data["logits"] if "logits" in data.files else None
        return RealReference(
            data["features"], logits, data["mu"], data["sigma"], stored, path, from_cache=True
        )
