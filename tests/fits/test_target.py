"""The Theis et al. mixture is generated as in the authors' code (REFERENCES.md §6)."""

from __future__ import annotations

import numpy as np
import pytest

from ganbench.fits import theis_data, theis_mixture
from ganbench.fits.objectives import Mixture
from ganbench.fits.optimize import kl_solution

# REFERENCES.md §6, seed 22: weight, variance, mean x, mean y
PUBLISHED = np.array(
    [
        [0.012371, 0.519675, 0.544589, 0.152968],
        [0.050346, 0.383305, 0.833625, -0.376394],
        [0.008340, 0.490698, -1.632824, -0.118218],
        [0.020835, 0.398411, 0.035542, -1.627746],
        [0.013829, 0.344950, 3.748765, 0.892393],
        [0.000032, 0.808858, -3.735046, -0.958362],
        [0.281100, 0.270346, -0.352294, -1.661755],
        [0.226878, 0.252802, -0.146345, 3.159219],
        [0.163848, 0.355403, -1.329794, -0.851082],
        [0.222423, 0.310307, -0.205070, -0.719925],
    ]
)


def test_mixture_matches_the_published_table():
    p = theis_mixture(seed=22)
    assert np.allclose(p.weights, PUBLISHED[:, 0], atol=5e-7)
    assert np.allclose(p.covs[:, 0, 0], PUBLISHED[:, 1], atol=5e-7)
    assert np.allclose(p.covs[:, 1, 1], PUBLISHED[:, 1], atol=5e-7)
    assert np.allclose(p.means, PUBLISHED[:, 2:], atol=5e-7)


def test_kl_fit_matches_the_published_analytic_values():
    b, a = kl_solution(Mixture.of(theis_mixture()))
    assert b == pytest.approx([-0.308174, -0.089585], abs=5e-7)
    assert a == pytest.approx(1.491132, abs=5e-7)


def test_data_follow_the_mixture_and_the_code_kl_fit():
    """The code's KL fit (data mean, pooled np.std) on its 100k sample is near the analytic one."""
    data = theis_data(100_000)
    assert data.shape == (100_000, 2)
    b = data.mean(0)
    a = np.std(data - b)
    assert b == pytest.approx([-0.308174, -0.089585], abs=0.02)
    assert a == pytest.approx(1.491132, abs=0.01)
    assert np.array_equal(data, theis_data(100_000))  # deterministic


def test_means_do_not_depend_on_dim():
    """D_max = 100 rows are drawn, so the first two coordinates are the same for any D."""
    assert np.allclose(theis_mixture(dim=3).means[:, :2], theis_mixture(dim=2).means)
