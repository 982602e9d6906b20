"""Fixtures for the sample-quality metric tests."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture
def single_thread():
    """Run a test on one intra-op thread (restored afterwards).

    The math tests use small matrices; on shared, oversubscribed cores the
    wake-up cost of a second BLAS/OpenMP thread dominates them (measured: a
    50-subset KID of 100×32 features took 0.75 s on 2 threads, 0.05 s on 1).
    """
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def cache_root(tmp_path, monkeypatch):
    """A private ``$GANBENCH_CACHE`` for the test."""
    root = tmp_path / "cache"
    monkeypatch.setenv("GANBENCH_CACHE", str(root))
    return root
