"""Shared benchmark fixtures: torch threads, the machine load, the sgemm peak.

Conventions for every benchmark (``benchmarks/write_readme.py`` relies on them):

* mark it ``bench`` (``nox -s bench`` selects ``-m bench``);
* put the figures to report in ``benchmark.extra_info`` (numbers or short
  strings); the keys ``note`` (a sentence) and ``target`` / ``targets``
  (``{"name", "value", "goal", "met"}``) are rendered specially;
* the machine's 1-minute load average before and after each benchmark is added
  here automatically (``load_1m_before`` / ``load_1m_after``): on a shared
  machine every figure must carry it.

``GANBENCH_BENCH_THREADS`` sets the torch thread count (default: every core).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import torch
from helpers import bmm_gflops, load_1m, sgemm_gflops


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


THREADS = int(os.environ.get("GANBENCH_BENCH_THREADS", _cores()))
torch.set_num_threads(THREADS)


@pytest.fixture(autouse=True)
def _record_load(request: pytest.FixtureRequest) -> Iterator[None]:
    if "benchmark" not in request.fixturenames:
        yield
        return
    bench = request.getfixturevalue("benchmark")
    bench.extra_info["load_1m_before"] = load_1m()
    bench.extra_info["threads"] = torch.get_num_threads()
    yield
    bench.extra_info["load_1m_after"] = load_1m()


@pytest.fixture(scope="session")
def sgemm_peak() -> dict[str, dict[str, float]]:
    """The machine's fp32 matrix-multiply peak per clock, measured once per benchmark run."""
    return {"sgemm": sgemm_gflops(), "bmm_8x256x128x128": bmm_gflops()}
