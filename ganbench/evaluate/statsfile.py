"""Reference statistics files: pytorch-fid's ``.npz`` layout, read and written.

pytorch-fid stores a reference as ``np.savez_compressed(path, mu=μ, sigma=Σ)``
and reads any ``.npz`` with ``mu`` and ``sigma`` keys; published reference
statistics (TTUR's ``fid_stats_cifar10_train.npz`` and the like) use the same
two keys. ganbench writes that layout, so its files load in pytorch-fid, and
adds, under other keys that pytorch-fid ignores:

* ``features``: the raw float32 ``(n, d)`` features, which KID and
  precision/recall/density/coverage need (μ and Σ are not enough for them);
* ``logits``: the classifier logits when the extractor had them;
* ``meta``: a JSON string saying what was extracted and how (extractor,
  weights SHA-256, preprocessing, source, n, subset rule).

A file without ``meta`` is an outside file: its statistics are used as they
are, and the record says the extractor was not recorded in it.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ganbench.errors import AssetError
from ganbench.evaluate.input_common import file_sha256
from ganbench.metrics.cache import RealReference, atomic_write_bytes

STATS_FORMAT = "ganbench-stats/1"


@dataclass(frozen=True)
class StatsFile:
    """The contents of a statistics file."""

    mu: np.ndarray  # float64 (d,)
    sigma: np.ndarray  # float64 (d, d)
    features: np.ndarray | None  # float32 (n, d) when stored
    logits: np.ndarray | None
    meta: dict[str, Any] | None  # None for an outside (pytorch-fid) file
    path: Path
    sha256: str

    @property
    def dim(self) -> int:
        """Feature dimension."""
        return int(self.mu.shape[0])


def write_stats(path: str | Path, ref: RealReference, *, with_features: bool = True) -> Path:
    """Write ``ref`` as a pytorch-fid-compatible ``.npz`` (plus features, logits, meta)."""
    out = Path(path)
    if out.suffix != ".npz":
        raise AssetError(f"stats file {out}: expected a .npz path (pytorch-fid's layout)")
    arrays: dict[str, np.ndarray] = {
        "mu": np.asarray(ref.mu, dtype=np.float64),
        "sigma": np.asarray(ref.sigma, dtype=np.float64),
        "meta": np.array(json.dumps({"format": STATS_FORMAT, **ref.meta}, sort_keys=True)),
    }
    if with_features:
        arrays["features"] = np.asarray(ref.features, dtype=np.float32)
        if ref.logits is not None:
            arrays["logits"] = np.asarray(ref.logits, dtype=np.float32)
    buf = io.BytesIO()
    np.savez(buf, **arrays)  # type: ignore[arg-type]
    atomic_write_bytes(out, buf.getvalue())
    return out


def _array(data: Any, key: str, path: Path) -> np.ndarray | None:
    return np.asarray(data[key]) if key in data.files else None


def read_stats(path: str | Path) -> StatsFile:
    """Read and check a statistics file (pytorch-fid's ``mu``/``sigma``; ganbench's extras)."""
    p = Path(path)
    if not p.is_file():
        raise AssetError(f"stats file {p}: no such file")
    try:
        data = np.load(p, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise AssetError(f"stats file {p}: not a readable .npz ({exc})") from None
    with data:
        if not isinstance(data, np.lib.npyio.NpzFile) or not {"mu", "sigma"} <= set(data.files):
            keys = ", ".join(getattr(data, "files", [])) or "none"
            raise AssetError(
                f"stats file {p}: expected pytorch-fid's keys 'mu' and 'sigma', found {keys}"
            )
        mu = np.asarray(data["mu"], dtype=np.float64)
        sigma = np.asarray(data["sigma"], dtype=np.float64)
        features = _array(data, "features", p)
        logits = _array(data, "logits", p)
        meta_raw = _array(data, "meta", p)
    _check_shapes(p, mu, sigma, features)
    meta = None
    if meta_raw is not None:
        try:
            meta = json.loads(str(meta_raw))
        except json.JSONDecodeError:
            raise AssetError(f"stats file {p}: its 'meta' entry is not JSON") from None
        if not isinstance(meta, dict):
            raise AssetError(f"stats file {p}: its 'meta' entry is not a JSON object")
    return StatsFile(mu, sigma, features, logits, meta, p, file_sha256(p))


def _check_shapes(p: Path, mu: np.ndarray, sigma: np.ndarray, features: np.ndarray | None) -> None:
    if mu.ndim != 1 or mu.shape[0] < 1:
        raise AssetError(f"stats file {p}: 'mu' must be a vector, got shape {mu.shape}")
    d = mu.shape[0]
    if sigma.shape != (d, d):
        raise AssetError(f"stats file {p}: 'sigma' must be {d}×{d} to match mu, got {sigma.shape}")
    if not (np.isfinite(mu).all() and np.isfinite(sigma).all()):
        raise AssetError(f"stats file {p}: 'mu' or 'sigma' holds NaN or inf")
    if features is not None and (features.ndim != 2 or features.shape[1] != d):
        raise AssetError(
            f"stats file {p}: 'features' must be (n, {d}) to match mu, got {features.shape}"
        )


def as_reference(stats: StatsFile, extractor_dim: int, cache_id: str) -> RealReference:
    """A :class:`RealReference` from a stats file, checked against the extractor in use."""
    if stats.dim != extractor_dim:
        raise AssetError(
            f"stats file {stats.path}: {stats.dim}-d statistics, but the extractor gives "
            f"{extractor_dim}-d features (Inception pool3 is 2048-d)"
        )
    meta = dict(stats.meta or {})
    if meta.get("extractor") not in (None, cache_id):
        raise AssetError(
            f"stats file {stats.path} was extracted with {meta['extractor']}; this evaluation "
            f"uses {cache_id} (pick the protocol whose preprocessing made the file)"
        )
    info = {
        "dataset": meta.get("dataset", f"stats:{stats.path.name}"),
        "split": meta.get("split", "-"),
        "subset": meta.get("subset", "as stored in the file"),
        "stats_file": stats.path.name,
        "stats_sha256": stats.sha256,
        "extractor_recorded": "extractor" in meta,
        "n_real": meta.get("n_real"),
    }
    features = stats.features if stats.features is not None else np.empty((0, stats.dim))
    return RealReference(
        features, stats.logits, stats.mu, stats.sigma, info, stats.path, from_cache=True
    )
