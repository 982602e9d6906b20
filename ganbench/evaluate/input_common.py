"""What every input loader of ``ganbench eval`` shares: :class:`Samples`, hashing, counting.

A loader turns one input (an image folder, an array file, a generator) into
:class:`Samples`: uint8 images ``(N, C, H, W)`` with C in {1, 3}, or float32
points ``(N, d)``, plus a ``description`` of what was detected and how it was
converted, which the evaluation record states beside the scores.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import torch

from ganbench.errors import InputError

SampleKind = Literal["images", "points"]
HASH_CHUNK = 1 << 20  # bytes read at a time when hashing a file


@dataclass(frozen=True)
class Samples:
    """Loaded samples: uint8 images (N, C, H, W) with C in {1, 3}, or float32 points (N, d)."""

    kind: SampleKind  # "images" or "points"
    data: torch.Tensor  # uint8 NCHW for images; float32 (N, d) for points; on the CPU
    source: str  # the input spec as given
    input_type: str  # "folder" | "npz" | "npy" | "torchscript" | "ganbench" | "callable"
    description: dict[str, Any] = field(default_factory=dict)  # detected layout, conversion, sha256

    def __len__(self) -> int:
        """The number of samples."""
        return int(self.data.shape[0])


def update_with_file(h: Any, path: Path) -> None:
    """Feed the bytes of ``path`` to the hash object ``h`` (in chunks)."""
    with path.open("rb") as f:
        while chunk := f.read(HASH_CHUNK):
            h.update(chunk)


def file_sha256(path: Path) -> str:
    """SHA-256 (hex) of the bytes of ``path``."""
    h = hashlib.sha256()
    update_with_file(h, path)
    return h.hexdigest()


def files_sha256(root: Path, files: Iterable[Path]) -> str:
    """SHA-256 (hex) of a folder's files: each relative POSIX path, a NUL, its size and bytes."""
    h = hashlib.sha256()
    for p in files:
        h.update(p.relative_to(root).as_posix().encode() + b"\0")
        h.update(f"{p.stat().st_size}\0".encode())
        update_with_file(h, p)
    return h.hexdigest()


def check_count(available: int, n: int | None, source: str, what: str) -> int:
    """How many of ``available`` samples to use: all, or the first ``n`` (error when fewer)."""
    if n is None:
        return available
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InputError(f"{source}: the number of samples must be a positive integer, got {n!r}")
    if available < n:
        raise InputError(f"{source}: {n} samples requested but it holds only {available} {what}")
    return n


def selection_note(available: int, used: int, order: str) -> str:
    """The ``description`` line saying which samples were used."""
    if used == available:
        return f"all {available}"
    return f"the first {used} of {available} in {order}"
