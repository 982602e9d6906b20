"""Precision, recall (Kynkäänniemi et al. 2019), density and coverage (Naeem et al. 2020).

Each real sample rᵢ owns a ball whose radius is the distance to its k-th
nearest real neighbour; each fake sample fⱼ likewise among the fakes. With N
real and M fake samples:

* precision: fraction of fakes inside at least one real ball;
* recall: fraction of reals inside at least one fake ball;
* density: (1 / kM) Σⱼ #{i : fⱼ ∈ B(rᵢ)} (can exceed 1);
* coverage: fraction of reals whose ball holds at least one fake.

Conventions follow the reference ``prdc`` package (Naeem et al.'s code):
membership is the strict ``d < radius`` and all four share k (default 5).
Everything runs on the chunked engine in :mod:`ganbench.metrics.knn`.
"""

from __future__ import annotations

from ganbench.metrics.arrays import ArrayLike, as_features, same_dim
from ganbench.metrics.knn import DEFAULT_BLOCK, cross_neighbourhood, kth_neighbour_distances


def prdc(
    real: ArrayLike, fake: ArrayLike, k: int = 5, *, block: int = DEFAULT_BLOCK
) -> dict[str, float]:
    """``{precision, recall, density, coverage}`` of ``fake`` vs ``real`` features ``(n, d)``."""
    x, y = as_features(real, "real"), as_features(fake, "fake")
    same_dim(x, y, "prdc")
    if not 1 <= k < min(len(x), len(y)):
        raise ValueError(
            f"prdc: k must lie in [1, min(n_real, n_fake) - 1] = [1, {min(len(x), len(y)) - 1}], "
            f"got {k}"
        )
    real_radii = kth_neighbour_distances(x, k, block=block)
    fake_radii = kth_neighbour_distances(y, k, block=block)
    cross = cross_neighbourhood(x, y, real_radii, fake_radii, block=block)
    counts = cross.fake_in_real_balls.double()
    return {
        "precision": float((counts > 0).double().mean()),
        "recall": float(cross.real_in_fake_balls.double().mean()),
        "density": float(counts.mean() / k),
        "coverage": float((cross.nearest_fake < real_radii).double().mean()),
    }
