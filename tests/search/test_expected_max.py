"""Expected best after k trials: brute force over all tuples/subsets, closed forms, bands."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from ganbench.search import (
    bootstrap_band,
    expected_max,
    expected_max_without_replacement,
    failure_probability,
)


def brute_with(values: list[float], k: int, higher: bool = True) -> tuple[float, float]:
    """(E[best | some finite draw], P[all failed]) over all N^k equally likely k-tuples."""
    best, failed, total = [], 0, 0
    for tup in itertools.product(values, repeat=k):
        total += 1
        finite = [v for v in tup if math.isfinite(v)]
        if not finite:
            failed += 1
            continue
        best.append(max(finite) if higher else min(finite))
    return (float(np.mean(best)) if best else math.nan), failed / total


def brute_without(values: list[float], k: int, higher: bool = True) -> tuple[float, float]:
    """The same over all C(N, k) equally likely k-subsets."""
    best, failed, total = [], 0, 0
    for sub in itertools.combinations(values, k):
        total += 1
        finite = [v for v in sub if math.isfinite(v)]
        if not finite:
            failed += 1
            continue
        best.append(max(finite) if higher else min(finite))
    return (float(np.mean(best)) if best else math.nan), failed / total


def samples(n: int, seed: int, ties: bool) -> list[float]:
    rng = np.random.default_rng([n, seed, int(ties)])
    if ties:
        return [float(v) for v in rng.integers(0, 3, size=n)]
    return [float(v) for v in rng.normal(size=n)]


CASES = [(n, seed, ties) for n in range(1, 7) for seed in range(3) for ties in (False, True)]


@pytest.mark.parametrize(("n", "seed", "ties"), CASES)
@pytest.mark.parametrize("higher", [True, False])
def test_matches_brute_force(n: int, seed: int, ties: bool, higher: bool) -> None:
    values = samples(n, seed, ties)
    k_with = min(n + 1, 5)  # all 6^5 tuples at most: fast enough
    want_with = [brute_with(values, k, higher)[0] for k in range(1, k_with + 1)]
    want_without = [brute_without(values, k, higher)[0] for k in range(1, n + 1)]
    got_with = expected_max(values, k_with, higher_is_better=higher)
    got_without = expected_max_without_replacement(values, higher_is_better=higher)
    np.testing.assert_allclose(got_with, want_with, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got_without, want_without, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("fails", [[math.nan], [math.nan, math.inf], [-math.inf, math.nan, 7.0]])
@pytest.mark.parametrize("higher", [True, False])
def test_non_finite_rule_matches_brute_force(fails: list[float], higher: bool) -> None:
    values = [0.3, -1.0, 2.0, *fails]
    n = len(values)
    want = [brute_with(values, k, higher) for k in range(1, n + 1)]
    want_wo = [brute_without(values, k, higher) for k in range(1, n + 1)]
    np.testing.assert_allclose(expected_max(values, higher_is_better=higher), [w[0] for w in want])
    np.testing.assert_allclose(
        expected_max_without_replacement(values, higher_is_better=higher), [w[0] for w in want_wo]
    )
    np.testing.assert_allclose(failure_probability(values), [w[1] for w in want])
    np.testing.assert_allclose(
        failure_probability(values, replacement=False), [w[1] for w in want_wo]
    )


def test_failures_cost_budget_but_never_win() -> None:
    clean = [1.0, 2.0, 3.0]
    flaky = [1.0, 2.0, 3.0, math.nan, math.nan, math.nan]
    assert np.all(expected_max(flaky, 3) <= expected_max(clean, 3) + 1e-12)
    assert expected_max(flaky, 1)[0] == pytest.approx(2.0)  # given success, the mean
    assert expected_max(flaky, 50)[-1] == pytest.approx(
        3.0, abs=1e-3
    )  # enough budget finds the best
    assert np.all(np.isnan(expected_max([math.nan, math.inf], 3)))
    assert np.all(np.isnan(expected_max_without_replacement([math.nan, -math.inf])))


@pytest.mark.parametrize("seed", range(3))
def test_order_of_input_does_not_matter(seed: int) -> None:
    values = np.random.default_rng(seed).normal(size=7)
    perm = np.random.default_rng(seed + 10).permutation(values)
    np.testing.assert_array_equal(expected_max(values, 9), expected_max(perm, 9))
    np.testing.assert_array_equal(
        expected_max_without_replacement(values), expected_max_without_replacement(perm)
    )


@pytest.mark.parametrize("n", [1, 2, 5, 12])
def test_closed_form_for_one_to_n(n: int) -> None:
    values = np.arange(1, n + 1, dtype=float)[::-1]
    want = [n - sum((j / n) ** k for j in range(1, n)) for k in range(1, 2 * n + 1)]
    np.testing.assert_allclose(expected_max(values, 2 * n), want, rtol=1e-13)
    # a k-subset of 1..n: E[max] = k (n + 1) / (k + 1)
    want_wo = [k * (n + 1) / (k + 1) for k in range(1, n + 1)]
    np.testing.assert_allclose(expected_max_without_replacement(values), want_wo, rtol=1e-12)


def test_large_uniform_sample_approaches_k_over_k_plus_1() -> None:
    values = np.random.default_rng(0).random(20_000)
    ks = np.arange(1, 21)
    np.testing.assert_allclose(expected_max(values, 20), ks / (ks + 1), atol=0.01)
    np.testing.assert_allclose(
        expected_max_without_replacement(values, 20), ks / (ks + 1), atol=0.01
    )


@pytest.mark.parametrize("seed", range(4))
def test_shape_of_the_curves(seed: int) -> None:
    values = np.random.default_rng(seed).gamma(2.0, size=15)
    with_r = expected_max(values, 30)
    without = expected_max_without_replacement(values)
    assert np.all(np.diff(with_r) >= -1e-12) and np.all(np.diff(without) >= -1e-12)
    assert with_r[0] == pytest.approx(values.mean()) and without[0] == pytest.approx(values.mean())
    assert without[-1] == pytest.approx(values.max())
    assert np.all(with_r[:15] <= without + 1e-12)  # repeated draws waste budget
    assert with_r[-1] <= values.max()


def test_lower_is_better_mirrors() -> None:
    values = np.random.default_rng(5).normal(size=9)
    np.testing.assert_allclose(
        expected_max(values, 12, higher_is_better=False), -expected_max(-values, 12)
    )
    low = expected_max_without_replacement(values, higher_is_better=False)
    assert low[0] == pytest.approx(values.mean()) and low[-1] == pytest.approx(values.min())


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        expected_max([])
    with pytest.raises(ValueError, match="k_max"):
        expected_max([1.0], 0)
    with pytest.raises(ValueError, match="exceeds"):
        expected_max_without_replacement([1.0, 2.0], 3)
    with pytest.raises(ValueError, match="n_boot"):
        bootstrap_band([1.0], n_boot=0)
    with pytest.raises(ValueError, match="level"):
        bootstrap_band([1.0], level=1.0)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("replacement", [True, False])
def test_bootstrap_band(seed: int, replacement: bool) -> None:
    values = np.random.default_rng(seed).normal(size=12)
    curve = (expected_max if replacement else expected_max_without_replacement)(values, 12)
    low, high = bootstrap_band(values, 12, n_boot=300, seed=seed, replacement=replacement)
    assert low.shape == high.shape == (12,)
    assert np.all(low <= curve + 1e-12) and np.all(curve <= high + 1e-12)
    again = bootstrap_band(values, 12, n_boot=300, seed=seed, replacement=replacement)
    np.testing.assert_array_equal(low, again[0])
    np.testing.assert_array_equal(high, again[1])
    other = bootstrap_band(values, 12, n_boot=300, seed=seed + 1, replacement=replacement)
    assert not np.array_equal(low, other[0])
    narrow = bootstrap_band(values, 12, n_boot=300, seed=seed, level=0.5, replacement=replacement)
    assert np.all(low <= narrow[0] + 1e-12) and np.all(narrow[1] <= high + 1e-12)


def test_bootstrap_band_lower_is_better_and_failures() -> None:
    values = [0.5, 0.2, math.nan, 0.9, 0.4, 0.7]
    curve = expected_max(values, 8, higher_is_better=False)
    low, high = bootstrap_band(values, 8, n_boot=200, higher_is_better=False)
    assert np.all(np.isfinite(low)) and np.all(low <= curve) and np.all(curve <= high)
    low, high = bootstrap_band([math.nan, math.nan], 2, n_boot=20)
    assert np.all(np.isnan(low)) and np.all(np.isnan(high))
