"""Per-member objectives: runs of equal objectives, slices, and which objectives can mix."""

from __future__ import annotations

import pytest
import torch

from ganbench.objectives import OBJECTIVES
from ganbench.objectives.base import MemberObjectives, is_mixable, per_member


def test_runs_of_equal_objectives_are_merged():
    ns, hinge = OBJECTIVES.get("nonsaturating"), OBJECTIVES.get("hinge")
    mixed = MemberObjectives([ns(), ns(), hinge(), ns()])
    assert [(a, b) for a, b, _ in mixed.runs] == [(0, 2), (2, 3), (3, 4)]
    lsgan = OBJECTIVES.get("lsgan")
    assert len(MemberObjectives([lsgan(), lsgan(a=0.0)]).runs) == 2


def test_each_member_gets_its_own_loss():
    names = ["nonsaturating", "hinge", "rsgan"]
    objs = [OBJECTIVES.get(n)() for n in names]
    real, fake = torch.randn(3, 8), torch.randn(3, 8)
    mixed = per_member(objs)
    for i, obj in enumerate(objs):
        torch.testing.assert_close(mixed.d_loss(real, fake)[i], obj.d_loss(real[i], fake[i]))
        torch.testing.assert_close(mixed.g_loss(fake, real)[i], obj.g_loss(fake[i], real[i]))
    assert mixed.needs_real_for_g


def test_a_single_objective_is_passed_through():
    obj = OBJECTIVES.get("hinge")()
    assert per_member(obj) is obj
    same = per_member([OBJECTIVES.get("hinge")(), OBJECTIVES.get("hinge")()])
    assert type(same).__name__ == "Hinge"


@pytest.mark.parametrize("name", OBJECTIVES.names())
def test_only_objectives_without_penalties_or_hooks_mix(name):
    expected = name not in {"wgan", "wgan-gp"}
    assert is_mixable(OBJECTIVES.get(name)) is expected
