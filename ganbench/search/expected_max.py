"""Expected best metric after k trials, computed exactly from N observed trials.

Two estimators of "the best metric a tuning budget of k trials reaches", from
the N trial values sorted ``v(1) <= ... <= v(N)``:

* **with replacement** (:func:`expected_max`) — Dodge et al. 2019, "Show Your
  Work" (arXiv 1909.03004), Section 3: the k trials are k i.i.d. draws from the
  empirical distribution, so ``E[max] = sum_i v(i) * ((i/N)^k - ((i-1)/N)^k)``.
  Defined for every k (also k > N). This is the estimator Dodge et al. use and
  the one the ganbench report plots (curve k = 1..K with a bootstrap band).
* **without replacement** (:func:`expected_max_without_replacement`) — the
  expected maximum of a uniformly random k-subset of the N trials,
  ``sum_i v(i) * C(i-1, k-1) / C(N, k)``; k <= N only. It equals the mean at
  k = 1 and the observed best at k = N, and is the unbiased estimator (a
  U-statistic) of the expected best of k fresh trials, whereas the
  with-replacement curve lies below it for 1 < k (repeated draws waste budget).

Lower-is-better metrics (``higher_is_better=False``) give the expected minimum.

**Non-finite values** (NaN or ±inf: a diverged or failed trial) rank below every
finite value — the worst outcome, whatever the metric's direction — so they are
the best of k trials only when all k trials failed. Counting that case as −inf
would make every curve of a search with one divergence −inf (with replacement,
k failed draws always have positive probability); dropping failures would hide
that they used up budget. So the curve is the expected best **given that at
least one of the k trials succeeded**, with the failed trials still drawn
(a search that fails half its trials needs more of them to reach its best),
and :func:`failure_probability` gives the probability that all k failed, for
the report to show next to it. If every value is non-finite the curve is NaN.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import gammaln


def _sorted_finite(values: Sequence[float], higher_is_better: bool) -> tuple[np.ndarray, int]:
    """The finite values, oriented so that larger is better and sorted; and N."""
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"expected a non-empty 1-D sequence of values, got shape {arr.shape}")
    finite = arr[np.isfinite(arr)]
    return np.sort(finite if higher_is_better else -finite), int(arr.size)


def _ks(k_max: int | None, n: int, cap: int | None) -> np.ndarray:
    k_max = n if k_max is None else k_max
    if isinstance(k_max, bool) or not isinstance(k_max, int | np.integer) or k_max < 1:
        raise ValueError(f"k_max must be a positive integer, got {k_max!r}")
    if cap is not None and k_max > cap:
        raise ValueError(f"k_max={k_max} exceeds the {cap} values (subsets without replacement)")
    return np.arange(1, int(k_max) + 1, dtype=float)


def _log_comb(n: np.ndarray, k: np.ndarray) -> np.ndarray:
    """log C(n, k), -inf where k > n or k < 0."""
    n, k = np.broadcast_arrays(np.asarray(n, float), np.asarray(k, float))
    out = np.full(n.shape, -np.inf)
    ok = (k >= 0) & (k <= n)
    out[ok] = gammaln(n[ok] + 1) - gammaln(k[ok] + 1) - gammaln(n[ok] - k[ok] + 1)
    return out


def _finish(num: np.ndarray, p_fail: np.ndarray, n_finite: int, higher: bool) -> np.ndarray:
    if n_finite == 0:
        return np.full(num.shape, np.nan)
    curve = num / (1.0 - p_fail)
    return curve if higher else -curve


def expected_max(
    values: Sequence[float], k_max: int | None = None, *, higher_is_better: bool = True
) -> np.ndarray:
    """Expected best of k draws with replacement, k = 1..k_max (default N); Dodge et al.'s.

    ``out[k-1] = sum_i v(i) * ((i/N)^k - ((i-1)/N)^k)`` over the sorted values; the
    expected minimum when ``higher_is_better`` is False. Non-finite values: see the
    module docstring (the curve is conditional on at least one finite draw).
    """
    finite, n = _sorted_finite(values, higher_is_better)
    ks = _ks(k_max, n, None)[:, None]
    fails = n - finite.size
    ranks = fails + np.arange(1, finite.size + 1, dtype=float)  # failures rank lowest
    weights = (ranks / n) ** ks - ((ranks - 1) / n) ** ks
    p_fail = (fails / n) ** ks[:, 0]
    return _finish(weights @ finite, p_fail, finite.size, higher_is_better)


def expected_max_without_replacement(
    values: Sequence[float], k_max: int | None = None, *, higher_is_better: bool = True
) -> np.ndarray:
    """Expected best of a uniformly random k-subset of the N values, k = 1..k_max (<= N).

    ``out[k-1] = sum_i v(i) * C(i-1, k-1) / C(N, k)``: the mean at k = 1, the best
    value at k = N; the expected minimum when ``higher_is_better`` is False.
    Non-finite values: see the module docstring.
    """
    finite, n = _sorted_finite(values, higher_is_better)
    ks = _ks(k_max, n, n)[:, None]
    fails = n - finite.size
    ranks = fails + np.arange(1, finite.size + 1, dtype=float)
    weights = np.exp(_log_comb(ranks - 1, ks - 1) - _log_comb(np.float64(n), ks))
    p_fail = np.exp(_log_comb(np.float64(fails), ks[:, 0]) - _log_comb(np.float64(n), ks[:, 0]))
    return _finish(weights @ finite, p_fail, finite.size, higher_is_better)


def failure_probability(
    values: Sequence[float], k_max: int | None = None, *, replacement: bool = True
) -> np.ndarray:
    """Probability that all k trials are non-finite, k = 1..k_max (default N).

    ``(F/N)^k`` with replacement, ``C(F, k) / C(N, k)`` without, for F non-finite values.
    """
    arr = np.asarray(values, dtype=float)
    _, n = _sorted_finite(arr, True)
    fails = float(np.count_nonzero(~np.isfinite(arr)))
    if replacement:
        return (fails / n) ** _ks(k_max, n, None)
    ks = _ks(k_max, n, n)
    return np.exp(_log_comb(np.float64(fails), ks) - _log_comb(np.float64(n), ks))


def bootstrap_band(
    values: Sequence[float],
    k_max: int | None = None,
    *,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    higher_is_better: bool = True,
    replacement: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap band ``(low, high)`` of the expected-best curve, k = 1..k_max.

    Resamples the N trials with replacement ``n_boot`` times (``numpy`` generator
    seeded with ``seed``: deterministic), recomputes the curve
    (:func:`expected_max`, or :func:`expected_max_without_replacement` when
    ``replacement`` is False) and takes the ``(1 - level) / 2`` and
    ``(1 + level) / 2`` percentiles per k. Resamples with no finite value are
    left out; if all are, the band is NaN.
    """
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < 1:
        raise ValueError(f"n_boot must be a positive integer, got {n_boot!r}")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    arr = np.asarray(values, dtype=float)
    _sorted_finite(arr, higher_is_better)  # validates the shape
    estimator = expected_max if replacement else expected_max_without_replacement
    n_k = len(estimator(arr, k_max, higher_is_better=higher_is_better))
    rng = np.random.default_rng(seed)
    draws = arr[rng.integers(0, arr.size, size=(n_boot, arr.size))]
    curves = np.array([estimator(d, n_k, higher_is_better=higher_is_better) for d in draws])
    curves = curves[~np.isnan(curves).any(axis=1)]
    if curves.size == 0:
        return np.full(n_k, np.nan), np.full(n_k, np.nan)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(curves, [tail, 1.0 - tail], axis=0)
    return low, high
