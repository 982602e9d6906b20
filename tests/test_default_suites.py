"""The default suites keep the promises their comments and the README make."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from ganbench.config import load_suite
from ganbench.datasets import DATASETS
from ganbench.objectives import OBJECTIVES

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = load_suite(ROOT / "suites" / "objectives.yaml")
FULL = load_suite(ROOT / "suites" / "objectives-full.yaml")


@pytest.mark.parametrize("name", OBJECTIVES.names())
def test_every_registered_objective_runs_in_the_full_suite(name):
    assert name in {o.name for o in FULL.objectives}


def _nearest_mode_distance(means: torch.Tensor) -> float:
    d = torch.cdist(means.double(), means.double())
    return float(d.fill_diagonal_(float("inf")).min())


@pytest.mark.parametrize("suite", [DEFAULT, FULL], ids=["default", "full"])
def test_enough_seeds_and_the_published_difficulty(suite):
    """>= 5 seeds; mode std <= 2 % of the grid spacing, ring std <= 1 % of its radius."""
    assert len(suite.seeds) >= 5
    assert {ds.name for ds in suite.datasets} == {"ring", "grid"}
    for ds in suite.datasets:
        data = DATASETS.get(ds.name)(**ds.params)
        std = float(data.stds.max())
        if ds.name == "grid":
            assert std <= 0.02 * _nearest_mode_distance(data.means) + 1e-9
        else:
            assert std <= 0.01 * float(data.means.norm(dim=-1).max()) + 1e-9


def test_the_default_suites_cells_are_cells_of_the_full_suite():
    """Same settings per (dataset, objective, seed): the shared entries are the same runs."""
    full = {(c.dataset.label, c.objective.label, c.seed): c.run_id for c in FULL.cells()}
    for c in DEFAULT.cells():
        assert full[c.dataset.label, c.objective.label, c.seed] == c.run_id
