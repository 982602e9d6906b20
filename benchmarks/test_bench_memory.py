"""The driver's memory over a 500-cell sweep of small runs.

Every cell trains on its own (``ensemble=False``) in the driver process, the
worst case for the driver: if anything were kept per cell (records, datasets,
networks, progress state), the resident set would grow with the cell count.
The RSS is sampled after each record is written. The allocator's pools and
lazy caches fill during the first few hundred cells (measured: +0.8 MB over
cells 1–500, then nothing up to 2,000), so the sweep has 1,000 cells: the
growth over the first 500 is reported, and the per-cell slope is fitted over
the last 500.
"""

from __future__ import annotations

import os

import pytest

from ganbench.config import load_suite
from ganbench.runner import run_suite

pytestmark = pytest.mark.bench

CELLS, WARMUP = 1000, 500
FLAT_KB_PER_CELL = 0.1
SUITE = f"""
name: rss
seeds: {list(range(CELLS))}
datasets: [ring]
objectives: [nonsaturating]
architectures:
  - {{name: mlp, params: {{depth: 1, width: 8}}}}
train: {{steps: 5, batch_size: 16, log_every: 5}}
eval: {{n_samples: 100, keep_samples: 10}}
"""


def rss_kb() -> float:
    """Resident set size of this process in KiB (Linux ``/proc``)."""
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1024


def _slope(ys: list[float]) -> float:
    n = len(ys)
    mx, my = (n - 1) / 2, sum(ys) / n
    num = sum((i - mx) * (y - my) for i, y in enumerate(ys))
    return num / sum((i - mx) ** 2 for i in range(n))


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux /proc")
def test_driver_rss_is_flat_over_500_cells(benchmark, tmp_path):
    path = tmp_path / "rss.yaml"
    path.write_text(SUITE)
    suite = load_suite(path)
    samples: list[float] = []

    def sweep() -> None:
        samples.clear()
        run_suite(
            suite,
            tmp_path / "results",
            "cpu",
            force=True,
            ensemble=False,
            progress=False,
            on_record=lambda rec: samples.append(rss_kb()),
        )

    benchmark.pedantic(sweep, rounds=1, iterations=1)
    assert len(samples) == CELLS
    slope = _slope(samples[WARMUP:])
    info = benchmark.extra_info
    info["cells"] = CELLS
    info["ms_per_cell"] = round(benchmark.stats.stats.median / CELLS * 1e3, 2)
    info["rss_mb_first_cell"] = round(samples[0] / 1024, 1)
    info["rss_mb_after_500"] = round(samples[WARMUP - 1] / 1024, 1)
    info["rss_mb_at_end"] = round(samples[-1] / 1024, 1)
    info["rss_growth_kb_per_cell_first_500"] = round(_slope(samples[:WARMUP]), 3)
    info["rss_growth_kb_per_cell_last_500"] = round(slope, 3)
    info["note"] = (
        f"{CELLS} cells trained one by one in the driver (5 steps, 100 samples each); RSS "
        f"sampled after each record; per-cell slopes of cells 1–{WARMUP} and the rest"
    )
    info["target"] = {
        "name": f"driver RSS flat (no per-cell growth after {WARMUP} cells of {CELLS})",
        "value": f"{slope:+.2f} KiB/cell",
        "goal": f"< {FLAT_KB_PER_CELL} KiB/cell",
        "met": bool(slope < FLAT_KB_PER_CELL),
    }
