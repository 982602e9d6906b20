"""Shared fixtures: tiny suites that train in seconds."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

torch.set_num_threads(min(2, torch.get_num_threads()))

TINY_SUITE = """
name: tiny
seeds: [0, 1]
datasets:
  - ring
  - {name: grid, params: {std: 0.05}}
objectives: [minimax, nonsaturating, wgan-gp]
architectures:
  - {name: mlp, params: {depth: 2, width: 16}}
train:
  steps: 20
  batch_size: 32
  log_every: 5
eval:
  n_samples: 200
  keep_samples: 50
"""


@pytest.fixture
def write_suite(tmp_path: Path):
    """Write YAML text to a suite file and return its path."""

    def _write(text: str, name: str = "suite.yaml") -> Path:
        p = tmp_path / name
        p.write_text(text)
        return p

    return _write


@pytest.fixture
def tiny_suite_path(write_suite) -> Path:
    """A 12-cell suite (2 datasets × 3 objectives × 2 seeds) of 20 steps."""
    return write_suite(TINY_SUITE, "tiny.yaml")
