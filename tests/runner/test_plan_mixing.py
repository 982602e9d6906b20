"""Ensemble planning: mixable objectives share ensembles; large groups split evenly."""

from __future__ import annotations

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
