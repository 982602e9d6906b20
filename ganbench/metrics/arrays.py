"""Input coercion shared by the sample-quality metrics: NumPy or torch in, float64 tensors out."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

ArrayLike = np.ndarray | torch.Tensor


def as_float64(x: Any, name: str, ndim: int) -> torch.Tensor:
    """``x`` (NumPy array or torch tensor, any device) as a CPU float64 tensor of rank ``ndim``.

    Raises ``TypeError`` for other types and ``ValueError`` for the wrong rank or
    non-finite entries, each naming ``name`` and what is accepted.
    """
    if isinstance(x, np.ndarray):
        t = torch.from_numpy(np.asarray(x, dtype=np.float64))
    elif isinstance(x, torch.Tensor):
        t = x.detach().to(device="cpu", dtype=torch.float64)
    else:
        raise TypeError(f"{name}: expected a NumPy array or a torch tensor, got {type(x).__name__}")
    if t.ndim != ndim:
        want = {1: "a vector (d,)", 2: "a matrix (n, d)"}.get(ndim, f"rank {ndim}")
        raise ValueError(f"{name}: expected {want}, got shape {tuple(t.shape)}")
    if not bool(torch.isfinite(t).all()):
        raise ValueError(f"{name}: contains NaN or infinite values")
    return t


def as_features(x: Any, name: str) -> torch.Tensor:
    """A non-empty ``(n, d)`` float64 feature matrix."""
    t = as_float64(x, name, 2)
    if t.shape[0] == 0 or t.shape[1] == 0:
        raise ValueError(f"{name}: empty feature matrix, shape {tuple(t.shape)}")
    return t


def same_dim(a: torch.Tensor, b: torch.Tensor, what: str) -> None:
    """Raise when two feature matrices disagree in their feature dimension."""
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(
            f"{what}: feature dimensions differ ({a.shape[-1]} vs {b.shape[-1]}); "
            "both sets must come from the same extractor"
        )
