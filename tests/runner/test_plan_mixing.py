"""Ensemble planning: mixable objectives share ensembles; large groups split evenly."""

from __future__ import annotations

import pytest

from ganbench.config import load_suite
from ganbench.runner.plan import estimated_work, plan_groups
from ganbench.runner.preflight import build_datasets

SUITE = """
name: mix
seeds: [0, 1, 2]
datasets: [ring, grid]
objectives: [nonsaturating, hinge, wgan-gp, lsgan]
architectures: [{name: mlp, params: {depth: 1, width: 8}}]
train: {steps: 2}
"""


def test_mixable_objectives_share_an_ensemble(write_suite):
    suite = load_suite(write_suite(SUITE))
    groups = plan_groups(suite.cells(), build_datasets(suite))
    kinds = sorted(sorted({c.objective.name for c in g}) for g in groups)
    assert kinds == [["hinge", "lsgan", "nonsaturating"], ["wgan-gp"]]
    assert sorted(len(g) for g in groups) == [6, 18]


def test_groups_larger_than_the_limit_split_into_equal_parts(write_suite):
    suite = load_suite(write_suite(SUITE))
    groups = plan_groups(suite.cells(), build_datasets(suite), max_size=5)
    assert sorted(len(g) for g in groups) == [3, 3, 4, 4, 5, 5]


def _sizes_by_group(groups):
    """Part sizes of the 18-cell mixable group and of the 6-cell wgan-gp group."""
    sizes: dict[int, list[int]] = {6: [], 18: []}
    for g in groups:
        sizes[18 if g[0].objective.name != "wgan-gp" else 6].append(len(g))
    return sizes


@pytest.mark.parametrize(
    ("parts", "split"),
    [
        (1, {18: 1, 6: 1}),
        (2, {18: 1, 6: 1}),  # two groups for two workers: nothing to split
        (3, {18: 2, 6: 1}),  # the wider group first
        (5, {18: 4, 6: 1}),  # 18/3 = 6 ties 6/1: the first group is cut
        (7, {18: 5, 6: 2}),
        (40, {18: 18, 6: 6}),  # never an empty part
    ],
)
def test_min_parts_splits_only_as_far_as_the_workers_need(write_suite, parts, split):
    suite = load_suite(write_suite(SUITE))
    cells = suite.cells()
    groups = plan_groups(cells, build_datasets(suite), min_parts=parts)
    assert len(groups) == min(max(parts, 2), len(cells))
    sizes = _sizes_by_group(groups)
    for whole, got in sizes.items():
        assert len(got) == split[whole]
        assert max(got) - min(got) <= 1
    flat = [c.run_id for g in groups for c in g]
    assert sorted(flat) == sorted(c.run_id for c in cells)


@pytest.mark.parametrize("seeds", [1, 2, 3, 5, 8])
@pytest.mark.parametrize("parts", [1, 2, 3, 4, 9])
def test_min_parts_gives_every_worker_a_part_and_no_more(write_suite, seeds, parts):
    text = SUITE.replace("seeds: [0, 1, 2]", f"seeds: {list(range(seeds))[::-1]}")
    suite = load_suite(write_suite(text))
    cells = suite.cells()
    groups = plan_groups(cells, build_datasets(suite), min_parts=parts)
    assert len(groups) == min(max(parts, 2), len(cells))
    # every cut went to the widest group: cutting a group into k parts was worth it only
    # if its k - 1 parts were at least as wide as the widest part of the final plan
    counts = {18: 0, 6: 0}
    for g in groups:
        counts[18 if g[0].objective.name != "wgan-gp" else 6] += 1
    widths = {n * seeds // 3: k for n, k in counts.items()}
    final = max(n / k for n, k in widths.items())
    for n, k in widths.items():
        if k > 1:
            assert n / (k - 1) >= final
    assert sorted(c.run_id for g in groups for c in g) == sorted(c.run_id for c in cells)


def test_parts_start_with_the_most_work_when_workers_share_them(write_suite):
    text = SUITE.replace(
        "objectives: [nonsaturating, hinge, wgan-gp, lsgan]",
        "objectives: [nonsaturating, {name: wgan-gp, train: {n_critic: 5}}]",
    )
    suite = load_suite(write_suite(text))
    datasets = build_datasets(suite)
    in_order = plan_groups(suite.cells(), datasets)
    assert [g[0].objective.name for g in in_order] == ["nonsaturating", "wgan-gp"]
    shared = plan_groups(suite.cells(), datasets, min_parts=2)
    assert [g[0].objective.name for g in shared] == ["wgan-gp", "nonsaturating"]
    assert estimated_work(shared[0]) == 6 * 2 * (5 + 0 + 1) * 1


@pytest.mark.parametrize(
    ("parts", "sizes"),
    [(2, [3, 3, 4, 4, 5, 5]), (5, [3, 3, 4, 4, 5, 5]), (8, [3] * 8)],
)
def test_min_parts_and_max_size_take_the_larger_split(write_suite, parts, sizes):
    suite = load_suite(write_suite(SUITE))
    groups = plan_groups(suite.cells(), build_datasets(suite), max_size=5, min_parts=parts)
    assert sorted(len(g) for g in groups) == sizes
