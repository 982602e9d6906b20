"""A chunked k-nearest-neighbour engine for manifold metrics (precision/recall, density/coverage).

Distances are Euclidean, computed in float64 as ‖a‖² + ‖b‖² − 2a·b one block
of rows at a time, so no N×M matrix is ever held: a block has at most
``block`` entries (default 2²⁴, 128 MiB of float64), whatever N and M are.
Comparisons are made on squared distances against squared radii, which is the
same order as on distances.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

DEFAULT_BLOCK = 2**24


def _rows_per_block(n_cols: int, block: int) -> int:
    return max(1, block // max(1, n_cols))


def _squared_distances(
    a: torch.Tensor, b: torch.Tensor, a_sq: torch.Tensor, b_sq: torch.Tensor
) -> torch.Tensor:
    return (a_sq[:, None] + b_sq[None, :] - 2.0 * (a @ b.mT)).clamp_(min=0.0)


def kth_neighbour_distances(x: torch.Tensor, k: int, *, block: int = DEFAULT_BLOCK) -> torch.Tensor:
    """Distance from each row of ``x`` to its ``k``-th nearest *other* row, shape ``(n,)``.

    A row's distance to itself is set to exactly 0 and counted among the k + 1
    smallest, as in the ``prdc`` package (duplicates of a row therefore count
    as neighbours at distance 0).
    """
    n = x.shape[0]
    if not 1 <= k < n:
        raise ValueError(f"k-NN radii: need 1 <= k < n, got k={k} for n={n} samples")
    sq = (x * x).sum(dim=1)
    out = torch.empty(n, dtype=x.dtype)
    step = _rows_per_block(n, block)
    for start in range(0, n, step):
        stop = min(start + step, n)
        d2 = _squared_distances(x[start:stop], x, sq[start:stop], sq)
        rows = torch.arange(stop - start)
        d2[rows, rows + start] = 0.0
        out[start:stop] = d2.topk(k + 1, dim=1, largest=False).values[:, -1]
    return out.sqrt_()


@dataclass(frozen=True)
class CrossNeighbourhood:
    """Counts between a real and a fake set given each point's k-NN radius.

    ``fake_in_real_balls[j]``: number of real balls B(rᵢ, radiusᵢ) holding fake j;
    ``real_in_fake_balls[i]``: whether real i lies in some fake ball;
    ``nearest_fake[i]``: distance from real i to its nearest fake point.
    """

    fake_in_real_balls: torch.Tensor  # (n_fake,) int64
    real_in_fake_balls: torch.Tensor  # (n_real,) bool
    nearest_fake: torch.Tensor  # (n_real,) float64


def cross_neighbourhood(
    real: torch.Tensor,
    fake: torch.Tensor,
    real_radii: torch.Tensor,
    fake_radii: torch.Tensor,
    *,
    block: int = DEFAULT_BLOCK,
) -> CrossNeighbourhood:
    """One blocked pass over all real–fake distances; strict ``<`` as in the ``prdc`` package."""
    r_sq, f_sq = (real * real).sum(dim=1), (fake * fake).sum(dim=1)
    real_r2, fake_r2 = real_radii**2, fake_radii**2
    counts = torch.empty(fake.shape[0], dtype=torch.int64)
    covered = torch.zeros(real.shape[0], dtype=torch.bool)
    nearest = torch.full((real.shape[0],), float("inf"), dtype=torch.float64)
    step = _rows_per_block(real.shape[0], block)
    for start in range(0, fake.shape[0], step):
        stop = min(start + step, fake.shape[0])
        d2 = _squared_distances(fake[start:stop], real, f_sq[start:stop], r_sq)  # (c, n_real)
        counts[start:stop] = (d2 < real_r2[None, :]).sum(dim=1)
        covered |= (d2 < fake_r2[start:stop, None]).any(dim=0)
        torch.minimum(nearest, d2.min(dim=0).values, out=nearest)
    return CrossNeighbourhood(counts, covered, nearest.sqrt_())
