"""Ensemble planning: mixable objectives share ensembles; large groups split evenly."""

from __future__ import annotations

import pytest

from ganbench.config import load_suite
from ganbench.runner.plan import plan_groups
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


@pytest.mark.parametrize("parts", [1, 2, 3, 5, 7, 40])
def test_min_parts_splits_every_group_and_keeps_every_cell_once(write_suite, parts):
    suite = load_suite(write_suite(SUITE))
    cells = suite.cells()
    groups = plan_groups(cells, build_datasets(suite), min_parts=parts)
    sizes = {6: [], 18: []}
    for g in groups:
        whole = 18 if g[0].objective.name != "wgan-gp" else 6
        sizes[whole].append(len(g))
    for whole, got in sizes.items():
        assert len(got) == min(parts, whole)  # never an empty part
        assert max(got) - min(got) <= 1
    flat = [c.run_id for g in groups for c in g]
    assert sorted(flat) == sorted(c.run_id for c in cells)


@pytest.mark.parametrize(
    ("parts", "sizes"),
    [(2, [3, 3, 4, 4, 5, 5]), (5, [1, 1, 1, 1, 2, 3, 3, 4, 4, 4])],
)
def test_min_parts_and_max_size_take_the_larger_split(write_suite, parts, sizes):
    suite = load_suite(write_suite(SUITE))
    groups = plan_groups(suite.cells(), build_datasets(suite), max_size=5, min_parts=parts)
    assert sorted(len(g) for g in groups) == sizes
