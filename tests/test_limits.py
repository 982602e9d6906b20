"""Count bounds and the up-front memory check (issue 13, item 7)."""

from __future__ import annotations

import pytest

from ganbench import limits
from ganbench.cli import main
from ganbench.errors import ConfigError

DIGITS = """
name: big
seeds: [0, 1]
datasets: [{name: digits, params: {resolution: 28}}]
objectives: [nonsaturating]
architectures: [{name: mlp, params: {depth: 1, width: 8}}]
train: {steps: 10, batch_size: 16}
eval: {n_samples: 1000000}
"""


def test_counts_above_their_bound_name_key_value_and_bound():
    with pytest.raises(ConfigError, match=r"^s: train\.steps: 10000001 is larger than the maximum"):
        limits.check_counts({"steps": 10_000_001}, limits.TRAIN_MAX, "s: train")
    limits.check_counts({"steps": 400_000, "batch_size": 64}, limits.TRAIN_MAX, "s: train")
    limits.check_counts({"n_samples": 50_000}, limits.EVAL_MAX, "s: eval")


def test_memory_check_states_the_size_and_the_memory():
    limits.check_memory((3, 32, 32), 150_000, 1024, "w", memory=16 * 2**30)  # a paper's FID run
    with pytest.raises(ConfigError, match=r"eval samples of 1,000,000 points .* GiB, more than"):
        limits.check_memory((3, 64, 64), 1_000_000, 64, "w", memory=16 * 2**30)
    with pytest.raises(ConfigError, match="a training batch"):
        limits.check_memory((3, 64, 64), 10, 10**6, "w", memory=16 * 2**30)


def test_validate_rejects_a_suite_whose_samples_do_not_fit(write_suite, monkeypatch, capsys):
    monkeypatch.setattr(limits, "physical_memory", lambda: 2**30)
    path = write_suite(DIGITS, "big.yaml")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "eval samples of 2,000,000 points of shape (1, 28, 28)" in err
