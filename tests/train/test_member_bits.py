"""A member's training is bit-identical alone and inside any ensemble, at any batch size.

CPU kernels finish a tensor's last ``numel mod 32`` elements in scalar code that
rounds transcendental functions differently (``ganbench/elementwise.py``), so with
``(E, B)`` outputs the bits of a member used to depend on ``E`` whenever ``B`` was not
a multiple of 32 (issue 12: batch 48 and 100). The sizes here are chosen to be
awkward: odd, prime, below and above the vector width, and the member sits first,
in the middle and last of ensembles of several sizes.
"""

from __future__ import annotations

import pytest
import torch

from ganbench.architectures import ARCHITECTURES
from ganbench.datasets import DATASETS
from ganbench.objectives import OBJECTIVES
from ganbench.train import Member, TrainConfig, train_ensemble
from tests.train.test_tricks import TRICKS as TOLERANCE_TRICKS

CPU = torch.device("cpu")
RING = DATASETS.get("ring")()
GRID = DATASETS.get("grid")()
BATCHES = [1, 33, 48, 100, 250]


def builder(**params):
    return lambda ctx: ARCHITECTURES.get("mlp")(ctx, **{"depth": 2, "width": 32, **params})


def cfg(batch: int, **kw) -> TrainConfig:
    return TrainConfig(**{"steps": 8, "batch_size": batch, "log_every": 4, **kw})


def assert_same_member(alone, group, index: int) -> None:
    """Member 0 of ``alone`` equals member ``index`` of ``group`` bit for bit."""
    assert torch.equal(alone.sample(97)[0], group.sample(97)[index])
    assert alone.results[0].curves == group.results[index].curves
    assert alone.results[0].status == group.results[index].status


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("name", OBJECTIVES.names())
def test_every_objective_is_member_independent_at_odd_batch_sizes(name, batch):
    obj = OBJECTIVES.get(name)()
    alone = train_ensemble(obj, builder(), cfg(batch), [Member(1, RING)], CPU)
    group = train_ensemble(
        obj, builder(), cfg(batch), [Member(0, GRID), Member(1, RING), Member(2, RING)], CPU
    )
    assert_same_member(alone, group, 1)


@pytest.mark.parametrize(
    ("size", "where", "batch"),
    [(2, 0, 37), (2, 1, 100), (5, 4, 48), (7, 3, 250), (9, 8, 33), (4, 2, 5)],
)
def test_member_position_and_ensemble_size_do_not_matter(size, where, batch):
    obj = OBJECTIVES.get("nonsaturating")()
    seeds = [11 + 7 * i for i in range(size)]
    members = [Member(s, GRID if i % 2 else RING) for i, s in enumerate(seeds)]
    alone = train_ensemble(obj, builder(), cfg(batch), [members[where]], CPU)
    group = train_ensemble(obj, builder(), cfg(batch), members, CPU)
    assert_same_member(alone, group, where)


TRICKS = {  # every trick of the tolerance-based test, plus the non-exact activations
    **TOLERANCE_TRICKS,
    "tanh_elu_odd_width": ({}, {"g_activation": "tanh", "d_activation": "elu", "width": 50}),
    "silu": ({}, {"g_activation": "silu", "d_activation": "silu", "width": 24}),
}


@pytest.mark.parametrize("batch", [50, 100])
@pytest.mark.parametrize("trick", sorted(TRICKS))
def test_tricks_are_member_independent_at_odd_batch_sizes(trick, batch):
    train, arch = TRICKS[trick]
    obj = OBJECTIVES.get("nonsaturating")()
    other = RING if train.get("conditional") else GRID
    alone = train_ensemble(obj, builder(**arch), cfg(batch, **train), [Member(1, RING)], CPU)
    group = train_ensemble(
        obj,
        builder(**arch),
        cfg(batch, **train),
        [Member(0, other), Member(1, RING), Member(2, RING)],
        CPU,
    )
    assert_same_member(alone, group, 1)
