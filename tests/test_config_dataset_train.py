"""Per-dataset training settings: a harder mixture may train longer than an easy one."""

from __future__ import annotations

import pytest

from ganbench.config import load_suite
from ganbench.errors import ConfigError

SUITE = """
name: t
seeds: [0, 1, 2]
datasets:
  - ring
  - {{name: grid, params: {{std: 0.04}}, train: {{steps: {grid_steps}}}}}
objectives:
  - nonsaturating
  - wgan-gp
  - {{name: hinge, train: {{steps: 7}}}}
architectures:
  - {{name: mlp, params: {{depth: 2, width: 8}}}}
train: {{steps: 5, batch_size: 16, lr: 0.002}}
"""


def load(tmp_path, text: str):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return load_suite(path)


@pytest.mark.parametrize("grid_steps", [11, 40, 3])
def test_dataset_train_overrides_suite_train_but_not_paper_or_entry(tmp_path, grid_steps):
    suite = load(tmp_path, SUITE.format(grid_steps=grid_steps))
    steps = {(c.dataset.label, c.objective.label, c.seed): c.train.steps for c in suite.cells()}
    for seed in (0, 1, 2):
        assert steps["ring", "nonsaturating", seed] == 5
        assert steps["grid", "nonsaturating", seed] == grid_steps
        assert steps["grid", "hinge", seed] == 7  # the objective entry's own train wins
        assert steps["ring", "hinge", seed] == 7
    lrs = {(c.dataset.label, c.objective.label): c.train.lr for c in suite.cells()}
    assert lrs["grid", "nonsaturating"] == 0.002  # the dataset did not set it
    ring = {c.run_id for c in suite.cells() if c.dataset.label == "ring"}
    grid = {c.run_id for c in suite.cells() if c.dataset.label == "grid"}
    assert len(ring) == len(grid) == 9 and not ring & grid


def test_dataset_train_changes_only_that_datasets_run_ids(tmp_path):
    a = {c.run_id for c in load(tmp_path, SUITE.format(grid_steps=11)).cells()}
    b = {c.run_id for c in load(tmp_path, SUITE.format(grid_steps=12)).cells()}
    assert len(a & b) == 12  # the ring's 9 cells, and grid × hinge (its entry sets steps)


def test_bad_dataset_train_names_the_dataset(tmp_path):
    text = SUITE.format(grid_steps=11).replace("train: {steps: 11}", "train: {stepz: 11}")
    with pytest.raises(ConfigError, match=r"datasets\[1\]\.train.*stepz"):
        load(tmp_path, text)
