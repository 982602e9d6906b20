"""``estimate_divergence``: one entry point over every divergence and method.

=============  =================================================  ==========================
method         divergences                                        inputs
=============  =================================================  ==========================
``ratio``      kl, reverse_kl, js, hellinger, tv, pearson         samples of p and q
``variational``kl, reverse_kl, js, hellinger, tv, pearson         samples of p and q
``knn``        kl, reverse_kl                                     samples of p and q
``mmd``        mmd                                                samples of p and q
``ot``         w1, w2 (exact OT; subsampled past ``exact_max``)   samples of p and q
``sliced``     w1, w2 (sliced Wasserstein, a lower bound on W)    samples of p and q
``binned``     kl, reverse_kl, js, hellinger, tv, pearson         p a known mixture, q samples
``exact``      all (see :mod:`.exact` for which combinations)     two known densities
=============  =================================================  ==========================

``method=None`` picks :data:`DEFAULT_METHOD`: ``ratio`` for the f-divergences,
``mmd`` for mmd and ``ot`` for w1/w2 when given samples, ``exact`` when given
two densities. Samples are put in a canonical (lexicographic) order first, so
estimates do not depend on the order of the rows; the same ``seed`` gives the
same value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ganbench.errors import ConfigError
from ganbench.metrics.divergence.base import (
    DIVERGENCES,
    F_DIVERGENCES,
    DivergenceError,
    DivergenceEstimate,
    as_samples,
    canonical_order,
)
from ganbench.metrics.divergence.binned import binned_divergence
from ganbench.metrics.divergence.densities import GaussianMixtureDensity, as_density
from ganbench.metrics.divergence.exact import exact_divergence
from ganbench.metrics.divergence.knn import knn_divergence
from ganbench.metrics.divergence.mmd import mmd_divergence
from ganbench.metrics.divergence.ratio import ratio_divergences
from ganbench.metrics.divergence.transport import sliced_divergence, transport_divergence
from ganbench.metrics.divergence.variational import variational_divergence

SUPPORTED: dict[str, tuple[str, ...]] = {
    "ratio": F_DIVERGENCES,
    "variational": F_DIVERGENCES,
    "knn": ("kl", "reverse_kl"),
    "mmd": ("mmd",),
    "ot": ("w1", "w2"),
    "sliced": ("w1", "w2"),
    "binned": F_DIVERGENCES,
    "exact": DIVERGENCES,
}
METHODS = tuple(SUPPORTED)
DEFAULT_METHOD: dict[str, str] = {
    **dict.fromkeys(F_DIVERGENCES, "ratio"),
    "mmd": "mmd",
    "w1": "ot",
    "w2": "ot",
}
_SKIP = ("p", "q", "divergence", "divergences", "seed")


def _options_of(method: str) -> Callable[..., Any]:
    table: dict[str, Callable[..., Any]] = {
        "ratio": ratio_divergences,
        "variational": variational_divergence,
        "knn": knn_divergence,
        "mmd": mmd_divergence,
        "ot": transport_divergence,
        "sliced": sliced_divergence,
        "binned": binned_divergence,
        "exact": exact_divergence,
    }
    return table[method]


def _check_names(divergences: Sequence[str], method: str | None, known: bool) -> str:
    for div in divergences:
        if div not in DIVERGENCES:
            raise DivergenceError(f"unknown divergence {div!r} (valid: {', '.join(DIVERGENCES)})")
    if method is None:
        method = "exact" if known else DEFAULT_METHOD[divergences[0]]
        if not known and any(DEFAULT_METHOD[d] != method for d in divergences):
            raise DivergenceError("these divergences have different default methods; pass method=")
    if method not in SUPPORTED:
        raise DivergenceError(f"unknown method {method!r} (valid: {', '.join(METHODS)})")
    for div in divergences:
        if div not in SUPPORTED[method]:
            valid = ", ".join(m for m, divs in SUPPORTED.items() if div in divs)
            raise DivergenceError(f"method {method!r} does not estimate {div!r} (use: {valid})")
    return method


def _resolve_options(method: str, options: dict[str, Any]) -> dict[str, Any]:
    from ganbench.params import resolve_params

    try:
        return resolve_params(
            _options_of(method),
            options,
            where=f"estimate_divergence(method={method!r})",
            skip=_SKIP,
        )
    except ConfigError as exc:
        raise DivergenceError(str(exc)) from None


def _is_density(x: Any) -> bool:
    return isinstance(x, GaussianMixtureDensity) or all(
        hasattr(x, a) for a in ("means", "stds", "weights")
    )


def estimate_divergences(
    p: Any,
    q: Any,
    divergences: Sequence[str],
    method: str | None = None,
    seed: int = 0,
    **options: Any,
) -> dict[str, DivergenceEstimate]:
    """Several divergences with one method (the ``ratio`` method shares its classifiers)."""
    if isinstance(divergences, str) or not divergences:
        raise DivergenceError("divergences: expected a non-empty list of names")
    method = _check_names(list(divergences), method, _is_density(p) and _is_density(q))
    opts = _resolve_options(method, options)
    if method == "exact":
        pd, qd = as_density(p, "p"), as_density(q, "q")
        return {d: exact_divergence(pd, qd, d, seed=seed, **opts) for d in divergences}
    if method == "binned":
        pd, qs = as_density(p, "p"), canonical_order(as_samples(q, "q"))
        return {d: binned_divergence(pd, qs, d, seed=seed, **opts) for d in divergences}
    if _is_density(p) or _is_density(q):
        raise DivergenceError(f"method {method!r} needs samples; for known densities use 'exact'")
    ps, qs = canonical_order(as_samples(p, "p")), canonical_order(as_samples(q, "q"))
    if ps.shape[1] != qs.shape[1]:
        raise DivergenceError(f"p has dimension {ps.shape[1]} but q has {qs.shape[1]}")
    if method == "ratio":
        return ratio_divergences(ps, qs, list(divergences), seed=seed, **opts)
    table: dict[str, Callable[..., DivergenceEstimate]] = {
        "variational": variational_divergence,
        "knn": knn_divergence,
        "mmd": mmd_divergence,
        "ot": transport_divergence,
        "sliced": sliced_divergence,
    }
    fn = table[method]
    return {d: fn(ps, qs, d, seed=seed, **opts) for d in divergences}


def estimate_divergence(
    p_samples: Any,
    q_samples: Any,
    divergence: str,
    method: str | None = None,
    seed: int = 0,
    **options: Any,
) -> DivergenceEstimate:
    """Estimate ``divergence`` between p and q (see the module docstring for the methods).

    ``p_samples``/``q_samples`` are arrays or tensors of shape (n, d) or (n,);
    for ``method="exact"`` both are known densities
    (:class:`GaussianMixtureDensity` or a ``GaussianMixture`` dataset), for
    ``"binned"`` p is a known mixture. ``options`` are the method's keyword
    options (an unknown one is an error that lists the valid ones).
    """
    return estimate_divergences(p_samples, q_samples, [divergence], method, seed, **options)[
        divergence
    ]
