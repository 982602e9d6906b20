"""Target distributions for divergence fits (registry ``FIT_TARGETS``).

``theis-mixture`` is the 2-D mixture of Theis, van den Oord & Bethge (2016),
Figure 1, generated exactly as ``mogaussian`` in the authors' code
(``lucastheis/model-evaluation``, ``code/experiments/comparison.py``) with
NumPy's legacy ``RandomState`` (the code calls ``numpy.random.seed``):

1. weights  p ~ Dirichlet(0.5 · 1_K)
2. variances v_k = 1 / (U_k + 1)², U ~ U[0, 1)   (isotropic components)
3. means    1.5 · randn(D_max = 100, K), first D rows kept (so the data do
   not depend on D)
4. data     counts ~ Multinomial(N, p), then randn(D, count_k)·√v_k + m_k
   per component, then a random permutation of the N points.

With the default ``--seed 22`` this gives the weights, variances and means of
REFERENCES.md §6 (checked in tests/fits/test_target.py). Whether the published
figure used seed 22 is not stated in the paper.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ganbench.metrics.divergence.densities import GaussianMixtureDensity
from ganbench.registry import Registry

FIT_TARGETS: Registry[Callable[..., GaussianMixtureDensity]] = Registry("fit target")
D_MAX = 100


def _theis_state(seed: int, n_components: int, dim: int) -> tuple[np.random.RandomState, tuple]:
    if n_components < 1 or not 1 <= dim <= D_MAX:
        raise ValueError(f"theis-mixture needs n_components >= 1 and 1 <= dim <= {D_MAX}")
    rs = np.random.RandomState(seed)
    weights = rs.dirichlet([0.5] * n_components)
    variances = 1.0 / np.square(rs.rand(n_components) + 1.0)
    means = (rs.randn(D_MAX, n_components) * 1.5)[:dim]
    return rs, (weights, variances, means.T.copy())


@FIT_TARGETS.register("theis-mixture")
def theis_mixture(seed: int = 22, n_components: int = 10, dim: int = 2) -> GaussianMixtureDensity:
    """Theis et al. (2016) Fig. 1 mixture: Dirichlet(0.5) weights, legacy NumPy seed 22."""
    _, (weights, variances, means) = _theis_state(seed, n_components, dim)
    return GaussianMixtureDensity.create(weights, means, variances)


def theis_data(
    n: int = 100_000, seed: int = 22, n_components: int = 10, dim: int = 2
) -> np.ndarray:
    """The authors' data sample (n, dim): the random stream continues after the parameters."""
    rs, (weights, variances, means) = _theis_state(seed, n_components, dim)
    counts = rs.multinomial(n, weights)
    parts = [
        rs.randn(dim, c) * np.sqrt(variances[k]) + means[k][:, None] for k, c in enumerate(counts)
    ]
    data = np.hstack(parts)
    return data[:, rs.permutation(n)].T.copy()
