"""Objectives with a paper protocol train at that protocol unless the suite says otherwise.

Issue 12, bug 7: WGAN-GP trained at the suite's global lr (1e-3) instead of
Gulrajani et al.'s Adam(lr 1e-4, betas (0, 0.9)). Resolution order: defaults <
suite ``train`` < the objective's paper protocol < variant ``train`` < the
objective entry's own ``train``.
"""

from __future__ import annotations

import pytest

from ganbench.config import load_suite
from tests.conftest import TINY_SUITE

WGAN_GP_PAPER = {"lr": 1e-4, "betas": (0.0, 0.9), "n_critic": 5}


def _train(cells, objective: str, variant: str | None = None):
    trains = {
        (c.train.lr, c.train.betas, c.train.n_critic)
        for c in cells
        if c.objective.name == objective and (variant is None or c.variant == variant)
    }
    assert len(trains) == 1, trains
    return trains.pop()


@pytest.mark.parametrize("suite_lr", [None, 1e-3, 2e-4, 5e-5])
def test_wgan_gp_resolves_its_paper_lr_and_betas(write_suite, suite_lr):
    text = (
        TINY_SUITE
        if suite_lr is None
        else TINY_SUITE.replace(
            "  steps: 20\n", f"  steps: 20\n  lr: {suite_lr!r}\n  betas: [0.5, 0.99]\n"
        )
    )
    cells = load_suite(write_suite(text)).cells()
    assert _train(cells, "wgan-gp") == (1e-4, (0.0, 0.9), 5)
    other = _train(cells, "nonsaturating")
    assert other[0] == (1e-3 if suite_lr is None else suite_lr)


@pytest.mark.parametrize("lr", [1e-3, 2e-4, 3e-5])
def test_the_objective_entry_overrides_the_paper_lr(write_suite, lr):
    text = TINY_SUITE.replace(
        "objectives: [minimax, nonsaturating, wgan-gp]",
        f"objectives: [nonsaturating, {{name: wgan-gp, train: {{lr: {lr!r}}}}}]",
    )
    cells = load_suite(write_suite(text)).cells()
    assert _train(cells, "wgan-gp") == (lr, (0.0, 0.9), 5)


def test_a_variant_overrides_the_paper_lr(write_suite):
    text = TINY_SUITE + "variants:\n  - base\n  - {label: fast, train: {lr: 2.0e-3}}\n"
    cells = load_suite(write_suite(text)).cells()
    assert _train(cells, "wgan-gp", "base") == (1e-4, (0.0, 0.9), 5)
    assert _train(cells, "wgan-gp", "fast") == (2e-3, (0.0, 0.9), 5)


def test_stating_the_paper_lr_keeps_the_run_id(write_suite):
    base = load_suite(write_suite(TINY_SUITE)).cells()
    text = TINY_SUITE.replace(
        "objectives: [minimax, nonsaturating, wgan-gp]",
        "objectives: [minimax, nonsaturating, {name: wgan-gp, train: {lr: 1.0e-4}}]",
    )
    explicit = load_suite(write_suite(text, "explicit.yaml")).cells()
    assert [c.run_id for c in base] == [c.run_id for c in explicit]
