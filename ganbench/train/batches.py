"""Per-member batch streams with chunked prefetch.

Each ensemble member draws its latent codes and its data from its own
generators (streams ``"noise"`` and ``"data"`` of its seed), so its batches are
the same whatever ensemble it trains in. Draws are made ``chunk`` batches at a
time per member to keep Python overhead off the training step; on CUDA each chunk
goes through pinned host memory, so its copy overlaps the running kernels.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from ganbench import rng
from ganbench.datasets.base import Dataset


class BatchStream:
    """Yields ``(z, x, y)`` with shapes ``(E, B, z_dim)``, ``(E, B, *shape)``, ``(E, B) | None``."""

    def __init__(
        self,
        datasets: Sequence[Dataset],
        seeds: Sequence[int],
        batch_size: int,
        z_dim: int,
        device: torch.device,
        *,
        labels: bool = False,
        chunk: int = 32,
    ) -> None:
        self.datasets, self.batch_size, self.z_dim = list(datasets), batch_size, z_dim
        self.device, self.labels, self.chunk = device, labels, max(1, chunk)
        self.noise = [rng.generator(s, "noise") for s in seeds]
        self.data = [rng.generator(s, "data") for s in seeds]
        self._buf: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]] = []

    def _refill(self) -> None:
        c, b = self.chunk, self.batch_size
        zs, xs, ys = [], [], []
        for ds, gn, gd in zip(self.datasets, self.noise, self.data, strict=True):
            zs.append(torch.randn(c, b, self.z_dim, generator=gn))
            if self.labels:
                x, y = ds.sample_labeled(c * b, gd)
                ys.append(y.reshape(c, b))
            else:
                x = ds.sample(c * b, gd)
            xs.append(x.reshape(c, b, *x.shape[1:]))
        z = self._to_device(torch.stack(zs, 1))
        x = self._to_device(torch.stack(xs, 1))
        labels = self._to_device(torch.stack(ys, 1)) if self.labels else None
        self._buf = [(z[i], x[i], None if labels is None else labels[i]) for i in range(c)]
        self._buf.reverse()

    def _to_device(self, t: torch.Tensor) -> torch.Tensor:
        """Copy a host chunk to the device; through pinned memory on CUDA so the copy is async."""
        if self.device.type == "cuda":
            t = t.pin_memory()
        return t.to(self.device, non_blocking=True)

    def next(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """The next batch for every member."""
        if not self._buf:
            self._refill()
        return self._buf.pop()
