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

:func:`equal_size_prdc` compares equal-size sets as the metrics do: a larger
set is cut down by a seeded random subset, never by its first rows (a real
set read from sorted class folders starts with whole classes).
"""

from __future__ import annotations

from typing import Any

import numpy as np

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


SUBSET_SEED = 0


def random_rows(x: ArrayLike, m: int, seed: int) -> ArrayLike:
    """``m`` rows of ``x`` drawn without replacement by ``default_rng(seed)``, in their order."""
    if m >= len(x):
        return x
    idx = np.sort(np.random.default_rng(seed).choice(len(x), size=m, replace=False))
    return x[idx]


def equal_size_prdc(
    real: ArrayLike, fake: ArrayLike, k: int = 5, *, seed: int = SUBSET_SEED
) -> tuple[dict[str, float], dict[str, Any]]:
    """:func:`prdc` on ``m = min(n_real, n_fake)`` rows of each set, and the protocol entries.

    The larger set is reduced to ``m`` rows by :func:`random_rows` with ``seed``,
    so the value does not depend on the order of the rows beyond that subsample.
    """
    m = min(len(real), len(fake))
    values = prdc(random_rows(real, m, seed), random_rows(fake, m, seed + 1), k=k)
    rule = (
        f"sets larger than n = min(n_real, n_fake) are cut to n rows drawn without replacement "
        f"by numpy default_rng(seed) (real: seed {seed}, fake: seed {seed + 1})"
    )
    protocol = {
        "n_real": m,
        "n_fake": m,
        "n_real_available": len(real),
        "n_fake_available": len(fake),
        "prdc_subset": rule,
        "prdc_subset_seed": seed,
    }
    return values, protocol
