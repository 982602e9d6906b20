"""Divergence estimates between two distributions from samples (or known densities).

``estimate_divergence(p, q, divergence, method=None, seed=0, **options)`` is the
entry point (:mod:`.api`); :mod:`.base` states the conventions (which way KL
goes, the JS and Hellinger normalisations). The methods live in one module
each: :mod:`.ratio` (density-ratio trick), :mod:`.variational` (f-GAN bound),
:mod:`.knn` (Wang et al. 2009), :mod:`.mmd`, :mod:`.transport` (W1/W2),
:mod:`.binned` (against a known mixture) and :mod:`.exact` (closed forms and
numerical integration).
"""

from ganbench.metrics.divergence.api import (
    DEFAULT_METHOD,
    METHODS,
    SUPPORTED,
    estimate_divergence,
    estimate_divergences,
)
from ganbench.metrics.divergence.base import (
    DIVERGENCES,
    F_DIVERGENCES,
    DivergenceError,
    DivergenceEstimate,
)
from ganbench.metrics.divergence.densities import GaussianMixtureDensity

__all__ = [
    "DEFAULT_METHOD",
    "DIVERGENCES",
    "F_DIVERGENCES",
    "METHODS",
    "SUPPORTED",
    "DivergenceError",
    "DivergenceEstimate",
    "GaussianMixtureDensity",
    "estimate_divergence",
    "estimate_divergences",
]
