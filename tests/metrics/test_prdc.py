from __future__ import annotations

import numpy as np
import pytest
import torch

from ganbench.metrics import prdc
from ganbench.metrics.knn import kth_neighbour_distances

pytestmark = pytest.mark.usefixtures("single_thread")


def _sets(seed=0, n_real=400, n_fake=300, d=16):
    rng = np.random.default_rng(seed)
    real = rng.standard_normal((n_real, d)).astype(np.float32)
    fake = (0.8 * rng.standard_normal((n_fake, d)) + 0.3).astype(np.float32)
    return real, fake


def test_identical_to_the_prdc_package(capsys):
    ref_pkg = pytest.importorskip("prdc")
    real, fake = _sets(1)
    ours = prdc(real, fake, k=5)
    ref = ref_pkg.compute_prdc(real, fake, nearest_k=5)
    capsys.readouterr()  # the package prints its sample counts
    for key in ("precision", "recall", "density", "coverage"):
        assert ours[key] == pytest.approx(float(ref[key]), abs=1e-12), key


def test_blocking_does_not_change_anything():
    real, fake = _sets(2)
    whole = prdc(real, fake, k=3, block=10**9)
    for block in (1, 97, 4000):  # one row per block, ragged blocks, several rows
        assert prdc(real, fake, k=3, block=block) == whole


def test_kth_neighbour_distance_matches_brute_force():
    x = torch.from_numpy(_sets(3)[0][:50]).double()
    d = torch.cdist(x, x)
    expected = d.sort(dim=1).values[:, 3]  # self (0) then the 3 nearest others
    torch.testing.assert_close(kth_neighbour_distances(x, 3, block=7), expected)


def test_permutation_invariance():
    real, fake = _sets(4)
    rng = np.random.default_rng(0)
    a = prdc(real, fake, k=5)
    b = prdc(real[rng.permutation(len(real))], fake[rng.permutation(len(fake))], k=5)
    assert a == pytest.approx(b, abs=1e-12)


def test_closed_forms():
    real = _sets(5)[0]
    far = real + 1000.0
    assert prdc(real, far, k=5) == {
        "precision": 0.0,
        "recall": 0.0,
        "density": 0.0,
        "coverage": 0.0,
    }
    same = prdc(real, real.copy(), k=5)
    assert same["precision"] == same["recall"] == same["coverage"] == 1.0


def test_numpy_and_torch_inputs_agree():
    real, fake = _sets(6, 80, 60)
    assert prdc(real, fake) == prdc(torch.from_numpy(real), torch.from_numpy(fake))


def test_bad_k_is_a_clear_error():
    real, fake = _sets(7, 10, 5)
    with pytest.raises(ValueError, match=r"= \[1, 4\], got 5"):
        prdc(real, fake, k=5)
