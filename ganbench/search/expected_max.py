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


def _as_values(values: Sequence[float] | np.ndarray) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"expected a non-empty 1-D sequence of values, got shape {arr.shape}")
    return arr


def _ks(k_max: int | None, n: int, cap: int | None) -> np.ndarray:
    k_max = n if k_max is None else k_max
    if isinstance(k_max, bool) or not isinstance(k_max, int | np.integer) or k_max < 1:
        raise ValueError(f"k_max must be a positive integer, got {k_max!r}")
    if cap is not None and k_max > cap:
        raise ValueError(f"k_max={k_max} exceeds the {cap} values (subsets without replacement)")
    return np.arange(1, int(k_max) + 1, dtype=float)


def _log_comb(n: np.ndarray | float, k: np.ndarray | float) -> np.ndarray:
    """log C(n, k), -inf where k > n or k < 0."""
    n, k = np.broadcast_arrays(np.asarray(n, float), np.asarray(k, float))
    out = np.full(n.shape, -np.inf)
    ok = (k >= 0) & (k <= n)
    out[ok] = gammaln(n[ok] + 1) - gammaln(k[ok] + 1) - gammaln(n[ok] - k[ok] + 1)
    return out


def _rank_weights(n: int, ks: np.ndarray, replacement: bool) -> np.ndarray:
    """``W[k, r]``: probability that rank ``r`` (1..n, ascending) is the best of k draws."""
    ranks = np.arange(1, n + 1, dtype=float)
    col = ks[:, None]
    if replacement:
        return (ranks / n) ** col - ((ranks - 1) / n) ** col
    return np.exp(_log_comb(ranks - 1, col - 1) - _log_comb(np.float64(n), col))


def _all_failed(fails: np.ndarray, n: int, ks: np.ndarray, replacement: bool) -> np.ndarray:
    """``P[k draws all fail]`` per row (``fails``: failures per row), shape (rows, k)."""
    f, col = fails[:, None].astype(float), ks[None, :]
    if replacement:
        return (f / n) ** col
    return np.exp(_log_comb(f, col) - _log_comb(np.float64(n), col))


def _curves(rows: np.ndarray, ks: np.ndarray, higher: bool, replacement: bool) -> np.ndarray:
    """The expected-best curve of each row of ``rows`` (shape (rows, N)), shape (rows, k).

    Failures sort first (ranks 1..F) and get weight 0: the weight of a rank does
    not depend on F, so one weight matrix serves every row.
    """
    oriented = np.where(np.isfinite(rows), rows if higher else -rows, -np.inf)
    ordered = np.sort(oriented, axis=1)
    fails = np.count_nonzero(np.isneginf(ordered), axis=1)
    n = rows.shape[1]
    num = np.where(np.isfinite(ordered), ordered, 0.0) @ _rank_weights(n, ks, replacement).T
    with np.errstate(divide="ignore", invalid="ignore"):
        curve = num / (1.0 - _all_failed(fails, n, ks, replacement))
    curve[fails == n] = np.nan
    return curve if higher else -curve


def expected_max(
    values: Sequence[float] | np.ndarray,
    k_max: int | None = None,
    *,
    higher_is_better: bool = True,
) -> np.ndarray:
    """Expected best of k draws with replacement, k = 1..k_max (default N); Dodge et al.'s.

    ``out[k-1] = sum_i v(i) * ((i/N)^k - ((i-1)/N)^k)`` over the sorted values; the
    expected minimum when ``higher_is_better`` is False. Non-finite values: see the
    module docstring (the curve is conditional on at least one finite draw).
    """
    arr = _as_values(values)
    return _curves(arr[None, :], _ks(k_max, arr.size, None), higher_is_better, True)[0]


def expected_max_without_replacement(
    values: Sequence[float] | np.ndarray,
    k_max: int | None = None,
    *,
    higher_is_better: bool = True,
) -> np.ndarray:
    """Expected best of a uniformly random k-subset of the N values, k = 1..k_max (<= N).

    ``out[k-1] = sum_i v(i) * C(i-1, k-1) / C(N, k)``: the mean at k = 1, the best
    value at k = N; the expected minimum when ``higher_is_better`` is False.
    Non-finite values: see the module docstring.
    """
    arr = _as_values(values)
    return _curves(arr[None, :], _ks(k_max, arr.size, arr.size), higher_is_better, False)[0]


def failure_probability(
    values: Sequence[float] | np.ndarray, k_max: int | None = None, *, replacement: bool = True
) -> np.ndarray:
    """Probability that all k trials are non-finite, k = 1..k_max (default N).

    ``(F/N)^k`` with replacement, ``C(F, k) / C(N, k)`` without, for F non-finite values.
    """
    arr = _as_values(values)
    ks = _ks(k_max, arr.size, None if replacement else arr.size)
    fails = np.array([np.count_nonzero(~np.isfinite(arr))])
    return _all_failed(fails, arr.size, ks, replacement)[0]


def bootstrap_band(
    values: Sequence[float] | np.ndarray,
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
    arr = _as_values(values)
    ks = _ks(k_max, arr.size, None if replacement else arr.size)
    rng = np.random.default_rng(seed)
    draws = arr[rng.integers(0, arr.size, size=(n_boot, arr.size))]
    curves = _curves(draws, ks, higher_is_better, replacement)
    curves = curves[~np.isnan(curves).any(axis=1)]
    if curves.size == 0:
        return np.full(ks.size, np.nan), np.full(ks.size, np.nan)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(curves, [tail, 1.0 - tail], axis=0)
    return low, high
